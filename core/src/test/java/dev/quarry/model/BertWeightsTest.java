package dev.quarry.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.kernels.Int8Matrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parameters held as fp32 or as 8-bit codes, and the shapes a quantized tensor must have. */
class BertWeightsTest {

  private static final BertConfig CONFIG = new BertConfig(23, 10, 1, 2, 14, 16, 2, 1e-5f);
  private static final String LINEAR = "encoder.layer.0.intermediate.dense.weight";

  @Test
  void codesAreHandedOutAndWidenedOnFirstUse() {
    try (Arena arena = Arena.ofConfined()) {
      // intermediate.dense is [in 10, out 14]: 14 columns of codes.
      Int8Matrix codes = codes(arena, 10, 14);
      BertWeights weights = new BertWeights(CONFIG, floats(), Map.of(LINEAR, codes), "test");
      assertSame(codes, weights.int8(LINEAR));
      assertNull(weights.int8("embeddings.LayerNorm.weight"));
      MemorySegment widened = weights.get(LINEAR);
      assertSame(widened, weights.get(LINEAR), "widened once, then kept");
      for (int p = 0; p < 10; p++) {
        for (int j = 0; j < 14; j++) {
          assertEquals(codes.value(p, j), widened.getAtIndex(BertWeights.FLOAT, p * 14L + j));
        }
      }
    }
  }

  @Test
  void codesOfTheWrongShapeAreRefusedByName() {
    try (Arena arena = Arena.ofConfined()) {
      // The right count of codes (140) but laid out [14, 10]: columns would be the inputs.
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new BertWeights(CONFIG, floats(), Map.of(LINEAR, codes(arena, 14, 10)), "model.onnx"));
      assertTrue(e.getMessage().contains("model.onnx") && e.getMessage().contains(LINEAR)
          && e.getMessage().contains("10 columns of codes, expected 14"), e.getMessage());
      IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
          () -> new BertWeights(CONFIG, floats(), Map.of(LINEAR, codes(arena, 10, 15)), "model.onnx"));
      assertTrue(count.getMessage().contains("150 codes, expected 140"), count.getMessage());
    }
  }

  /** Every parameter but {@link #LINEAR} as fp32 zeros. */
  private static Map<String, MemorySegment> floats() {
    Map<String, MemorySegment> tensors = new HashMap<>();
    for (BertConfig.Parameter p : CONFIG.parameters()) {
      if (!p.name().equals(LINEAR)) tensors.put(p.name(), MemorySegment.ofArray(new float[(int) p.elementCount()]));
    }
    return tensors;
  }

  private static Int8Matrix codes(Arena arena, int rows, int columns) {
    MemorySegment codes = arena.allocate((long) rows * columns);
    for (int i = 0; i < rows * columns; i++) codes.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 37));
    float[] scales = new float[columns];
    int[] zeros = new int[columns];
    for (int j = 0; j < columns; j++) {
      scales[j] = 0.01f * (j + 1);
      zeros[j] = 100 + j;
    }
    return new Int8Matrix(codes, true, scales, zeros, rows, columns);
  }
}

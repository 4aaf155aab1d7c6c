package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** What an 8-bit code stands for, as ONNX's DequantizeLinear defines it, and bad shapes refused. */
class Int8MatrixTest {

  @Test
  void valuesAreCodeMinusZeroTimesScale() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment codes = arena.allocate(6);
      byte[] bytes = {0, (byte) 255, (byte) 128, 1, (byte) 200, 127};
      MemorySegment.copy(bytes, 0, codes, ValueLayout.JAVA_BYTE, 0, 6);
      float[] scales = {0.5f, 0.25f, 2f};
      Int8Matrix uint8 = new Int8Matrix(codes, true, scales, new int[] {128, 0, 255}, 2, 3);
      // Row 0: (0 − 128)·0.5, (255 − 0)·0.25, (128 − 255)·2; row 1: (1 − 128)·0.5, (200 − 0)·0.25, (127 − 255)·2.
      float[] expected = {-64f, 63.75f, -254f, -63.5f, 50f, -256f};
      MemorySegment widened = uint8.dequantize(arena);
      float[] row = new float[4];
      for (int p = 0; p < 2; p++) {
        uint8.row(p, row, 1);
        for (int j = 0; j < 3; j++) {
          assertEquals(expected[p * 3 + j], uint8.value(p, j));
          assertEquals(expected[p * 3 + j], widened.getAtIndex(ValueLayout.JAVA_FLOAT, p * 3 + j));
          assertEquals(expected[p * 3 + j], row[1 + j]);
        }
      }
      // The same bytes read as int8: 255 is −1, 128 is −128, 200 is −56.
      Int8Matrix int8 = new Int8Matrix(codes, false, scales, new int[] {0, -1, 3}, 2, 3);
      assertEquals(0f, int8.value(0, 0));
      assertEquals(0f, int8.value(0, 1));
      assertEquals((-128 - 3) * 2f, int8.value(0, 2));
      assertEquals((-56 + 1) * 0.25f, int8.value(1, 1));
    }
  }

  @Test
  void sideBySideKeepsEachColumnsScaleAndZero() {
    try (Arena arena = Arena.ofConfined()) {
      Int8Matrix left = filled(arena, 3, 2, 7, 0.5f, 1);
      Int8Matrix right = filled(arena, 3, 4, 9, 2f, 5);
      Int8Matrix both = Int8Matrix.sideBySide(arena, left, right);
      assertEquals(3, both.rows());
      assertEquals(6, both.columns());
      for (int p = 0; p < 3; p++) {
        for (int j = 0; j < 6; j++) {
          float expected = j < 2 ? left.value(p, j) : right.value(p, j - 2);
          assertEquals(expected, both.value(p, j), "[" + p + "][" + j + "]");
        }
      }
      Int8Matrix shorter = filled(arena, 2, 2, 1, 1f, 0);
      assertThrows(IllegalArgumentException.class, () -> Int8Matrix.sideBySide(arena, left, shorter));
    }
  }

  @Test
  void badShapesAndParametersAreRefused() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment six = arena.allocate(6);
      IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
          () -> new Int8Matrix(six, true, new float[4], new int[4], 2, 4));
      assertTrue(size.getMessage().contains("6 bytes for a 2 × 4 matrix"), size.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> new Int8Matrix(six, true, new float[2], new int[3], 2, 3));
      IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
          () -> new Int8Matrix(six, true, new float[] {1, Float.NaN, 1}, new int[3], 2, 3));
      assertTrue(nan.getMessage().contains("column 1"), nan.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> new Int8Matrix(six, false, new float[3], new int[] {0, 128, 0}, 2, 3));
      assertThrows(IllegalArgumentException.class,
          () -> new Int8Matrix(six, true, new float[3], new int[] {0, -1, 0}, 2, 3));
    }
  }

  /** Codes {@code (p · columns + j) · step} (wrapping), one scale and zero for all columns. */
  private static Int8Matrix filled(Arena arena, int rows, int columns, int step, float scale, int zero) {
    MemorySegment codes = arena.allocate((long) rows * columns);
    for (int i = 0; i < rows * columns; i++) codes.set(ValueLayout.JAVA_BYTE, i, (byte) (i * step));
    float[] scales = new float[columns];
    int[] zeros = new int[columns];
    java.util.Arrays.fill(scales, scale);
    java.util.Arrays.fill(zeros, zero);
    return new Int8Matrix(codes, true, scales, zeros, rows, columns);
  }
}

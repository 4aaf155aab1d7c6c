package dev.quarry.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** fp32 to fp16 weight conversion, and what a build without kernels or a GPU says. */
class HalfFloatsTest {

  @Test
  void roundsToNearestEvenWithinHalfUlp() {
    Random r = new Random(11);
    float[] src = new float[1001];
    for (int i = 0; i < src.length; i++) src[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 4));
    src[0] = 0f;
    src[1] = -0f;
    src[2] = 65504f;
    src[3] = 1e-8f; // subnormal in fp16, then zero
    ByteBuffer out = ByteBuffer.allocate(2 * src.length).order(ByteOrder.LITTLE_ENDIAN);
    HalfFloats.convert(MemorySegment.ofArray(src), src.length, out, "w");
    assertEquals(2 * src.length, out.position());
    for (int i = 0; i < src.length; i++) {
      float h = Float.float16ToFloat(out.getShort(2 * i));
      float ulp = Math.max(Math.ulp(h) * 8192, 6e-8f); // fp16 has 13 fewer mantissa bits than fp32
      assertTrue(Math.abs(h - src[i]) <= ulp / 2 + 1e-12, i + ": " + src[i] + " -> " + h);
      assertEquals(h, HalfFloats.roundTrip(src[i]));
    }
  }

  @Test
  void rejectsValuesBeyondFp16Range() {
    ByteBuffer out = ByteBuffer.allocate(4);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HalfFloats.convert(MemorySegment.ofArray(new float[] {1f, 70000f}), 2, out, "layer.0.w"));
    assertTrue(e.getMessage().startsWith("layer.0.w: value 70000.0 at 1"), e.getMessage());
  }

  @Test
  void buildHoldsKernelsWhenNvccWasThere() {
    // CI has nvcc, so the module must carry the compiled kernels; elsewhere it says it has none.
    boolean nvcc = System.getenv("PATH") != null && java.util.Arrays.stream(System.getenv("PATH").split(":"))
        .anyMatch(d -> new java.io.File(d, "nvcc").canExecute());
    if (nvcc) assertTrue(CudaModule.kernelsBuilt(), "nvcc is on the PATH but quarry.ptx is missing");
  }
}

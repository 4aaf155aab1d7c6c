package dev.quarry.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

/** Inputs for the kernel tests: random rows and weight segments of every kind the engine meets. */
final class TestData {

  /** Odd, prime and power-of-two sizes around the vector widths and the model's dimensions. */
  static final int[] SIZES = {1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 127, 383, 384, 1536,
      1537, 211};

  /** Where weights can live: off-heap at an odd byte offset, off-heap aligned, on the heap. */
  enum Placement { UNALIGNED, ALIGNED, HEAP }

  private TestData() {}

  static float[] floats(Random random, int n, float scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (random.nextFloat() * 2 - 1) * scale;
    }
    return x;
  }

  /** {@code values} as a little-endian weight segment placed as asked. */
  static MemorySegment segment(Arena arena, float[] values, Placement placement) {
    return switch (placement) {
      case HEAP -> MemorySegment.ofArray(values.clone());
      case ALIGNED -> copy(arena.allocate((long) values.length * Float.BYTES, 64), values);
      // Two bytes past a 64-byte boundary: every float straddles its natural alignment.
      case UNALIGNED -> copy(arena.allocate((long) values.length * Float.BYTES + 64, 64)
          .asSlice(2, (long) values.length * Float.BYTES), values);
    };
  }

  private static MemorySegment copy(MemorySegment segment, float[] values) {
    for (int i = 0; i < values.length; i++) {
      segment.setAtIndex(ScalarTensorSupport.FLOAT_LE, i, values[i]);
    }
    return segment;
  }

  /** {@code values} inside a larger array at {@code offset}, with sentinels around it. */
  static float[] embed(float[] values, int offset, int slack) {
    float[] x = new float[offset + values.length + slack];
    Arrays.fill(x, Float.NaN);
    System.arraycopy(values, 0, x, offset, values.length);
    return x;
  }
}

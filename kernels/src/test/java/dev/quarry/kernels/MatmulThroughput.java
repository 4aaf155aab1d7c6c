package dev.quarry.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Prints single-thread matmul GFLOP/s, scalar against Panama, at encoder shapes (all-MiniLM-L6-v2:
 * hidden 384, intermediate 1536). A quick check without JMH; {@code bench/} owns real figures.
 *
 * <p>Run after {@code mvn -pl kernels test-compile}: {@code java --add-modules
 * jdk.incubator.vector -cp kernels/target/classes:kernels/target/test-classes
 * dev.quarry.kernels.MatmulThroughput}
 */
public final class MatmulThroughput {

  private static final int[][] SHAPES = {{128, 384, 384}, {128, 384, 1536}, {16, 384, 384},
      {128, 1536, 384}, {1, 384, 1536}};

  private MatmulThroughput() {}

  public static void main(String[] args) {
    TensorSupport scalar = KernelProvider.scalar();
    TensorSupport panama = KernelProvider.lookup("panama");
    System.out.printf("%-18s %10s %10s %8s%n", "m,k,n", "scalar", "panama", "ratio");
    for (int[] shape : SHAPES) {
      int m = shape[0], k = shape[1], n = shape[2];
      try (Arena arena = Arena.ofConfined()) {
        Random random = new Random(42);
        float[] a = randomFloats(random, m * k);
        MemorySegment b = arena.allocate((long) k * n * Float.BYTES, 64);
        MemorySegment bias = arena.allocate((long) n * Float.BYTES, 64);
        for (long i = 0; i < (long) k * n; i++) {
          b.setAtIndex(ScalarTensorSupport.FLOAT_LE, i, random.nextFloat() - 0.5f);
        }
        float[] c = new float[m * n];
        double s = gflops(scalar, a, m, k, b, bias, c, n, 0.5);
        double p = gflops(panama, a, m, k, b, bias, c, n, 2.0);
        System.out.printf("%-18s %10.2f %10.2f %7.1fx%n", m + "," + k + "," + n, s, p, p / s);
      }
    }
  }

  private static double gflops(TensorSupport support, float[] a, int m, int k, MemorySegment b,
      MemorySegment bias, float[] c, int n, double seconds) {
    // Warm-up: enough calls for C2 to compile the kernels.
    long warmEnd = System.nanoTime() + (long) (seconds * 0.5e9);
    while (System.nanoTime() < warmEnd) {
      support.matmul(a, 0, m, k, b, bias, c, 0, n);
    }
    double best = 0;
    for (int round = 0; round < 5; round++) {
      long calls = 0;
      long start = System.nanoTime();
      long end = start + (long) (seconds / 5 * 1e9);
      long now;
      do {
        support.matmul(a, 0, m, k, b, bias, c, 0, n);
        calls++;
        now = System.nanoTime();
      } while (now < end);
      best = Math.max(best, 2.0 * m * k * n * calls / (now - start));
    }
    return best;
  }

  private static float[] randomFloats(Random random, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = random.nextFloat() - 0.5f;
    }
    return x;
  }
}

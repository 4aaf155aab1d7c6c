package dev.quarry.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Prints single-thread matmul GFLOP/s (best of many single calls), scalar, Panama over a weight
 * segment, and Panama over packed weights, with this thread's FMA peak, at encoder shapes (all-MiniLM-L6-v2:
 * hidden 384, intermediate 1536). A quick check without JMH; {@code bench/} owns real figures.
 *
 * <p>Run after {@code mvn -pl kernels test-compile}: {@code java --add-modules
 * jdk.incubator.vector -cp kernels/target/classes:kernels/target/test-classes
 * dev.quarry.kernels.MatmulThroughput [packed|vector|int8]}; {@code int8} times packed fp32 weights
 * against the same weights packed as uint8 codes.
 */
public final class MatmulThroughput {

  private static final int[][] SHAPES = {{64, 384, 1152}, {64, 384, 1536}, {64, 1536, 384}, {128, 384, 384}, {128, 384, 1536}, {16, 384, 384},
      {128, 1536, 384}, {1, 384, 1536}, {4096, 384, 1536}, {16, 384, 1536}};

  private MatmulThroughput() {}

  public static void main(String[] args) {
    TensorSupport scalar = KernelProvider.scalar();
    TensorSupport panama = KernelProvider.lookup("panama");
    boolean quick = args.length > 0 && args[0].equals("packed");
    boolean noScalar = args.length > 0 && args[0].equals("vector");
    boolean int8 = args.length > 0 && args[0].equals("int8");
    System.out.printf("fma peak %.1f GFLOP/s%n", peak());
    if (int8) {
      int8(panama);
      return;
    }
    System.out.printf("%-18s %10s %10s %10s %8s%n", "m,k,n", "scalar", "panama", "packed",
        "ratio");
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
        double s = quick || noScalar ? Double.NaN : gflops(scalar, a, m, k, b, bias, c, n, 0.5);
        double p = quick ? Double.NaN : gflops(panama, a, m, k, b, bias, c, n, 2.0);
        PackedMatrix packed = panama.pack(b, bias, k, n);
        double q = packedGflops(panama, a, m, packed, c, 2.0);
        System.out.printf("%-18s %10.2f %10.2f %10.2f %7.1fx%n", m + "," + k + "," + n, s, p, q,
            q / (noScalar ? p : s));
      }
    }
  }

  private static void int8(TensorSupport panama) {
    System.out.printf("%-18s %10s %10s %8s%n", "m,k,n", "fp32", "int8", "ratio");
    for (int[] shape : SHAPES) {
      int m = shape[0], k = shape[1], n = shape[2];
      try (Arena arena = Arena.ofConfined()) {
        Random random = new Random(42);
        MemorySegment codes = arena.allocate((long) k * n);
        for (long i = 0; i < codes.byteSize(); i++) {
          codes.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
        }
        float[] scales = new float[n];
        java.util.Arrays.fill(scales, 0.01f);
        Int8Matrix b = new Int8Matrix(codes, true, scales, new int[n], k, n);
        float[] a = randomFloats(random, m * k);
        float[] c = new float[m * n];
        double fp32 = packedGflops(panama, a, m, panama.pack(b.dequantize(arena), null, k, n), c, 2.0);
        double q = packedGflops(panama, a, m, panama.pack(b, null), c, 2.0);
        System.out.printf("%-18s %10.2f %10.2f %7.2fx%n", m + "," + k + "," + n, fp32, q, q / fp32);
      }
    }
  }

  /** Best of many single calls: on a shared machine, the calls that ran on a free core. */
  private static double gflops(TensorSupport support, float[] a, int m, int k, MemorySegment b,
      MemorySegment bias, float[] c, int n, double seconds) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long best = Long.MAX_VALUE;
    while (System.nanoTime() < end) {
      long t0 = System.nanoTime();
      support.matmul(a, 0, m, k, b, bias, c, 0, n);
      best = Math.min(best, System.nanoTime() - t0);
    }
    return 2.0 * m * k * n / best;
  }

  /** One thread's fp32 FMA peak: 12 independent vector FMA chains, in a method C2 compiles. */
  static double peak() {
    double best = 0;
    float sink = 0;
    int steps = 1 << 12;
    for (int round = 0; round < 2000; round++) {
      long t0 = System.nanoTime();
      sink += fmaChains(steps, sink);
      long t1 = System.nanoTime();
      best = Math.max(best, 12.0 * steps * jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() * 2 / (t1 - t0));
    }
    return sink == 1234.5f ? -1 : best;
  }

  private static float fmaChains(int steps, float seed) {
    var f = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
    var m = jdk.incubator.vector.FloatVector.broadcast(f, 0.999999f);
    var a = jdk.incubator.vector.FloatVector.broadcast(f, 1e-3f);
    var c0 = a.add(seed); var c1 = a.add(1f); var c2 = a.add(2f); var c3 = a.add(3f);
    var c4 = a.add(4f); var c5 = a.add(5f); var c6 = a.add(6f); var c7 = a.add(7f);
    var c8 = a.add(8f); var c9 = a.add(9f); var c10 = a.add(10f); var c11 = a.add(11f);
    for (int i = 0; i < steps; i++) {
      c0 = c0.fma(m, a); c1 = c1.fma(m, a); c2 = c2.fma(m, a); c3 = c3.fma(m, a);
      c4 = c4.fma(m, a); c5 = c5.fma(m, a); c6 = c6.fma(m, a); c7 = c7.fma(m, a);
      c8 = c8.fma(m, a); c9 = c9.fma(m, a); c10 = c10.fma(m, a); c11 = c11.fma(m, a);
    }
    return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9)
        .add(c10).add(c11).lane(0);
  }

  /** Best of many single calls: on a shared machine, the calls that ran on a free core. */
  private static double packedGflops(TensorSupport support, float[] a, int m, PackedMatrix b,
      float[] c, double seconds) {
    int n = b.columns();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long best = Long.MAX_VALUE;
    while (System.nanoTime() < end) {
      long t0 = System.nanoTime();
      support.matmul(a, 0, m, b, PackedMatrix.Activation.IDENTITY, c, 0, 0, n);
      best = Math.min(best, System.nanoTime() - t0);
    }
    return 2.0 * m * b.rows() * n / best;
  }

  private static float[] randomFloats(Random random, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = random.nextFloat() - 0.5f;
    }
    return x;
  }
}

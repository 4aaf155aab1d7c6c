package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

/**
 * The hot kernels, once compiled, run as vector instructions. An operation C2 cannot intrinsify
 * (a shuffle from a non-constant array, a conversion the CPU lacks, too many live vectors) still
 * gives the right bits, through the Vector API's Java fallback, at a tenth of the speed: no
 * result test sees it. A fallback calls {@code jdk.internal.vm.vector.VectorSupport} as a method,
 * which an intrinsic replaces, so its frames in JFR's execution samples are the mark of one.
 */
class VectorApiFallbackTest {

  private static final Duration WARM_UP = Duration.ofSeconds(4);
  private static final Duration SAMPLED = Duration.ofSeconds(2);

  private final TensorSupport panama = KernelProvider.lookup("panama");
  private final VectorDistances distances = new PanamaVectorDistances();

  @Test
  void compiledKernelsDoNotFallBackToJava() throws Exception {
    Random random = new Random(4);
    Arena arena = Arena.ofAuto();
    int k = 384, n = 384, m = 16;
    float[] a = floats(random, m * k);
    MemorySegment weights = arena.allocate((long) k * n * Float.BYTES, 64);
    for (long i = 0; i < (long) k * n; i++) weights.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) random.nextGaussian());
    MemorySegment bias = arena.allocate((long) n * Float.BYTES, 64);
    PackedMatrix packed = panama.pack(weights, bias, k, n);
    float[] c = new float[m * n];
    float[] qkv = floats(random, m * 3 * 64);
    float[] heads = new float[m * 64];
    MemorySegment gamma = arena.allocate((long) n * Float.BYTES, 64).fill((byte) 0x3f);
    int dim = 384, count = 64;
    float[] query = floats(random, dim);
    float[] base = floats(random, dim * count);
    MemorySegment mapped = arena.allocate((long) dim * count * Float.BYTES, 64);
    MemorySegment.copy(base, 0, mapped, ValueLayout.JAVA_FLOAT, 0, base.length);
    byte[] q8 = new byte[dim];
    byte[] codes = new byte[dim * count];
    random.nextBytes(q8);
    random.nextBytes(codes);
    int[] nodes = new int[count];
    for (int i = 0; i < count; i++) nodes[i] = (i * 37) % count;
    float[] scores = new float[count];
    int[] sums = new int[count];

    Runnable round = () -> {
      panama.matmul(a, 0, m, packed, PackedMatrix.Activation.GELU, c, 0, 0, n);
      panama.matmul(a, 0, 1, packed, PackedMatrix.Activation.IDENTITY, c, 0, 0, n);
      for (int row = 0; row < m; row++) {
        panama.addLayerNorm(c, row * n, a, row * k, n, gamma, bias, 1e-12f);
        panama.softmax(c, row * n, 32);
      }
      panama.attention(qkv, 0, qkv, 64, qkv, 128, 3 * 64, heads, 0, 64, m, 64, 0.125f);
      distances.dot(query, base, dim, nodes, count, dim, scores);
      distances.squareDistance(query, mapped, (long) dim * Float.BYTES, nodes, count, dim, scores);
      distances.dot(query, mapped, (long) dim * Float.BYTES, nodes, count, dim, scores);
      distances.dotInt8(q8, codes, dim, nodes, count, dim, sums);
    };
    for (long end = System.nanoTime() + WARM_UP.toNanos(); System.nanoTime() < end; ) round.run();

    Path file = Files.createTempFile("quarry-fallback", ".jfr");
    long thread = Thread.currentThread().threadId();
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      recording.start();
      for (long end = System.nanoTime() + SAMPLED.toNanos(); System.nanoTime() < end; ) round.run();
      recording.stop();
      recording.dump(file);
    }
    int samples = 0;
    int fallback = 0;
    Map<String, Integer> where = new TreeMap<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (e.getThread("sampledThread") == null || e.getThread("sampledThread").getJavaThreadId() != thread) continue;
      if (e.getStackTrace() == null) continue;
      samples++;
      String caller = null;
      boolean vectorSupport = false;
      for (RecordedFrame f : e.getStackTrace().getFrames()) {
        String type = f.getMethod().getType().getName();
        if (type.equals("jdk.internal.vm.vector.VectorSupport")) vectorSupport = true;
        if (vectorSupport && caller == null && type.startsWith("dev.quarry.")) caller = type + "." + f.getMethod().getName();
      }
      if (vectorSupport) {
        fallback++;
        where.merge(String.valueOf(caller), 1, Integer::sum);
      }
    }
    Files.deleteIfExists(file);
    System.out.printf("Vector API fallback: %d of %d samples of compiled kernels %s%n", fallback, samples, where);
    assertTrue(samples >= 50, "only " + samples + " execution samples of the kernel thread");
    assertTrue(fallback <= samples / 20, fallback + " of " + samples + " samples in the Vector API's Java fallback, from " + where);
  }

  private static float[] floats(Random random, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
    return x;
  }
}

package dev.quarry.bench.ann;

import dev.quarry.kernels.VectorDistances;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Why HNSW bulk builds copy their vectors to the heap: the same 384-d dot product over 100,000
 * stored vectors, read from a memory segment (how an index stores them) and from a {@code float[]}
 * (the builder's copy), with identical arithmetic. Run:
 * {@code java --add-modules jdk.incubator.vector -cp <bench classpath> org.openjdk.jmh.Main DistanceLoadBenchmark -f 1}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DistanceLoadBenchmark {

  static final int DIM = 384;
  static final int COUNT = 100_000;

  private final VectorDistances distances = VectorDistances.get();
  private float[] query;
  private float[] array;
  private MemorySegment segment;
  private final float[] scratch = new float[DIM];

  @Setup
  public void setUp() {
    Random random = new Random(1);
    array = new float[DIM * COUNT];
    for (int i = 0; i < array.length; i++) array[i] = random.nextFloat() - 0.5f;
    segment = Arena.ofAuto().allocate(4L * array.length, 64);
    MemorySegment.copy(array, 0, segment, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, array.length);
    query = new float[DIM];
    for (int i = 0; i < DIM; i++) query[i] = random.nextFloat() - 0.5f;
  }

  /** Nanoseconds per stored vector, reading the segment. */
  @Benchmark
  @OperationsPerInvocation(COUNT)
  public float segment() {
    float sum = 0;
    for (int v = 0; v < COUNT; v++) sum += distances.dot(query, segment, 4L * DIM * v, DIM);
    return sum;
  }

  /** Nanoseconds per stored vector, copying each from the segment to a scratch array first. */
  @Benchmark
  @OperationsPerInvocation(COUNT)
  public float segmentCopy() {
    float sum = 0;
    for (int v = 0; v < COUNT; v++) {
      MemorySegment.copy(segment, ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * DIM * v, scratch, 0, DIM);
      sum += distances.dot(query, scratch, 0, DIM);
    }
    return sum;
  }

  /** Nanoseconds per stored vector, reading the array. */
  @Benchmark
  @OperationsPerInvocation(COUNT)
  public float array() {
    float sum = 0;
    for (int v = 0; v < COUNT; v++) sum += distances.dot(query, array, DIM * v, DIM);
    return sum;
  }
}

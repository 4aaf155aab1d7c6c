package dev.quarry.bench.encoder;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * This machine's fp32 peak as the JVM can reach it: independent chains of vector FMAs at the
 * preferred width (16 lanes with AVX-512), enough of them (12) to cover the FMA latency on two
 * ports, all in registers. Run with one JMH thread per core; the score, in FMA instructions per
 * microsecond per thread, gives GFLOP/s as {@code score × lanes × 2 / 1000}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FmaPeakBenchmark {

  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final int STEPS = 1 << 14;
  static final int CHAINS = 12;

  public float seed = 1e-3f;

  /** Vector lanes of one FMA (16 with AVX-512). */
  public static int lanes() {
    return F.length();
  }

  @Benchmark
  @OperationsPerInvocation(STEPS * CHAINS)
  public float fma() {
    FloatVector m = FloatVector.broadcast(F, 0.999999f);
    FloatVector a = FloatVector.broadcast(F, 1e-3f);
    FloatVector c0 = FloatVector.broadcast(F, seed), c1 = c0.add(1), c2 = c0.add(2);
    FloatVector c3 = c0.add(3), c4 = c0.add(4), c5 = c0.add(5), c6 = c0.add(6), c7 = c0.add(7);
    FloatVector c8 = c0.add(8), c9 = c0.add(9), c10 = c0.add(10), c11 = c0.add(11);
    for (int i = 0; i < STEPS; i++) {
      c0 = c0.fma(m, a);
      c1 = c1.fma(m, a);
      c2 = c2.fma(m, a);
      c3 = c3.fma(m, a);
      c4 = c4.fma(m, a);
      c5 = c5.fma(m, a);
      c6 = c6.fma(m, a);
      c7 = c7.fma(m, a);
      c8 = c8.fma(m, a);
      c9 = c9.fma(m, a);
      c10 = c10.fma(m, a);
      c11 = c11.fma(m, a);
    }
    FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9)
        .add(c10).add(c11);
    return s.lane(0);
  }
}

package dev.quarry.bench.ab;

import dev.quarry.bench.encoder.EncoderWorkloads;
import dev.quarry.bench.encoder.EncoderWorkloads.Workload;
import dev.quarry.kernels.KernelProvider;
import dev.quarry.model.EncoderModel;
import dev.quarry.model.Models;
import dev.quarry.nn.BertEncoder;
import dev.quarry.nn.Parallel;
import dev.quarry.nn.TokenBatch;
import java.util.Arrays;

/**
 * {@link AbBench}'s {@code encoder}: Quarry's CPU encoder forward pass (all-MiniLM-L6-v2 fp32
 * unless a model is named) on one of {@code bench/run encoder}'s workloads, as many calls as fill
 * about a second, timed per call.
 */
public final class EncoderTask {

  private record State(BertEncoder encoder, TokenBatch batch, int calls) {}

  private EncoderTask() {}

  /** {@code WORKLOAD THREADS [MODEL]}: a {@link Workload} name, the encoder's thread count, a model. */
  public static Object setup(String[] args) throws Exception {
    if (args.length != 2 && args.length != 3) {
      throw new IllegalArgumentException("encoder takes WORKLOAD THREADS [MODEL], e.g. BATCH_32X128 2"
          + " or LATENCY_1X16 1 all-MiniLM-L6-v2-q");
    }
    Workload workload;
    try {
      workload = Workload.valueOf(args[0]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown workload " + args[0] + " (one of "
          + Arrays.toString(Workload.values()) + ")");
    }
    int threads;
    try {
      threads = Integer.parseInt(args[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("THREADS is \"" + args[1] + "\", not a number");
    }
    EncoderModel model = Models.load(args.length == 3 ? args[2] : "all-MiniLM-L6-v2");
    int[][] ids = EncoderWorkloads.ids(workload, Models.configure(model.tokenizer(), 512));
    int[][] types = new int[ids.length][];
    for (int i = 0; i < ids.length; i++) types[i] = new int[ids[i].length];
    TokenBatch batch = TokenBatch.of(ids, types);
    // The model and the pool live as long as the JVM: one A/B run.
    BertEncoder encoder = new BertEncoder(model.weights(), KernelProvider.tensorSupport(),
        new Parallel(threads));
    for (int i = 0; i < 3; i++) encoder.forward(batch);
    long t0 = System.nanoTime();
    encoder.forward(batch);
    int calls = (int) Math.max(1, Math.min(10_000, 1e9 / (System.nanoTime() - t0)));
    return new State(encoder, batch, calls);
  }

  /** Nanoseconds per call, so that two builds that chose different call counts compare. */
  public static long run(Object state) {
    State s = (State) state;
    long t0 = System.nanoTime();
    for (int i = 0; i < s.calls; i++) s.encoder.forward(s.batch);
    return (System.nanoTime() - t0) / s.calls;
  }
}

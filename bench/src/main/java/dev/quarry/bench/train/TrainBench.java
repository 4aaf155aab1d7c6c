package dev.quarry.bench.train;

import dev.quarry.kernels.KernelProvider;
import dev.quarry.model.EncoderModel;
import dev.quarry.model.Models;
import dev.quarry.nn.BertEncoder;
import dev.quarry.nn.Parallel;
import dev.quarry.nn.TokenBatch;
import dev.quarry.train.SentenceEncoder;
import dev.quarry.train.TrainableBert;
import dev.quarry.train.data.TrainingData;
import dev.quarry.train.data.TrainingExample;
import dev.quarry.train.loss.Loss;
import dev.quarry.train.loss.MultipleNegativesRankingLoss;
import dev.quarry.train.optim.AdamW;
import dev.quarry.train.optim.GradientClipping;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The cost of a training step against the forward pass it is built on: for batches of SciFact
 * train pairs (query and positive, MNR), the inference forward pass over the batch's texts, then a
 * whole step (forward keeping activations, loss, backward, clipping, AdamW), in the same JVM on the
 * same batches. Prints a row per batch, then the medians and their ratio (the goal: at
 * most 3.5).
 *
 * <p>Usage: {@code bench/run train [--data DIR] [--batch-size 32] [--max-length 256] [--batches 6]
 * [--threads N]}.
 */
public final class TrainBench {

  public static void main(String[] argv) throws Exception {
    Path data = Path.of(option(argv, "--data", "../shared/data/scifact"));
    int batchSize = Integer.parseInt(option(argv, "--batch-size", "32"));
    int maxLength = Integer.parseInt(option(argv, "--max-length", "256"));
    int batches = Integer.parseInt(option(argv, "--batches", "6"));
    int threads = Integer.parseInt(option(argv, "--threads",
        String.valueOf(Runtime.getRuntime().availableProcessors())));
    List<TrainingExample> examples = TrainingData.read(data);
    try (EncoderModel model = Models.load(null);
         Parallel parallel = new Parallel(threads)) {
      BertEncoder inference = new BertEncoder(model.weights(), KernelProvider.tensorSupport(), parallel);
      TrainableBert bert = new TrainableBert(model.weights(), KernelProvider.tensorSupport(),
          KernelProvider.tensorGradients(), parallel);
      SentenceEncoder encoder = new SentenceEncoder(bert, Models.configure(model.tokenizer(), maxLength),
          model.sentence().pooling(), model.sentence().normalize());
      Loss loss = new MultipleNegativesRankingLoss();
      AdamW optimizer = new AdamW(bert.parameters());
      System.out.printf(Locale.ROOT, "train step vs forward: all-MiniLM-L6-v2, batch %d pairs, max length %d,"
          + " %d threads, backend %s%n", batchSize, maxLength, threads, KernelProvider.backendName());
      System.out.println("batch  tokens  forward ms  step ms  step/forward  train tokens/s  GC ms in step");
      double[] forwards = new double[batches];
      double[] steps = new double[batches];
      long tokenSum = 0;
      // One warm-up batch, not reported: the JIT compiles the kernels on it.
      for (int b = -1; b < batches; b++) {
        int from = Math.floorMod(b, examples.size() / batchSize) * batchSize;
        List<String> texts = new ArrayList<>();
        for (int i = from; i < from + batchSize; i++) texts.add(examples.get(i).query());
        for (int i = from; i < from + batchSize; i++) texts.add(examples.get(i).texts().getFirst());
        TokenBatch tokens = encoder.tokenize(texts);

        long t0 = System.nanoTime();
        inference.forward(tokens);
        long t1 = System.nanoTime();
        long gc0 = gcMillis();
        bert.parameters().zeroGrad();
        SentenceEncoder.Pass pass = encoder.forward(tokens);
        float[][] e = pass.embeddings();
        float[][] queries = Arrays.copyOfRange(e, 0, batchSize);
        float[][][] positives = new float[batchSize][][];
        float[][][] dPositives = new float[batchSize][1][e[0].length];
        for (int i = 0; i < batchSize; i++) positives[i] = new float[][] {e[batchSize + i]};
        float[][] dQueries = new float[batchSize][e[0].length];
        loss.compute(queries, positives, null, dQueries, dPositives);
        float[][] d = new float[2 * batchSize][];
        System.arraycopy(dQueries, 0, d, 0, batchSize);
        for (int i = 0; i < batchSize; i++) d[batchSize + i] = dPositives[i][0];
        encoder.backward(pass, d);
        GradientClipping.clip(bert.parameters());
        optimizer.step(1e-5);
        bert.parametersChanged();
        long t2 = System.nanoTime();
        long gc = gcMillis() - gc0;
        if (b < 0) continue;
        forwards[b] = (t1 - t0) / 1e6;
        steps[b] = (t2 - t1) / 1e6;
        tokenSum += tokens.tokenCount();
        System.out.printf(Locale.ROOT, "%5d  %6d  %10.1f  %7.1f  %12.2f  %14.0f  %13d%n", b,
            tokens.tokenCount(), forwards[b], steps[b], steps[b] / forwards[b],
            tokens.tokenCount() / (steps[b] / 1e3), gc);
      }
      double forward = median(forwards);
      double step = median(steps);
      double stepTokens = (double) tokenSum / batches;
      System.out.printf(Locale.ROOT, "summary: step %.0f ms / forward %.0f ms = %.2f (goal <= 3.5);"
          + " %.0f training tokens/s%n", step, forward, step / forward, stepTokens / (step / 1e3));
    }
  }

  /** Milliseconds all collectors have spent so far (pauses and concurrent work as the JVM counts it). */
  private static long gcMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) sum += Math.max(0, gc.getCollectionTime());
    return sum;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String option(String[] argv, String name, String fallback) {
    for (int i = 0; i + 1 < argv.length; i++) {
      if (argv[i].equals(name)) return argv[i + 1];
    }
    return fallback;
  }
}

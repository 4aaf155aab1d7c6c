package dev.quarry.train;

import java.util.Arrays;

/**
 * How to fine-tune: the loss and its settings, the batch, the optimizer's schedule and the
 * run's bookkeeping. The defaults are sentence-transformers' for contrastive fine-tuning.
 *
 * @param loss           {@code mnr}, {@code cached-mnr}, {@code triplet}, {@code listnet} or
 *                       {@code margin-mse}
 * @param matryoshkaDims dimensions to train at once (largest first), or empty for the full one only
 * @param batchSize      examples per optimizer step (in-batch negatives for MNR)
 * @param miniBatchSize  texts per encoder pass for {@code cached-mnr} (GradCache)
 * @param temperature    of the contrastive losses: cosines are divided by it (0.05 = scale 20)
 * @param symmetric      MNR in both directions: queries against positives and positives against
 *                       queries, averaged
 * @param warmupRatio    share of the steps over which the learning rate rises from zero
 * @param maxLength      tokens per text; longer texts are truncated
 * @param threads        encoder threads (0: all processors)
 * @param saveSteps      a checkpoint every this many steps (0: at the end of each epoch only)
 */
public record TrainingOptions(String loss, int[] matryoshkaDims, int batchSize, int miniBatchSize,
    int epochs, double learningRate, double warmupRatio, double weightDecay, double maxGradNorm,
    double temperature, boolean symmetric, int maxLength, long seed, int threads, int saveSteps) {

  public TrainingOptions {
    matryoshkaDims = matryoshkaDims.clone();
    if (batchSize < 2) throw new IllegalArgumentException("batch size must be at least 2, got " + batchSize);
    if (miniBatchSize < 1) throw new IllegalArgumentException("mini-batch size must be positive, got " + miniBatchSize);
    if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
    if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    if (!(warmupRatio >= 0 && warmupRatio < 1)) {
      throw new IllegalArgumentException("warm-up ratio must be in [0, 1), got " + warmupRatio);
    }
    if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be positive, got " + temperature);
    if (maxLength < 2) throw new IllegalArgumentException("max length must be at least 2 tokens, got " + maxLength);
    if (threads < 0) throw new IllegalArgumentException("threads must not be negative, got " + threads);
    if (saveSteps < 0) throw new IllegalArgumentException("save steps must not be negative, got " + saveSteps);
    if (!(maxGradNorm > 0)) throw new IllegalArgumentException("max gradient norm must be positive, got " + maxGradNorm);
    if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must not be negative, got " + weightDecay);
  }

  public static TrainingOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options, to change some of them. */
  public Builder toBuilder() {
    return builder().loss(loss).matryoshkaDims(matryoshkaDims).batchSize(batchSize)
        .miniBatchSize(miniBatchSize).epochs(epochs).learningRate(learningRate).warmupRatio(warmupRatio)
        .weightDecay(weightDecay).maxGradNorm(maxGradNorm).temperature(temperature).symmetric(symmetric).maxLength(maxLength)
        .seed(seed).threads(threads).saveSteps(saveSteps);
  }

  @Override
  public int[] matryoshkaDims() {
    return matryoshkaDims.clone();
  }

  /** Collects options, starting from the defaults; {@link #build} checks them. */
  public static final class Builder {
    private String loss = "mnr";
    private int[] matryoshkaDims = new int[0];
    private int batchSize = 32;
    private int miniBatchSize = 32;
    private int epochs = 1;
    private double learningRate = 2e-5;
    private double warmupRatio = 0.1;
    private double weightDecay = 0.01;
    private double maxGradNorm = 1.0;
    private double temperature = 0.05;
    private boolean symmetric;
    private int maxLength = 256;
    private long seed = 42;
    private int threads;
    private int saveSteps;

    private Builder() {}

    public Builder loss(String v) { loss = v; return this; }
    public Builder matryoshkaDims(int... v) { matryoshkaDims = v.clone(); return this; }
    public Builder batchSize(int v) { batchSize = v; return this; }
    public Builder miniBatchSize(int v) { miniBatchSize = v; return this; }
    public Builder epochs(int v) { epochs = v; return this; }
    public Builder learningRate(double v) { learningRate = v; return this; }
    public Builder warmupRatio(double v) { warmupRatio = v; return this; }
    public Builder weightDecay(double v) { weightDecay = v; return this; }
    public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
    public Builder temperature(double v) { temperature = v; return this; }
    public Builder symmetric(boolean v) { symmetric = v; return this; }
    public Builder maxLength(int v) { maxLength = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder threads(int v) { threads = v; return this; }
    public Builder saveSteps(int v) { saveSteps = v; return this; }

    public TrainingOptions build() {
      return new TrainingOptions(loss, matryoshkaDims, batchSize, miniBatchSize, epochs, learningRate,
          warmupRatio, weightDecay, maxGradNorm, temperature, symmetric, maxLength, seed, threads, saveSteps);
    }
  }

  @Override
  public String toString() {
    return "loss " + loss + (matryoshkaDims.length > 0 ? " matryoshka " + Arrays.toString(matryoshkaDims) : "")
        + ", batch " + batchSize + ", epochs " + epochs + ", lr " + learningRate + ", warm-up "
        + warmupRatio + ", temperature " + temperature + (symmetric ? ", symmetric" : "") + ", max length " + maxLength + ", seed " + seed;
  }
}

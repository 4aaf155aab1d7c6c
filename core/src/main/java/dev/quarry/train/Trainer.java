package dev.quarry.train;

import dev.quarry.kernels.KernelProvider;
import dev.quarry.model.EncoderModel;
import dev.quarry.model.Models;
import dev.quarry.nn.Parallel;
import dev.quarry.train.data.NoDuplicatesBatchSampler;
import dev.quarry.train.data.TrainingExample;
import dev.quarry.train.loss.Loss;
import dev.quarry.train.loss.Losses;
import dev.quarry.train.loss.MatryoshkaLoss;
import dev.quarry.train.optim.AdamW;
import dev.quarry.train.optim.GradientClipping;
import dev.quarry.train.optim.LearningRateSchedule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fine-tunes a sentence encoder: batches without duplicate texts, the loss over their embeddings,
 * the backward pass, gradient clipping, AdamW with linear warm-up and decay, and checkpoints that
 * a later run resumes from (see {@link Checkpoints}).
 *
 * <p>{@code cached-mnr} is GradCache (Gao et al., 2021): the batch's embeddings are computed first
 * without keeping activations, the loss and its gradient with respect to every embedding over the
 * whole batch, and then each mini-batch is encoded again, this time keeping activations, and
 * back-propagated with its slice of that gradient. The step is the same as with the plain loss;
 * the memory is that of one mini-batch, so batches of hundreds fit.
 *
 * <p>A loss or a gradient that is not finite stops the run before the weights change, naming the
 * step and the batch's examples; the last checkpoint on disk stays as it was.
 */
public final class Trainer implements AutoCloseable {

  /** What each step reports. */
  public record Step(long step, long totalSteps, int epoch, double loss, double gradientNorm,
      double learningRate, long tokens, double seconds) {}

  /** Receives a report after each step (e.g. a progress bar). */
  public interface Listener {
    void step(Step step);
  }

  /** What a finished run reports. */
  public record Summary(long steps, int epochs, int examples, double firstLoss, double lastLoss,
      long tokens, double seconds, Path output) {

    public double tokensPerSecond() {
      return seconds > 0 ? tokens / seconds : 0;
    }
  }

  private final EncoderModel model;
  private final TrainingOptions options;
  private final Parallel parallel;
  private final SentenceEncoder encoder;
  private final Loss loss;
  private final String queryPrompt;
  private final String documentPrompt;

  /** Takes {@code model}'s weights as the starting point; the model itself is not changed. */
  public Trainer(EncoderModel model, TrainingOptions options) {
    this(model, options, loss(options, model.config().hiddenSize()));
  }

  /** The loss {@code options} name, with their temperature, direction and Matryoshka dims. */
  private static Loss loss(TrainingOptions options, int embeddingSize) {
    List<Integer> dims = Arrays.stream(options.matryoshkaDims()).boxed().toList();
    Loss loss = Losses.create(options.loss(), Losses.Options.defaults()
        .withTemperature(options.temperature()).withSymmetric(options.symmetric()).withMatryoshka(dims));
    if (loss instanceof MatryoshkaLoss m) m.requireFits(embeddingSize);
    return loss;
  }

  /** With a loss of the caller's own (its data shape is then only checked by the loss). */
  public Trainer(EncoderModel model, TrainingOptions options, Loss loss) {
    this.model = model;
    this.options = options;
    int threads = options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
    this.parallel = new Parallel(threads);
    TrainableBert bert = new TrainableBert(model.weights(), KernelProvider.tensorSupport(),
        KernelProvider.tensorGradients(), parallel);
    this.encoder = new SentenceEncoder(bert, Models.configure(model.tokenizer(), options.maxLength()),
        model.sentence().pooling(), model.sentence().normalize());
    this.loss = loss;
    this.queryPrompt = model.sentence().queryPrompt();
    this.documentPrompt = model.sentence().documentPrompt();
  }

  public SentenceEncoder encoder() {
    return encoder;
  }

  public Loss loss() {
    return loss;
  }

  /**
   * Trains on {@code examples} and writes the model to {@code output} (a Hugging Face directory),
   * with checkpoints in it as it goes.
   *
   * @param resume a checkpoint directory of an earlier run with the same data and options, or null
   */
  public Summary train(List<TrainingExample> examples, Path output, Path resume, Listener listener)
      throws IOException {
    if (examples.isEmpty()) throw new IllegalArgumentException("no training examples");
    for (int i = 0; i < examples.size(); i++) {
      TrainingExample e = examples.get(i);
      Losses.check(loss, i, e);
    }
    // Every epoch's batches up front: with repeated texts their number differs between epochs.
    NoDuplicatesBatchSampler sampler = new NoDuplicatesBatchSampler(examples, options.batchSize(), options.seed());
    List<int[]> plan = new ArrayList<>();
    int[] epochOf = new int[0];
    for (int e = 0; e < options.epochs(); e++) {
      List<int[]> batches = sampler.batches(e);
      plan.addAll(batches);
      int from = epochOf.length;
      epochOf = Arrays.copyOf(epochOf, plan.size());
      Arrays.fill(epochOf, from, epochOf.length, e + 1);
    }
    long totalSteps = plan.size();
    Parameters parameters = encoder.bert().parameters();
    AdamW optimizer = new AdamW(parameters, AdamW.DEFAULT_BETA1, AdamW.DEFAULT_BETA2,
        AdamW.DEFAULT_EPS, options.weightDecay());
    LearningRateSchedule schedule = LearningRateSchedule.withWarmupRatio(options.learningRate(),
        options.warmupRatio(), totalSteps);
    Checkpoints checkpoints = new Checkpoints(output, model, options);
    int step = 0;
    if (resume != null) step = Math.toIntExact(checkpoints.restore(resume, encoder.bert(), optimizer));

    long tokens = 0;
    double firstLoss = Double.NaN;
    double lastLoss = Double.NaN;
    long start = System.nanoTime();
    while (step < totalSteps) {
      int[] batch = plan.get(step);
      long stepStart = System.nanoTime();
      parameters.zeroGrad();
      Outcome outcome = step(examples, batch);
      double norm = GradientClipping.clip(parameters, options.maxGradNorm());
      if (!Double.isFinite(outcome.loss) || !Double.isFinite(norm)) {
        throw new TrainingException("step " + (step + 1) + " (epoch " + epochOf[step] + ", examples "
            + Arrays.toString(batch) + ") gave a " + (Double.isFinite(outcome.loss)
            ? "gradient of norm " + norm : "loss of " + outcome.loss) + "; stopped before updating the"
            + " weights. " + checkpoints.lastGoodDescription());
      }
      double lr = schedule.at(step);
      optimizer.step(lr);
      encoder.bert().parametersChanged();
      step++;
      tokens += outcome.tokens;
      if (Double.isNaN(firstLoss)) firstLoss = outcome.loss;
      lastLoss = outcome.loss;
      if (listener != null) {
        listener.step(new Step(step, totalSteps, epochOf[step - 1], outcome.loss, norm, lr, outcome.tokens,
            (System.nanoTime() - stepStart) / 1e9));
      }
      boolean endOfEpoch = step < totalSteps && epochOf[step] != epochOf[step - 1];
      if (endOfEpoch || step < totalSteps && options.saveSteps() > 0 && step % options.saveSteps() == 0) {
        checkpoints.save(step, encoder.bert(), optimizer);
      }
    }
    checkpoints.saveFinal(encoder.bert());
    return new Summary(step, options.epochs(), examples.size(), firstLoss, lastLoss, tokens,
        (System.nanoTime() - start) / 1e9, output);
  }

  private record Outcome(double loss, long tokens) {}

  /** Forward, loss and backward for one batch of examples; gradients accumulate in the parameters. */
  private Outcome step(List<TrainingExample> examples, int[] batch) {
    List<String> texts = new ArrayList<>();
    int[] textCounts = new int[batch.length];
    float[][] scores = new float[batch.length][];
    for (int i = 0; i < batch.length; i++) {
      texts.add(queryPrompt + examples.get(batch[i]).query());
    }
    for (int i = 0; i < batch.length; i++) {
      TrainingExample e = examples.get(batch[i]);
      for (String t : e.texts()) texts.add(documentPrompt + t);
      textCounts[i] = e.texts().size();
      scores[i] = e.scores();
    }
    boolean cached = options.loss().equals("cached-mnr");
    int chunk = cached ? options.miniBatchSize() : texts.size();
    // Without caching there is one chunk and its pass is kept; with it, passes are redone below.
    float[][] embeddings = new float[texts.size()][];
    List<SentenceEncoder.Pass> kept = new ArrayList<>();
    long tokens = 0;
    for (int from = 0; from < texts.size(); from += chunk) {
      SentenceEncoder.Pass pass = encoder.forward(texts.subList(from, Math.min(texts.size(), from + chunk)));
      System.arraycopy(pass.embeddings(), 0, embeddings, from, pass.embeddings().length);
      tokens += pass.tape().batch().tokenCount();
      if (!cached) kept.add(pass);
    }
    float[][] queries = Arrays.copyOfRange(embeddings, 0, batch.length);
    float[][][] others = new float[batch.length][][];
    float[][][] dOthers = new float[batch.length][][];
    for (int i = 0, at = batch.length; i < batch.length; at += textCounts[i], i++) {
      others[i] = Arrays.copyOfRange(embeddings, at, at + textCounts[i]);
      dOthers[i] = new float[textCounts[i]][embeddings[0].length];
    }
    float[][] dQueries = new float[batch.length][embeddings[0].length];
    double value = loss.compute(queries, others, scores, dQueries, dOthers);
    if (!Double.isFinite(value)) return new Outcome(value, tokens);

    float[][] dEmbeddings = new float[texts.size()][];
    System.arraycopy(dQueries, 0, dEmbeddings, 0, batch.length);
    for (int i = 0, at = batch.length; i < batch.length; at += textCounts[i], i++) {
      System.arraycopy(dOthers[i], 0, dEmbeddings, at, textCounts[i]);
    }
    for (int from = 0, c = 0; from < texts.size(); from += chunk, c++) {
      int to = Math.min(texts.size(), from + chunk);
      SentenceEncoder.Pass pass = cached ? encoder.forward(texts.subList(from, to)) : kept.get(c);
      encoder.backward(pass, Arrays.copyOfRange(dEmbeddings, from, to));
      if (!cached) kept.set(c, null);
    }
    return new Outcome(value, tokens);
  }

  @Override
  public void close() {
    parallel.close();
  }
}

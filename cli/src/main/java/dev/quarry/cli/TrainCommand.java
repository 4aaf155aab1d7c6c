package dev.quarry.cli;

import dev.quarry.model.BuiltinModels;
import dev.quarry.model.EncoderModel;
import dev.quarry.model.Models;
import dev.quarry.train.Trainer;
import dev.quarry.train.TrainingOptions;
import dev.quarry.train.data.TrainingData;
import dev.quarry.train.data.TrainingExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code quarry train}: fine-tunes a model on pairs, triplets or scored lists and writes a Hugging
 * Face / sentence-transformers directory that {@code --model DIR} (and Python) loads. A progress
 * line goes to standard error; the last line of standard output is one JSON summary.
 */
final class TrainCommand implements Command {

  private static final Args.Spec SPEC = new Args.Spec("train", "--data FILE|DIR --out DIR [options]", """
      Fine-tunes a sentence encoder from Java. --data is a JSON Lines file of
        {"query": ..., "positive": ...}                      pairs
        {"query": ..., "positive": ..., "negative": ...}     triplets (negative: a text or a list)
        {"query": ..., "candidates": [...], "scores": [...]} scored lists (listnet, margin-mse)
      or a BEIR folder with qrels/train.tsv. The trained model is written to --out; checkpoints
      (checkpoint-STEP/, with the optimizer's state) are kept there while training, and
      --resume DIR/checkpoint-STEP continues a stopped run with the same options.
      """)
      .option("model", "NAME|DIR", "the model to start from (default " + BuiltinModels.DEFAULT + ")")
      .option("data", "FILE|DIR", "training examples: .jsonl, or a BEIR folder")
      .option("out", "DIR", "where to write the trained model")
      .option("loss", "NAME", "mnr (default), cached-mnr, triplet, listnet or margin-mse")
      .option("matryoshka", "DIMS", "train these dimensions at once, e.g. 384,256,128,64")
      .option("batch-size", "N", "examples per step (default 32)")
      .option("mini-batch-size", "N", "cached-mnr: texts per encoder pass (default 32)")
      .option("epochs", "N", "passes over the data (default 1)")
      .option("lr", "RATE", "peak learning rate (default 2e-5)")
      .option("warmup", "RATIO", "share of steps with a rising learning rate (default 0.1)")
      .option("weight-decay", "W", "AdamW's decoupled weight decay (default 0.01)")
      .option("temperature", "T", "of the contrastive losses (default 0.05, i.e. scale 20)")
      .flag("symmetric", "mnr: also rank queries for each positive, and average the two")
      .option("max-length", "N", "truncate texts to N tokens (default 256)")
      .option("seed", "N", "shuffling seed (default 42)")
      .option("save-steps", "N", "checkpoint every N steps (default: each epoch)")
      .option("resume", "DIR", "a checkpoint-STEP folder of a stopped run")
      .option("threads", "N", "encoder threads (default: all processors)");

  @Override
  public Args.Spec spec() {
    return SPEC;
  }

  @Override
  public String summary() {
    return "fine-tune a model on pairs, triplets or scored lists";
  }

  @Override
  public int run(Args args, CommandIo io) throws Exception {
    if (!args.positional().isEmpty()) throw args.error("unexpected argument " + args.positional().getFirst());
    if (!args.has("data")) throw args.error("give --data FILE|DIR");
    if (!args.has("out")) throw args.error("give --out DIR");
    TrainingOptions options = options(args);
    Path out = Path.of(args.get("out", null));
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw args.error("--out " + out + " is a file; give a directory");
    }
    Path resume = args.has("resume") ? Path.of(args.get("resume", null)) : null;
    Path data = Path.of(args.get("data", null));
    List<TrainingExample> examples = TrainingData.read(data);
    io.err().println("train: " + examples.size() + " examples from " + data);
    try (EncoderModel model = Models.load(args.get("model", BuiltinModels.DEFAULT));
         Trainer trainer = new Trainer(model, options)) {
      io.err().println("train: " + model.name() + ", " + options + ", loss " + trainer.loss().describe());
      StepProgress progress = new StepProgress(io);
      Trainer.Summary s = trainer.train(examples, out, resume, progress);
      progress.finish(s);
      StringBuilder b = new StringBuilder("{\"output\": ");
      Json.appendString(b, out.toString()).append(", \"model\": ");
      Json.appendString(b, model.name()).append(", \"loss\": ");
      Json.appendString(b, options.loss()).append(String.format(Locale.ROOT,
          ", \"examples\": %d, \"epochs\": %d, \"steps\": %d, \"first_loss\": %.6f, \"last_loss\": %.6f,"
              + " \"tokens_per_second\": %.1f, \"seconds\": %.1f}",
          s.examples(), s.epochs(), s.steps(), s.firstLoss(), s.lastLoss(), s.tokensPerSecond(), s.seconds()));
      io.printLine(b.toString());
    }
    return 0;
  }

  private static TrainingOptions options(Args args) throws Args.UsageException {
    TrainingOptions.Builder b = TrainingOptions.builder();
    if (args.has("loss")) b.loss(args.get("loss", null));
    if (args.has("matryoshka")) b.matryoshkaDims(dims(args));
    b.batchSize(args.getInt("batch-size", 2, 32));
    b.miniBatchSize(args.getInt("mini-batch-size", 1, 32));
    b.epochs(args.getInt("epochs", 1, 1));
    b.learningRate(args.getDouble("lr", 0, 2e-5));
    b.warmupRatio(args.getDouble("warmup", 0, 0.1));
    b.weightDecay(args.getDouble("weight-decay", 0, 0.01));
    b.temperature(args.getDouble("temperature", 0, 0.05));
    b.symmetric(args.has("symmetric"));
    b.maxLength(args.getInt("max-length", 2, 256));
    b.seed(args.getInt("seed", 0, 42));
    b.saveSteps(args.getInt("save-steps", 1, 0));
    b.threads(args.getInt("threads", 1, 0));
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw args.error(e.getMessage());
    }
  }

  private static int[] dims(Args args) throws Args.UsageException {
    String text = args.get("matryoshka", "");
    try {
      int[] dims = Arrays.stream(text.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
      for (int d : dims) {
        if (d < 1) throw args.error("--matryoshka dimensions must be positive, got " + text);
      }
      return dims;
    } catch (NumberFormatException e) {
      throw args.error("--matryoshka expects dimensions like 384,256,128,64, got \"" + text + "\"");
    }
  }

  /** One line per step: a bar with the loss, steps per second and the time left. */
  private static final class StepProgress implements Trainer.Listener {
    private final CommandIo io;
    private final long start = System.nanoTime();
    private long lastLog = start;
    private int lastWidth;

    StepProgress(CommandIo io) {
      this.io = io;
    }

    @Override
    public void step(Trainer.Step s) {
      long now = System.nanoTime();
      double seconds = (now - start) / 1e9;
      double rate = s.step() / Math.max(seconds, 1e-9);
      int filled = (int) (24 * s.step() / Math.max(1, s.totalSteps()));
      String line = String.format(Locale.ROOT, "train [%s] step %d/%d  epoch %d  loss %.4f  lr %.2e"
              + "  %.2f steps/s  ETA %s", "#".repeat(filled) + "-".repeat(24 - filled), s.step(),
          s.totalSteps(), s.epoch(), s.loss(), s.learningRate(), rate,
          Progress.duration((s.totalSteps() - s.step()) / Math.max(rate, 1e-9)));
      if (io.stderrTerminal()) {
        io.err().print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
        lastWidth = line.length();
        io.err().flush();
      } else if (now - lastLog >= Progress.LOG_INTERVAL_NANOS || s.step() == s.totalSteps()) {
        io.err().println(line);
        lastLog = now;
      }
    }

    void finish(Trainer.Summary s) {
      if (io.stderrTerminal()) io.err().print("\r" + " ".repeat(lastWidth) + "\r");
      io.err().println(String.format(Locale.ROOT, "train: %d steps in %s, loss %.4f -> %.4f,"
              + " %.0f tokens/s; model written to %s", s.steps(), Progress.duration(s.seconds()),
          s.firstLoss(), s.lastLoss(), s.tokensPerSecond(), s.output()));
      io.err().flush();
    }
  }
}

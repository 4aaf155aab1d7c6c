package dev.quarry.cli;

import dev.quarry.embed.Device;
import dev.quarry.embed.EmbedOptions;
import dev.quarry.embed.Embedder;
import dev.quarry.model.BuiltinModels;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.function.Function;

/** {@code quarry embed}: texts in, one JSON line with the text's vector out, in input order. */
final class EmbedCommand implements Command {

  static final int DEFAULT_BATCH_SIZE = 32;

  private static final Args.Spec SPEC = new Args.Spec("embed", "[options] [TEXT ...]", """
      Embeds texts and writes one JSON line per text, in input order:
        {"index": 0, "embedding": [0.0123, -0.0456, ...]}
      The texts are the arguments; else the texts of --input; else the lines of standard input.
      """)
      .option("model", "NAME|DIR|FILE.onnx", "a built-in model (see quarry models), a Hugging Face"
          + " model\ndirectory or an ONNX file (default " + BuiltinModels.DEFAULT + ")")
      .option("input", "FILE", "read the texts from FILE: one per line, or the \"text\" field of\n"
          + "each line of a .jsonl file; - reads standard input")
      .option("output", "FILE", "write to FILE instead of standard output")
      .option("dim", "N", "keep the first N components (Matryoshka), renormalised")
      .option("prompt", "TEXT", "prepend TEXT to every text")
      .option("prompt-name", "NAME", "prepend the model's prompt NAME (query, passage)")
      .option("max-length", "N", "truncate texts to N tokens (default: the model's)")
      .option("batch-size", "N", "texts per forward pass (default " + DEFAULT_BATCH_SIZE + ")")
      .flag("no-normalize", "do not L2-normalise the vectors")
      .option("threads", "N", "encoder threads (default: all processors)")
      .option("device", "cpu|cuda", "where the encoder runs (default cpu); cuda falls back to the\n"
          + "CPU with one line on stderr when no GPU is usable");

  @Override
  public Args.Spec spec() {
    return SPEC;
  }

  @Override
  public String summary() {
    return "embed texts into vectors, written as JSON Lines";
  }

  @Override
  public int run(Args args, CommandIo io) throws Exception {
    EmbedOptions options = options(args);
    int batchSize = args.getInt("batch-size", 1, DEFAULT_BATCH_SIZE);
    TextInput.Texts texts = TextInput.fromCommandLine(args, io);
    String model = args.get("model", BuiltinModels.DEFAULT);
    try (Embedder embedder = Embedder.open(model, options);
         Writer out = Output.open(args.get("output", null), io.out())) {
      int total = texts.list().size();
      Progress progress = texts.fromFile()
          ? new Progress(io.err(), "embed", total, io.stderrTerminal(), System::nanoTime)
          : null;
      write(texts.list(), batchSize, embedder::embed, out, progress);
    }
    return 0;
  }

  /** The embedding options the command line asks for; what it leaves out follows the model. */
  static EmbedOptions options(Args args) throws Args.UsageException {
    args.exclusive("prompt", "prompt-name");
    EmbedOptions options = EmbedOptions.defaults();
    if (args.has("threads")) options = options.withThreads(args.getInt("threads", 0, 0));
    if (args.has("max-length")) options = options.withMaxLength(args.getInt("max-length", 1, 0));
    if (args.has("dim")) options = options.withDimension(args.getInt("dim", 1, 0));
    if (args.has("no-normalize")) options = options.withNormalize(false);
    if (args.has("prompt")) options = options.withPrompt(args.get("prompt", null));
    if (args.has("prompt-name")) options = options.withPromptName(args.get("prompt-name", null));
    if (args.has("device")) {
      try {
        options = options.withDevice(Device.parse(args.get("device", "cpu")));
      } catch (IllegalArgumentException e) {
        throw new Args.UsageException("embed", e.getMessage());
      }
    }
    return options;
  }

  /**
   * Embeds {@code texts} batch by batch and writes a line per text, its index being its position
   * in {@code texts}.
   *
   * @param encoder  the model: a batch of texts to one vector each, in the same order
   * @param progress told after each batch; null for none
   */
  static void write(List<String> texts, int batchSize, Function<List<String>, float[][]> encoder,
      Writer out, Progress progress) throws IOException {
    StringBuilder line = new StringBuilder(8192);
    char[] chars = new char[0];
    for (int from = 0; from < texts.size(); from += batchSize) {
      int to = Math.min(texts.size(), from + batchSize);
      float[][] vectors = encoder.apply(texts.subList(from, to));
      if (vectors.length != to - from) {
        throw new IllegalStateException("the model returned " + vectors.length + " vectors for "
            + (to - from) + " texts");
      }
      for (int i = from; i < to; i++) {
        line.setLength(0);
        line.append("{\"index\": ").append(i).append(", \"embedding\": ");
        try {
          Json.appendFloats(line, vectors[i - from]);
        } catch (IllegalStateException e) {
          throw new IllegalStateException("text " + i + ": the embedding's " + e.getMessage(), e);
        }
        line.append("}\n");
        // Copy through a reused array rather than a String per line: output can be gigabytes.
        if (chars.length < line.length()) chars = new char[line.length() * 2];
        line.getChars(0, line.length(), chars, 0);
        out.write(chars, 0, line.length());
      }
      if (progress != null) progress.update(to);
    }
    out.flush();
    if (progress != null) progress.finish(texts.size());
  }
}

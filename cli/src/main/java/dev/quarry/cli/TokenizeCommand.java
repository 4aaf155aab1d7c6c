package dev.quarry.cli;

import dev.quarry.model.BuiltinModels;
import dev.quarry.model.Models;
import dev.quarry.tokenizer.Encoding;
import dev.quarry.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;

/** {@code quarry tokenize}: the tokens a model sees for each text, as JSON Lines. */
final class TokenizeCommand implements Command {

  private static final Args.Spec SPEC = new Args.Spec("tokenize", "[options] [TEXT ...]", """
      Splits texts into the tokens a model sees, truncated as the model truncates them, and
      writes one JSON line per text, in input order:
        {"index": 0, "ids": [101, 7592, 102], "tokens": ["[CLS]", "hello", "[SEP]"],
         "offsets": [[0, 0], [0, 5], [0, 0]]}
      offsets are each token's [start, end) in the text; special tokens have [0, 0].
      The texts are the arguments; else the texts of --input; else the lines of standard input.
      """)
      .option("model", "NAME|DIR", "a built-in model (see quarry models) or a Hugging Face model"
          + "\ndirectory whose tokenizer to use (default " + BuiltinModels.DEFAULT + ")")
      .option("tokenizer", "FILE.json", "use this tokenizer.json instead of a model's")
      .option("input", "FILE", "read the texts from FILE: one per line, or the \"text\" field of\n"
          + "each line of a .jsonl file; - reads standard input")
      .option("max-length", "N", "truncate to N tokens, special tokens included (default: the\n"
          + "model's, or the tokenizer.json's own with --tokenizer)");

  @Override
  public Args.Spec spec() {
    return SPEC;
  }

  @Override
  public String summary() {
    return "split texts into a model's tokens, written as JSON Lines";
  }

  @Override
  public int run(Args args, CommandIo io) throws Exception {
    args.exclusive("model", "tokenizer");
    int maxLength = args.getInt("max-length", 1, 0);
    TextInput.Texts texts = TextInput.fromCommandLine(args, io);
    Tokenizer tokenizer = tokenizer(args, maxLength);
    try (Writer out = Output.open(null, io.out())) {
      write(texts.list(), tokenizer, out);
    }
    return 0;
  }

  private static Tokenizer tokenizer(Args args, int maxLength) throws IOException {
    if (args.has("tokenizer")) {
      // A bare tokenizer.json keeps its own truncation unless told otherwise; never pads.
      Path file = Path.of(args.get("tokenizer", null));
      Tokenizer tokenizer = Tokenizer.fromJson(file).withoutPadding();
      return maxLength > 0 ? tokenizer.withTruncation(maxLength) : tokenizer;
    }
    return Models.tokenizer(args.get("model", BuiltinModels.DEFAULT), maxLength);
  }

  private static void write(List<String> texts, Tokenizer tokenizer, Writer out)
      throws IOException {
    StringBuilder line = new StringBuilder(1024);
    for (int i = 0; i < texts.size(); i++) {
      line.setLength(0);
      appendLine(line, i, tokenizer.encode(texts.get(i)));
      out.append(line);
    }
  }

  /** {@code {"index": i, "ids": [...], "tokens": [...], "offsets": [[start, end], ...]}} */
  static StringBuilder appendLine(StringBuilder line, int index, Encoding encoding) {
    line.append("{\"index\": ").append(index).append(", \"ids\": ");
    Json.appendInts(line, encoding.ids());
    line.append(", \"tokens\": ");
    Json.appendStrings(line, encoding.tokens());
    line.append(", \"offsets\": [");
    int[] starts = encoding.starts();
    int[] ends = encoding.ends();
    for (int t = 0; t < starts.length; t++) {
      if (t > 0) line.append(", ");
      line.append('[').append(starts[t]).append(", ").append(ends[t]).append(']');
    }
    return line.append("]}\n");
  }
}

package dev.quarry.model;

import dev.quarry.model.onnx.OnnxBertReader;
import dev.quarry.tokenizer.Tokenizer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Finds and loads a model from what a user types: a built-in name ({@link BuiltinModels}), a Hugging
 * Face directory ({@link HuggingFaceDirectory}), or a bare {@code .onnx} file with its
 * {@code tokenizer.json} (or {@code <stem>-tokenizer.json}) beside it.
 */
public final class Models {

  private Models() {}

  /** Loads {@code spec}; {@code null} or blank means the default model. */
  public static EncoderModel load(String spec) throws IOException {
    Source source = resolve(spec);
    Arena arena = Arena.ofShared();
    try {
      return switch (source) {
        case Source.Directory d -> HuggingFaceDirectory.read(d.dir(), arena);
        case Source.Onnx o -> new EncoderModel(o.name(), OnnxBertReader.read(o.onnx(), arena, null),
            o.tokenizer(), o.tokenizerJson(), o.sentence(), arena);
      };
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /** The tokenizer {@code spec} runs with: truncation at {@code maxLength} (0: the model's), no padding. */
  public static Tokenizer tokenizer(String spec, int maxLength) throws IOException {
    Source source = resolve(spec);
    return switch (source) {
      case Source.Directory d -> HuggingFaceDirectory.tokenizer(d.dir(), maxLength);
      case Source.Onnx o -> configure(o.tokenizer(), maxLength > 0 ? maxLength : o.sentence().maxLength());
    };
  }

  /** The model's tokenizer as Quarry runs it: truncated at {@code maxLength}, never padded (batches are unpadded). */
  public static Tokenizer configure(Tokenizer tokenizer, int maxLength) {
    return tokenizer.withTruncation(maxLength).withoutPadding();
  }

  private sealed interface Source {
    record Directory(Path dir) implements Source {}

    record Onnx(String name, Path onnx, Path tokenizerJson, Tokenizer tokenizer, SentenceConfig sentence)
        implements Source {}
  }

  private static Source resolve(String spec) throws IOException {
    String name = spec == null || spec.isBlank() ? BuiltinModels.DEFAULT : spec.trim();
    var builtin = BuiltinModels.find(name);
    if (builtin.isPresent()) {
      BuiltinModel m = builtin.get();
      Path dir = BuiltinModels.fetch(m);
      Path tokenizerJson = dir.resolve("tokenizer.json");
      SentenceConfig sentence = new SentenceConfig(m.pooling(), true, m.maxLength(), m.prompts());
      return new Source.Onnx(m.name(), dir.resolve("model.onnx"), tokenizerJson,
          Tokenizer.fromJson(tokenizerJson), sentence);
    }
    Path path = Path.of(name);
    if (Files.isDirectory(path)) {
      if (HuggingFaceDirectory.isModelDirectory(path)) return new Source.Directory(path);
      throw new NoSuchFileException(path.toString(), null,
          "not a model directory: it has neither config.json nor modules.json");
    }
    if (name.endsWith(".onnx")) {
      if (!Files.exists(path)) throw new NoSuchFileException(path.toString(), null, "model file not found");
      Path tokenizerJson = besideOnnx(path);
      Tokenizer tokenizer = Tokenizer.fromJson(tokenizerJson);
      int maxLength = tokenizer.maxLength() > 0 ? tokenizer.maxLength() : 512;
      SentenceConfig sentence = new SentenceConfig(Pooling.MEAN, true, maxLength, Map.of());
      String stem = path.getFileName().toString().replaceFirst("\\.onnx$", "");
      return new Source.Onnx(stem, path, tokenizerJson, tokenizer, sentence);
    }
    throw new IllegalArgumentException("unknown model \"" + name + "\": not a built-in name ("
        + BuiltinModels.all().stream().map(BuiltinModel::name).collect(Collectors.joining(", "))
        + "), a model directory or an .onnx file");
  }

  private static Path besideOnnx(Path onnx) throws NoSuchFileException {
    Path dir = onnx.toAbsolutePath().getParent();
    String stem = onnx.getFileName().toString().replaceFirst("\\.onnx$", "");
    for (Path candidate : new Path[] {dir.resolve(stem + "-tokenizer.json"), dir.resolve("tokenizer.json")}) {
      if (Files.exists(candidate)) return candidate;
    }
    throw new NoSuchFileException(dir.resolve("tokenizer.json").toString(), null,
        "no tokenizer for " + onnx + ": put its tokenizer.json (or " + stem + "-tokenizer.json) beside it");
  }
}

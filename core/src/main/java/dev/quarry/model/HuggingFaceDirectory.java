package dev.quarry.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.model.safetensors.SafetensorsFile;
import dev.quarry.model.safetensors.SafetensorsWriter;
import dev.quarry.tokenizer.Tokenizer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Quarry's own model format, the Hugging Face / sentence-transformers directory: {@code config.json},
 * {@code model.safetensors}, {@code tokenizer.json}, and the sentence-transformers files
 * {@code modules.json}, {@code 1_Pooling/config.json}, {@code sentence_bert_config.json} and
 * {@code config_sentence_transformers.json}. What Quarry writes, {@code transformers} and
 * {@code sentence-transformers} load.
 */
public final class HuggingFaceDirectory {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private HuggingFaceDirectory() {}

  /** True when {@code dir} looks like a model directory (it has a {@code config.json} somewhere expected). */
  public static boolean isModelDirectory(Path dir) {
    return Files.isDirectory(dir) && (Files.exists(dir.resolve("config.json"))
        || Files.exists(dir.resolve("modules.json")));
  }

  /** Loads the model in {@code dir}: safetensors weights mapped, linear weights transposed into the arena. */
  public static EncoderModel read(Path dir, Arena arena) throws IOException {
    Path transformer = dir.resolve(moduleDirectory(dir, "sentence_transformers.models.Transformer", ""));
    JsonNode configJson = readJson(transformer.resolve("config.json"));
    BertConfig config = BertConfig.fromJson(configJson, transformer.resolve("config.json").toString());
    Path weightsFile = transformer.resolve("model.safetensors");
    if (!Files.exists(weightsFile)) {
      String hint = Files.exists(transformer.resolve("pytorch_model.bin"))
          ? " (it has pytorch_model.bin, which Quarry does not read: save the model with safe_serialization=True)"
          : "";
      throw new NoSuchFileException(weightsFile.toString(), null, "model weights not found" + hint);
    }
    SafetensorsFile file = SafetensorsFile.open(weightsFile, arena);
    Map<String, MemorySegment> tensors = new HashMap<>();
    Map<String, BertConfig.Parameter> byName = new HashMap<>();
    for (BertConfig.Parameter p : config.parameters()) byName.put(p.name(), p);
    file.tensors().forEach((stored, tensor) -> {
      String name = stored.startsWith("bert.") ? stored.substring("bert.".length()) : stored;
      BertConfig.Parameter p = byName.get(name);
      if (p == null) return;
      tensors.put(name, p.isLinearWeight()
          ? transpose(tensor.data(), (int) p.shape()[0], (int) p.shape()[1], arena)
          : tensor.data());
    });
    BertWeights weights = new BertWeights(config, tensors, weightsFile.toString());

    Path tokenizerJson = tokenizerFile(dir, transformer);
    Tokenizer tokenizer = Tokenizer.fromJson(tokenizerJson);
    SentenceConfig sentence = readSentenceConfig(dir, transformer, tokenizer, config);
    return new EncoderModel(dir.getFileName().toString(), weights, tokenizer, tokenizerJson, sentence, arena);
  }

  /** The model's tokenizer and its maximum length, without loading weights. */
  public static Tokenizer tokenizer(Path dir, int maxLength) throws IOException {
    Path transformer = dir.resolve(moduleDirectory(dir, "sentence_transformers.models.Transformer", ""));
    Path configFile = transformer.resolve("config.json");
    BertConfig config = BertConfig.fromJson(readJson(configFile), configFile.toString());
    Tokenizer tokenizer = Tokenizer.fromJson(tokenizerFile(dir, transformer));
    int length = maxLength > 0 ? maxLength : readSentenceConfig(dir, transformer, tokenizer, config).maxLength();
    return Models.configure(tokenizer, length);
  }

  private static Path tokenizerFile(Path dir, Path transformer) {
    return Files.exists(transformer.resolve("tokenizer.json"))
        ? transformer.resolve("tokenizer.json") : dir.resolve("tokenizer.json");
  }

  private static SentenceConfig readSentenceConfig(Path dir, Path transformer, Tokenizer tokenizer,
      BertConfig config) throws IOException {
    Path modules = dir.resolve("modules.json");
    boolean normalize = true;
    Pooling pooling = Pooling.MEAN;
    if (Files.exists(modules)) {
      normalize = moduleDirectory(dir, "sentence_transformers.models.Normalize", null) != null;
      String poolingDir = moduleDirectory(dir, "sentence_transformers.models.Pooling", null);
      if (poolingDir != null) pooling = readPooling(dir.resolve(poolingDir).resolve("config.json"));
    }
    int maxLength = 0;
    for (Path base : new Path[] {transformer, dir}) {
      Path bertConfig = base.resolve("sentence_bert_config.json");
      if (maxLength == 0 && Files.exists(bertConfig)) {
        maxLength = readJson(bertConfig).path("max_seq_length").asInt(0);
      }
    }
    if (maxLength == 0) maxLength = tokenizer.maxLength() > 0 ? tokenizer.maxLength() : config.maxPositions();
    Map<String, String> prompts = new LinkedHashMap<>();
    Path stConfig = dir.resolve("config_sentence_transformers.json");
    if (Files.exists(stConfig)) {
      readJson(stConfig).path("prompts").properties()
          .forEach(e -> prompts.put(e.getKey(), e.getValue().asText()));
    }
    return new SentenceConfig(pooling, normalize, Math.min(maxLength, config.maxPositions()), prompts);
  }

  private static Pooling readPooling(Path file) throws IOException {
    JsonNode json = readJson(file);
    if (json.has("pooling_mode")) return Pooling.parse(json.get("pooling_mode").asText());
    if (json.path("pooling_mode_cls_token").asBoolean(false)) return Pooling.CLS;
    if (json.path("pooling_mode_max_tokens").asBoolean(false)) return Pooling.MAX;
    if (json.path("pooling_mode_mean_tokens").asBoolean(false)) return Pooling.MEAN;
    throw new IOException(file + ": no supported pooling mode is enabled (mean, cls and max are supported)");
  }

  /** The path of the first module of {@code type} in {@code modules.json}, or {@code fallback}. */
  private static String moduleDirectory(Path dir, String type, String fallback) throws IOException {
    Path modules = dir.resolve("modules.json");
    if (!Files.exists(modules)) return fallback;
    for (JsonNode module : readJson(modules)) {
      if (module.path("type").asText().equals(type)) return module.path("path").asText("");
    }
    return fallback;
  }

  /** Writes {@code model} into {@code dir} (created if needed), each file atomically. */
  public static void write(EncoderModel model, Path dir) throws IOException {
    Files.createDirectories(dir);
    BertConfig config = model.config();
    try (Arena scratch = Arena.ofConfined()) {
      SafetensorsWriter weights = new SafetensorsWriter().metadata("format", "pt");
      for (BertConfig.Parameter p : config.parameters()) {
        MemorySegment data = model.weights().get(p.name());
        if (p.isLinearWeight()) {
          data = transpose(data, (int) p.shape()[1], (int) p.shape()[0], scratch);
        }
        weights.add(p.name(), p.shape(), data);
      }
      weights.write(dir.resolve("model.safetensors"));
    }
    writeJson(dir.resolve("config.json"), config.toJson(JSON));
    copyAtomically(model.tokenizerJson(), dir.resolve("tokenizer.json"));

    SentenceConfig sentence = model.sentence();
    ObjectNode tokenizerConfig = JSON.createObjectNode();
    tokenizerConfig.put("tokenizer_class", "BertTokenizer");
    tokenizerConfig.put("model_max_length", sentence.maxLength());
    writeJson(dir.resolve("tokenizer_config.json"), tokenizerConfig);

    ArrayNode modules = JSON.createArrayNode();
    modules.addObject().put("idx", 0).put("name", "0").put("path", "")
        .put("type", "sentence_transformers.models.Transformer");
    modules.addObject().put("idx", 1).put("name", "1").put("path", "1_Pooling")
        .put("type", "sentence_transformers.models.Pooling");
    if (sentence.normalize()) {
      modules.addObject().put("idx", 2).put("name", "2").put("path", "2_Normalize")
          .put("type", "sentence_transformers.models.Normalize");
      Files.createDirectories(dir.resolve("2_Normalize"));
    }
    writeJson(dir.resolve("modules.json"), modules);

    ObjectNode pooling = JSON.createObjectNode();
    pooling.put("word_embedding_dimension", config.hiddenSize());
    pooling.put("pooling_mode_cls_token", sentence.pooling() == Pooling.CLS);
    pooling.put("pooling_mode_mean_tokens", sentence.pooling() == Pooling.MEAN);
    pooling.put("pooling_mode_max_tokens", sentence.pooling() == Pooling.MAX);
    pooling.put("pooling_mode_mean_sqrt_len_tokens", false);
    Files.createDirectories(dir.resolve("1_Pooling"));
    writeJson(dir.resolve("1_Pooling").resolve("config.json"), pooling);

    ObjectNode bertConfig = JSON.createObjectNode();
    bertConfig.put("max_seq_length", sentence.maxLength());
    bertConfig.put("do_lower_case", false);
    writeJson(dir.resolve("sentence_bert_config.json"), bertConfig);

    ObjectNode stConfig = JSON.createObjectNode();
    ObjectNode prompts = stConfig.putObject("prompts");
    sentence.prompts().forEach(prompts::put);
    stConfig.putNull("default_prompt_name");
    stConfig.put("similarity_fn_name", "cosine");
    writeJson(dir.resolve("config_sentence_transformers.json"), stConfig);
  }

  /** {@code rows × cols} row-major F32 into {@code cols × rows}. */
  private static MemorySegment transpose(MemorySegment src, int rows, int cols, Arena arena) {
    MemorySegment out = arena.allocate(4L * rows * cols, 64);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out.setAtIndex(BertWeights.FLOAT, (long) c * rows + r, src.getAtIndex(BertWeights.FLOAT, (long) r * cols + c));
      }
    }
    return out;
  }

  private static JsonNode readJson(Path file) throws IOException {
    if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "model file not found");
    try {
      return JSON.readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(file + ": not valid JSON (" + e.getOriginalMessage() + " at line "
          + e.getLocation().getLineNr() + ")", e);
    }
  }

  private static void writeJson(Path file, JsonNode json) throws IOException {
    byte[] bytes = (JSON.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8);
    Path temp = TempFiles.createBeside(file);
    try {
      Files.write(temp, bytes);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void copyAtomically(Path from, Path to) throws IOException {
    if (from.toAbsolutePath().equals(to.toAbsolutePath())) return;
    Path temp = TempFiles.createBeside(to);
    try {
      Files.copy(from, temp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(temp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}

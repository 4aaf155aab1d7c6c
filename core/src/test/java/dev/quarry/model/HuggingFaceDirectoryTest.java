package dev.quarry.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.embed.EmbedOptions;
import dev.quarry.embed.Embedder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Saving any loaded model as a Hugging Face directory and reading it back. */
class HuggingFaceDirectoryTest {

  static final List<String> TEXTS = List.of("", "Saved and loaded again.",
      "Les modèles sauvegardés doivent donner les mêmes vecteurs.", "東京タワー", "x ".repeat(400));

  @ParameterizedTest
  @ValueSource(strings = {"all-MiniLM-L6-v2", "bge-small-en-v1.5"})
  void roundTripIsBitIdentical(String name, @TempDir Path dir) throws Exception {
    float[][] before;
    try (Embedder original = Embedder.open(name, EmbedOptions.defaults().withThreads(2))) {
      before = original.embed(TEXTS);
      original.save(dir);
    }
    try (Embedder reloaded = Embedder.open(dir.toString(), EmbedOptions.defaults().withThreads(2))) {
      float[][] after = reloaded.embed(TEXTS);
      for (int i = 0; i < TEXTS.size(); i++) assertArrayEquals(before[i], after[i], "text " + i);
      BuiltinModel builtin = BuiltinModels.find(name).orElseThrow();
      assertEquals(builtin.pooling(), reloaded.model().sentence().pooling());
      assertEquals(builtin.maxLength(), reloaded.model().sentence().maxLength());
      assertEquals(builtin.prompts(), reloaded.model().sentence().prompts());
    }
  }

  @Test
  void writesWhatSentenceTransformersReads(@TempDir Path dir) throws Exception {
    try (Embedder e = Embedder.open(null)) {
      e.save(dir);
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode config = json.readTree(dir.resolve("config.json").toFile());
    assertEquals("bert", config.get("model_type").asText());
    assertEquals(12, config.get("num_attention_heads").asInt());
    assertEquals(6, config.get("num_hidden_layers").asInt());
    JsonNode modules = json.readTree(dir.resolve("modules.json").toFile());
    assertEquals("sentence_transformers.models.Normalize", modules.get(2).get("type").asText());
    assertTrue(json.readTree(dir.resolve("1_Pooling/config.json").toFile()).get("pooling_mode_mean_tokens").asBoolean());
    assertEquals(256, json.readTree(dir.resolve("sentence_bert_config.json").toFile()).get("max_seq_length").asInt());

    // The safetensors header: PyTorch's [out, in] for linear weights, 8-byte aligned data.
    byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLength % 8);
    JsonNode header = json.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
    assertEquals("[1536,384]", header.get("encoder.layer.0.intermediate.dense.weight").get("shape").toString());
    assertEquals("F32", header.get("embeddings.word_embeddings.weight").get("dtype").asText());
  }

  @Test
  void writtenFilesHaveTheDefaultPermissionsNotOwnerOnly(@TempDir Path dir) throws Exception {
    if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) return;
    Path probe = Files.createFile(dir.resolve("probe"));
    try (Embedder e = Embedder.open(null)) {
      e.save(dir.resolve("model"));
    }
    for (String file : List.of("model.safetensors", "config.json", "tokenizer.json", "modules.json")) {
      assertEquals(Files.getPosixFilePermissions(probe),
          Files.getPosixFilePermissions(dir.resolve("model").resolve(file)), file);
    }
  }

  @Test
  void corruptSafetensorsIsNamed(@TempDir Path dir) throws Exception {
    try (Embedder e = Embedder.open(null)) {
      e.save(dir);
    }
    Path weights = dir.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(weights);
    Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length - 1000));
    Exception e = assertThrows(java.io.IOException.class, () -> Embedder.open(dir.toString()));
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("truncated"), e.getMessage());
  }
}

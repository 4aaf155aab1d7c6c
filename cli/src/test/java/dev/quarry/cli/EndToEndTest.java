package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.embed.EmbedOptions;
import dev.quarry.embed.Embedder;
import dev.quarry.model.BuiltinModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands on the real default model, which is a dependency of the CLI. */
class EndToEndTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static String previousCache;

  @TempDir Path dir;

  @BeforeAll
  static void redirectCache() {
    previousCache = System.getProperty("quarry.cache.dir");
    Path cache = Path.of("target", "quarry-cache").toAbsolutePath();
    System.setProperty("quarry.cache.dir", cache.toString());
  }

  @AfterAll
  static void restoreCache() {
    if (previousCache == null) System.clearProperty("quarry.cache.dir");
    else System.setProperty("quarry.cache.dir", previousCache);
  }

  private static List<JsonNode> lines(String out) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : out.split("\n")) nodes.add(MAPPER.readTree(line));
    return nodes;
  }

  private static float[] floats(JsonNode array) {
    float[] v = new float[array.size()];
    for (int i = 0; i < v.length; i++) v[i] = array.get(i).floatValue();
    return v;
  }

  @Test
  void embedPrintsWhatTheEmbedderComputes() throws Exception {
    List<String> texts = List.of("A man is eating food.", "", "Ünïcödé \"quoted\" text", "x");
    Path input = Files.write(dir.resolve("texts.txt"), texts);
    Path output = dir.resolve("out.jsonl");
    MainTest.Run run = MainTest.quarry("", "embed", "--input", input.toString(), "--output",
        output.toString(), "--batch-size", "3");
    assertEquals(0, run.code(), run.err());
    assertEquals("", run.out(), "with --output nothing goes to standard output");
    assertTrue(run.err().contains("embed: 4 texts in"), run.err());

    float[][] expected;
    try (Embedder embedder = Embedder.open(BuiltinModels.DEFAULT, EmbedOptions.defaults())) {
      expected = embedder.embed(texts);
    }
    List<JsonNode> nodes = lines(Files.readString(output));
    assertEquals(texts.size(), nodes.size());
    for (int i = 0; i < texts.size(); i++) {
      assertEquals(i, nodes.get(i).get("index").intValue());
      float[] got = floats(nodes.get(i).get("embedding"));
      assertEquals(384, got.length);
      // The printed form reads back to the very same floats.
      assertArrayEquals(expected[i], got, 0f, "text " + i);
    }
  }

  @Test
  void embedFromArgumentsWithMatryoshkaDimension() throws Exception {
    MainTest.Run run = MainTest.quarry("", "embed", "--dim", "128", "hello", "world");
    assertEquals(0, run.code(), run.err());
    List<JsonNode> nodes = lines(run.out());
    assertEquals(2, nodes.size());
    float[] v = floats(nodes.get(1).get("embedding"));
    assertEquals(128, v.length);
    double norm = 0;
    for (float x : v) norm += x * x;
    assertEquals(1.0, Math.sqrt(norm), 1e-5, "renormalised after truncation");
  }

  @Test
  void embedFromStandardInput() throws Exception {
    MainTest.Run run = MainTest.quarry("first\nsecond\n", "embed", "--no-normalize");
    assertEquals(0, run.code(), run.err());
    assertEquals(2, lines(run.out()).size());
  }

  @Test
  void dimensionLargerThanTheModelIsAClearError() {
    MainTest.Run run = MainTest.quarry("", "embed", "--dim", "1000", "hello");
    assertEquals(1, run.code());
    assertEquals("", run.out());
    assertTrue(run.err().startsWith("quarry embed: ") && run.err().contains("1000")
        && run.err().lines().count() == 1, run.err());
  }

  @Test
  void tokenizeTruncatesAtTheModelsLength() throws Exception {
    MainTest.Run run = MainTest.quarry("", "tokenize", "Hello, world!", "word ".repeat(300));
    assertEquals(0, run.code(), run.err());
    List<JsonNode> nodes = lines(run.out());
    JsonNode hello = nodes.get(0);
    assertEquals("[101,7592,1010,2088,999,102]", hello.get("ids").toString());
    assertEquals("[\"[CLS]\",\"hello\",\",\",\"world\",\"!\",\"[SEP]\"]",
        hello.get("tokens").toString());
    assertEquals("[[0,0],[0,5],[5,6],[7,12],[12,13],[0,0]]", hello.get("offsets").toString());
    // all-MiniLM-L6-v2 was trained at 256 tokens, not the 128 its tokenizer.json says.
    assertEquals(256, nodes.get(1).get("ids").size());
    assertEquals(256, nodes.get(1).get("offsets").size());

    MainTest.Run shorter =
        MainTest.quarry("", "tokenize", "--max-length", "4", "one two three four");
    assertEquals(4, lines(shorter.out()).getFirst().get("ids").size());
  }
}

package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EmbedWriteTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A stand-in model whose vector says which text it came from: [text number, length]. */
  private static float[][] fake(List<String> batch) {
    float[][] vectors = new float[batch.size()][];
    for (int i = 0; i < vectors.length; i++) {
      String text = batch.get(i);
      vectors[i] = new float[] {Integer.parseInt(text.substring(5)), text.length(), -0.25f};
    }
    return vectors;
  }

  @Test
  void linesFollowInputOrderWhateverTheBatchSize() throws Exception {
    List<String> texts = IntStream.range(0, 103).mapToObj(i -> "text " + i).toList();
    for (int batchSize : new int[] {1, 7, 32, 103, 500}) {
      List<Integer> batchSizes = new ArrayList<>();
      Function<List<String>, float[][]> model = batch -> {
        batchSizes.add(batch.size());
        return fake(batch);
      };
      StringWriter out = new StringWriter();
      EmbedCommand.write(texts, batchSize, model, out, null);
      String[] lines = out.toString().split("\n", -1);
      assertEquals(texts.size() + 1, lines.length, "one line per text, each ended by \\n");
      assertEquals("", lines[texts.size()]);
      for (int i = 0; i < texts.size(); i++) {
        JsonNode node = MAPPER.readTree(lines[i]);
        assertEquals(i, node.get("index").intValue());
        assertEquals(i, node.get("embedding").get(0).intValue(), "line " + i + " is text " + i);
        assertEquals(-0.25, node.get("embedding").get(2).doubleValue());
      }
      assertTrue(batchSizes.stream().allMatch(n -> n <= batchSize), batchSizes.toString());
      assertEquals(texts.size(), batchSizes.stream().mapToInt(Integer::intValue).sum());
    }
  }

  @Test
  void lineFormat() throws Exception {
    StringWriter out = new StringWriter();
    EmbedCommand.write(List.of("text 4"), 32, EmbedWriteTest::fake, out, null);
    assertEquals("{\"index\": 0, \"embedding\": [4.0, 6.0, -0.25]}\n", out.toString());
  }

  @Test
  void nanNamesTheText() {
    Function<List<String>, float[][]> broken = batch -> {
      float[][] v = fake(batch);
      if (batch.contains("text 5")) v[batch.indexOf("text 5")][1] = Float.NaN;
      return v;
    };
    List<String> texts = IntStream.range(0, 8).mapToObj(i -> "text " + i).toList();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> EmbedCommand.write(texts, 3, broken, new StringWriter(), null));
    assertEquals("text 5: the embedding's component 1 is NaN, which JSON cannot hold",
        e.getMessage());
  }

  @Test
  void progressIsReportedPerBatchOnStandardError() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AtomicLong clock = new AtomicLong();
    Function<List<String>, float[][]> model = batch -> {
      clock.addAndGet(1_000_000_000L); // each batch takes a second
      return fake(batch);
    };
    Progress progress = new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), "embed",
        10, true, clock::get);
    List<String> texts = IntStream.range(0, 10).mapToObj(i -> "text " + i).toList();
    EmbedCommand.write(texts, 4, model, new StringWriter(), progress);
    String shown = err.toString(StandardCharsets.UTF_8);
    assertTrue(shown.contains("4/10 texts  4.0 texts/s  ETA 0:02"), shown);
    assertTrue(shown.contains("8/10 texts"), shown);
    assertTrue(shown.contains("10/10 texts"), shown);
    assertTrue(shown.endsWith("embed: 10 texts in 0:03 (3.3 texts/s)\n"), shown);
  }

  @Test
  void progressInALogPrintsRarely() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    AtomicLong clock = new AtomicLong();
    Progress progress = new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), "embed",
        1000, false, clock::get);
    for (int done = 10; done < 1000; done += 10) {
      clock.addAndGet(1_000_000_000L);
      progress.update(done);
    }
    progress.finish(1000);
    String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(99 / 10 + 1, lines.length, String.join("\n", lines));
    assertTrue(lines[0].startsWith("embed [##----"), lines[0]);
    assertEquals("1:01:01", Progress.duration(3661));
  }
}

package dev.quarry.cli;

import static dev.quarry.cli.MainTest.quarry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quarry train}: a short run end to end, and bad input refused with one clear line. */
class TrainCommandTest {

  @TempDir Path dir;

  @Test
  void trainsAndWritesALoadableModel() throws Exception {
    Path data = dir.resolve("pairs.jsonl");
    Files.writeString(data, """
        {"query": "what lowers cholesterol", "positive": "Statins reduce LDL cholesterol."}
        {"query": "symptoms of flu", "positive": "Influenza causes fever and cough."}
        {"query": "how do vaccines work", "positive": "Vaccines train the immune system."}
        {"query": "causes of anaemia", "positive": "Iron deficiency causes anaemia."}
        """);
    Path out = dir.resolve("model");
    MainTest.Run run = quarry("", "train", "--data", data.toString(), "--out", out.toString(),
        "--batch-size", "2", "--max-length", "16", "--threads", "1", "--lr", "1e-4");
    assertEquals(0, run.code(), run.err());
    JsonNode summary = new ObjectMapper().readTree(run.out().strip().lines().reduce((a, b) -> b).orElseThrow());
    assertEquals(2, summary.get("steps").asInt());
    assertEquals(4, summary.get("examples").asInt());
    assertTrue(run.err().contains("model written to " + out), run.err());

    MainTest.Run embed = quarry("", "embed", "--model", out.toString(), "a text");
    assertEquals(0, embed.code(), embed.err());
    assertTrue(embed.out().startsWith("{\"index\": 0, \"embedding\": ["), embed.out());
  }

  @Test
  void badDataIsOneLineNamingTheFileAndNothingIsWritten() throws Exception {
    Path empty = dir.resolve("empty.jsonl");
    Files.writeString(empty, "");
    Path missing = dir.resolve("missing.jsonl");
    Files.writeString(missing, "{\"query\": \"q\", \"positive\": \"p\"}\n{\"query\": \"q2\"}\n");
    Path out = dir.resolve("out");
    for (Path data : new Path[] {empty, missing}) {
      MainTest.Run run = quarry("", "train", "--data", data.toString(), "--out", out.toString());
      assertEquals(1, run.code(), run.err());
      assertTrue(run.err().startsWith("quarry train: ") && run.err().contains(data.toString()), run.err());
      assertEquals(1, run.err().strip().lines().count(), run.err());
    }
    MainTest.Run lr = quarry("", "train", "--data", empty.toString(), "--out", out.toString(), "--lr", "0");
    assertEquals(2, lr.code(), lr.err());
    assertTrue(lr.err().contains("learning rate must be positive"), lr.err());
    assertFalse(Files.exists(out));
  }
}

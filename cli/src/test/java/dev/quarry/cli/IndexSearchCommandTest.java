package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.index.inverted.Bm25;
import dev.quarry.retrieval.Bm25Retriever;
import dev.quarry.retrieval.Hit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** quarry index and quarry search on a small BEIR-layout corpus, with the real default model. */
class IndexSearchCommandTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path dir;

  private Path corpus() throws Exception {
    return Files.write(dir.resolve("corpus.jsonl"), List.of(
        "{\"_id\": \"java\", \"title\": \"Java\", \"text\": \"Java is a programming language that runs on the JVM.\"}",
        "{\"_id\": \"cats\", \"title\": \"\", \"text\": \"Cats sleep for most of the day.\"}",
        "{\"_id\": \"rain\", \"title\": \"Weather\", \"text\": \"Heavy rain is expected over the weekend.\"}",
        "{\"_id\": \"bread\", \"text\": \"Bake the bread at a high temperature for a crisp crust.\"}",
        "{\"_id\": 42, \"title\": \"Chess\", \"text\": \"The queen is the most powerful piece in chess.\"}"));
  }

  private static List<JsonNode> lines(String out) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : out.split("\n")) nodes.add(MAPPER.readTree(line));
    return nodes;
  }

  @Test
  void indexesBothPartsAndSearchesInEveryMode() throws Exception {
    Path corpus = corpus();
    Path index = dir.resolve("idx");
    MainTest.Run built = MainTest.quarry("", "index", "--corpus", corpus.toString(), "--out", index.toString());
    assertEquals(0, built.code(), built.err());
    assertTrue(built.err().contains("5 documents indexed"), built.err());

    MainTest.Run bm25 = MainTest.quarry("", "search", "--index", index.toString(), "--mode", "bm25",
        "--k", "3", "sleeping cats", "powerful queen in chess");
    assertEquals(0, bm25.code(), bm25.err());
    List<JsonNode> out = lines(bm25.out());
    assertEquals(2, out.size());
    assertEquals(0, out.get(0).get("index").asInt());
    // The scores are those of the library's BM25 retriever on the same texts.
    try (Bm25Retriever reference = Bm25Retriever.build(
        List.of("java", "cats", "rain", "bread", "42"),
        List.of("Java Java is a programming language that runs on the JVM.",
            "Cats sleep for most of the day.", "Weather Heavy rain is expected over the weekend.",
            "Bake the bread at a high temperature for a crisp crust.",
            "Chess The queen is the most powerful piece in chess."), Bm25.defaults())) {
      List<Hit> expected = reference.search("powerful queen in chess", 3);
      JsonNode results = out.get(1).get("results");
      assertEquals(expected.size(), results.size());
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(expected.get(i).id(), results.get(i).get("id").asText());
        assertEquals(expected.get(i).score(), results.get(i).get("score").floatValue(), 1e-6);
      }
    }
    for (String mode : List.of("dense", "hybrid", "two-stage")) {
      MainTest.Run run = MainTest.quarry("which language runs on the JVM?\n", "search", "--index",
          index.toString(), "--mode", mode, "--k", "2");
      assertEquals(0, run.code(), mode + ": " + run.err());
      JsonNode results = lines(run.out()).get(0).get("results");
      assertEquals("java", results.get(0).get("id").asText(), mode);
      assertTrue(results.size() <= 2, mode);
    }
    // The default mode with both parts is hybrid: scores are reciprocal-rank sums.
    MainTest.Run hybrid = MainTest.quarry("", "search", "--index", index.toString(), "chess");
    assertEquals(0, hybrid.code(), hybrid.err());
    assertEquals(2.0 / 61, lines(hybrid.out()).get(0).get("results").get(0).get("score").asDouble(), 1e-6);
  }

  @Test
  void badInputIsReportedWithExitCodes() throws Exception {
    Path corpus = corpus();
    Path index = dir.resolve("bm25only");
    assertEquals(2, MainTest.quarry("", "index", "--out", index.toString()).code());
    assertEquals(0, MainTest.quarry("", "index", "--bm25", "--corpus", corpus.toString(), "--out",
        index.toString()).code());
    MainTest.Run again = MainTest.quarry("", "index", "--bm25", "--corpus", corpus.toString(), "--out",
        index.toString());
    assertEquals(1, again.code());
    assertTrue(again.err().contains("already holds an index"), again.err());

    Path broken = Files.write(dir.resolve("broken.jsonl"), List.of("{\"_id\": \"a\", \"text\": \"x\"}",
        "{\"title\": \"no id\"}"));
    MainTest.Run bad = MainTest.quarry("", "index", "--bm25", "--corpus", broken.toString(), "--out",
        dir.resolve("x").toString());
    assertEquals(1, bad.code());
    assertTrue(bad.err().contains("broken.jsonl:2: no \"_id\""), bad.err());
    Path dup = Files.write(dir.resolve("dup.jsonl"), List.of("{\"_id\": \"a\"}", "{\"_id\": \"a\"}"));
    assertTrue(MainTest.quarry("", "index", "--bm25", "--corpus", dup.toString(), "--out",
        dir.resolve("y").toString()).err().contains("duplicate _id a"));
    Path notJson = Files.write(dir.resolve("nj.jsonl"), List.of("{oops"));
    assertTrue(MainTest.quarry("", "index", "--bm25", "--corpus", notJson.toString(), "--out",
        dir.resolve("z").toString()).err().contains("nj.jsonl:1: not valid JSON"));

    assertEquals(2, MainTest.quarry("", "search", "--index", index.toString(), "--mode", "fuzzy", "q").code());
    MainTest.Run noDense = MainTest.quarry("", "search", "--index", index.toString(), "--mode", "dense", "q");
    assertEquals(1, noDense.code());
    assertTrue(noDense.err().contains("no dense vectors"), noDense.err());
    assertEquals(1, MainTest.quarry("", "search", "--index", dir.resolve("nowhere").toString(), "q").code());
    assertEquals(2, MainTest.quarry("", "search", "--index", index.toString(), "--k", "0", "q").code());
    // A query with no known term finds nothing, but still gets its line.
    MainTest.Run none = MainTest.quarry("", "search", "--index", index.toString(), "zzzz");
    assertEquals(0, none.code(), none.err());
    assertEquals("{\"index\": 0, \"results\": []}\n", none.out());
  }
}

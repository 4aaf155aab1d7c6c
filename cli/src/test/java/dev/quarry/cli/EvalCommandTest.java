package dev.quarry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quarry eval} on a tiny BEIR folder and STS file, with the real default model. */
class EvalCommandTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static String previousCache;
  private static Path cache;

  @TempDir Path dir;

  @BeforeAll
  static void redirectCache(@TempDir Path tmp) {
    previousCache = System.getProperty("quarry.cache.dir");
    cache = tmp;
    System.setProperty("quarry.cache.dir", cache.toString());
  }

  @AfterAll
  static void restoreCache() {
    if (previousCache == null) System.clearProperty("quarry.cache.dir");
    else System.setProperty("quarry.cache.dir", previousCache);
  }

  private Path dataset() throws Exception {
    Files.writeString(dir.resolve("corpus.jsonl"), """
        {"_id": "java", "title": "Java", "text": "Java is a programming language that runs on the JVM."}
        {"_id": "cats", "title": "Cats", "text": "Cats sleep for most of the day."}
        {"_id": "rain", "title": "", "text": "Heavy rain is expected over the weekend."}
        {"_id": "q2", "title": "Bread", "text": "Bake the bread at a high temperature."}
        """);
    Files.writeString(dir.resolve("queries.jsonl"), """
        {"_id": "q1", "text": "Which language runs on the JVM?"}
        {"_id": "q2", "text": "How do I bake bread?"}
        """);
    Files.createDirectories(dir.resolve("qrels"));
    Files.writeString(dir.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq1\tjava\t1\nq2\tghost\t1\n");
    return dir;
  }

  private static JsonNode lastLine(String out) throws Exception {
    List<String> lines = out.lines().toList();
    return MAPPER.readTree(lines.getLast());
  }

  @Test
  void denseRunPrintsScoresAndSettingsLast() throws Exception {
    Path data = dataset();
    Path perQuery = dir.resolve("per-query.tsv");
    MainTest.Run run = MainTest.quarry("", "eval", "--dataset", data.toString(), "--k", "3",
        "--per-query", perQuery.toString(), "--threads", "2");
    assertEquals(0, run.code(), run.err());
    JsonNode json = lastLine(run.out());
    // q1 finds java first; q2's only relevant document is missing from the corpus, so it scores 0
    // and halves every average.
    assertEquals(0.5, json.get("mrr@1").doubleValue(), 1e-9, run.out());
    assertEquals(0.5, json.get("ndcg@1").doubleValue(), 1e-9);
    assertEquals(0.5, json.get("recall@100").doubleValue(), 1e-9);
    for (String key : List.of("ndcg@10", "recall@100", "mrr@10", "map@100", "p@10")) {
      assertTrue(json.has(key), key + " in " + json);
    }
    assertEquals("all-MiniLM-L6-v2", json.get("model").asText());
    assertEquals("dense", json.get("mode").asText());
    assertEquals("test", json.get("split").asText());
    assertEquals(256, json.get("max_length").intValue());
    assertEquals("", json.get("prompts").get("query").asText());
    assertEquals(3, json.get("k").intValue());
    assertEquals(2, json.get("queries").intValue());
    assertTrue(run.err().contains("judgments name 1 documents that corpus.jsonl lacks"), run.err());
    assertTrue(Files.readString(perQuery).contains("ndcg_cut_10\tq1\t1.0000"), Files.readString(perQuery));

    // The second run reads the corpus vectors from the cache and scores the same.
    MainTest.Run again = MainTest.quarry("", "eval", "--dataset", data.toString(), "--k", "3", "--threads", "2");
    assertEquals(0, again.code(), again.err());
    assertTrue(again.err().contains("from the cache"), again.err());
    assertEquals(json.get("ndcg@10"), lastLine(again.out()).get("ndcg@10"));
  }

  @Test
  void bm25HybridAndTwoStageModesRun() throws Exception {
    Path data = dataset();
    MainTest.Run bm25 = MainTest.quarry("", "eval", "--dataset", data.toString(), "--mode", "bm25");
    assertEquals(0, bm25.code(), bm25.err());
    JsonNode json = lastLine(bm25.out());
    assertEquals("bm25", json.get("mode").asText());
    assertTrue(json.get("model").isNull(), json.toString());
    assertEquals(0.5, json.get("mrr@10").doubleValue(), 1e-9, "q1 shares JVM with the java document");
    assertTrue(json.get("ann").isNull(), json.toString());
    for (String mode : List.of("hybrid", "two-stage")) {
      MainTest.Run run = MainTest.quarry("", "eval", "--dataset", data.toString(), "--mode", mode,
          "--threads", "2");
      assertEquals(0, run.code(), run.err());
      JsonNode j = lastLine(run.out());
      assertEquals(mode, j.get("mode").asText());
      assertEquals("all-MiniLM-L6-v2", j.get("model").asText());
      assertEquals(0.5, j.get("mrr@1").doubleValue(), 1e-9, mode + ": " + j);
    }
  }

  @Test
  void hnswScoresAsTheExactScanOnATinySet() throws Exception {
    Path data = dataset();
    MainTest.Run exact = MainTest.quarry("", "eval", "--dataset", data.toString(), "--k", "3",
        "--threads", "2");
    assertEquals(0, exact.code(), exact.err());
    JsonNode exactJson = lastLine(exact.out());
    assertEquals("exact", exactJson.get("ann").asText());

    MainTest.Run hnsw = MainTest.quarry("", "eval", "--dataset", data.toString(), "--k", "3",
        "--threads", "2", "--ann", "hnsw", "--m", "8", "--ef-construction", "40", "--ef", "20",
        "--encoding", "int8");
    assertEquals(0, hnsw.code(), hnsw.err());
    assertTrue(hnsw.err().contains("building an HNSW index (m 8, ef-construction 40, int8)"), hnsw.err());
    JsonNode json = lastLine(hnsw.out());
    JsonNode ann = json.get("ann");
    assertEquals("hnsw", ann.get("type").asText(), json.toString());
    assertEquals(8, ann.get("m").intValue());
    assertEquals(40, ann.get("ef_construction").intValue());
    assertEquals(20, ann.get("ef").intValue());
    assertEquals("int8", ann.get("encoding").asText());
    // Four documents: the graph search sees them all and ranks them as the exact scan does.
    for (String key : List.of("ndcg@10", "mrr@1", "recall@3", "map@100")) {
      assertEquals(exactJson.get(key), json.get(key), key + ": " + json);
    }

    MainTest.Run hybrid = MainTest.quarry("", "eval", "--dataset", data.toString(), "--mode", "hybrid",
        "--threads", "2", "--ann", "hnsw");
    assertEquals(0, hybrid.code(), hybrid.err());
    JsonNode h = lastLine(hybrid.out());
    assertEquals(0.5, h.get("mrr@1").doubleValue(), 1e-9, h.toString());
    JsonNode defaults = h.get("ann");
    assertEquals("hnsw", defaults.get("type").asText(), h.toString());
    assertEquals(16, defaults.get("m").intValue());
    assertEquals(100, defaults.get("ef_construction").intValue());
    assertEquals(100, defaults.get("ef").intValue());
    assertEquals("float", defaults.get("encoding").asText());
  }

  @Test
  void annMistakesAreReportedBeforeAnythingIsRead() {
    record Case(String expected, List<String> args) {}
    for (Case c : List.of(
        new Case("--ann applies to the dense search of --mode dense and hybrid, not to two-stage",
            List.of("--ann", "hnsw", "--mode", "two-stage")),
        new Case("not to bm25", List.of("--ann", "exact", "--mode", "bm25")),
        new Case("--ann must be one of exact, hnsw, got \"foo\"", List.of("--ann", "foo")),
        new Case("--m applies to --ann hnsw", List.of("--m", "8")),
        new Case("--ef applies to --ann hnsw", List.of("--ann", "exact", "--ef", "50")),
        new Case("--m must be at least 2", List.of("--ann", "hnsw", "--m", "1")),
        new Case("m 600 is out of range", List.of("--ann", "hnsw", "--m", "600")),
        new Case("--encoding must be one of float, int8, binary", List.of("--ann", "hnsw", "--encoding", "fp16")))) {
      List<String> argv = new java.util.ArrayList<>(List.of("eval", "--dataset", "no-such-dir"));
      argv.addAll(c.args());
      MainTest.Run run = MainTest.quarry("", argv.toArray(String[]::new));
      assertEquals(2, run.code(), c + ": " + run.err());
      assertTrue(run.err().contains(c.expected()), c + ": " + run.err());
    }
    MainTest.Run sts = MainTest.quarry("", "eval", "--sts", "x", "--ann", "hnsw");
    assertEquals(2, sts.code());
    assertTrue(sts.err().contains("--ann applies to --dataset, not to --sts"), sts.err());
  }

  @Test
  void stsPrintsCorrelations() throws Exception {
    Path sts = Files.writeString(dir.resolve("sts.csv"), """
        g\tf\t2012\t1\t5.0\tA man is playing a guitar.\tA man plays the guitar.
        g\tf\t2012\t2\t0.2\tA man is playing a guitar.\tThe stock market fell sharply.
        g\tf\t2012\t3\t3.0\tA woman is slicing an onion.\tA woman is cutting vegetables.\textra
        """);
    MainTest.Run run = MainTest.quarry("", "eval", "--sts", sts.toString(), "--threads", "2");
    assertEquals(0, run.code(), run.err());
    JsonNode json = lastLine(run.out());
    assertEquals(1.0, json.get("spearman").doubleValue(), 1e-9, run.out());
    assertTrue(json.get("pearson").doubleValue() > 0.5, run.out());
    assertEquals(3, json.get("pairs").intValue());
    assertEquals("all-MiniLM-L6-v2", json.get("model").asText());
  }

  @Test
  void mistakesAreReported() throws Exception {
    MainTest.Run none = MainTest.quarry("", "eval");
    assertEquals(2, none.code());
    assertTrue(none.err().contains("give --dataset DIR or --sts FILE"), none.err());
    MainTest.Run both = MainTest.quarry("", "eval", "--dataset", "x", "--sts", "y");
    assertEquals(2, both.code());
    MainTest.Run mode = MainTest.quarry("", "eval", "--dataset", "x", "--mode", "sparse");
    assertEquals(2, mode.code());
    assertTrue(mode.err().contains("--mode must be one of dense, bm25, hybrid, two-stage"), mode.err());
    MainTest.Run stsSplit = MainTest.quarry("", "eval", "--sts", "x", "--split", "dev");
    assertEquals(2, stsSplit.code());

    Path data = dataset();
    Files.writeString(data.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq1\tjava\n");
    MainTest.Run bad = MainTest.quarry("", "eval", "--dataset", data.toString());
    assertEquals(1, bad.code());
    assertTrue(bad.err().contains("test.tsv:2: expected 3 tab-separated fields"), bad.err());
    MainTest.Run split = MainTest.quarry("", "eval", "--dataset", data.toString(), "--split", "dev");
    assertEquals(1, split.code());
    assertTrue(split.err().contains("the splits of") && split.err().contains("[test]"), split.err());
    assertEquals("", split.out());
  }
}

package dev.quarry.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading BEIR folders: the text rule, and bad input reported with file and line. */
class BeirDatasetTest {

  @TempDir Path dir;

  private Path write(String corpus, String queries, String qrels) throws IOException {
    Files.writeString(dir.resolve("corpus.jsonl"), corpus);
    Files.writeString(dir.resolve("queries.jsonl"), queries);
    Files.createDirectories(dir.resolve("qrels"));
    Files.writeString(dir.resolve("qrels/test.tsv"), qrels);
    return dir;
  }

  private static final String CORPUS = """
      {"_id": "d1", "title": "Title one", "text": "Body one."}
      {"_id": "d2", "title": "", "text": "  Body two.  "}
      {"_id": 3, "text": "No title."}
      """;
  private static final String QUERIES = """
      {"_id": "q1", "text": "first"}
      {"_id": "q2", "text": "second", "metadata": {}}
      {"_id": "q3", "text": "never judged"}
      """;

  @Test
  void textsJoinTitleAndTextStrippedAndQueriesFollowTheQrels() throws Exception {
    BeirDataset data = BeirDataset.load(write(CORPUS, QUERIES,
        "query-id\tcorpus-id\tscore\nq2\td2\t2\nq1\td1\t1\nq1\t3\t0\n"), "test");
    assertEquals(List.of("d1", "d2", "3"), data.docIds());
    assertEquals(List.of("Title one Body one.", "Body two.", "No title."), data.docTexts());
    assertEquals(List.of("q2", "q1"), List.copyOf(data.queries().keySet()));
    assertEquals(Map.of("d1", 1, "3", 0), data.qrels().judgments("q1"));
    assertEquals(List.of(), data.warnings());
  }

  @Test
  void unknownQueriesAndDocumentsAreCountedAndReported() throws Exception {
    BeirDataset data = BeirDataset.load(write(CORPUS, QUERIES,
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\tghost\t1\nq9\td1\t1\nq9\td2\t1\n"), "test");
    assertEquals(2, data.unknownQueryJudgments());
    assertEquals(1, data.unknownDocJudgments());
    assertEquals(List.of("q1"), data.qrels().queryIds());
    assertEquals(Map.of("d1", 1, "ghost", 1), data.qrels().judgments("q1"),
        "a judged document missing from the corpus still counts as relevant");
    assertEquals(2, data.warnings().size());
    assertTrue(data.warnings().get(0).contains("2 judgments of 1 queries"), data.warnings().get(0));
    assertTrue(data.warnings().get(1).contains("ghost"), data.warnings().get(1));
  }

  private void assertFails(String expectedStart, String corpus, String queries, String qrels) {
    IOException e = assertThrows(IOException.class, () -> BeirDataset.load(write(corpus, queries, qrels), "test"));
    assertTrue(e.getMessage().contains(expectedStart), e.getMessage());
  }

  @Test
  void malformedLinesNameFileAndLine() {
    String qrels = "query-id\tcorpus-id\tscore\nq1\td1\t1\n";
    assertFails("corpus.jsonl:2: not JSON", "{\"_id\": \"a\", \"text\": \"x\"}\n{\"_id\": \"b\", \"text\": \n", QUERIES, qrels);
    assertFails("corpus.jsonl:3: no \"_id\"", CORPUS.lines().limit(2).map(l -> l + "\n")
        .reduce("", String::concat) + "{\"text\": \"x\"}\n", QUERIES, qrels);
    assertFails("corpus.jsonl:4: _id \"d1\" repeats line 1", CORPUS + "{\"_id\": \"d1\", \"text\": \"again\"}\n", QUERIES, qrels);
    assertFails("queries.jsonl:2: no \"text\"", CORPUS, "{\"_id\": \"q1\", \"text\": \"a\"}\n{\"_id\": \"q2\"}\n", qrels);
    assertFails("queries.jsonl:1: \"text\" is not a string", CORPUS, "{\"_id\": \"q1\", \"text\": 5}\n", qrels);
    assertFails("test.tsv:3: expected 3 tab-separated fields", CORPUS, QUERIES,
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1 d2 1\n");
    assertFails("test.tsv:2: score \"yes\" is not a whole number", CORPUS, QUERIES,
        "query-id\tcorpus-id\tscore\nq1\td1\tyes\n");
  }

  @Test
  void anEmptySplitSaysSo() {
    assertFails("the split \"test\" is empty", CORPUS, QUERIES, "query-id\tcorpus-id\tscore\n");
    assertFails("none of the 1 judged queries is in queries.jsonl", CORPUS, QUERIES,
        "query-id\tcorpus-id\tscore\nq7\td1\t1\n");
  }

  @Test
  void aMissingSplitListsTheOthers() throws Exception {
    write(CORPUS, QUERIES, "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
    Files.writeString(dir.resolve("qrels/dev.tsv"), "");
    IOException e = assertThrows(IOException.class, () -> BeirDataset.load(dir, "train"));
    assertTrue(e.getMessage().contains("the splits of") && e.getMessage().contains("[dev, test]"), e.getMessage());
  }
}

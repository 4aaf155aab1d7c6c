package dev.quarry.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three JSON Lines shapes, BEIR's train split, and every error a user can make. */
class TrainingDataTest {

  @TempDir Path dir;

  private Path jsonl(String content) throws IOException {
    Path file = dir.resolve("train.jsonl");
    Files.writeString(file, content);
    return file;
  }

  private void fails(String content, String... expected) throws IOException {
    Path file = jsonl(content);
    IOException e = assertThrows(IOException.class, () -> TrainingData.read(file));
    for (String s : expected) {
      assertTrue(e.getMessage().contains(s), "expected \"" + s + "\" in: " + e.getMessage());
    }
    assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
  }

  @Test
  void readsPairsSkippingBlankLinesAndOtherKeys() throws Exception {
    List<TrainingExample> data = TrainingData.read(jsonl("""
        \uFEFF{"query": "what is a cat", "positive": "A cat is a small feline.", "id": 7}

        {"query": "sky colour", "positive": "The sky is blue."}
        """));
    assertEquals(2, data.size());
    assertEquals("what is a cat", data.get(0).query());
    assertEquals(List.of("A cat is a small feline."), data.get(0).texts());
    assertNull(data.get(0).scores());
    assertEquals(List.of("The sky is blue."), data.get(1).texts());
  }

  @Test
  void readsTripletsWithOneOrSeveralNegatives() throws Exception {
    List<TrainingExample> one = TrainingData.read(jsonl("""
        {"query": "q1", "positive": "p1", "negative": "n1"}
        {"query": "q2", "positive": "p2", "negative": "n2"}
        """));
    assertEquals(List.of("p1", "n1"), one.get(0).texts());
    assertEquals(List.of("p2", "n2"), one.get(1).texts());

    List<TrainingExample> several = TrainingData.read(jsonl("""
        {"query": "q1", "positive": "p1", "negative": ["n1", "n2", "n3"]}
        {"query": "q2", "positive": "p2", "negative": ["m1", "m2", "m3"]}
        """));
    assertEquals(List.of("p1", "n1", "n2", "n3"), several.get(0).texts());
    assertNull(several.get(0).scores());
  }

  @Test
  void readsLists() throws Exception {
    List<TrainingExample> data = TrainingData.read(jsonl("""
        {"query": "q1", "candidates": ["a", "b", "c"], "scores": [3, 1.5, 0]}
        {"query": "q2", "candidates": ["d", "e", "f"], "scores": [-2.25, 0.5, 1e-3]}
        """));
    assertEquals(List.of("a", "b", "c"), data.get(0).texts());
    assertArrayEquals(new float[] {3f, 1.5f, 0f}, data.get(0).scores());
    assertArrayEquals(new float[] {-2.25f, 0.5f, 1e-3f}, data.get(1).scores());
  }

  @Test
  void emptyFilesSayThereIsNothingToTrainOn() throws Exception {
    fails("", "no training examples in");
    fails("\n  \n\n", "no training examples in", "one JSON object");
  }

  @Test
  void malformedLinesNameTheLine() throws Exception {
    String good = "{\"query\": \"q\", \"positive\": \"p\"}\n";
    fails(good + "{\"query\": \"q\", \"positive\": \n", "line 2: not JSON", "one JSON object");
    fails(good + good + "{\"query\": \"q\", \"positive\": \"p\"} trailing\n", "line 3: not JSON");
    fails("[{\"query\": \"q\", \"positive\": \"p\"}]\n", "line 1: a JSON array",
        "JSON Lines");
    fails(good + "\"just a string\"\n", "line 2: not a JSON object");
  }

  @Test
  void missingWrongAndEmptyFieldsNameTheField() throws Exception {
    String good = "{\"query\": \"q\", \"positive\": \"p\"}\n";
    fails(good.repeat(11) + "{\"query\": \"q\", \"postive\": \"p\"}\n",
        "line 12: missing \"positive\"");
    fails("{\"positive\": \"p\"}\n", "line 1: missing \"query\"");
    fails("{\"query\": 42, \"positive\": \"p\"}\n", "line 1: \"query\" is a number, not a string");
    fails("{\"query\": \"q\", \"positive\": null}\n", "\"positive\" is null, not a string");
    fails("{\"query\": \"q\", \"positive\": \"  \"}\n", "line 1: \"positive\" is empty");
    fails("{\"query\": \"\", \"positive\": \"p\"}\n", "line 1: \"query\" is empty");
    fails("{\"query\": \"q\", \"positive\": \"p\", \"negative\": []}\n",
        "\"negative\" is an empty array");
    fails("{\"query\": \"q\", \"positive\": \"p\", \"negative\": [\"n\", 3]}\n",
        "\"negative\"[1] is a number, not a string");
    fails("{\"query\": \"q\", \"positive\": \"p\", \"negative\": [\"n\", \"\"]}\n",
        "\"negative\"[1] is empty");
    fails("{\"query\": \"q\", \"positive\": \"p\", \"negative\": {\"text\": \"n\"}}\n",
        "\"negative\" is an object, not a string");
  }

  @Test
  void listsNeedOneFiniteScorePerCandidate() throws Exception {
    fails("{\"query\": \"q\", \"candidates\": [\"a\", \"b\"], \"scores\": [1]}\n",
        "line 1: 2 candidates but 1 scores");
    fails("{\"query\": \"q\", \"candidates\": [\"a\", \"b\"]}\n", "missing \"scores\"");
    fails("{\"query\": \"q\", \"scores\": [1, 2]}\n", "missing \"candidates\"");
    fails("{\"query\": \"q\", \"candidates\": [\"a\"], \"scores\": [\"1\"]}\n",
        "\"scores\"[0] is a string, not a number");
    fails("{\"query\": \"q\", \"candidates\": [\"a\"], \"scores\": [1e39]}\n",
        "\"scores\"[0] = 1.0E39 does not fit a float");
    fails("{\"query\": \"q\", \"candidates\": [], \"scores\": []}\n",
        "\"candidates\" is an empty array");
    fails("{\"query\": \"q\", \"positive\": \"p\", \"candidates\": [\"a\"], \"scores\": [1]}\n",
        "has both \"positive\" and \"candidates\"/\"scores\"");
  }

  @Test
  void everyLineHasTheShapeOfTheFirst() throws Exception {
    fails("""
        {"query": "q", "positive": "p"}
        {"query": "q", "positive": "p", "negative": "n"}
        """, "line 2: a triplet with 1 negative, but line 1 is a pair",
        "every line must have the shape of the first");
    fails("""

        {"query": "q", "positive": "p", "negative": ["n1", "n2"]}
        {"query": "q", "positive": "p", "negative": "n"}
        """, "line 3: a triplet with 1 negative, but line 2 is a triplet with 2 negatives");
    fails("""
        {"query": "q", "candidates": ["a", "b"], "scores": [1, 0]}
        {"query": "q", "candidates": ["a", "b", "c"], "scores": [1, 0, 0]}
        """, "line 2: a list of 3 candidates, but line 1 is a list of 2 candidates");
    fails("""
        {"query": "q", "candidates": ["a", "b"], "scores": [1, 0]}
        {"query": "q", "positive": "a", "negative": "b"}
        """, "line 2: a triplet with 1 negative, but line 1 is a list of 2 candidates");
  }

  @Test
  void aMissingPathSaysWhatToGive() {
    NoSuchFileException e = assertThrows(NoSuchFileException.class,
        () -> TrainingData.read(dir.resolve("nope.jsonl")));
    assertTrue(e.getMessage().contains("nope.jsonl") && e.getMessage().contains("BEIR directory"),
        e.getMessage());
  }

  private Path beir(String qrelsName, String qrels) throws IOException {
    Path beir = Files.createDirectories(dir.resolve("beir"));
    Files.writeString(beir.resolve("corpus.jsonl"), """
        {"_id": "d1", "title": "Title one", "text": "Body one."}
        {"_id": "d2", "title": "", "text": "  Body two.  "}
        {"_id": "d3", "text": "Body three."}
        """);
    Files.writeString(beir.resolve("queries.jsonl"), """
        {"_id": "q1", "text": "first"}
        {"_id": "q2", "text": "second"}
        """);
    Files.createDirectories(beir.resolve("qrels"));
    Files.writeString(beir.resolve("qrels").resolve(qrelsName), qrels);
    return beir;
  }

  @Test
  void aBeirDirectoryGivesOnePairPerRelevantJudgment() throws Exception {
    Path beir = beir("train.tsv", "query-id\tcorpus-id\tscore\n"
        + "q2\td2\t1\nq1\td1\t2\nq1\td3\t0\nq1\tghost\t1\nq9\td1\t1\nq1\td2\t1\n");
    List<TrainingExample> data = TrainingData.read(beir);
    assertEquals(3, data.size(), "score 0, unknown document and unknown query are left out");
    assertEquals("second", data.get(0).query());
    assertEquals(List.of("Body two."), data.get(0).texts());
    assertEquals("first", data.get(1).query());
    assertEquals(List.of("Title one Body one."), data.get(1).texts());
    assertEquals(List.of("Body two."), data.get(2).texts());
  }

  @Test
  void aBeirDirectoryWithoutTheTrainSplitSaysSo() throws Exception {
    Path beir = beir("test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
    IOException e = assertThrows(IOException.class, () -> TrainingData.read(beir));
    assertTrue(e.getMessage().contains("qrels/train.tsv, which is missing (splits here: [test])"),
        e.getMessage());

    Files.writeString(beir.resolve("qrels/train.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t0\n");
    e = assertThrows(IOException.class, () -> TrainingData.read(beir));
    assertTrue(e.getMessage().contains("no training examples in")
        && e.getMessage().contains("none of the 1 judgments"), e.getMessage());

    Files.delete(beir.resolve("corpus.jsonl"));
    e = assertThrows(IOException.class, () -> TrainingData.read(beir));
    assertTrue(e.getMessage().contains("corpus.jsonl is missing"), e.getMessage());
  }

  @Test
  void aBeirPairWithAnEmptyTextNamesTheDocument() throws Exception {
    Path beir = beir("train.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\tblank\t1\n");
    Files.writeString(beir.resolve("corpus.jsonl"),
        "{\"_id\": \"blank\", \"title\": \" \", \"text\": \"\"}\n", StandardOpenOption.APPEND);
    IOException e = assertThrows(IOException.class, () -> TrainingData.read(beir));
    assertTrue(e.getMessage().contains("document \"blank\" has an empty title and text"),
        e.getMessage());
  }

  @Test
  void sciFactTrainHasOnePairPerRelevantJudgment() throws Exception {
    Path scifact = TrainTestData.shared().resolve("data/scifact");
    List<TrainingExample> data = TrainingData.read(scifact);

    // Counted independently: distinct train.tsv rows with score > 0 whose ids both exist.
    ObjectMapper json = new ObjectMapper();
    Map<String, String> queries = new HashMap<>();
    Set<String> docTexts = new HashSet<>();
    Set<String> docIds = new HashSet<>();
    try (BufferedReader in = Files.newBufferedReader(scifact.resolve("queries.jsonl"))) {
      for (String line; (line = in.readLine()) != null; ) {
        JsonNode n = json.readTree(line);
        queries.put(n.get("_id").asText(), n.get("text").asText());
      }
    }
    try (BufferedReader in = Files.newBufferedReader(scifact.resolve("corpus.jsonl"))) {
      for (String line; (line = in.readLine()) != null; ) {
        JsonNode n = json.readTree(line);
        docIds.add(n.get("_id").asText());
        String title = n.has("title") ? n.get("title").asText() : "";
        docTexts.add((title + " " + n.get("text").asText()).strip());
      }
    }
    Set<String> pairs = new LinkedHashSet<>();
    Set<String> trainQueries = new HashSet<>();
    List<String> rows = Files.readAllLines(scifact.resolve("qrels/train.tsv"),
        StandardCharsets.UTF_8);
    for (String row : rows.subList(1, rows.size())) {
      String[] f = row.split("\t");
      boolean known = queries.containsKey(f[0]) && docIds.contains(f[1]);
      if (Integer.parseInt(f[2].strip()) > 0 && known) {
        pairs.add(f[0] + "\t" + f[1]);
        trainQueries.add(f[0]);
      }
    }
    assertEquals(809, trainQueries.size());
    assertEquals(pairs.size(), data.size());

    Set<String> seenQueries = new HashSet<>();
    for (TrainingExample e : data) {
      assertEquals(1, e.texts().size());
      assertTrue(docTexts.contains(e.texts().get(0)), "a document text as BEIR builds it");
      seenQueries.add(e.query());
    }
    Set<String> trainQueryTexts = new HashSet<>();
    for (String q : trainQueries) trainQueryTexts.add(queries.get(q));
    assertEquals(trainQueryTexts, seenQueries);
  }
}

package dev.quarry.train.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.quarry.eval.BeirDataset;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads training examples from a JSON Lines file or a BEIR directory.
 *
 * <p>A JSON Lines file holds one JSON object per line, in one of three shapes (other keys are
 * ignored):
 *
 * <ul>
 *   <li>a pair: {@code {"query": "...", "positive": "..."}};
 *   <li>a triplet: {@code {"query": "...", "positive": "...", "negative": "..."}}, where {@code
 *       negative} may also be an array of several hard negatives;
 *   <li>a list: {@code {"query": "...", "candidates": ["...", ...], "scores": [1.0, ...]}}.
 * </ul>
 *
 * <p>Every line must have the shape of the first line, with as many texts (a triplet as many
 * negatives, a list as many candidates): a batch of examples becomes one rectangle of texts for the
 * loss, and a file that mixes shapes is more likely a mistake than a plan. Blank lines are skipped;
 * every string must be non-blank and every score finite. An error names the file and line and says
 * how to fix it.
 *
 * <p>A BEIR directory ({@code corpus.jsonl}, {@code queries.jsonl}, {@code qrels/train.tsv}) gives
 * one pair per judgment of the train split with a score above 0 whose document is in the corpus,
 * in the order of the qrels; the texts are those of {@link BeirDataset} (a document is {@code
 * (title + " " + text).strip()}).
 */
public final class TrainingData {

  private static final ObjectReader JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .reader();

  private static final String SHAPES = "each line must be one JSON object: {\"query\": ..., "
      + "\"positive\": ...} with an optional \"negative\" (a string or an array of strings), or "
      + "{\"query\": ..., \"candidates\": [...], \"scores\": [...]}";

  private TrainingData() {}

  /**
   * Reads a JSON Lines file, or the train split of a BEIR directory.
   *
   * @throws IOException the path is missing or the data is malformed or empty (the message names
   *                     the file and line)
   */
  public static List<TrainingExample> read(Path path) throws IOException {
    if (Files.isDirectory(path)) return readBeir(path, "train");
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null,
          "no training data here; give a .jsonl file or a BEIR directory");
    }
    return readJsonl(path);
  }

  /** The pairs of a BEIR split: each judged (query, document) with a score above 0. */
  public static List<TrainingExample> readBeir(Path directory, String split) throws IOException {
    for (String name : new String[] {"corpus.jsonl", "queries.jsonl"}) {
      if (!Files.isRegularFile(directory.resolve(name))) {
        throw new IOException("no training examples in " + directory + ": " + name + " is missing; "
            + "a BEIR directory holds corpus.jsonl, queries.jsonl and qrels/" + split + ".tsv "
            + "(else give a .jsonl file of pairs)");
      }
    }
    Path qrels = directory.resolve("qrels").resolve(split + ".tsv");
    if (!Files.isRegularFile(qrels)) {
      throw new IOException("no training examples in " + directory + ": a BEIR directory trains on "
          + "qrels/" + split + ".tsv, which is missing (splits here: " + splits(directory)
          + "); add it, or give a .jsonl file of pairs instead");
    }
    BeirDataset data = BeirDataset.load(directory, split);
    Map<String, String> docs = new HashMap<>(data.docIds().size() * 2);
    for (int i = 0; i < data.docIds().size(); i++) {
      docs.put(data.docIds().get(i), data.docTexts().get(i));
    }
    List<TrainingExample> out = new ArrayList<>();
    int judgments = 0;
    for (Map.Entry<String, String> q : data.queries().entrySet()) {
      for (Map.Entry<String, Integer> d : data.qrels().judgments(q.getKey()).entrySet()) {
        judgments++;
        String doc = docs.get(d.getKey());
        if (d.getValue() <= 0 || doc == null) continue;
        if (q.getValue().isBlank()) {
          throw new IOException(directory.resolve("queries.jsonl") + ": query \"" + q.getKey()
              + "\" has an empty text; give it a text or remove its judgments from " + qrels);
        }
        if (doc.isBlank()) {
          throw new IOException(directory.resolve("corpus.jsonl") + ": document \"" + d.getKey()
              + "\" has an empty title and text; give it a text or remove its judgments from "
              + qrels);
        }
        out.add(new TrainingExample(q.getValue(), List.of(doc), null));
      }
    }
    if (out.isEmpty()) {
      throw new IOException("no training examples in " + directory + ": none of the " + judgments
          + " judgments in " + qrels + " of queries in queries.jsonl has a score above 0 and a "
          + "document in corpus.jsonl");
    }
    return out;
  }

  private static List<String> splits(Path directory) throws IOException {
    Path dir = directory.resolve("qrels");
    if (!Files.isDirectory(dir)) return List.of("none, there is no qrels/ folder");
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".tsv")).map(n -> n.substring(0, n.length() - 4)).sorted()
          .toList();
      return names.isEmpty() ? List.of("none") : names;
    }
  }

  /** The kind of a line and how many texts it has; every line must match the first. */
  private record Shape(String kind, int texts) {
    String describe() {
      return switch (kind) {
        case "pair" -> "a pair";
        case "triplet" ->
            "a triplet with " + (texts - 1) + (texts == 2 ? " negative" : " negatives");
        default -> "a list of " + texts + " candidates";
      };
    }
  }

  /** Reads a JSON Lines file of pairs, triplets or lists. */
  public static List<TrainingExample> readJsonl(Path file) throws IOException {
    List<TrainingExample> out = new ArrayList<>();
    Shape first = null;
    int firstLine = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNo = 0;
      for (String line; (line = in.readLine()) != null; ) {
        lineNo++;
        if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
        if (line.isBlank()) continue;
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
          throw error(file, lineNo, "not JSON (" + e.getOriginalMessage() + "); " + SHAPES);
        }
        if (node == null || !node.isObject()) {
          String what = node != null && node.isArray()
              ? "a JSON array, not an object; the file must be JSON Lines (one object per line), "
                  + "not one JSON array"
              : "not a JSON object; " + SHAPES;
          throw error(file, lineNo, what);
        }
        TrainingExample example = example(node, file, lineNo);
        Shape shape = shape(node, example);
        if (first == null) {
          first = shape;
          firstLine = lineNo;
        } else if (!shape.equals(first)) {
          throw error(file, lineNo, shape.describe() + ", but line " + firstLine + " is "
              + first.describe() + "; every line must have the shape of the first, with as many "
              + "texts (put other shapes in a file of their own)");
        }
        out.add(example);
      }
    }
    if (out.isEmpty()) {
      throw new IOException("no training examples in " + file + ": the file is empty or blank; "
          + SHAPES);
    }
    return out;
  }

  private static Shape shape(JsonNode node, TrainingExample example) {
    if (example.scores() != null) return new Shape("list", example.texts().size());
    if (node.has("negative")) return new Shape("triplet", example.texts().size());
    return new Shape("pair", 1);
  }

  private static TrainingExample example(JsonNode node, Path file, int lineNo) throws IOException {
    String query = text(node, "query", file, lineNo);
    boolean list = node.has("candidates") || node.has("scores");
    if (list) {
      for (String key : new String[] {"positive", "negative"}) {
        if (node.has(key)) {
          throw error(file, lineNo, "has both \"" + key + "\" and \"candidates\"/\"scores\"; "
              + "a line is a pair or triplet (query, positive, negative) or a list (query, "
              + "candidates, scores), not both");
        }
      }
      List<String> candidates = texts(node, "candidates", file, lineNo);
      float[] scores = scores(node, file, lineNo);
      if (scores.length != candidates.size()) {
        throw error(file, lineNo, candidates.size() + " candidates but " + scores.length
            + " scores; give one score per candidate");
      }
      return new TrainingExample(query, candidates, scores);
    }
    List<String> texts = new ArrayList<>();
    texts.add(text(node, "positive", file, lineNo));
    if (node.has("negative")) {
      JsonNode neg = node.get("negative");
      if (neg.isArray()) {
        texts.addAll(texts(node, "negative", file, lineNo));
      } else {
        texts.add(text(node, "negative", file, lineNo));
      }
    }
    return new TrainingExample(query, texts, null);
  }

  /** A required non-blank string field. */
  private static String text(JsonNode node, String key, Path file, int lineNo) throws IOException {
    JsonNode v = node.get(key);
    if (v == null) throw error(file, lineNo, "missing \"" + key + "\"; " + SHAPES);
    if (!v.isTextual()) {
      throw error(file, lineNo, "\"" + key + "\" is " + kind(v) + ", not a string");
    }
    if (v.asText().isBlank()) {
      throw error(file, lineNo, "\"" + key + "\" is empty; give it a text or drop the line");
    }
    return v.asText();
  }

  /** A required non-empty array of non-blank strings. */
  private static List<String> texts(JsonNode node, String key, Path file, int lineNo)
      throws IOException {
    JsonNode v = node.get(key);
    if (v == null) throw error(file, lineNo, "missing \"" + key + "\"; " + SHAPES);
    if (!v.isArray()) {
      throw error(file, lineNo, "\"" + key + "\" is " + kind(v) + ", not an array of strings");
    }
    if (v.isEmpty()) throw error(file, lineNo, "\"" + key + "\" is an empty array");
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      JsonNode t = v.get(i);
      if (!t.isTextual()) {
        throw error(file, lineNo, "\"" + key + "\"[" + i + "] is " + kind(t) + ", not a string");
      }
      if (t.asText().isBlank()) {
        throw error(file, lineNo, "\"" + key + "\"[" + i + "] is empty; give it a text or "
            + "drop it");
      }
      out.add(t.asText());
    }
    return out;
  }

  private static float[] scores(JsonNode node, Path file, int lineNo) throws IOException {
    JsonNode v = node.get("scores");
    if (v == null) {
      throw error(file, lineNo, "missing \"scores\"; a list needs one score per candidate");
    }
    if (!v.isArray()) {
      throw error(file, lineNo, "\"scores\" is " + kind(v) + ", not an array of numbers");
    }
    float[] out = new float[v.size()];
    for (int i = 0; i < v.size(); i++) {
      JsonNode s = v.get(i);
      if (!s.isNumber()) {
        throw error(file, lineNo, "\"scores\"[" + i + "] is " + kind(s) + ", not a number");
      }
      out[i] = s.floatValue();
      if (!Float.isFinite(out[i])) {
        throw error(file, lineNo, "\"scores\"[" + i + "] = " + s.asText()
            + " does not fit a float");
      }
    }
    return out;
  }

  private static String kind(JsonNode v) {
    return switch (v.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> v.getNodeType().toString().toLowerCase();
    };
  }

  private static IOException error(Path file, int lineNo, String what) {
    return new IOException(file + " line " + lineNo + ": " + what);
  }
}

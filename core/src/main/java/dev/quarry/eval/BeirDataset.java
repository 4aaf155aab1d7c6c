package dev.quarry.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A retrieval data set in BEIR's layout: {@code corpus.jsonl} ({@code _id}, {@code title},
 * {@code text}), {@code queries.jsonl} ({@code _id}, {@code text}) and {@code qrels/<split>.tsv}
 * ({@code query-id corpus-id score}, tab-separated, after a header line).
 *
 * <p>A document's text is {@code (title + " " + text).strip()}, as BEIR and MTEB build it. Only the
 * queries judged in the split are kept, in the order of the qrels. A malformed line fails the load
 * with its file and line number; judgments that name a query missing from {@code queries.jsonl} are
 * dropped, and those that name a document missing from the corpus are kept (they count as relevant
 * documents that cannot be found, as trec_eval counts them); both are counted in
 * {@link #warnings()}.
 */
public final class BeirDataset {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final String split;
  private final List<String> docIds;
  private final List<String> docTexts;
  private final Map<String, String> queries;
  private final Qrels qrels;
  private final int unknownQueryJudgments;
  private final int unknownDocJudgments;
  private final List<String> warnings;

  private BeirDataset(Path directory, String split, List<String> docIds, List<String> docTexts,
      Map<String, String> queries, Qrels qrels, int unknownQueryJudgments, int unknownDocJudgments,
      List<String> warnings) {
    this.directory = directory;
    this.split = split;
    this.docIds = docIds;
    this.docTexts = docTexts;
    this.queries = queries;
    this.qrels = qrels;
    this.unknownQueryJudgments = unknownQueryJudgments;
    this.unknownDocJudgments = unknownDocJudgments;
    this.warnings = warnings;
  }

  /**
   * Reads the corpus, the queries and the split's judgments.
   *
   * @throws IOException a file is missing or has a malformed line (the message names file and
   *                     line), or the split has no judgments
   */
  public static BeirDataset load(Path directory, String split) throws IOException {
    if (!Files.isDirectory(directory)) {
      throw new NoSuchFileException(directory.toString(), null,
          "not a directory; a BEIR data set holds corpus.jsonl, queries.jsonl and qrels/");
    }
    Path qrelsFile = directory.resolve("qrels").resolve(split + ".tsv");
    if (!Files.isRegularFile(qrelsFile)) {
      throw new IOException(qrelsFile + ": no such file; the splits of " + directory + " are "
          + splits(directory));
    }
    Map<String, String> corpus = readJsonl(directory.resolve("corpus.jsonl"), true);
    Map<String, String> allQueries = readJsonl(directory.resolve("queries.jsonl"), false);
    Map<String, Map<String, Integer>> judged = readQrels(qrelsFile);
    if (judged.isEmpty()) {
      throw new IOException(qrelsFile + ": the split \"" + split + "\" is empty (no judgments)");
    }

    Qrels.Builder kept = new Qrels.Builder();
    Map<String, String> queries = new LinkedHashMap<>();
    int unknownQueries = 0, unknownQueryRows = 0, unknownDocRows = 0;
    Map<String, Integer> unknownDocExamples = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Integer>> e : judged.entrySet()) {
      String query = e.getKey();
      String text = allQueries.get(query);
      if (text == null) {
        unknownQueries++;
        unknownQueryRows += e.getValue().size();
        continue;
      }
      queries.put(query, text);
      for (Map.Entry<String, Integer> d : e.getValue().entrySet()) {
        if (!corpus.containsKey(d.getKey())) {
          unknownDocRows++;
          unknownDocExamples.merge(d.getKey(), 1, Integer::sum);
        }
        kept.add(query, d.getKey(), d.getValue());
      }
    }
    List<String> warnings = new ArrayList<>();
    if (unknownQueryRows > 0) {
      warnings.add(qrelsFile + ": " + unknownQueryRows + " judgments of " + unknownQueries
          + " queries that queries.jsonl lacks were dropped");
    }
    if (unknownDocRows > 0) {
      warnings.add(qrelsFile + ": " + unknownDocRows + " judgments name " + unknownDocExamples.size()
          + " documents that corpus.jsonl lacks (e.g. " + unknownDocExamples.keySet().stream()
          .limit(3).toList() + "); they count as relevant documents that cannot be retrieved");
    }
    Qrels qrels = kept.build();
    if (qrels.isEmpty()) {
      throw new IOException(qrelsFile + ": none of the " + judged.size()
          + " judged queries is in queries.jsonl; nothing to evaluate");
    }
    return new BeirDataset(directory, split, List.copyOf(corpus.keySet()),
        List.copyOf(corpus.values()), Collections.unmodifiableMap(queries), qrels,
        unknownQueryRows, unknownDocRows, List.copyOf(warnings));
  }

  private static List<String> splits(Path directory) throws IOException {
    Path dir = directory.resolve("qrels");
    if (!Files.isDirectory(dir)) return List.of("(none: there is no qrels/ folder)");
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tsv"))
          .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
    }
  }

  /** {@code _id} to text; for a corpus, the text is title and text joined by a space, stripped. */
  private static Map<String, String> readJsonl(Path file, boolean corpus) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, Integer> firstLine = new HashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNo = 0;
      for (String line; (line = in.readLine()) != null; ) {
        lineNo++;
        if (line.isBlank()) continue;
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
          throw malformed(file, lineNo, "not JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) throw malformed(file, lineNo, "not a JSON object");
        JsonNode id = node.get("_id");
        if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
          throw malformed(file, lineNo, "no \"_id\" (a non-empty string)");
        }
        String text = field(node, "text", file, lineNo);
        if (text == null) throw malformed(file, lineNo, "no \"text\"");
        if (corpus) {
          String title = field(node, "title", file, lineNo);
          text = ((title == null ? "" : title) + " " + text).strip();
        }
        Integer before = firstLine.putIfAbsent(id.asText(), lineNo);
        if (before != null) {
          throw malformed(file, lineNo, "_id \"" + id.asText() + "\" repeats line " + before);
        }
        out.put(id.asText(), text);
      }
    }
    if (out.isEmpty()) throw new IOException(file + ": no entries");
    return out;
  }

  private static String field(JsonNode node, String name, Path file, int lineNo)
      throws IOException {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) return null;
    if (!v.isTextual()) throw malformed(file, lineNo, "\"" + name + "\" is not a string");
    return v.asText();
  }

  private static Map<String, Map<String, Integer>> readQrels(Path file) throws IOException {
    Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNo = 0;
      for (String line; (line = in.readLine()) != null; ) {
        lineNo++;
        if (line.isBlank()) continue;
        String[] f = line.strip().split("\t");
        if (lineNo == 1 && f.length >= 1 && f[0].equals("query-id")) continue;
        if (f.length != 3) {
          throw malformed(file, lineNo, "expected 3 tab-separated fields (query-id, corpus-id, score),"
              + " found " + f.length);
        }
        int grade;
        try {
          grade = Integer.parseInt(f[2].strip());
        } catch (NumberFormatException e) {
          throw malformed(file, lineNo, "score \"" + f[2] + "\" is not a whole number");
        }
        out.computeIfAbsent(f[0].strip(), q -> new LinkedHashMap<>()).put(f[1].strip(), grade);
      }
    }
    return out;
  }

  private static IOException malformed(Path file, int line, String what) {
    return new IOException(file + ":" + line + ": " + what);
  }

  public Path directory() {
    return directory;
  }

  public String split() {
    return split;
  }

  /** The corpus's document ids, in file order. */
  public List<String> docIds() {
    return docIds;
  }

  /** The corpus's document texts, {@code (title + " " + text).strip()}, in file order. */
  public List<String> docTexts() {
    return docTexts;
  }

  /** The judged queries of the split, id to text, in the order of the qrels. */
  public Map<String, String> queries() {
    return queries;
  }

  public Qrels qrels() {
    return qrels;
  }

  /** Judgments dropped because their query is not in {@code queries.jsonl}. */
  public int unknownQueryJudgments() {
    return unknownQueryJudgments;
  }

  /** Judgments kept although their document is not in {@code corpus.jsonl}. */
  public int unknownDocJudgments() {
    return unknownDocJudgments;
  }

  /** What was odd about the data, one line each (unknown queries and documents). */
  public List<String> warnings() {
    return warnings;
  }
}

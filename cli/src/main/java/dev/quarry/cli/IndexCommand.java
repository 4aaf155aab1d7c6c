package dev.quarry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.embed.Embedder;
import dev.quarry.index.analysis.EnglishAnalyzer;
import dev.quarry.index.inverted.Bm25;
import dev.quarry.index.inverted.InvertedIndex;
import dev.quarry.model.BuiltinModels;
import dev.quarry.retrieval.StoredVectors;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code quarry index}: builds a search index of a BEIR corpus in a directory: {@code bm25/} (an
 * inverted index, English analysis, BM25) and {@code dense/} (the documents' embeddings, stored
 * flat and searched exactly), each committed crash-safely.
 */
final class IndexCommand implements Command {

  static final String BM25_DIR = "bm25";
  static final String DENSE_DIR = "dense";
  private static final int EMBED_BATCH = 32;

  private static final Args.Spec SPEC = new Args.Spec("index",
      "--corpus corpus.jsonl --out DIR [options]", """
      Indexes a corpus in the BEIR layout: one JSON object per line with "_id", "title" and
      "text"; a document's text is (title + " " + text), stripped. With neither --bm25 nor
      --dense, builds both. Search it with quarry search --index DIR.
      """)
      .option("corpus", "FILE", "the corpus, JSON Lines (BEIR corpus.jsonl)")
      .option("out", "DIR", "the index directory to create (must not hold an index yet)")
      .flag("bm25", "build the BM25 index (English analysis, as Lucene's EnglishAnalyzer)")
      .flag("dense", "embed the documents and store their vectors (exact search)")
      .option("model", "NAME|DIR", "the model for --dense (default " + BuiltinModels.DEFAULT + ")")
      .option("k1", "X", "BM25 k1 (default 0.9)")
      .option("b", "X", "BM25 b (default 0.4)")
      .option("threads", "N", "encoder threads (default: all processors)");

  @Override
  public Args.Spec spec() {
    return SPEC;
  }

  @Override
  public String summary() {
    return "index a BEIR corpus for BM25 and dense search";
  }

  /** One document of the corpus. */
  record Doc(String id, String text) {}

  @Override
  public int run(Args args, CommandIo io) throws Exception {
    String corpusArg = args.get("corpus", null);
    String outArg = args.get("out", null);
    if (corpusArg == null) throw args.error("--corpus FILE is required");
    if (outArg == null) throw args.error("--out DIR is required");
    if (!args.positional().isEmpty()) throw args.error("unexpected argument " + args.positional().getFirst());
    boolean bm25 = args.has("bm25");
    boolean dense = args.has("dense");
    if (!bm25 && !dense) bm25 = dense = true;
    if (args.has("model") && !dense) throw args.error("--model is for --dense");
    Bm25 params = new Bm25(floatOption(args, "k1", 0.9f), floatOption(args, "b", 0.4f), false);
    Path out = Path.of(outArg);
    for (String sub : List.of(BM25_DIR, DENSE_DIR)) {
      if (Files.exists(out.resolve(sub).resolve("MANIFEST"))) {
        throw new IOException(out + " already holds an index (" + sub + "/); remove it or pick another --out");
      }
    }
    List<Doc> docs = readCorpus(Path.of(corpusArg));
    if (docs.isEmpty()) throw new IOException(corpusArg + ": the corpus has no documents");
    if (bm25) {
      Progress progress = new Progress(io.err(), "bm25", docs.size(), io.stderrTerminal(), System::nanoTime);
      EnglishAnalyzer analyzer = new EnglishAnalyzer();
      try (InvertedIndex index = InvertedIndex.createBm25(out.resolve(BM25_DIR), params)) {
        for (int i = 0; i < docs.size(); i++) {
          index.add(docs.get(i).id(), analyzer.terms(docs.get(i).text()));
          if (i % 1000 == 999) progress.update(i + 1);
        }
        index.forceMerge();
        index.commit();
      }
      progress.finish(docs.size());
    }
    if (dense) {
      var options = dev.quarry.embed.EmbedOptions.defaults();
      if (args.has("threads")) options = options.withThreads(args.getInt("threads", 0, 0));
      try (Embedder embedder = Embedder.open(args.get("model", BuiltinModels.DEFAULT), options)) {
        Progress progress = new Progress(io.err(), "embed", docs.size(), io.stderrTerminal(), System::nanoTime);
        float[][] vectors = new float[docs.size()][];
        for (int from = 0; from < docs.size(); from += EMBED_BATCH) {
          int to = Math.min(docs.size(), from + EMBED_BATCH);
          List<String> texts = docs.subList(from, to).stream().map(Doc::text).toList();
          float[][] batch = embedder.embedDocuments(texts);
          System.arraycopy(batch, 0, vectors, from, batch.length);
          progress.update(to);
        }
        progress.finish(docs.size());
        StoredVectors.write(out.resolve(DENSE_DIR), docs.stream().map(Doc::id).toList(), vectors,
            args.get("model", BuiltinModels.DEFAULT));
      }
    }
    io.err().println("quarry index: " + docs.size() + " documents indexed in " + out
        + (bm25 ? " (bm25" + (dense ? ", dense)" : ")") : " (dense)"));
    return 0;
  }

  private static float floatOption(Args args, String name, float fallback) throws Args.UsageException {
    String text = args.get(name, null);
    if (text == null) return fallback;
    try {
      return Float.parseFloat(text.strip());
    } catch (NumberFormatException e) {
      throw args.error("--" + name + " expects a number, got \"" + text + "\"");
    }
  }

  /** Reads a BEIR corpus; names the file and line of anything malformed. */
  static List<Doc> readCorpus(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<Doc> docs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = r.readLine()) != null) {
        number++;
        if (number == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
        if (line.isBlank()) continue;
        JsonNode node;
        try {
          node = json.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IOException(file + ":" + number + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) throw new IOException(file + ":" + number + ": not a JSON object");
        JsonNode id = node.get("_id");
        if (id == null || !(id.isTextual() || id.isNumber()) || id.asText().isEmpty()) {
          throw new IOException(file + ":" + number + ": no \"_id\" (BEIR corpus lines need \"_id\", \"title\", \"text\")");
        }
        if (!seen.add(id.asText())) throw new IOException(file + ":" + number + ": duplicate _id " + id.asText());
        String title = textField(node, "title", file, number);
        String text = textField(node, "text", file, number);
        docs.add(new Doc(id.asText(), (title + " " + text).strip()));
      }
    }
    return docs;
  }

  private static String textField(JsonNode node, String name, Path file, int line) throws IOException {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) return "";
    if (!v.isTextual()) throw new IOException(file + ":" + line + ": \"" + name + "\" is not a string");
    return v.asText();
  }
}

package dev.quarry.bench.bm25;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.index.analysis.EnglishAnalyzer;
import dev.quarry.index.inverted.Bm25;
import dev.quarry.index.inverted.InvertedIndex;
import dev.quarry.index.inverted.InvertedSearcher;
import dev.quarry.index.inverted.SearchHit;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * {@code bench/run bm25}: indexes the same documents with Lucene ({@code EnglishAnalyzer},
 * {@code BM25Similarity(0.9, 0.4)}) and with Quarry, both in memory and single-threaded, runs every
 * query through both (top 10, one thread, query analysis included), and prints indexing time,
 * queries per second and the fraction of queries whose top-10 ids are identical.
 *
 * <pre>
 *   bench/run bm25 [--dataset DIR]... [--javadoc N] [--queries N] [--rounds R]
 * </pre>
 * Without {@code --dataset} it runs SciFact ({@code $QUARRY_SHARED/data/scifact}, default
 * {@code ../shared}); besides the datasets it always runs 100,000 Javadoc sentences of the JDK's
 * {@code lib/src.zip} ({@code --javadoc N} for another size, 0 for none), whose 2,000 queries are
 * the first eight words of held-out sentences. The last line is {@code bm25: top10-agreement=F quarry/lucene qps=R}: F pooled over
 * all queries of all corpora, R the ratio on the largest corpus.
 */
public final class Bm25Bench {

  private static final float K1 = 0.9f;
  private static final float B = 0.4f;

  record Corpus(String name, List<String> ids, List<String> texts, List<String> queries) {}

  record Result(String name, int docs, int queries, double luceneIndexS, double quarryIndexS,
      double luceneQps, double quarryQps, int agree) {}

  public static void main(String[] argv) throws Exception {
    List<Path> datasets = new ArrayList<>();
    int javadoc = 100_000;
    int maxQueries = 10_000;
    int rounds = 3;
    for (int i = 0; i < argv.length; i++) {
      switch (argv[i]) {
        case "--dataset" -> datasets.add(Path.of(argv[++i]));
        case "--javadoc" -> javadoc = Integer.parseInt(argv[++i]);
        case "--queries" -> maxQueries = Integer.parseInt(argv[++i]);
        case "--rounds" -> rounds = Integer.parseInt(argv[++i]);
        default -> {
          System.err.println("usage: bench/run bm25 [--dataset DIR]... [--javadoc N] [--queries N] [--rounds R]");
          System.exit(2);
        }
      }
    }
    if (datasets.isEmpty()) {
      String shared = System.getenv().getOrDefault("QUARRY_SHARED", "../shared");
      datasets.add(Path.of(shared, "data", "scifact"));
    }
    List<Corpus> corpora = new ArrayList<>();
    for (Path d : datasets) corpora.add(beir(d, maxQueries));
    if (javadoc > 0) corpora.add(javadoc(javadoc, Math.min(maxQueries, 2000)));

    System.out.printf(Locale.ROOT, "java %s, %d processors, k1=%.1f b=%.1f, top 10, one thread%n",
        Runtime.version(), Runtime.getRuntime().availableProcessors(), K1, B);
    System.out.printf(Locale.ROOT, "%-16s %8s %8s %12s %12s %11s %11s %9s %10s%n", "corpus", "docs",
        "queries", "lucene idx s", "quarry idx s", "lucene qps", "quarry qps", "qps ratio", "agreement");
    List<Result> results = new ArrayList<>();
    for (Corpus c : corpora) {
      Result r = run(c, rounds);
      results.add(r);
      System.out.printf(Locale.ROOT, "%-16s %8d %8d %12.2f %12.2f %11.0f %11.0f %9.2f %10.4f%n", r.name,
          r.docs, r.queries, r.luceneIndexS, r.quarryIndexS, r.luceneQps, r.quarryQps,
          r.quarryQps / r.luceneQps, r.agree / (double) r.queries);
    }
    int agree = 0;
    int total = 0;
    Result largest = results.getFirst();
    for (Result r : results) {
      agree += r.agree;
      total += r.queries;
      if (r.docs > largest.docs) largest = r;
    }
    System.out.printf(Locale.ROOT, "bm25: top10-agreement=%.4f quarry/lucene qps=%.2f%n",
        agree / (double) total, largest.quarryQps / largest.luceneQps);
  }

  static Corpus beir(Path dir, int maxQueries) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("corpus.jsonl"))) {
      if (line.isBlank()) continue;
      JsonNode n = json.readTree(line);
      ids.add(n.get("_id").asText());
      texts.add((n.path("title").asText("") + " " + n.path("text").asText("")).strip());
    }
    List<String> queries = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("queries.jsonl"))) {
      if (line.isBlank() || queries.size() == maxQueries) continue;
      queries.add(json.readTree(line).path("text").asText(""));
    }
    return new Corpus(dir.getFileName().toString(), ids, texts, queries);
  }

  static Corpus javadoc(int docs, int queryCount) throws IOException {
    Path src = Path.of(System.getProperty("java.home"), "lib", "src.zip");
    List<String> sentences = JavadocCorpus.sentences(src, docs + queryCount * 5);
    if (sentences.size() < docs + queryCount) {
      throw new IOException(src + " holds only " + sentences.size() + " Javadoc sentences");
    }
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < docs; i++) ids.add("jd" + i);
    List<String> held = sentences.subList(docs, sentences.size());
    Random random = new Random(42);
    List<String> queries = new ArrayList<>();
    for (int i = 0; i < queryCount; i++) {
      String[] words = held.get(random.nextInt(held.size())).split(" ");
      queries.add(String.join(" ", java.util.Arrays.copyOf(words, Math.min(8, words.length))));
    }
    return new Corpus("javadoc-" + docs / 1000 + "k", ids, List.copyOf(sentences.subList(0, docs)), queries);
  }

  static Result run(Corpus c, int rounds) throws IOException {
    var luceneAnalyzer = new org.apache.lucene.analysis.en.EnglishAnalyzer();
    EnglishAnalyzer quarryAnalyzer = new EnglishAnalyzer();
    // Warm both indexers up on a slice, then time a full build of each (best of two).
    int warm = Math.min(c.ids.size(), 20_000);
    luceneIndex(c, warm, luceneAnalyzer);
    quarryIndex(c, warm, quarryAnalyzer);
    double luceneS = Double.MAX_VALUE;
    double quarryS = Double.MAX_VALUE;
    ByteBuffersDirectory dir = null;
    InvertedSearcher quarry = null;
    for (int round = 0; round < 2; round++) {
      long t0 = System.nanoTime();
      dir = luceneIndex(c, c.ids.size(), luceneAnalyzer);
      long t1 = System.nanoTime();
      quarry = quarryIndex(c, c.ids.size(), quarryAnalyzer);
      long t2 = System.nanoTime();
      luceneS = Math.min(luceneS, (t1 - t0) / 1e9);
      quarryS = Math.min(quarryS, (t2 - t1) / 1e9);
    }
    try (DirectoryReader reader = DirectoryReader.open(dir)) {
      IndexSearcher searcher = new IndexSearcher(reader);
      searcher.setSimilarity(new BM25Similarity(K1, B));
      StoredFields stored = reader.storedFields();
      int agree = 0;
      for (String q : c.queries) {
        List<String> theirs = new ArrayList<>();
        for (ScoreDoc sd : searcher.search(luceneQuery(luceneAnalyzer, q), 10).scoreDocs) {
          theirs.add(stored.document(sd.doc).get("id"));
        }
        List<String> ours = new ArrayList<>();
        for (SearchHit h : quarry.search(InvertedSearcher.bagOfWords(quarryAnalyzer.terms(q)), 10)) {
          ours.add(h.id());
        }
        if (theirs.equals(ours)) agree++;
      }
      double luceneQps = 0;
      double quarryQps = 0;
      long sink = 0;
      for (int round = 0; round < rounds + 1; round++) {
        // Alternate the order so that neither always runs on a cooler or hotter machine.
        long t0 = System.nanoTime();
        for (String q : c.queries) sink += searcher.search(luceneQuery(luceneAnalyzer, q), 10).scoreDocs.length;
        long t1 = System.nanoTime();
        for (String q : c.queries) {
          sink += quarry.search(InvertedSearcher.bagOfWords(quarryAnalyzer.terms(q)), 10).size();
        }
        long t2 = System.nanoTime();
        if (round == 0) continue; // warm-up
        luceneQps = Math.max(luceneQps, c.queries.size() / ((t1 - t0) / 1e9));
        quarryQps = Math.max(quarryQps, c.queries.size() / ((t2 - t1) / 1e9));
      }
      if (sink == 42) System.out.print("");
      return new Result(c.name, c.ids.size(), c.queries.size(), luceneS, quarryS, luceneQps, quarryQps, agree);
    }
  }

  static ByteBuffersDirectory luceneIndex(Corpus c, int n, org.apache.lucene.analysis.Analyzer analyzer)
      throws IOException {
    ByteBuffersDirectory dir = new ByteBuffersDirectory();
    IndexWriterConfig config = new IndexWriterConfig(analyzer).setSimilarity(new BM25Similarity(K1, B))
        .setRAMBufferSizeMB(1024).setMergePolicy(new LogDocMergePolicy()); // keeps insertion order
    try (IndexWriter w = new IndexWriter(dir, config)) {
      for (int i = 0; i < n; i++) {
        Document doc = new Document();
        doc.add(new StoredField("id", c.ids.get(i)));
        doc.add(new TextField("body", c.texts.get(i), Field.Store.NO));
        w.addDocument(doc);
      }
      w.commit();
    }
    return dir;
  }

  static InvertedSearcher quarryIndex(Corpus c, int n, EnglishAnalyzer analyzer) {
    InvertedIndex index = InvertedIndex.bm25(new Bm25(K1, B, false));
    for (int i = 0; i < n; i++) index.add(c.ids.get(i), analyzer.terms(c.texts.get(i)));
    return index.searcher();
  }

  static Query luceneQuery(org.apache.lucene.analysis.Analyzer a, String text) throws IOException {
    Map<String, Integer> counts = new LinkedHashMap<>();
    try (TokenStream ts = a.tokenStream("body", new StringReader(text))) {
      CharTermAttribute t = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) counts.merge(t.toString(), 1, Integer::sum);
      ts.end();
    }
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      Query tq = new TermQuery(new Term("body", e.getKey()));
      if (e.getValue() > 1) tq = new BoostQuery(tq, e.getValue());
      b.add(tq, BooleanClause.Occur.SHOULD);
    }
    return b.build();
  }
}

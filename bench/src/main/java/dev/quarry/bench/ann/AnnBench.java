package dev.quarry.bench.ann;

import dev.quarry.index.FlatIndex;
import dev.quarry.index.HnswIndex;
import dev.quarry.index.Residency;
import dev.quarry.index.SearchHit;
import dev.quarry.index.Similarity;
import dev.quarry.index.VectorEncoding;
import dev.quarry.index.VectorIndexConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.MMapDirectory;

/**
 * Recall@k against queries per second for Quarry's HNSW and Lucene's, on the same vectors, M,
 * beam width, similarity and build threads, after exact ground truth; the systems take turns at
 * each beam width, so that they are timed under the same load. Prints a table (with the vectors
 * each system scores per query: Lucene's visited count and {@link HnswIndex#visitedCount}) and, last,
 * {@code ann: quarry/lucene qps-at-recall-0.95=<ratio> build-time=<ratio>}.
 *
 * <p>Options: {@code --base B.fvecs --queries Q.fvecs} (default {@code --data minilm}: 100,000 MiniLM
 * embeddings of real sentences, made by {@link EmbeddingCache} on first use and cached under
 * {@code bench/target/ann-data}; {@code --data mixture}: a Gaussian mixture), {@code --limit N}
 * base vectors, {@code --k 10}, {@code --m 16}, {@code --ef-construction 100}, {@code --threads 1},
 * {@code --encodings FLOAT32,INT8,BINARY}, each optionally {@code NAME:OVERSAMPLE} (e.g.
 * {@code BINARY:10}: the quantized encodings rescore a shortlist of oversample·k vectors),
 * {@code --residency MAPPED,HEAP} (each Quarry index is searched opened each way; the last line
 * is for the default, MAPPED).
 */
public final class AnnBench {

  private static final int[] EFS = {10, 16, 24, 32, 48, 64, 96, 128, 192, 256};
  /** Timed passes over the queries per system and beam width: the median counts (a best of three still swung by 30 %). */
  private static final int ROUNDS = 7;

  /** One beam width of one system: recall@k, queries per second, and vectors scored per query. */
  record Point(int ef, double recall, double qps, double nodes) {}

  public static void main(String[] args) throws Exception {
    Path base = null, queries = null;
    String data = "minilm";
    int k = 10, m = 16, efC = 100, threads = 1, limit = 0, queryLimit = 1000;
    String encodings = "FLOAT32,INT8,BINARY";
    String residencies = "MAPPED,HEAP";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--base" -> base = Path.of(args[++i]);
        case "--queries" -> queries = Path.of(args[++i]);
        case "--data" -> data = args[++i];
        case "--k" -> k = Integer.parseInt(args[++i]);
        case "--m" -> m = Integer.parseInt(args[++i]);
        case "--ef-construction" -> efC = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--limit" -> limit = Integer.parseInt(args[++i]);
        case "--query-limit" -> queryLimit = Integer.parseInt(args[++i]);
        case "--encodings" -> encodings = args[++i];
        case "--residency" -> residencies = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (--base --queries --data --k --m --ef-construction --threads --limit --query-limit --encodings --residency)");
      }
    }
    List<EncodingSpec> specs = new ArrayList<>();
    for (String e : encodings.split(",")) specs.add(EncodingSpec.parse(e.trim()));
    List<Residency> residency = new ArrayList<>();
    for (String r : residencies.split(",")) {
      try {
        residency.add(Residency.valueOf(r.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException("--residency: \"" + r + "\" is not one of " + Arrays.toString(Residency.values()));
      }
    }
    Path cache = Path.of("bench/target/ann-data");
    float[][] b, q;
    String name;
    if (!data.equals("minilm") && !data.equals("mixture")) {
      throw new IllegalArgumentException("--data: \"" + data + "\" is not minilm or mixture");
    }
    if (base == null && data.equals("minilm")) {
      Path[] made = EmbeddingCache.make(cache, 100_000, 1_000, Runtime.getRuntime().availableProcessors());
      base = made[0];
      queries = made[1];
    }
    if (base != null) {
      if (queries == null) throw new IllegalArgumentException("--base needs --queries");
      b = Fvecs.read(base, limit);
      q = Fvecs.read(queries, queryLimit);
      name = base.getFileName().toString();
    } else {
      int n = limit > 0 ? limit : 100_000;
      b = mixture(n, 384, 1);
      q = mixture(Math.min(queryLimit, 1000), 384, 2);
      name = "gaussian-mixture-384d";
    }
    Similarity similarity = isNormalised(b) ? Similarity.DOT_PRODUCT : Similarity.EUCLIDEAN;
    System.out.printf(Locale.ROOT, "data: %s, %d base x %d-d, %d queries, %s, k=%d, M=%d, efConstruction=%d, build threads=%d, search threads=1%n",
        name, b.length, b[0].length, q.length, similarity, k, m, efC, threads);
    int[][] truth = groundTruth(b, q, k, similarity);

    Path work = Files.createTempDirectory(Path.of("bench/target"), "ann-");
    List<AutoCloseable> open = new ArrayList<>();
    try {
      List<String> names = new ArrayList<>();
      List<Engine> systems = new ArrayList<>();
      List<Double> builds = new ArrayList<>();
      List<Long> sizes = new ArrayList<>();
      {
        Path dir = work.resolve("lucene");
        long t0 = System.nanoTime();
        buildLucene(dir, b, m, efC, similarity);
        builds.add((System.nanoTime() - t0) / 1e9);
        sizes.add(bytes(dir));
        DirectoryReader reader = DirectoryReader.open(new MMapDirectory(dir));
        open.add(reader);
        if (reader.leaves().size() != 1) throw new IllegalStateException("Lucene index has " + reader.leaves().size() + " segments");
        IndexSearcher searcher = new IndexSearcher(reader);
        final int kk = k;
        names.add("lucene float32");
        LeafReader leaf = reader.leaves().getFirst().reader();
        AcceptDocs all = AcceptDocs.fromLiveDocs(null, leaf.maxDoc());
        systems.add(new Engine(ef -> query -> {
          TopDocs top = searcher.search(new KnnFloatVectorQuery("v", query, ef), kk);
          int[] ids = new int[top.scoreDocs.length];
          int i = 0;
          for (ScoreDoc sd : top.scoreDocs) ids[i++] = sd.doc;
          return ids;
        }, (query, ef) -> leaf.searchNearestVectors("v", query, ef, all, Integer.MAX_VALUE).totalHits.value()));
        System.out.printf(Locale.ROOT, "built lucene float32 in %.2f s%n", builds.getLast());
      }
      for (EncodingSpec spec : specs) {
        VectorEncoding encoding = spec.encoding();
        int oversample = spec.oversample();
        VectorIndexConfig config = new VectorIndexConfig(b[0].length, similarity, encoding, m, efC, 100, 42L, oversample);
        String label = "quarry " + encoding.name().toLowerCase(Locale.ROOT) + (oversample > 0 ? " (shortlist " + oversample + "·k)" : "");
        Path dir = work.resolve("quarry-" + encoding + "-" + oversample);
        long[] ids = new long[b.length];
        for (int i = 0; i < ids.length; i++) ids[i] = i;
        long t0 = System.nanoTime();
        try (HnswIndex index = HnswIndex.create(config)) {
          index.addAll(ids, b, threads);
          index.commit(dir);
        }
        double build = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "built %s in %.2f s%n", label, build);
        for (Residency r : residency) {
          HnswIndex index = HnswIndex.open(dir, r);
          open.add(index);
          builds.add(build);
          sizes.add(bytes(dir));
          final int kk = k;
          names.add(label + (r == Residency.MAPPED ? "" : " [" + r.name().toLowerCase(Locale.ROOT) + "]"));
          systems.add(new Engine(ef -> query -> {
            List<SearchHit> hits = index.search(query, kk, ef, null);
            int[] out = new int[hits.size()];
            for (int i = 0; i < out.length; i++) out[i] = (int) hits.get(i).id();
            return out;
          }, (query, ef) -> {
            index.search(query, kk, ef, null);
            return index.visitedCount();
          }));
        }
      }
      List<List<Point>> curves = sweep(q, truth, k, systems);
      System.out.println();
      for (int s = 0; s < systems.size(); s++) print(names.get(s), curves.get(s), builds.get(s), sizes.get(s));
      double luceneQps = qpsAt(curves.get(0), 0.95), luceneBuild = builds.get(0);
      double quarryQps = Double.NaN, quarryBuild = Double.NaN;
      for (int s = 1; s < systems.size(); s++) {
        double at = qpsAt(curves.get(s), 0.95);
        System.out.printf(Locale.ROOT, "%s / lucene float32: qps at recall 0.95 %.2fx, build time %.2fx%n",
            names.get(s), at / luceneQps, builds.get(s) / luceneBuild);
        if (names.get(s).startsWith("quarry float32") && Double.isNaN(quarryQps)) {
          quarryQps = at;
          quarryBuild = builds.get(s);
        }
      }
      System.out.printf(Locale.ROOT, "ann: quarry/lucene qps-at-recall-0.95=%.2f build-time=%.2f%n",
          quarryQps / luceneQps, quarryBuild / luceneBuild);
    } finally {
      for (AutoCloseable c : open) c.close();
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** An encoding to build, and its shortlist factor (0: the encoding's default). */
  public record EncodingSpec(VectorEncoding encoding, int oversample) {
    /** {@code NAME} or {@code NAME:OVERSAMPLE}, e.g. {@code BINARY:10}. */
    public static EncodingSpec parse(String text) {
      String[] parts = text.split(":");
      try {
        if (parts.length > 2) throw new IllegalArgumentException();
        return new EncodingSpec(VectorEncoding.valueOf(parts[0].toUpperCase(Locale.ROOT)),
            parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException("encoding \"" + text + "\" is not NAME or NAME:OVERSAMPLE with NAME one of "
            + Arrays.toString(VectorEncoding.values()) + " (e.g. BINARY:10)");
      }
    }
  }

  interface Searcher {
    int[] search(float[] query) throws IOException;
  }

  interface SearcherAt {
    Searcher at(int ef);
  }

  /** How many vectors a search with beam width {@code ef} scores, counted by the engine itself. */
  interface Visits {
    long count(float[] query, int ef) throws IOException;
  }

  /** A system under test: its timed search, and an untimed one that counts its work. */
  record Engine(SearcherAt searcher, Visits visits) {}

  /**
   * Recall and queries per second of every system at every ef. Each of the {@link #ROUNDS} rounds
   * runs the whole sweep, every system taking its turn at each ef, and the median round counts. A
   * change in the machine's load, which on a shared machine can halve a rate within seconds, then
   * falls on all systems alike and on one round of each point, not on all rounds of one ef (which
   * would bend the curves between the points the recall target interpolates). Vectors scored are
   * counted in a pass of their own, after the timed ones.
   */
  private static List<List<Point>> sweep(float[][] queries, int[][] truth, int k, List<Engine> systems)
      throws IOException {
    for (Engine system : systems) {
      Searcher warm = system.searcher().at(64); // warm up the JIT on a middle beam width
      for (int r = 0; r < 3; r++) for (float[] q : queries) warm.search(q);
    }
    int[] efs = Arrays.stream(EFS).filter(ef -> ef >= k).toArray();
    double[][][] seconds = new double[systems.size()][efs.length][ROUNDS];
    double[][] recall = new double[systems.size()][efs.length];
    int[][] got = new int[queries.length][];
    for (int round = 0; round < ROUNDS; round++) {
      for (int e = 0; e < efs.length; e++) {
        // Every other round in reverse order, so that no system always runs right after another.
        for (int turn = 0; turn < systems.size(); turn++) {
          int s = round % 2 == 0 ? turn : systems.size() - 1 - turn;
          Searcher searcher = systems.get(s).searcher().at(efs[e]);
          long t0 = System.nanoTime();
          for (int i = 0; i < queries.length; i++) got[i] = searcher.search(queries[i]);
          seconds[s][e][round] = (System.nanoTime() - t0) / 1e9;
          recall[s][e] = recall(got, truth, k);
        }
      }
    }
    List<List<Point>> curves = new ArrayList<>();
    for (int s = 0; s < systems.size(); s++) {
      List<Point> curve = new ArrayList<>();
      for (int e = 0; e < efs.length; e++) {
        long nodes = 0;
        for (float[] q : queries) nodes += systems.get(s).visits().count(q, efs[e]);
        Arrays.sort(seconds[s][e]);
        curve.add(new Point(efs[e], recall[s][e], queries.length / seconds[s][e][ROUNDS / 2], (double) nodes / queries.length));
      }
      curves.add(curve);
    }
    return curves;
  }

  private static double recall(int[][] got, int[][] truth, int k) {
    int found = 0;
    for (int i = 0; i < got.length; i++) {
      Set<Integer> want = new HashSet<>();
      for (int x : truth[i]) want.add(x);
      for (int x : got[i]) if (want.contains(x)) found++;
    }
    return (double) found / (got.length * (double) k);
  }

  /** Queries per second at {@code target} recall, interpolated between the sweep's points. */
  static double qpsAt(List<Point> points, double target) {
    Point prev = null;
    for (Point p : points) {
      if (p.recall() >= target) {
        if (prev == null || prev.recall() >= target) return p.qps();
        double t = (target - prev.recall()) / (p.recall() - prev.recall());
        return prev.qps() + t * (p.qps() - prev.qps());
      }
      prev = p;
    }
    return Double.NaN;
  }

  private static void print(String what, List<Point> points, double build, long bytes) {
    System.out.printf(Locale.ROOT, "%s: build %.2f s, index %.1f MB%n", what, build, bytes / 1e6);
    System.out.printf(Locale.ROOT, "  %5s %8s %10s %8s%n", "ef", "recall", "qps", "nodes");
    for (Point p : points) System.out.printf(Locale.ROOT, "  %5d %8.4f %10.0f %8.1f%n", p.ef(), p.recall(), p.qps(), p.nodes());
  }

  private static void buildLucene(Path dir, float[][] base, int m, int efC, Similarity similarity) throws IOException {
    IndexWriterConfig iwc = new IndexWriterConfig();
    iwc.setCodec(new Lucene103Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return new Lucene99HnswVectorsFormat(m, efC);
      }
    });
    iwc.setRAMBufferSizeMB(4096);
    iwc.setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH);
    iwc.setUseCompoundFile(false);
    VectorSimilarityFunction f = similarity == Similarity.EUCLIDEAN ? VectorSimilarityFunction.EUCLIDEAN : VectorSimilarityFunction.DOT_PRODUCT;
    try (IndexWriter w = new IndexWriter(new MMapDirectory(dir), iwc)) {
      for (float[] v : base) {
        Document d = new Document();
        d.add(new KnnFloatVectorField("v", v, f));
        w.addDocument(d);
      }
      w.commit();
    }
  }

  private static int[][] groundTruth(float[][] base, float[][] queries, int k, Similarity similarity) {
    VectorIndexConfig config = VectorIndexConfig.of(base[0].length, similarity);
    FlatIndex flat = new FlatIndex(config);
    for (int i = 0; i < base.length; i++) flat.add(i, base[i]);
    int[][] truth = new int[queries.length][];
    java.util.stream.IntStream.range(0, queries.length).parallel().forEach(i -> {
      List<SearchHit> hits = flat.search(queries[i], k);
      truth[i] = hits.stream().mapToInt(h -> (int) h.id()).toArray();
    });
    return truth;
  }

  /** Whether the first vectors are unit length: then the benches compare by dot product. */
  public static boolean isNormalised(float[][] vectors) {
    for (int i = 0; i < Math.min(100, vectors.length); i++) {
      double n = 0;
      for (float x : vectors[i]) n += x * x;
      if (Math.abs(n - 1) > 1e-3) return false;
    }
    return true;
  }

  static float[][] mixture(int n, int dim, long seed) {
    Random random = new Random(seed);
    Random centresRandom = new Random(99);
    float[][] centres = new float[256][dim];
    for (float[] c : centres) for (int j = 0; j < dim; j++) c[j] = (float) centresRandom.nextGaussian();
    float[][] out = new float[n][dim];
    for (int i = 0; i < n; i++) {
      float[] c = centres[random.nextInt(centres.length)];
      for (int j = 0; j < dim; j++) out[i][j] = c[j] + 0.8f * (float) random.nextGaussian();
    }
    return out;
  }

  private static long bytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}

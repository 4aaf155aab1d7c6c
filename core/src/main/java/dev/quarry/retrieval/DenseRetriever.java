package dev.quarry.retrieval;

import dev.quarry.embed.Embedder;
import dev.quarry.kernels.KernelProvider;
import dev.quarry.kernels.TensorSupport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.zip.CRC32;

/**
 * Exact dense retrieval: every document is embedded once with {@link Embedder#embedDocuments}, each
 * query with {@link Embedder#embedQueries}, and a query's hits are the {@code k} documents of
 * highest dot product (the cosine, since the vectors are unit length), scanned in full. Ties are
 * broken by document id descending, the order trec_eval ranks ties in, so the cut at {@code k} keeps
 * what trec_eval would keep from the full ranking.
 *
 * <p>The corpus's vectors are cached on disk (see {@link #defaultCacheDirectory()}) so that a second
 * run does not embed it again. A cache file is named by a key covering the model (its name, its max
 * length, its document prompt, and the vector it gives a fixed probe text, which changes with its
 * weights, pooling, normalisation, dimension and Quarry's encoder) and the corpus (a SHA-256 of
 * every id and text, in order). The file format, little-endian:
 * <pre>
 *   8 bytes   magic "QRYDENS1"
 *   int32     document count n
 *   int32     dimension d
 *   int32     key length L, then L bytes: the key, UTF-8 (checked on load against the wanted key)
 *   n*d float32  the vectors, document by document, in corpus order
 *   int64     CRC-32 of every byte before it
 * </pre>
 * It is written to a temporary file in the same folder and moved into place atomically; a file that
 * is short, long, of another key or of a wrong checksum is reported and rebuilt.
 */
public final class DenseRetriever implements BatchRetriever {

  private static final byte[] MAGIC = "QRYDENS1".getBytes(StandardCharsets.US_ASCII);
  private static final String PROBE = "Quarry cache probe: the quick brown fox jumps over the lazy dog.";
  /** Documents per embedding call, the granularity of progress reports. */
  private static final int CHUNK = 256;

  /**
   * Where the corpus vectors are cached and who hears about progress.
   *
   * @param cacheDirectory the cache root (vectors go under {@code embeddings/}); null: no cache
   * @param progress       told the number of documents embedded so far; may be null
   * @param log            told one line on cache hits, misses and rebuilds; may be null
   */
  public record Options(Path cacheDirectory, Consumer<Integer> progress, Consumer<String> log) {

    /** The default cache directory, no progress, no log. */
    public static Options defaults() {
      return new Options(defaultCacheDirectory(), null, null);
    }

    public Options withCacheDirectory(Path dir) {
      return new Options(dir, progress, log);
    }

    public Options withProgress(Consumer<Integer> progress) {
      return new Options(cacheDirectory, progress, log);
    }

    public Options withLog(Consumer<String> log) {
      return new Options(cacheDirectory, progress, log);
    }
  }

  private final Embedder embedder;
  private final List<String> ids;
  private final float[] vectors;
  private final int dimension;
  private final boolean fromCache;
  private final Path cacheFile;
  private final Map<String, Integer> index;
  private final TensorSupport kernels = KernelProvider.tensorSupport();

  private DenseRetriever(Embedder embedder, List<String> ids, float[] vectors, boolean fromCache,
      Path cacheFile) {
    this.embedder = embedder;
    this.ids = ids;
    this.vectors = vectors;
    this.dimension = embedder.dimension();
    this.fromCache = fromCache;
    this.cacheFile = cacheFile;
    this.index = new HashMap<>(ids.size() * 2);
    for (int i = 0; i < ids.size(); i++) {
      if (index.put(ids.get(i), i) != null) {
        throw new IllegalArgumentException("document id " + ids.get(i) + " occurs twice in the corpus");
      }
    }
  }

  /**
   * Embeds the corpus, or loads its vectors from the cache. The embedder stays the caller's: this
   * retriever uses it for queries and does not close it.
   *
   * @param ids   document ids, unique
   * @param texts the documents' texts, in the order of {@code ids}
   */
  public static DenseRetriever build(Embedder embedder, List<String> ids, List<String> texts,
      Options options) throws IOException {
    if (ids.size() != texts.size()) {
      throw new IllegalArgumentException(ids.size() + " document ids but " + texts.size() + " texts");
    }
    if (ids.isEmpty()) throw new IllegalArgumentException("the corpus is empty");
    List<String> idList = List.copyOf(ids);
    if (new java.util.HashSet<>(idList).size() != idList.size()) {
      throw new IllegalArgumentException("the corpus has repeated document ids; ids must be unique");
    }
    Path file = null;
    String key = null;
    if (options.cacheDirectory() != null) {
      key = cacheKey(embedder, idList, texts);
      file = cacheFile(options.cacheDirectory(), embedder.modelName(), key);
      float[] cached = load(file, key, idList.size(), embedder.dimension(), options.log());
      if (cached != null) {
        log(options.log(), "dense: corpus vectors from the cache " + file);
        if (options.progress() != null) options.progress().accept(idList.size());
        return new DenseRetriever(embedder, idList, cached, true, file);
      }
    }
    float[] vectors = embed(embedder, texts, options.progress());
    if (file != null) {
      try {
        write(file, key, idList.size(), embedder.dimension(), vectors);
        log(options.log(), "dense: corpus vectors cached in " + file);
      } catch (IOException e) {
        // The vectors are in memory: a cache that cannot be written only costs the next run time.
        log(options.log(), "dense: cannot write the cache " + file + " (" + e + "); going on without it");
        file = null;
      }
    }
    return new DenseRetriever(embedder, idList, vectors, false, file);
  }

  /** The cache root: {@code quarry.cache.dir}, else {@code QUARRY_CACHE_DIR}, else {@code ~/.cache/quarry}. */
  public static Path defaultCacheDirectory() {
    String dir = System.getProperty("quarry.cache.dir");
    if (dir == null || dir.isBlank()) dir = System.getenv("QUARRY_CACHE_DIR");
    if (dir == null || dir.isBlank()) return Path.of(System.getProperty("user.home"), ".cache", "quarry");
    return Path.of(dir);
  }

  private static float[] embed(Embedder embedder, List<String> texts, Consumer<Integer> progress) {
    int d = embedder.dimension();
    float[] out = new float[texts.size() * d];
    for (int from = 0; from < texts.size(); from += CHUNK) {
      int to = Math.min(texts.size(), from + CHUNK);
      float[][] chunk = embedder.embedDocuments(texts.subList(from, to));
      for (int i = 0; i < chunk.length; i++) System.arraycopy(chunk[i], 0, out, (from + i) * d, d);
      if (progress != null) progress.accept(to);
    }
    return out;
  }

  /** Embeds the queries in one call, then scans the corpus for each, queries in parallel. */
  @Override
  public List<List<Hit>> searchAll(List<String> queries, int k) {
    BatchRetriever.checkK(k);
    float[][] q = embedder.embedQueries(queries);
    return IntStream.range(0, q.length).parallel().mapToObj(i -> topK(scores(q[i]), ids, k)).toList();
  }

  /** The dot product of {@code query} with every document, in corpus order. */
  float[] scores(float[] query) {
    float[] scores = new float[ids.size()];
    for (int doc = 0; doc < scores.length; doc++) {
      scores[doc] = kernels.dot(query, 0, vectors, doc * dimension, dimension);
    }
    return scores;
  }

  /**
   * The {@code k} highest scores, best first; equal scores rank the greater document id first
   * (trec_eval's order). NaN scores are refused: they would make the order meaningless.
   */
  static List<Hit> topK(float[] scores, List<String> ids, int k) {
    int keep = Math.min(k, scores.length);
    // A min-heap of document indices: its head is the worst hit kept so far.
    PriorityQueue<Integer> heap = new PriorityQueue<>(keep + 1, (a, b) -> better(scores, ids, b, a));
    for (int doc = 0; doc < scores.length; doc++) {
      if (Float.isNaN(scores[doc])) {
        throw new IllegalStateException("document " + ids.get(doc) + " scores NaN; its vector is broken");
      }
      if (heap.size() < keep) {
        heap.add(doc);
      } else if (better(scores, ids, doc, heap.peek()) < 0) {
        heap.poll();
        heap.add(doc);
      }
    }
    Integer[] order = heap.toArray(new Integer[0]);
    Arrays.sort(order, (a, b) -> better(scores, ids, a, b));
    List<Hit> hits = new ArrayList<>(order.length);
    for (int doc : order) hits.add(new Hit(ids.get(doc), scores[doc]));
    return hits;
  }

  /** Negative when document {@code a} ranks before {@code b}. */
  private static int better(float[] scores, List<String> ids, int a, int b) {
    if (scores[a] != scores[b]) return scores[a] > scores[b] ? -1 : 1;
    return compareCodePoints(ids.get(b), ids.get(a));
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0, j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i), cb = b.codePointAt(j);
      if (ca != cb) return Integer.compare(ca, cb);
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** How many documents the corpus has. */
  public int size() {
    return ids.size();
  }

  /** Components per vector. */
  public int dimension() {
    return dimension;
  }

  /** The document ids, in corpus order (a document's position is its index in this list). */
  List<String> ids() {
    return ids;
  }

  /** The embedder of the corpus, which also embeds the queries. */
  Embedder embedder() {
    return embedder;
  }

  /** Whether the corpus vectors came from the cache rather than the model. */
  public boolean loadedFromCache() {
    return fromCache;
  }

  /** The cache file of this corpus and model; null when caching is off. */
  public Path cacheFile() {
    return cacheFile;
  }

  /**
   * Copies of the vectors of documents by id (null for an unknown id), e.g. for the reranking
   * stage of a {@link TwoStageRetriever}: {@code new TwoStageRetriever(bm25, n, embedder::embedQueries, dense::vectors)}.
   */
  public float[][] vectors(List<String> wanted) {
    float[][] out = new float[wanted.size()][];
    for (int i = 0; i < out.length; i++) {
      Integer doc = index.get(wanted.get(i));
      if (doc != null) out[i] = vector(doc);
    }
    return out;
  }

  /** A copy of one document's vector, by position in the corpus. */
  public float[] vector(int doc) {
    return Arrays.copyOfRange(vectors, doc * dimension, (doc + 1) * dimension);
  }

  // ---- the cache ----

  static String cacheKey(Embedder embedder, List<String> ids, List<String> texts) {
    MessageDigest corpus = sha256();
    for (int i = 0; i < ids.size(); i++) {
      update(corpus, ids.get(i));
      update(corpus, texts.get(i));
    }
    // The probe's vector, rounded so that scalar and SIMD backends agree, stands for everything
    // that shapes the vectors without being visible through the Embedder's API.
    float[] probe = embedder.embedDocuments(List.of(PROBE))[0];
    MessageDigest model = sha256();
    for (float v : probe) update(model, Long.toString(Math.round(v * 1000.0)));
    String prompt = embedder.model().sentence().documentPrompt();
    return "model=" + embedder.modelName()
        + "\nmax-length=" + embedder.tokenizer().maxLength()
        + "\ndimension=" + embedder.dimension()
        + "\ndocument-prompt=" + prompt.replace("\n", "\\n")
        + "\nprobe=" + HexFormat.of().formatHex(model.digest(), 0, 8)
        + "\ncorpus=" + HexFormat.of().formatHex(corpus.digest())
        + "\ndocuments=" + ids.size() + "\n";
  }

  private static Path cacheFile(Path root, String modelName, String key) {
    String safeName = modelName.replaceAll("[^A-Za-z0-9._-]", "_");
    byte[] digest = sha256().digest(key.getBytes(StandardCharsets.UTF_8));
    return root.resolve("embeddings").resolve(safeName)
        .resolve(HexFormat.of().formatHex(digest, 0, 12) + ".vec");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK lacks SHA-256", e);
    }
  }

  private static void update(MessageDigest digest, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    digest.update(bytes);
  }

  /** The cached vectors, or null when the file is missing or unusable (reported, then rebuilt). */
  static float[] load(Path file, String key, int count, int dimension, Consumer<String> log) {
    if (!Files.isRegularFile(file)) return null;
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    long header = MAGIC.length + 12L + keyBytes.length;
    long expected = header + 4L * count * dimension + 8;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() != expected) {
        log(log, "dense: cache " + file + " has " + ch.size() + " bytes, not " + expected + "; rebuilding it");
        return null;
      }
      ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(expected)).order(ByteOrder.LITTLE_ENDIAN);
      while (all.hasRemaining()) {
        if (ch.read(all) < 0) return null;
      }
      all.flip();
      CRC32 crc = new CRC32();
      crc.update(all.array(), 0, (int) (expected - 8));
      long stored = all.getLong((int) (expected - 8));
      byte[] magic = new byte[MAGIC.length];
      all.get(magic);
      int n = all.getInt(), d = all.getInt(), l = all.getInt();
      if (!Arrays.equals(magic, MAGIC) || n != count || d != dimension || l != keyBytes.length) {
        log(log, "dense: cache " + file + " is not a cache of this corpus and model; rebuilding it");
        return null;
      }
      if (stored != crc.getValue()) {
        log(log, "dense: cache " + file + " fails its checksum (corrupt); rebuilding it");
        return null;
      }
      byte[] storedKey = new byte[l];
      all.get(storedKey);
      if (!Arrays.equals(storedKey, keyBytes)) {
        log(log, "dense: cache " + file + " was written for another key; rebuilding it");
        return null;
      }
      float[] vectors = new float[count * dimension];
      all.asFloatBuffer().get(vectors);
      return vectors;
    } catch (IOException e) {
      log(log, "dense: cannot read the cache " + file + " (" + e.getMessage() + "); rebuilding it");
      return null;
    }
  }

  /** Writes the cache to a temporary file beside it, then moves that into place atomically. */
  static void write(Path file, String key, int count, int dimension, float[] vectors)
      throws IOException {
    Files.createDirectories(file.getParent());
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    int size = MAGIC.length + 12 + keyBytes.length + 4 * vectors.length;
    ByteBuffer buf = ByteBuffer.allocate(size + 8).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).putInt(count).putInt(dimension).putInt(keyBytes.length).put(keyBytes);
    buf.asFloatBuffer().put(vectors);
    CRC32 crc = new CRC32();
    crc.update(buf.array(), 0, size);
    buf.putLong(size, crc.getValue());
    Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + "."
        + Long.toHexString(System.nanoTime()) + ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW)) {
        out.write(buf.array());
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void log(Consumer<String> log, String line) {
    if (log != null) log.accept(line);
  }
}

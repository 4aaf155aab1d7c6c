package dev.quarry.index;

import dev.quarry.index.hnsw.HnswBuilder;
import dev.quarry.index.hnsw.HnswGraph;
import dev.quarry.index.hnsw.HnswSearcher;
import dev.quarry.index.hnsw.NodeScorer;
import dev.quarry.index.store.StoredFile;
import dev.quarry.index.store.WriteHook;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * An approximate nearest-neighbour index: an HNSW graph over float32, int8 or binary vectors, with
 * stable caller ids, deletes, filters, concurrent building and crash-safe files.
 *
 * <p>Threads: searches are lock-free and may run in any number of threads while one thread adds,
 * deletes or commits (writers serialise on the index). Quantized encodings walk the graph with
 * their codes and rescore a shortlist with the exact floats.
 *
 * <p>Every committed vector can be found: a commit (and an insert that adds a sixteenth of the
 * graph) first links back the rare nodes that pruning left with no in-link (4 of 100,000 MiniLM
 * vectors at M 16), which no search could otherwise reach. Between commits, a node added by small
 * batches may stay unreachable until the next check.
 */
public final class HnswIndex implements AutoCloseable {

  /** Commit rebuilds the graph when more than this fraction of its nodes are tombstones. */
  static final double REBUILD_FRACTION = 0.25;

  /** Everything a search reads, swapped whole by a rebuild. */
  static final class State {
    final VectorData data;
    final HnswGraph graph;
    final IdMap ids;
    final ThreadLocal<HnswSearcher> searchers;

    State(VectorData data, HnswGraph graph, IdMap ids) {
      this.data = data;
      this.graph = graph;
      this.ids = ids;
      this.searchers = ThreadLocal.withInitial(() -> new HnswSearcher(graph));
    }
  }

  private final VectorIndexConfig config;
  private volatile State state;
  /** Nodes inserted since the graph was last checked for nodes no search can reach. */
  private int unchecked;
  private final List<StoredFile> mapped;
  private volatile boolean closed;
  /** What {@link #visitedCount} reports, one slot per searching thread. */
  private final ThreadLocal<int[]> visited = ThreadLocal.withInitial(() -> new int[1]);

  HnswIndex(VectorIndexConfig config, State state, List<StoredFile> mapped) {
    this.config = config;
    this.state = state;
    this.mapped = mapped;
  }

  /** An empty index. */
  public static HnswIndex create(VectorIndexConfig config) {
    return new HnswIndex(config, new State(VectorData.empty(config), new HnswGraph(config.m(), 1024), new IdMap()), List.of());
  }

  /** Opens the last commit in {@code directory}: vectors memory-mapped, checksums verified. */
  public static HnswIndex open(Path directory) throws IOException {
    return open(directory, Residency.MAPPED);
  }

  /** Opens the last commit in {@code directory}, its vectors kept as {@code residency} says. */
  public static HnswIndex open(Path directory, Residency residency) throws IOException {
    if (residency == null) throw new IllegalArgumentException("residency is null: choose Residency.MAPPED or Residency.HEAP");
    return HnswIndexFiles.open(directory, residency);
  }

  public VectorIndexConfig config() {
    return config;
  }

  /** Live (not deleted) vectors. */
  public int size() {
    State s = state;
    return s.data.floats.size() - s.ids.deletedCount();
  }

  /** Tombstones not yet removed by a rebuild. */
  public int deletedCount() {
    return state.ids.deletedCount();
  }

  /** Adds one vector under {@code id} (which must not be live already). */
  public void add(long id, float[] vector) {
    addAll(new long[] {id}, new float[][] {vector}, 1);
  }

  /**
   * Adds vectors under their ids, inserting into the graph on {@code threads} threads. Everything is
   * checked first: one bad vector or duplicate id refuses the whole batch and nothing is added.
   */
  public synchronized void addAll(long[] ids, float[][] vectors, int threads) {
    checkOpen();
    if (ids.length != vectors.length) {
      throw new IllegalArgumentException(ids.length + " ids for " + vectors.length + " vectors: give one id per vector");
    }
    State s = state;
    float[][] prepared = new float[vectors.length][];
    Set<Long> batch = new HashSet<>();
    for (int i = 0; i < vectors.length; i++) {
      prepared[i] = VectorChecks.prepare(vectors[i], config.dimension(), config.similarity(), "vector " + i + " (id " + ids[i] + ")");
      if (s.ids.ordOf(ids[i]) >= 0 || !batch.add(ids[i])) {
        throw new IllegalArgumentException("id " + ids[i] + " (vector " + i + ") is already in the index or the batch; delete it first");
      }
    }
    if (prepared.length == 0) return;
    s.data.fitIfNeeded(prepared, prepared.length);
    int start = s.data.floats.size();
    int end = start + prepared.length;
    s.graph.reserve(end);
    s.data.reserve(end);
    for (int i = 0; i < prepared.length; i++) {
      s.ids.put(ids[i], start + i);
      s.data.append(prepared[i]);
    }
    insert(s, start, end, threads);
  }

  private void insert(State s, int start, int end, int threads) {
    build(s, start, end, threads);
    unchecked += end - start;
    // Checking walks the whole graph: do it once the inserts since the last check are a sixteenth
    // of it (a few microseconds per insert), and at every commit.
    if ((long) unchecked * 16 >= end) connect(s);
  }

  /** Links the nodes no search could reach (see {@link HnswBuilder#connectUnreachable}). */
  private void connect(State s) {
    int limit = s.data.floats.size();
    // An empty insert range: score from the stored vectors as they are, without a copy.
    var source = s.data.buildSource(limit, limit);
    new HnswBuilder(s.graph, source, config.efConstruction(), config.seed()).connectUnreachable(limit);
    unchecked = 0;
  }

  private void build(State s, int start, int end, int threads) {
    var source = s.data.buildSource(start, end);
    int from = start;
    if (s.graph.entryNode() < 0) {
      new HnswBuilder(s.graph, source, config.efConstruction(), config.seed()).insert(from++, end);
    }
    if (threads <= 1 || end - from < 2 * threads) {
      HnswBuilder builder = new HnswBuilder(s.graph, source, config.efConstruction(), config.seed());
      for (int node = from; node < end; node++) builder.insert(node, end);
      return;
    }
    AtomicInteger next = new AtomicInteger(from);
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "quarry-hnsw-build");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        tasks.add(pool.submit(() -> {
          HnswBuilder builder = new HnswBuilder(s.graph, source, config.efConstruction(), config.seed());
          for (int node; (node = next.getAndIncrement()) < end; ) builder.insert(node, end);
        }));
      }
      for (Future<?> f : tasks) f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building the graph", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("graph build failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Tombstones {@code id}: searches skip it from now on. */
  public synchronized void delete(long id) {
    checkOpen();
    if (!state.ids.delete(id)) throw new IllegalArgumentException("id " + id + " is not in the index (or was already deleted)");
  }

  /** The {@code k} nearest live vectors, with the configured beam width. */
  public List<SearchHit> search(float[] query, int k) {
    return search(query, k, config.efSearch(), null);
  }

  /**
   * The {@code k} nearest live vectors accepted by {@code filter} ({@code null}: all), best first,
   * with beam width {@code ef} (raised to {@code k}, and for the quantized encodings to
   * {@link VectorIndexConfig#oversample} times {@code k}: that shortlist is rescored with floats). A filter that passes at most {@code k} ids
   * is searched exactly; so is one whose graph search would score more nodes than it passes.
   */
  public List<SearchHit> search(float[] query, int k, int ef, IdFilter filter) {
    checkOpen();
    if (k < 1) throw new IllegalArgumentException("k must be at least 1, got " + k);
    float[] q = VectorChecks.prepare(query, config.dimension(), config.similarity(), "query");
    State s = state;
    int limit = s.data.floats.size();
    IdMap ids = s.ids;
    int visitLimit = Integer.MAX_VALUE;
    if (filter != null) {
      int passing = filter.cardinality();
      if (passing < 0) {
        passing = 0;
        for (int node = 0; node < limit; node++) if (!ids.isDeleted(node) && filter.accepts(ids.idOf(node))) passing++;
      }
      if (passing <= k) return exactSearch(s, q, k, filter, 0);
      visitLimit = passing;
    }
    IntPredicate accept = filter == null
        ? (ids.deletedCount() == 0 ? null : node -> !ids.isDeleted(node))
        : node -> !ids.isDeleted(node) && filter.accepts(ids.idOf(node));
    int beam = config.beamWidth(k, ef);
    HnswSearcher searcher = s.searchers.get();
    searcher.search(s.data.traversal(q), beam, accept, limit, visitLimit);
    if (searcher.incomplete()) return exactSearch(s, q, k, filter, searcher.visitedCount());
    visited.get()[0] = searcher.visitedCount();
    int[] nodes = new int[beam];
    float[] scores = new float[beam];
    int n = searcher.results(nodes, scores);
    if (config.encoding() != VectorEncoding.FLOAT32) n = rescore(s.data.exact(q), nodes, scores, n);
    // Hits tied with the k-th come along, to be ordered by id with it before the cut.
    int take = Math.min(k, n);
    while (take < n && scores[take] == scores[take - 1]) take++;
    List<SearchHit> hits = new ArrayList<>(take);
    for (int i = 0; i < take; i++) hits.add(new SearchHit(ids.idOf(nodes[i]), scores[i]));
    hits.sort(SearchHit.BEST_FIRST);
    return take > k ? new ArrayList<>(hits.subList(0, k)) : hits;
  }

  /** A filtered search done exactly, after {@code scored} nodes of a graph search that gave up. */
  private List<SearchHit> exactSearch(State s, float[] q, int k, IdFilter filter, int scored) {
    NodeScorer exact = s.data.exact(q);
    int[] count = visited.get();
    count[0] = scored;
    NodeScorer counted = node -> {
      count[0]++;
      return exact.score(node);
    };
    return FlatIndex.exactSearch(counted, s.data.floats.size(), k, s.ids, filter, config.similarity());
  }

  /**
   * How many stored vectors the calling thread's last {@link #search} on this index scored: the
   * graph nodes of a graph search (not the shortlist a quantized index rescores, which is at most
   * its beam width, nor the nodes a float32 index's sign sketch let it skip unread), every accepted
   * node of an exact one. It is the work a beam width costs, and what Lucene reports as its
   * visited count.
   */
  public int visitedCount() {
    return visited.get()[0];
  }

  /** Exact scores for the shortlist, sorted best first. */
  private static int rescore(NodeScorer exact, int[] nodes, float[] scores, int n) {
    long[] packed = new long[n];
    exact.score(nodes, n, scores);
    for (int i = 0; i < n; i++) {
      int bits = Float.floatToIntBits(scores[i]);
      bits ^= (bits >> 31) & 0x7fffffff;
      packed[i] = ((long) bits << 32) | (0xFFFFFFFFL & ~nodes[i]);
    }
    Arrays.sort(packed);
    for (int i = 0; i < n; i++) {
      long p = packed[n - 1 - i];
      int bits = (int) (p >> 32);
      bits ^= (bits >> 31) & 0x7fffffff;
      nodes[i] = ~(int) p;
      scores[i] = Float.intBitsToFloat(bits);
    }
    return n;
  }

  /** Rebuilds the graph from the live vectors only, dropping tombstones (ids are kept). */
  public synchronized void rebuild(int threads) {
    checkOpen();
    State old = state;
    int limit = old.data.floats.size();
    int live = limit - old.ids.deletedCount();
    long[] ids = new long[live];
    float[][] vectors = new float[live][];
    for (int node = 0, i = 0; node < limit; node++) {
      if (old.ids.isDeleted(node)) continue;
      ids[i] = old.ids.idOf(node);
      vectors[i] = new float[config.dimension()];
      old.data.floats.readFloats(node, vectors[i]);
      i++;
    }
    VectorData data = VectorData.empty(config);
    data.int8 = old.data.int8;
    data.binary = old.data.binary;
    State fresh = new State(data, new HnswGraph(config.m(), Math.max(live, 1)), new IdMap());
    if (live > 0) {
      data.fitIfNeeded(vectors, live);
      data.reserve(live);
      for (int i = 0; i < live; i++) {
        fresh.ids.put(ids[i], i);
        data.append(vectors[i]);
      }
      insert(fresh, 0, live, threads);
    }
    state = fresh;
  }

  /**
   * Writes the index to {@code directory} as one atomic commit (rebuilding first if tombstones
   * pile up); a crash at any point leaves the previous commit there intact. The directory may be
   * the one this index was opened from: the new commit's files get new names, and the old ones,
   * still mapped by this index, are only unlinked once the new manifest is in place.
   */
  public void commit(Path directory) throws IOException {
    commit(directory, WriteHook.NONE);
  }

  /** As {@link #commit(Path)}, with {@code hook} called before every disk step (tests fail commits with it). */
  synchronized void commit(Path directory, WriteHook hook) throws IOException {
    checkOpen();
    State s = state;
    if (s.ids.deletedCount() > REBUILD_FRACTION * Math.max(1, s.data.floats.size())) {
      rebuild(Runtime.getRuntime().availableProcessors());
    }
    if (unchecked > 0) connect(state);
    HnswIndexFiles.write(directory, config, state, hook);
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("this index is closed");
  }

  /** Unmaps the files of an opened index; searches afterwards fail with IllegalStateException. */
  @Override
  public void close() {
    closed = true;
    for (StoredFile f : mapped) f.close();
  }
}

package dev.quarry.retrieval;

import dev.quarry.index.HnswIndex;
import dev.quarry.index.SearchHit;
import dev.quarry.index.Similarity;
import dev.quarry.index.VectorIndexConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Approximate dense retrieval: the corpus vectors of a {@link DenseRetriever} in an {@link HnswIndex},
 * so that a query visits a few thousand documents instead of all of them. It answers what the exact
 * scan answers, up to the graph's misses: the same embedder, query prompt and score (see
 * {@link #defaultConfig}); a document's position in the corpus is its id in the index.
 */
public final class HnswRetriever implements BatchRetriever {

  /** Vectors copied for the index per {@link HnswIndex#addAll} call: bounds the transient copy. */
  static final int BATCH = 1 << 16;

  private final List<String> ids;
  private final Function<List<String>, float[][]> queryEncoder;
  private final HnswIndex index;

  /**
   * Indexes {@code ids.size()} vectors on {@code threads} threads.
   *
   * @param vector       the vector of the document at a position; read once, while building
   * @param queryEncoder embeds queries, e.g. {@code embedder::embedQueries}
   * @param progress     told the number of documents indexed so far; may be null
   */
  HnswRetriever(List<String> ids, IntFunction<float[]> vector,
      Function<List<String>, float[][]> queryEncoder, VectorIndexConfig config, int threads,
      Consumer<Integer> progress) {
    if (ids.isEmpty()) throw new IllegalArgumentException("the corpus is empty");
    this.ids = List.copyOf(ids);
    this.queryEncoder = queryEncoder;
    this.index = HnswIndex.create(config);
    for (int from = 0; from < ids.size(); from += BATCH) {
      int to = Math.min(ids.size(), from + BATCH);
      long[] positions = new long[to - from];
      float[][] vectors = new float[to - from][];
      for (int i = from; i < to; i++) {
        positions[i - from] = i;
        vectors[i - from] = vector.apply(i);
      }
      // int8 and binary fit their quantizer to this first batch: tens of thousands suffice.
      index.addAll(positions, vectors, threads);
      if (progress != null) progress.accept(to);
    }
  }

  /**
   * Indexes the corpus of {@code dense} and searches it with the same embedder. {@code dense} is not
   * kept: once this returns, its vectors may be dropped.
   *
   * @param config   the index settings, e.g. {@link #defaultConfig} with another {@code m}
   * @param threads  graph-building threads
   * @param progress told the number of documents indexed so far; may be null
   */
  public static HnswRetriever build(DenseRetriever dense, VectorIndexConfig config, int threads,
      Consumer<Integer> progress) {
    return new HnswRetriever(dense.ids(), dense::vector, dense.embedder()::embedQueries, config,
        threads, progress);
  }

  /**
   * {@link VectorIndexConfig#of}'s settings with the dot product, the score {@link DenseRetriever}
   * ranks by: the cosine for the usual unit-length vectors, and for a model that does not normalise,
   * still the exact scan's score, so that the two rank alike and differ only by what the graph
   * misses. (Cosine would rescale non-unit vectors and rank differently from the exact scan.)
   */
  public static VectorIndexConfig defaultConfig(int dimension) {
    return VectorIndexConfig.of(dimension, Similarity.DOT_PRODUCT);
  }

  public VectorIndexConfig config() {
    return index.config();
  }

  /**
   * Embeds the queries in one call, then searches the graph for each, queries in parallel, with beam
   * width {@code max(k, efSearch)}. Hits are best first; equal scores are in no promised order.
   */
  @Override
  public List<List<Hit>> searchAll(List<String> queries, int k) {
    BatchRetriever.checkK(k);
    float[][] q = queryEncoder.apply(queries);
    int ef = Math.max(k, index.config().efSearch());
    return IntStream.range(0, q.length).parallel().mapToObj(i -> {
      List<SearchHit> found = index.search(q[i], k, ef, null);
      List<Hit> hits = new ArrayList<>(found.size());
      for (SearchHit h : found) hits.add(new Hit(ids.get((int) h.id()), h.score()));
      return hits;
    }).toList();
  }

  /** Closes the index: searches afterwards fail, and its memory goes with this retriever. */
  @Override
  public void close() {
    index.close();
  }
}

package dev.quarry.index;

import dev.quarry.index.hnsw.NodeScorer;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * An exact index: every search scores every vector. The ground truth for recall tests, and the
 * fallback of filtered HNSW searches that would wander. Thread-safe for many readers and one writer.
 */
public final class FlatIndex {

  private final VectorIndexConfig config;
  private final VectorData data;
  private final IdMap ids = new IdMap();

  public FlatIndex(VectorIndexConfig config) {
    this.config = config;
    this.data = VectorData.empty(config.withEncoding(VectorEncoding.FLOAT32), false);
  }

  public synchronized void add(long id, float[] vector) {
    float[] v = VectorChecks.prepare(vector, config.dimension(), config.similarity(), "vector for id " + id);
    if (ids.contains(id)) throw new IllegalArgumentException("id " + id + " is already in the index; delete it first");
    ids.put(id, data.floats.size());
    data.append(v);
  }

  public synchronized void delete(long id) {
    if (!ids.delete(id)) throw new IllegalArgumentException("id " + id + " is not in the index (or already deleted)");
  }

  public int size() {
    return data.floats.size() - ids.deletedCount();
  }

  /** The {@code k} best live vectors for {@code query}, best first. */
  public List<SearchHit> search(float[] query, int k, IdFilter filter) {
    float[] q = VectorChecks.prepare(query, config.dimension(), config.similarity(), "query");
    int limit = data.floats.size();
    return exactSearch(data.exact(q), limit, k, ids, filter, config.similarity());
  }

  public List<SearchHit> search(float[] query, int k) {
    return search(query, k, null);
  }

  static List<SearchHit> exactSearch(NodeScorer scorer, int limit, int k, IdMap ids, IdFilter filter, Similarity similarity) {
    if (k < 1) throw new IllegalArgumentException("k must be at least 1, got " + k);
    // Worst at the head: the reverse of the result order.
    PriorityQueue<SearchHit> heap = new PriorityQueue<>(k + 1, SearchHit.BEST_FIRST.reversed());
    for (int node = 0; node < limit; node++) {
      if (ids.isDeleted(node)) continue;
      long id = ids.idOf(node);
      if (filter != null && !filter.accepts(id)) continue;
      float score = scorer.score(node);
      if (heap.size() == k && score < heap.peek().score()) continue;
      heap.add(new SearchHit(id, score));
      if (heap.size() > k) heap.poll();
    }
    List<SearchHit> hits = new ArrayList<>(heap);
    hits.sort(SearchHit.BEST_FIRST);
    return hits;
  }
}

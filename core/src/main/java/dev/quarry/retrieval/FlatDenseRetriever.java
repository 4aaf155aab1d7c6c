package dev.quarry.retrieval;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Exact dense retrieval over {@link StoredVectors}: embeds the queries, scans every document by
 * cosine. Ties rank the earlier document first.
 */
public final class FlatDenseRetriever implements BatchRetriever {

  private final StoredVectors vectors;
  private final Function<List<String>, float[][]> queryEncoder;

  /** @param queryEncoder embeds queries, e.g. {@code embedder::embedQueries} */
  public FlatDenseRetriever(StoredVectors vectors, Function<List<String>, float[][]> queryEncoder) {
    this.vectors = vectors;
    this.queryEncoder = queryEncoder;
  }

  @Override
  public List<List<Hit>> searchAll(List<String> queries, int k) {
    BatchRetriever.checkK(k);
    float[][] q = queryEncoder.apply(queries);
    return IntStream.range(0, q.length).parallel().mapToObj(i -> top(vectors.cosines(q[i]), k)).toList();
  }

  private List<Hit> top(float[] scores, int k) {
    PriorityQueue<Integer> heap = new PriorityQueue<>((a, b) -> scores[a] != scores[b]
        ? Float.compare(scores[a], scores[b]) : Integer.compare(b, a));
    for (int d = 0; d < scores.length; d++) {
      heap.add(d);
      if (heap.size() > k) heap.poll();
    }
    List<Hit> out = new ArrayList<>(heap.size());
    while (!heap.isEmpty()) {
      int d = heap.poll();
      out.add(new Hit(vectors.ids().get(d), scores[d]));
    }
    return out.reversed();
  }
}

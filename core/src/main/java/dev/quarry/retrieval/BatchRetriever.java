package dev.quarry.retrieval;

import java.util.List;

/**
 * A retriever that works on batches of queries (a dense one embeds them all in one call): one
 * query is a batch of one.
 */
public interface BatchRetriever extends Retriever {

  @Override
  default List<Hit> search(String query, int k) {
    return searchAll(List.of(query), k).getFirst();
  }

  @Override
  List<List<Hit>> searchAll(List<String> queries, int k);

  /** Refuses a result count below one, naming it. */
  static void checkK(int k) {
    if (k < 1) throw new IllegalArgumentException("k must be at least 1, got " + k);
  }
}

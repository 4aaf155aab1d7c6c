package dev.quarry.retrieval;

import java.util.List;

/**
 * Finds the documents that best match a query: dense (embeddings and a vector index), BM25,
 * learned sparse, or a fusion of several. Scores are comparable within one result list only.
 */
public interface Retriever extends AutoCloseable {

  /** The {@code k} best documents for {@code query}, best first. */
  List<Hit> search(String query, int k);

  /** Runs many queries; implementations may batch them (e.g. embed all queries at once). */
  default List<List<Hit>> searchAll(List<String> queries, int k) {
    return queries.stream().map(q -> search(q, k)).toList();
  }

  @Override
  default void close() {}
}

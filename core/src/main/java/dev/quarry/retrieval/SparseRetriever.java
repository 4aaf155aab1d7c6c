package dev.quarry.retrieval;

import dev.quarry.index.inverted.InvertedIndex;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Learned sparse retrieval (SPLADE-style): a query encoder turns the query into term weights,
 * and the score of a document is the dot product with its quantized impacts, found top-k with the
 * same block-max pruning as BM25.
 */
public final class SparseRetriever implements Retriever {

  private final InvertedIndex index;
  private final Function<String, Map<String, Float>> queryEncoder;

  /**
   * @param index        an impact index ({@link InvertedIndex#impacts})
   * @param queryEncoder the query's term weights (finite, not negative)
   */
  public SparseRetriever(InvertedIndex index, Function<String, Map<String, Float>> queryEncoder) {
    if (!index.isImpacts()) {
      throw new IllegalArgumentException("a learned sparse retriever needs an impact index, not a BM25 one");
    }
    this.index = index;
    this.queryEncoder = queryEncoder;
  }

  @Override
  public List<Hit> search(String query, int k) {
    return Bm25Retriever.toHits(index.searcher().search(queryEncoder.apply(query), k));
  }
}

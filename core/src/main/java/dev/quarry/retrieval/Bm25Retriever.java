package dev.quarry.retrieval;

import dev.quarry.index.analysis.Analyzer;
import dev.quarry.index.analysis.EnglishAnalyzer;
import dev.quarry.index.inverted.Bm25;
import dev.quarry.index.inverted.InvertedIndex;
import dev.quarry.index.inverted.InvertedSearcher;
import dev.quarry.index.inverted.SearchHit;
import java.util.ArrayList;
import java.util.List;

/**
 * BM25 retrieval over an {@link InvertedIndex}: the query is analyzed like the documents were
 * (by default Lucene's English analysis), each distinct term weighted by how often it occurs in
 * the query, and the top k found with block-max pruning. Scores equal Lucene's BM25 scores.
 */
public final class Bm25Retriever implements Retriever {

  private final InvertedIndex index;
  private final Analyzer analyzer;
  private final boolean ownsIndex;

  /** Searches {@code index} (a BM25 index); the caller keeps owning it. */
  public Bm25Retriever(InvertedIndex index, Analyzer analyzer) {
    this(index, analyzer, false);
  }

  private Bm25Retriever(InvertedIndex index, Analyzer analyzer, boolean ownsIndex) {
    if (index.isImpacts()) {
      throw new IllegalArgumentException("a BM25 retriever needs a BM25 index, not a learned sparse one");
    }
    this.index = index;
    this.analyzer = analyzer;
    this.ownsIndex = ownsIndex;
  }

  /**
   * Indexes {@code texts} in memory under {@code ids} with English analysis.
   *
   * @param ids   document ids, unique
   * @param texts the documents' texts, for BEIR data {@code (title + " " + text).strip()}
   */
  public static Bm25Retriever build(List<String> ids, List<String> texts, Bm25 bm25) {
    if (ids.size() != texts.size()) {
      throw new IllegalArgumentException(ids.size() + " document ids but " + texts.size() + " texts");
    }
    Analyzer analyzer = new EnglishAnalyzer();
    InvertedIndex index = InvertedIndex.bm25(bm25);
    for (int i = 0; i < ids.size(); i++) index.add(ids.get(i), analyzer.terms(texts.get(i)));
    return new Bm25Retriever(index, analyzer, true);
  }

  @Override
  public List<Hit> search(String query, int k) {
    InvertedSearcher searcher = index.searcher();
    return toHits(searcher.search(InvertedSearcher.bagOfWords(analyzer.terms(query)), k));
  }

  static List<Hit> toHits(List<SearchHit> hits) {
    List<Hit> out = new ArrayList<>(hits.size());
    for (SearchHit h : hits) out.add(new Hit(h.id(), h.score()));
    return out;
  }

  /** The index searched. */
  public InvertedIndex index() {
    return index;
  }

  @Override
  public void close() {
    if (ownsIndex) {
      try {
        index.close();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}

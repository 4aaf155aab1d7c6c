package dev.quarry.index;

import java.util.Comparator;

/** One result of a search: the caller's id and its score (higher is more similar, see {@link Similarity}). */
public record SearchHit(long id, float score) {

  /**
   * The order of every result list: best score first, equal scores by id, so that the order does
   * not depend on where an index stores its vectors (a commit lays them out anew).
   */
  public static final Comparator<SearchHit> BEST_FIRST =
      Comparator.comparingDouble((SearchHit h) -> -h.score).thenComparingLong(SearchHit::id);
}

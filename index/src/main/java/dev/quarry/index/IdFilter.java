package dev.quarry.index;

import java.util.Arrays;
import java.util.function.LongPredicate;

/**
 * Restricts a search to some ids. When few ids pass, the index scores them exactly instead of
 * walking a graph whose paths mostly lead through rejected nodes.
 */
public interface IdFilter {

  /** Whether {@code id} may be returned. */
  boolean accepts(long id);

  /** How many ids pass, or -1 if unknown (the index then counts them). */
  default int cardinality() {
    return -1;
  }

  /** A filter from a predicate, cardinality unknown. */
  static IdFilter of(LongPredicate predicate) {
    return predicate::test;
  }

  /** Exactly the given ids. */
  static IdFilter ofIds(long... ids) {
    long[] sorted = ids.clone();
    Arrays.sort(sorted);
    int unique = sorted.length == 0 ? 0 : 1;
    for (int i = 1; i < sorted.length; i++) if (sorted[i] != sorted[i - 1]) sorted[unique++] = sorted[i];
    long[] set = Arrays.copyOf(sorted, unique);
    return new IdFilter() {
      @Override
      public boolean accepts(long id) {
        return Arrays.binarySearch(set, id) >= 0;
      }

      @Override
      public int cardinality() {
        return set.length;
      }
    };
  }
}

package dev.quarry.index.inverted;

/**
 * Top-k disjunctive search over one segment by block-max MaxScore (Turtle and Flood 1995, with
 * the per-window bounds of Lucene's {@code MaxScoreBulkScorer}): the doc-id space is cut into
 * windows that end where some term's current block ends; in each window the terms are ordered
 * by their block's best score, and those whose summed bounds cannot beat the k-th best score so
 * far ("non-essential") are only looked up for documents that the others produce, and only while
 * the document can still enter the top k. Windows whose bounds sum below the threshold are
 * skipped without decoding a block. Results equal exhaustive scoring's exactly: scores are summed
 * in double (exact for these magnitudes), and a bound equal to the threshold is pruned only
 * because a later document cannot win a tie.
 */
final class MaxScoreSearch {

  private MaxScoreSearch() {}

  static void search(PostingsCursor[] cursors, long[] deleted, int base, TopK top) {
    int m = cursors.length;
    if (m == 0) return;
    float[] windowMax = new float[m];
    int[] order = new int[m];
    double[] prefix = new double[m];
    float threshold = top.threshold();
    int windowStart = 0;
    while (true) {
      int windowEnd = PostingsCursor.NO_MORE_DOCS;
      double sum = 0;
      for (int i = 0; i < m; i++) {
        int last = cursors[i].shallowAdvance(windowStart);
        windowEnd = Math.min(windowEnd, last);
        windowMax[i] = cursors[i].shallowBlockMax();
        sum += windowMax[i];
      }
      if (windowEnd == PostingsCursor.NO_MORE_DOCS) return;
      if (sum <= threshold) {
        windowStart = windowEnd + 1;
        continue;
      }
      // Order terms by their bound in this window, smallest first (insertion sort: m is small).
      for (int i = 0; i < m; i++) {
        int j = i;
        while (j > 0 && windowMax[order[j - 1]] > windowMax[i]) {
          order[j] = order[j - 1];
          j--;
        }
        order[j] = i;
      }
      double acc = 0;
      for (int i = 0; i < m; i++) {
        acc += windowMax[order[i]];
        prefix[i] = acc;
      }
      int essential = 0;
      while (essential < m && prefix[essential] <= threshold) essential++;
      for (int i = essential; i < m; i++) cursors[order[i]].advance(windowStart);

      while (true) {
        int doc = PostingsCursor.NO_MORE_DOCS;
        for (int i = essential; i < m; i++) doc = Math.min(doc, cursors[order[i]].doc);
        if (doc > windowEnd) break;
        double score = 0;
        for (int i = essential; i < m; i++) {
          PostingsCursor c = cursors[order[i]];
          if (c.doc == doc) {
            score += c.score();
            c.nextDoc();
          }
        }
        boolean competitive = true;
        for (int i = essential - 1; i >= 0; i--) {
          if (score + prefix[i] <= threshold) {
            competitive = false;
            break;
          }
          PostingsCursor c = cursors[order[i]];
          if (c.doc < doc) c.advance(doc);
          if (c.doc == doc) score += c.score();
        }
        if (!competitive || isDeleted(deleted, doc)) continue;
        if (top.offer(base + doc, (float) score)) {
          threshold = top.threshold();
          while (essential < m && prefix[essential] <= threshold) essential++;
        }
      }
      windowStart = windowEnd + 1;
    }
  }

  /** Scores every document that has a query term: the oracle that pruning must equal. */
  static void exhaustive(PostingsCursor[] cursors, long[] deleted, int base, int maxDoc, TopK top) {
    double[] scores = new double[maxDoc];
    boolean[] hit = new boolean[maxDoc];
    for (PostingsCursor c : cursors) {
      for (int d = c.nextDoc(); d != PostingsCursor.NO_MORE_DOCS; d = c.nextDoc()) {
        scores[d] += c.score();
        hit[d] = true;
      }
    }
    for (int d = 0; d < maxDoc; d++) {
      if (hit[d] && !isDeleted(deleted, d)) top.offer(base + d, (float) scores[d]);
    }
  }

  static boolean isDeleted(long[] deleted, int doc) {
    return deleted != null && (deleted[doc >>> 6] & 1L << doc) != 0;
  }
}

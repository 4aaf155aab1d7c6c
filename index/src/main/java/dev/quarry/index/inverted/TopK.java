package dev.quarry.index.inverted;

import java.util.Arrays;

/**
 * The k best (document, score) pairs seen so far: higher score first, then lower document
 * number, as Lucene ranks them. Documents must be offered in increasing order, so that a later
 * document with the same score as the k-th never displaces it.
 */
final class TopK {

  private final int k;
  private final int[] docs;
  private final float[] scores;
  private int size;

  TopK(int k) {
    this.k = k;
    this.docs = new int[k];
    this.scores = new float[k];
  }

  /** The score a document must beat to enter, or -infinity while fewer than k are held. */
  float threshold() {
    return size < k ? Float.NEGATIVE_INFINITY : scores[0];
  }

  /** Offers a document; returns whether the threshold may have changed. */
  boolean offer(int doc, float score) {
    if (size < k) {
      docs[size] = doc;
      scores[size] = score;
      siftUp(size++);
      return size == k;
    }
    if (!(score > scores[0])) return false;
    docs[0] = doc;
    scores[0] = score;
    siftDown(0);
    return true;
  }

  // Min-heap on (score, then larger doc is worse).
  private boolean worse(int i, int j) {
    return scores[i] < scores[j] || scores[i] == scores[j] && docs[i] > docs[j];
  }

  private void siftUp(int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!worse(i, parent)) break;
      swap(i, parent);
      i = parent;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int l = 2 * i + 1;
      if (l >= size) return;
      int m = l + 1 < size && worse(l + 1, l) ? l + 1 : l;
      if (!worse(m, i)) return;
      swap(i, m);
      i = m;
    }
  }

  private void swap(int i, int j) {
    int d = docs[i];
    docs[i] = docs[j];
    docs[j] = d;
    float s = scores[i];
    scores[i] = scores[j];
    scores[j] = s;
  }

  /** The held documents, best first, as {@code [doc, floatBits(score)]} pairs. */
  long[] sorted() {
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> {
      int c = Float.compare(scores[b], scores[a]);
      return c != 0 ? c : Integer.compare(docs[a], docs[b]);
    });
    long[] out = new long[size];
    for (int i = 0; i < size; i++) {
      out[i] = (long) docs[order[i]] << 32 | (Float.floatToRawIntBits(scores[order[i]]) & 0xFFFFFFFFL);
    }
    return out;
  }
}

package dev.quarry.index.hnsw;

/**
 * A binary heap of (score, node) pairs packed into longs: the score's order-preserving int bits
 * above, the complemented node below, so that equal scores order by node id and a search is
 * deterministic. {@link #MIN} keeps the worst on top (a bounded result set), {@link #MAX} the best
 * (the candidates to expand).
 */
final class NodeHeap {

  static final boolean MIN = false;
  static final boolean MAX = true;

  private final boolean max;
  private long[] heap;
  private int size;

  NodeHeap(int capacity, boolean max) {
    this.heap = new long[Math.max(capacity, 8) + 1];
    this.max = max;
  }

  static long encode(float score, int node) {
    int bits = Float.floatToIntBits(score);
    bits ^= (bits >> 31) & 0x7fffffff;
    return ((long) bits << 32) | (0xFFFFFFFFL & ~node);
  }

  static float scoreOf(long packed) {
    int bits = (int) (packed >> 32);
    bits ^= (bits >> 31) & 0x7fffffff;
    return Float.intBitsToFloat(bits);
  }

  static int nodeOf(long packed) {
    return ~(int) packed;
  }

  int size() {
    return size;
  }

  void clear() {
    size = 0;
  }

  void push(float score, int node) {
    long v = encode(score, node);
    if (max) v = ~v;
    if (++size == heap.length) heap = java.util.Arrays.copyOf(heap, heap.length * 2);
    int i = size;
    while (i > 1) {
      int parent = i >>> 1;
      long p = heap[parent];
      if (p <= v) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = v;
  }

  /** The top's packed value (see {@link #encode}). */
  long top() {
    return max ? ~heap[1] : heap[1];
  }

  float topScore() {
    return scoreOf(top());
  }

  int topNode() {
    return nodeOf(top());
  }

  long pop() {
    long result = heap[1];
    siftDown(heap[size--]);
    return max ? ~result : result;
  }

  /**
   * For a heap kept at {@code capacity}: {@link #push}, then {@link #pop} if that made it too
   * large, with one sift instead of two (the node is not added at all if it is the one to go).
   */
  void pushBounded(float score, int node, int capacity) {
    if (size < capacity) {
      push(score, node);
      return;
    }
    long v = encode(score, node);
    if (max) v = ~v;
    if (v > heap[1]) siftDown(v);
  }

  /** Puts {@code last} in place of the root and sifts it down. */
  private void siftDown(long last) {
    int i = 1;
    int half = size >>> 1;
    while (i <= half) {
      int child = i << 1;
      long c = heap[child];
      if (child < size && heap[child + 1] < c) {
        c = heap[++child];
      }
      if (last <= c) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}

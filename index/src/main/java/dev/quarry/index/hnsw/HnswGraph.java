package dev.quarry.index.hnsw;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The HNSW graph on the heap: per node and level, a neighbour array {@code [count, n1, n2, ...]}.
 *
 * <p>Lock-free for readers: a node's neighbour array is never changed once published; writers
 * build a new one and publish it with release semantics (readers load with acquire). Writers of
 * one node serialise on a striped lock and keep the neighbours' scores beside them for pruning.
 * Capacity grows only while no insertion runs (the caller's writer lock).
 */
public final class HnswGraph {

  private static final VarHandle ARRAY = MethodHandles.arrayElementVarHandle(int[][].class);
  private static final int[] EMPTY = {0};

  final int maxConn;
  final int maxConn0;
  /** Per node, per level, the neighbour scores, in the order of the published array (writers only). */
  private float[][][] scores;
  /** Per node, per level, the published neighbour array. */
  private volatile int[][][] neighbors;
  private volatile long entry = -1;
  private final Object[] locks = new Object[1024];

  public HnswGraph(int m, int capacity) {
    this.maxConn = m;
    this.maxConn0 = 2 * m;
    this.neighbors = new int[capacity][][];
    this.scores = new float[capacity][][];
    for (int i = 0; i < locks.length; i++) locks[i] = new Object();
  }

  public int maxConn(int level) {
    return level == 0 ? maxConn0 : maxConn;
  }

  /** Makes room for nodes below {@code capacity}; never call while insertions run. */
  public void reserve(int capacity) {
    if (capacity > neighbors.length) {
      int grown = Math.max(capacity, neighbors.length + (neighbors.length >> 1));
      neighbors = Arrays.copyOf(neighbors, grown);
      scores = Arrays.copyOf(scores, grown);
    }
  }

  /** Registers {@code node} with {@code levels} levels (0..levels-1), all empty. */
  public void addNode(int node, int levels) {
    int[][] lists = new int[levels][];
    float[][] s = new float[levels][];
    for (int l = 0; l < levels; l++) {
      lists[l] = EMPTY;
      s[l] = new float[maxConn(l) + 1];
    }
    scores[node] = s;
    neighbors[node] = lists;
  }

  /** The top level of {@code node} (0 for most), -1 if not yet added. */
  public int levelOf(int node) {
    int[][] lists = node < neighbors.length ? neighbors[node] : null;
    return lists == null ? -1 : lists.length - 1;
  }

  /** {@code [count, n1, ...]} of {@code node} on {@code level}; never modified, so safe to read without locks. */
  public int[] neighbors(int node, int level) {
    int[][] lists = neighbors[node];
    if (lists == null || level >= lists.length) return EMPTY;
    return (int[]) ARRAY.getAcquire(lists, level);
  }

  /** The entry node, or -1 for an empty graph. */
  public int entryNode() {
    long e = entry;
    return e < 0 ? -1 : (int) e;
  }

  /** The entry node's level, or -1 for an empty graph. */
  public int maxLevel() {
    long e = entry;
    return e < 0 ? -1 : (int) (e >>> 32);
  }

  /** Makes {@code node} the entry if its level is above the current entry's. */
  public synchronized void offerEntry(int node, int level) {
    if (entry < 0 || level > maxLevel()) entry = ((long) level << 32) | node;
  }

  /** Sets the entry (when loading). */
  public synchronized void setEntry(int node, int level) {
    entry = node < 0 ? -1 : ((long) level << 32) | node;
  }

  Object lockFor(int node) {
    return locks[node & (locks.length - 1)];
  }

  /** Replaces {@code node}'s list on {@code level}; hold {@link #lockFor} (or be the only writer). */
  void publish(int node, int level, int[] nodes, float[] nodeScores, int count) {
    int[] list = new int[count + 1];
    list[0] = count;
    System.arraycopy(nodes, 0, list, 1, count);
    System.arraycopy(nodeScores, 0, scores[node][level], 0, count);
    ARRAY.setRelease(neighbors[node], level, list);
  }

  float[] scoresOf(int node, int level) {
    return scores[node][level];
  }

  /** The number of slots for nodes. */
  public int capacity() {
    return neighbors.length;
  }

  /**
   * Sets a loaded node's list. The file holds no scores, so they are marked unknown (NaN) and the
   * builder recomputes them the first time a later insertion links back to this node: pruning
   * with made-up scores would keep the wrong neighbours and degrade every add after a reopen.
   */
  public void load(int node, int level, int[] nodes, int count) {
    float[] unknown = new float[count];
    Arrays.fill(unknown, Float.NaN);
    publish(node, level, nodes, unknown, count);
  }

  /** Whether the scores of {@code node}'s list on {@code level} are unknown (loaded, not yet recomputed). */
  boolean scoresUnknown(int node, int level) {
    return neighbors(node, level)[0] > 0 && Float.isNaN(scores[node][level][0]);
  }
}

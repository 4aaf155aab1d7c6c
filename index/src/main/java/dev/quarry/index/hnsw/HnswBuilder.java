package dev.quarry.index.hnsw;

import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Inserts nodes into an {@link HnswGraph}: draws the node's level, descends greedily to it, beam
 * searches each level below with {@code efConstruction}, keeps a diverse set of neighbours (a
 * candidate is kept only if it is closer to the new node than to every neighbour already kept),
 * and links back; a neighbour's list that overflows loses its worst non-diverse member (as Lucene
 * does), so that lists stay full.
 *
 * <p>Many threads may insert at once, each with its own builder; readers may search meanwhile.
 */
public final class HnswBuilder {

  private final HnswGraph graph;
  private final ScorerSource scorers;
  private final int efConstruction;
  private final double levelFactor;
  private final long seed;
  private final HnswSearcher searcher;
  /** A neighbour list being merged into (per builder, so per thread). */
  private final int[] adjacent;
  private int[] candNodes = new int[64];
  private float[] candScores = new float[64];

  public HnswBuilder(HnswGraph graph, ScorerSource scorers, int efConstruction, long seed) {
    this.graph = graph;
    this.scorers = scorers;
    this.efConstruction = efConstruction;
    this.levelFactor = 1 / Math.log(graph.maxConn);
    this.seed = seed;
    this.searcher = new HnswSearcher(graph);
    this.adjacent = new int[graph.maxConn0];
  }

  /** The level of {@code node}: a geometric draw, from a generator seeded by the node so it is reproducible. */
  public int levelFor(int node) {
    double u = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (node + 1))).nextDouble();
    return (int) (-Math.log(1 - u) * levelFactor);
  }

  /** Links {@code node} (already stored, below {@code limit}) into the graph. */
  public void insert(int node, int limit) {
    int level = levelFor(node);
    graph.addNode(node, level + 1);
    int entry = graph.entryNode();
    if (entry < 0) {
      graph.offerEntry(node, level);
      return;
    }
    NodeScorer scorer = scorers.forNode(node);
    int top = graph.maxLevel();
    float entryScore = scorer.score(entry);
    long start = searcher.descend(scorer, entry, entryScore, top, level, limit);
    entry = NodeHeap.nodeOf(start);
    entryScore = NodeHeap.scoreOf(start);
    for (int l = Math.min(level, top); l >= 0; l--) {
      int count = searchLevel(scorer, entry, entryScore, l, limit);
      // The best candidate seeds the next level down.
      entry = candNodes[0];
      entryScore = candScores[0];
      link(node, l, count);
    }
    graph.offerEntry(node, level);
  }

  /** Beam search of one level from {@code entry}; leaves candidates best first in candNodes/candScores. */
  private int searchLevel(NodeScorer scorer, int entry, float entryScore, int level, int limit) {
    searcher.searchLevel(scorer, entry, entryScore, level, efConstruction, limit);
    NodeHeap heap = searcher.resultHeap();
    int n = heap.size();
    if (candNodes.length < n) {
      candNodes = new int[n];
      candScores = new float[n];
    }
    for (int i = n - 1; i >= 0; i--) {
      long top = heap.pop();
      candNodes[i] = NodeHeap.nodeOf(top);
      candScores[i] = NodeHeap.scoreOf(top);
    }
    return n;
  }

  private void link(int node, int level, int count) {
    int max = graph.maxConn(level);
    int[] chosen = new int[max];
    float[] chosenScores = new float[max];
    int kept = diverse(candNodes, candScores, count, node, max, chosen, chosenScores);
    synchronized (graph.lockFor(node)) {
      graph.publish(node, level, chosen, chosenScores, kept);
    }
    for (int i = 0; i < kept; i++) addBackLink(chosen[i], level, node, chosenScores[i]);
  }

  /**
   * Keeps candidates (sorted best first) that are closer to the base node than to any kept one, at
   * most {@code max}; returns how many.
   */
  private int diverse(int[] nodes, float[] scores, int count, int exclude, int max, int[] out, float[] outScores) {
    int kept = 0;
    NodeScorer[] keptScorers = new NodeScorer[max];
    for (int i = 0; i < count && kept < max; i++) {
      int c = nodes[i];
      if (c == exclude) continue;
      float toBase = scores[i];
      boolean diverse = true;
      for (int j = 0; j < kept; j++) {
        if (keptScorers[j].score(c) > toBase) {
          diverse = false;
          break;
        }
      }
      if (diverse) {
        keptScorers[kept] = scorers.forNode(c);
        out[kept] = c;
        outScores[kept] = toBase;
        kept++;
      }
    }
    return kept;
  }

  private void addBackLink(int target, int level, int node, float score) {
    synchronized (graph.lockFor(target)) {
      if (graph.scoresUnknown(target, level)) rescoreLoaded(target, level);
      int[] list = adjacent;
      int n = graph.neighbors(target, level, list);
      for (int i = 0; i < n; i++) if (list[i] == node) return;
      float[] scores = graph.scoresOf(target, level);
      int max = graph.maxConn(level);
      int[] nodes = new int[n + 1];
      float[] merged = new float[n + 1];
      // Insert in score order (best first) so that pruning can take the list as sorted candidates.
      int w = 0;
      boolean placed = false;
      for (int i = 0; i < n; i++) {
        if (!placed && (score > scores[i] || (score == scores[i] && node < list[i]))) {
          nodes[w] = node;
          merged[w++] = score;
          placed = true;
        }
        nodes[w] = list[i];
        merged[w++] = scores[i];
      }
      if (!placed) {
        nodes[w] = node;
        merged[w++] = score;
      }
      if (w > max) w = dropOne(nodes, merged, w);
      graph.publish(target, level, nodes, merged, w);
    }
  }

  /**
   * Makes room in an overflowing list (sorted best first) by removing one neighbour: the worst one
   * that is closer to a better neighbour than to the list's node (so the better one still leads to
   * it), else the worst one. Re-running the diversity selection over the whole list instead would
   * keep only its diverse core, often far below the degree limit: a sparser graph that needs a
   * wider beam for the same recall (at 100k MiniLM vectors, recall@10 0.910 against 0.930 at ef 16).
   * Returns the new length.
   */
  private int dropOne(int[] nodes, float[] scores, int n) {
    int victim = n - 1;
    search:
    for (int i = n - 1; i > 0; i--) {
      NodeScorer candidate = scorers.forNode(nodes[i]);
      for (int j = 0; j < i; j++) {
        if (candidate.score(nodes[j]) > scores[i]) {
          victim = i;
          break search;
        }
      }
    }
    System.arraycopy(nodes, victim + 1, nodes, victim, n - 1 - victim);
    System.arraycopy(scores, victim + 1, scores, victim, n - 1 - victim);
    return n - 1;
  }

  /**
   * Links every node of level 0 that the entry cannot reach, so that every stored vector can be
   * found: a node whose in-links were all pruned from its neighbours' lists (each kept others that
   * were more diverse) is reached by no search. For each such node, in order, a build search for its
   * own vector from the entry names the reachable nodes nearest to it; the first whose list has
   * room takes it, else the nearest replaces its worst neighbour that has another in-link. The
   * nodes it leads to are then reachable too. Lucene's graph builder does the like when it
   * finishes ({@code connectComponents}). Call on one thread with no insert running (searches may
   * run); returns how many nodes were linked.
   */
  public int connectUnreachable(int limit) {
    int entry = graph.entryNode();
    if (entry < 0) return 0;
    int[] inLinks = new int[limit];
    int[] list = adjacent;
    for (int node = 0; node < limit; node++) {
      int n = graph.neighbors(node, 0, list);
      for (int i = 0; i < n; i++) inLinks[list[i]]++;
    }
    BitSet reached = new BitSet(limit);
    int[] queue = new int[limit];
    walk(entry, reached, queue);
    int linked = 0;
    for (int node = reached.nextClearBit(0); node < limit; node = reached.nextClearBit(node + 1)) {
      NodeScorer scorer = scorers.forNode(node);
      long start = searcher.descend(scorer, entry, scorer.score(entry), graph.maxLevel(), 0, limit);
      int count = searchLevel(scorer, NodeHeap.nodeOf(start), NodeHeap.scoreOf(start), 0, limit);
      if (adopt(node, count, inLinks, false) || adopt(node, count, inLinks, true)) {
        inLinks[node]++;
        linked++;
        walk(node, reached, queue);
      }
    }
    return linked;
  }

  /**
   * Adds {@code node} to the list of the best candidate (in candNodes) that has room, or with
   * {@code replace}, that has a neighbour with another in-link to give up for it.
   */
  private boolean adopt(int node, int count, int[] inLinks, boolean replace) {
    int max = graph.maxConn(0);
    for (int i = 0; i < count; i++) {
      int host = candNodes[i];
      if (host == node) continue;
      synchronized (graph.lockFor(host)) {
        if (graph.scoresUnknown(host, 0)) rescoreLoaded(host, 0);
        int n = graph.neighbors(host, 0, adjacent);
        if (n >= max && !replace) continue;
        int[] nodes = Arrays.copyOf(adjacent, Math.max(n, max));
        float[] scores = Arrays.copyOf(graph.scoresOf(host, 0), Math.max(n, max));
        if (n >= max) {
          // The list is sorted best first: give up the worst neighbour that stays linked elsewhere.
          int victim = n - 1;
          while (victim >= 0 && inLinks[nodes[victim]] < 2) victim--;
          if (victim < 0) continue;
          inLinks[nodes[victim]]--;
          System.arraycopy(nodes, victim + 1, nodes, victim, n - 1 - victim);
          System.arraycopy(scores, victim + 1, scores, victim, n - 1 - victim);
          n--;
        }
        int at = n;
        while (at > 0 && scores[at - 1] < candScores[i]) at--;
        System.arraycopy(nodes, at, nodes, at + 1, n - at);
        System.arraycopy(scores, at, scores, at + 1, n - at);
        nodes[at] = node;
        scores[at] = candScores[i];
        graph.publish(host, 0, nodes, scores, n + 1);
        return true;
      }
    }
    return false;
  }

  /** Marks every node reachable from {@code from} at level 0 (breadth first). */
  private void walk(int from, BitSet reached, int[] queue) {
    int head = 0, tail = 0;
    if (!reached.get(from)) {
      reached.set(from);
      queue[tail++] = from;
    }
    int[] list = adjacent;
    while (head < tail) {
      int n = graph.neighbors(queue[head++], 0, list);
      for (int i = 0; i < n; i++) {
        if (!reached.get(list[i])) {
          reached.set(list[i]);
          queue[tail++] = list[i];
        }
      }
    }
  }

  /**
   * Recomputes the scores of a loaded node's list (the file keeps none) and republishes the list
   * sorted best first, as the merge in {@link #addBackLink} expects; hold the node's lock.
   */
  private void rescoreLoaded(int target, int level) {
    int[] list = adjacent;
    int n = graph.neighbors(target, level, list);
    NodeScorer scorer = scorers.forNode(target);
    long[] packed = new long[n];
    for (int i = 0; i < n; i++) packed[i] = ~NodeHeap.encode(scorer.score(list[i]), list[i]);
    Arrays.sort(packed);
    int[] nodes = new int[n];
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      nodes[i] = NodeHeap.nodeOf(~packed[i]);
      scores[i] = NodeHeap.scoreOf(~packed[i]);
    }
    graph.publish(target, level, nodes, scores, n);
  }
}

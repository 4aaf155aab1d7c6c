package dev.quarry.train.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Batches in which no text appears twice, as sentence-transformers' {@code
 * NoDuplicatesBatchSampler}: with in-batch negatives (MultipleNegativesRankingLoss) a text that
 * occurs in two examples of a batch would be a positive counted as a negative.
 *
 * <p>Each epoch shuffles the example indices, then fills one batch at a time by scanning the
 * remaining examples in shuffled order, taking each whose texts (its query and all its texts) are
 * not yet in the batch and passing over the others, which stay for later batches in their order.
 * When a scan reaches the end before the batch is full, the batch is emitted short (or dropped
 * with {@code dropLast}); so when the last examples repeat one another there may be several short
 * batches at the end, one per scan, exactly as sentence-transformers does. Every scan takes at
 * least one example, so an epoch ends even if every example shares a text (then every batch holds
 * one).
 *
 * <p>The shuffle uses {@link Random} seeded from the seed and the epoch, so epochs differ and a run
 * with the same seed repeats. A scan costs up to the number of remaining examples, so data in which
 * most examples share a text takes time quadratic in its size.
 */
public final class NoDuplicatesBatchSampler {

  private final int size;
  private final int batchSize;
  private final long seed;
  private final boolean dropLast;
  /** Per example, the distinct ids of its texts (query and texts; equal strings, equal ids). */
  private final int[][] textIds;
  private final int distinctTexts;
  private int batchesPerEpoch = -1;

  /** A sampler that keeps the short batches at the end ({@code drop_last=False}). */
  public NoDuplicatesBatchSampler(List<TrainingExample> examples, int batchSize, long seed) {
    this(examples, batchSize, seed, false);
  }

  /**
   * @param dropLast drop the batches that end an epoch short of {@code batchSize} (their examples
   *                 sit that epoch out)
   */
  public NoDuplicatesBatchSampler(List<TrainingExample> examples, int batchSize, long seed,
      boolean dropLast) {
    if (examples.isEmpty()) throw new IllegalArgumentException("no examples to batch");
    if (batchSize < 1) throw new IllegalArgumentException("batch size < 1: " + batchSize);
    this.size = examples.size();
    this.batchSize = batchSize;
    this.seed = seed;
    this.dropLast = dropLast;
    Map<String, Integer> ids = new HashMap<>();
    this.textIds = new int[size][];
    for (int e = 0; e < size; e++) {
      TrainingExample ex = examples.get(e);
      int[] own = new int[ex.texts().size() + 1];
      int n = 0;
      own[n++] = ids.computeIfAbsent(ex.query(), k -> ids.size());
      for (String t : ex.texts()) {
        int id = ids.computeIfAbsent(t, k -> ids.size());
        boolean repeated = false;
        for (int j = 0; j < n; j++) repeated |= own[j] == id;
        if (!repeated) own[n++] = id;
      }
      textIds[e] = n == own.length ? own : Arrays.copyOf(own, n);
    }
    this.distinctTexts = ids.size();
  }

  /** The batches of an epoch: indices into the examples, each batch free of repeated texts. */
  public List<int[]> batches(int epoch) {
    return batches(shuffled(epoch));
  }

  /** Batches from a given order of all example indices (the shuffle's, or a test's). */
  List<int[]> batches(int[] order) {
    if (order.length != size) {
      throw new IllegalArgumentException(order.length + " indices for " + size + " examples");
    }
    // The remaining examples as a linked list over positions in the order, so that taking an
    // example out of the middle is O(1) and the rest keep their order.
    int[] next = new int[size + 1];
    final int head = size;
    for (int i = 0; i < size; i++) next[i] = i + 1 < size ? i + 1 : -1;
    next[head] = size > 0 ? 0 : -1;
    // stamp[t] == batch number while text t is in the current batch; no clearing between batches.
    int[] stamp = new int[distinctTexts];
    List<int[]> out = new ArrayList<>((size + batchSize - 1) / batchSize);
    int batchNo = 0;
    int[] batch = new int[Math.min(batchSize, size)];
    while (next[head] != -1) {
      batchNo++;
      int n = 0;
      int prev = head;
      for (int pos = next[head]; pos != -1 && n < batchSize; pos = next[pos]) {
        int[] texts = textIds[order[pos]];
        boolean clash = false;
        for (int t : texts) {
          if (stamp[t] == batchNo) {
            clash = true;
            break;
          }
        }
        if (clash) {
          prev = pos;
          continue;
        }
        for (int t : texts) stamp[t] = batchNo;
        batch[n++] = order[pos];
        next[prev] = next[pos];
      }
      if (n == batchSize || !dropLast) out.add(Arrays.copyOf(batch, n));
    }
    return out;
  }

  /**
   * The number of batches in epoch 0, computed once by batching it. Other epochs have the same
   * number when no text repeats across examples, and may differ by a few batches when texts repeat;
   * it is meant for sizing a learning-rate schedule.
   */
  public int batchesPerEpoch() {
    if (batchesPerEpoch < 0) batchesPerEpoch = batches(0).size();
    return batchesPerEpoch;
  }

  /** Fisher-Yates over the indices, from a generator seeded by the seed and the epoch. */
  private int[] shuffled(int epoch) {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) order[i] = i;
    Random random = new Random(mix(seed, epoch));
    for (int i = size - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /**
   * SplitMix64's finaliser over seed and epoch: {@link Random}'s first outputs for the nearby seeds
   * {@code seed + epoch} would be alike, so the epoch is mixed in before seeding.
   */
  private static long mix(long seed, int epoch) {
    long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public int size() {
    return size;
  }

  public int batchSize() {
    return batchSize;
  }

  public long seed() {
    return seed;
  }

  public boolean dropLast() {
    return dropLast;
  }
}

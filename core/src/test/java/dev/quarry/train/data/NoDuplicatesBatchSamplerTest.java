package dev.quarry.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** No text twice in a batch, every example once an epoch, and the same batches for a seed. */
class NoDuplicatesBatchSamplerTest {

  private static TrainingExample pair(String query, String positive) {
    return new TrainingExample(query, List.of(positive), null);
  }

  /** Pairs whose queries and positives repeat often, as several positives per query do. */
  private static List<TrainingExample> repetitive(int n, long seed) {
    Random random = new Random(seed);
    List<TrainingExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new TrainingExample("q" + random.nextInt(n / 3), List.of("d" + random.nextInt(n / 2),
          "n" + random.nextInt(n)), null));
    }
    return out;
  }

  private static void assertValid(List<TrainingExample> data, List<int[]> batches, int batchSize,
      boolean everyExample) {
    int[] seen = new int[data.size()];
    for (int[] batch : batches) {
      assertTrue(batch.length >= 1 && batch.length <= batchSize, "batch of " + batch.length);
      Set<String> texts = new HashSet<>();
      for (int i : batch) {
        seen[i]++;
        Set<String> own = new HashSet<>(data.get(i).texts());
        own.add(data.get(i).query());
        for (String t : own) assertTrue(texts.add(t), "\"" + t + "\" twice in a batch");
      }
    }
    for (int i = 0; i < seen.length; i++) {
      if (everyExample) {
        assertEquals(1, seen[i], "example " + i + " batched " + seen[i] + " times");
      } else {
        assertTrue(seen[i] <= 1, "example " + i + " batched " + seen[i] + " times");
      }
    }
  }

  @Test
  void noTextTwiceInABatchAndEveryExampleOncePerEpoch() {
    List<TrainingExample> data = repetitive(500, 1);
    NoDuplicatesBatchSampler sampler = new NoDuplicatesBatchSampler(data, 16, 42);
    for (int epoch = 0; epoch < 3; epoch++) {
      List<int[]> batches = sampler.batches(epoch);
      assertValid(data, batches, 16, true);
      assertTrue(batches.size() >= 500 / 16 + 1);
    }
    assertEquals(sampler.batches(0).size(), sampler.batchesPerEpoch());
  }

  @Test
  void theSameSeedGivesTheSameBatchesAndEpochsDiffer() {
    List<TrainingExample> data = repetitive(300, 2);
    List<int[]> a = new NoDuplicatesBatchSampler(data, 8, 7).batches(1);
    List<int[]> b = new NoDuplicatesBatchSampler(data, 8, 7).batches(1);
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i));

    NoDuplicatesBatchSampler sampler = new NoDuplicatesBatchSampler(data, 8, 7);
    assertFalse(Arrays.equals(sampler.batches(0).get(0), sampler.batches(1).get(0)),
        "epochs are shuffled differently");
    assertFalse(Arrays.equals(a.get(0),
        new NoDuplicatesBatchSampler(data, 8, 8).batches(1).get(0)), "seeds differ");
  }

  @Test
  void deferredExamplesKeepTheirOrderAndShortBatchesEndTheEpoch() {
    List<TrainingExample> data = List.of(pair("q1", "p1"), pair("q1", "p2"), pair("q2", "p3"),
        pair("q3", "p1"), pair("q4", "p4"));
    NoDuplicatesBatchSampler sampler = new NoDuplicatesBatchSampler(data, 3, 0);
    // Scan 1: 0, skip 1 (q1), 2, skip 3 (p1), 4 -> full. Scan 2: 1, 3 -> end, a short batch.
    List<int[]> batches = sampler.batches(new int[] {0, 1, 2, 3, 4});
    assertEquals(2, batches.size());
    assertArrayEquals(new int[] {0, 2, 4}, batches.get(0));
    assertArrayEquals(new int[] {1, 3}, batches.get(1));

    // Two short batches when the leftovers clash with each other, as sentence-transformers does.
    List<int[]> shortOnes = new NoDuplicatesBatchSampler(data, 4, 0)
        .batches(new int[] {0, 1, 2, 3, 4});
    assertEquals(2, shortOnes.size());
    assertArrayEquals(new int[] {0, 2, 4}, shortOnes.get(0));
    assertArrayEquals(new int[] {1, 3}, shortOnes.get(1));
    assertEquals(0, new NoDuplicatesBatchSampler(data, 4, 0, true)
        .batches(new int[] {0, 1, 2, 3, 4}).size(), "drop_last drops every short batch");
    List<int[]> dropped = new NoDuplicatesBatchSampler(data, 3, 0, true)
        .batches(new int[] {0, 1, 2, 3, 4});
    assertEquals(1, dropped.size());
    assertArrayEquals(new int[] {0, 2, 4}, dropped.get(0));
  }

  @Test
  void endsEvenWhenEveryExampleSharesAText() {
    List<TrainingExample> data = new ArrayList<>();
    for (int i = 0; i < 200; i++) data.add(pair("the same query", "doc " + i));
    List<int[]> batches = new NoDuplicatesBatchSampler(data, 32, 3).batches(0);
    assertEquals(200, batches.size());
    assertValid(data, batches, 1, true);
    assertEquals(0, new NoDuplicatesBatchSampler(data, 32, 3, true).batches(0).size());
  }

  @Test
  void anExampleMayRepeatItsOwnText() {
    List<TrainingExample> data = List.of(pair("echo", "echo"), pair("a", "b"));
    List<int[]> batches = new NoDuplicatesBatchSampler(data, 2, 5).batches(0);
    assertEquals(1, batches.size());
    assertEquals(2, batches.get(0).length);
  }

  @Test
  void dropLastKeepsOnlyFullBatches() {
    List<TrainingExample> data = repetitive(400, 4);
    NoDuplicatesBatchSampler sampler = new NoDuplicatesBatchSampler(data, 16, 9, true);
    List<int[]> batches = sampler.batches(2);
    for (int[] batch : batches) assertEquals(16, batch.length);
    assertValid(data, batches, 16, false);
  }

  @Test
  void sciFactPairsBatchWithoutDuplicates() throws Exception {
    List<TrainingExample> data = TrainingData.read(TrainTestData.shared().resolve("data/scifact"));
    NoDuplicatesBatchSampler sampler = new NoDuplicatesBatchSampler(data, 32, 12);
    List<int[]> batches = sampler.batches(0);
    assertValid(data, batches, 32, true);
    assertTrue(sampler.batchesPerEpoch() >= (data.size() + 31) / 32);
  }

  @Test
  void rejectsNothingToBatch() {
    assertThrows(IllegalArgumentException.class,
        () -> new NoDuplicatesBatchSampler(List.of(), 8, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new NoDuplicatesBatchSampler(List.of(pair("a", "b")), 0, 0));
    NoDuplicatesBatchSampler one = new NoDuplicatesBatchSampler(List.of(pair("a", "b")), 8, 0);
    assertThrows(IllegalArgumentException.class, () -> one.batches(new int[] {0, 0}));
  }
}

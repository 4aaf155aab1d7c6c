package dev.quarry.train.loss;

import static dev.quarry.train.loss.LossChecks.computeFloat;
import static dev.quarry.train.loss.LossChecks.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** InfoNCE with in-batch and hard negatives, one or both directions. */
class MultipleNegativesRankingLossTest {

  @Test
  void gradientMatchesFiniteDifferences() {
    for (long seed = 1; seed <= 3; seed++) {
      LossChecks.Batch batch = LossChecks.random(seed, 5, 6, 1, 3);
      LossChecks.checkGradient(new MultipleNegativesRankingLoss(), batch);
      LossChecks.checkGradient(new MultipleNegativesRankingLoss(20, true), batch);
      LossChecks.checkGradient(new MultipleNegativesRankingLoss(3.5, false), batch);
    }
  }

  @Test
  void floatEntryPointMatchesDouble() {
    LossChecks.Batch batch = LossChecks.random(7, 5, 6, 1, 3);
    LossChecks.checkFloatMatchesDouble(new MultipleNegativesRankingLoss(20, true), batch);
  }

  /** Cosines q0.p0 = 0.6, q1.p0 = 0.8, q0.p1 = 0, q1.p1 = 1 (neither positive is unit length). */
  private static final float[][] QUERIES = {v(1, 0), v(0, 1)};
  private static final float[][][] PAIRS = {{v(3, 4)}, {v(0, 2)}};

  @Test
  void handWorkedCrossEntropy() {
    double s = 20;
    double first = -Math.log(Math.exp(s * 0.6) / (Math.exp(s * 0.6) + Math.exp(0)));
    double second = -Math.log(Math.exp(s * 1) / (Math.exp(s * 0.8) + Math.exp(s * 1)));
    assertEquals((first + second) / 2,
        computeFloat(new MultipleNegativesRankingLoss(), QUERIES, PAIRS, null), 1e-12);
  }

  @Test
  void handWorkedSymmetric() {
    double s = 20;
    double forward = (-Math.log(Math.exp(s * 0.6) / (Math.exp(s * 0.6) + Math.exp(0)))
        - Math.log(Math.exp(s) / (Math.exp(s * 0.8) + Math.exp(s)))) / 2;
    // Positive 0 against queries 0 and 1 (cosines 0.6, 0.8); positive 1 (cosines 0, 1).
    double backward = (-Math.log(Math.exp(s * 0.6) / (Math.exp(s * 0.6) + Math.exp(s * 0.8)))
        - Math.log(Math.exp(s) / (Math.exp(0) + Math.exp(s)))) / 2;
    assertEquals((forward + backward) / 2,
        computeFloat(new MultipleNegativesRankingLoss(20, true), QUERIES, PAIRS, null), 1e-12);
  }

  @Test
  void everyExamplesHardNegativesAreCandidatesForEveryQuery() {
    // Example 0's hard negative equals query 1's positive direction, so it competes for query 1.
    float[][] q = {v(1, 0), v(0, 1)};
    float[][][] t = {{v(1, 0), v(0, 1)}, {v(0, 1)}};
    double s = 20;
    double first = Math.log(Math.exp(s) + 2) - s;
    double second = Math.log(2 * Math.exp(s) + 1) - s;
    assertEquals((first + second) / 2, computeFloat(new MultipleNegativesRankingLoss(), q, t, null),
        1e-9);
    // Symmetric: hard negatives take no part in the backward direction.
    double backward = Math.log(Math.exp(s) + 1) - s;
    assertEquals(((first + second) / 2 + backward) / 2,
        computeFloat(new MultipleNegativesRankingLoss(20, true), q, t, null), 1e-9);
  }

  @Test
  void describesItself() {
    assertEquals("mnr(scale=20)", new MultipleNegativesRankingLoss().describe());
    assertEquals("mnr(scale=12.5, symmetric)",
        new MultipleNegativesRankingLoss(12.5, true).describe());
  }

  @Test
  void rejectsBadScaleAndZeroVectors() {
    assertThrows(IllegalArgumentException.class, () -> new MultipleNegativesRankingLoss(0, false));
    var e = assertThrows(IllegalArgumentException.class, () -> computeFloat(
        new MultipleNegativesRankingLoss(), QUERIES, new float[][][] {{v(1, 0)}, {v(0, 0)}}, null));
    assertTrue(e.getMessage().startsWith("example 1: text 0 embedding is all zeros"),
        e.getMessage());
  }
}

package dev.quarry.train.loss;

import static dev.quarry.train.loss.LossChecks.computeFloat;
import static dev.quarry.train.loss.LossChecks.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** ListNet's listwise cross-entropy over each query's own candidates. */
class ListNetLossTest {

  @Test
  void gradientMatchesFiniteDifferences() {
    for (long seed = 21; seed <= 23; seed++) {
      LossChecks.Batch batch = LossChecks.random(seed, 5, 6, 1, 4);
      LossChecks.checkGradient(new ListNetLoss(), batch);
      LossChecks.checkGradient(new ListNetLoss(2), batch);
    }
  }

  @Test
  void floatEntryPointMatchesDouble() {
    LossChecks.checkFloatMatchesDouble(new ListNetLoss(), LossChecks.random(24, 5, 6, 1, 4));
  }

  @Test
  void equalPredictionsGiveLogN() {
    // Three identical candidates: the prediction is uniform, so -sum t log(1/3) = log 3 whatever
    // the target; the target here is all but one-hot.
    float[][] q = {v(1, 2)};
    float[][][] t = {{v(0.5, 0.1), v(0.5, 0.1), v(0.5, 0.1)}};
    float[][] scores = {{30, 0, 0}};
    assertEquals(Math.log(3), computeFloat(new ListNetLoss(), q, t, scores), 1e-12);
  }

  @Test
  void handWorkedCrossEntropy() {
    // Cosines 1 and 0, scale 2: logits [2, 0]; target softmax([1, 0]).
    float[][] q = {v(1, 0)};
    float[][][] t = {{v(3, 0), v(0, 1)}};
    float[][] scores = {{1, 0}};
    double t0 = Math.E / (Math.E + 1);
    double p0 = Math.exp(2) / (Math.exp(2) + 1);
    double expected = -(t0 * Math.log(p0) + (1 - t0) * Math.log(1 - p0));
    assertEquals(expected, computeFloat(new ListNetLoss(2), q, t, scores), 1e-12);
  }

  @Test
  void needsScores() {
    float[][] q = {v(1, 0), v(0, 1)};
    float[][][] t = {{v(1, 0), v(0, 1)}, {v(1, 1)}};
    var none = assertThrows(IllegalArgumentException.class,
        () -> computeFloat(new ListNetLoss(), q, t, null));
    assertTrue(none.getMessage().startsWith("example 0: the listnet loss needs a score for each"),
        none.getMessage());
    var missing = assertThrows(IllegalArgumentException.class,
        () -> computeFloat(new ListNetLoss(), q, t, new float[][] {{1, 0}, null}));
    assertTrue(missing.getMessage().startsWith("example 1: the listnet loss"),
        missing.getMessage());
    var nan = assertThrows(IllegalArgumentException.class,
        () -> computeFloat(new ListNetLoss(), q, t, new float[][] {{1, Float.NaN}, {1}}));
    assertTrue(nan.getMessage().startsWith("example 0:") && nan.getMessage().contains("score 1"),
        nan.getMessage());
  }

  @Test
  void describesItself() {
    assertEquals("listnet(scale=20)", new ListNetLoss().describe());
  }
}

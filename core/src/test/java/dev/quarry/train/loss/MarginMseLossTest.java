package dev.quarry.train.loss;

import static dev.quarry.train.loss.LossChecks.computeFloat;
import static dev.quarry.train.loss.LossChecks.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Margin-MSE distillation on dot products. */
class MarginMseLossTest {

  @Test
  void gradientMatchesFiniteDifferences() {
    for (long seed = 31; seed <= 33; seed++) {
      LossChecks.checkGradient(new MarginMseLoss(), LossChecks.random(seed, 5, 6, 2, 3));
    }
  }

  @Test
  void floatEntryPointMatchesDouble() {
    LossChecks.checkFloatMatchesDouble(new MarginMseLoss(), LossChecks.random(34, 5, 6, 2, 3));
  }

  @Test
  void handWorked() {
    // Example 0: dots 3 and 2, margin 1; teacher 5 - 2 = 3; error -2, squared 4.
    // Example 1: dots 2 and 2, margin 0; teacher 0; error 0.
    float[][] q = {v(1, 2), v(1, 1)};
    float[][][] t = {{v(3, 0), v(0, 1)}, {v(1, 1), v(2, 0)}};
    float[][] scores = {{5, 2}, {1, 1}};
    assertEquals(2, computeFloat(new MarginMseLoss(), q, t, scores), 0);
  }

  @Test
  void severalNegativesGiveOneMarginEach() {
    // Example 1 now has two negatives, dots 1 and 0 against a positive dot of 2: margins 1, 2;
    // teacher margins 3 - 2 = 1 and 3 - 0 = 3; squared errors 0 and 1. Mean over three margins.
    float[][] q = {v(1, 2), v(1, 0)};
    float[][][] t = {{v(3, 0), v(0, 1)}, {v(2, 0), v(1, 5), v(0, 0)}};
    float[][] scores = {{5, 2}, {3, 2, 0}};
    assertEquals(5.0 / 3, computeFloat(new MarginMseLoss(), q, t, scores), 1e-15);
  }

  @Test
  void needsTeacherScoresForEveryText() {
    float[][] q = {v(1, 2), v(1, 1)};
    float[][][] t = {{v(3, 0), v(0, 1)}, {v(1, 1), v(2, 0)}};
    var e = assertThrows(IllegalArgumentException.class,
        () -> computeFloat(new MarginMseLoss(), q, t, new float[][] {{5, 2}, {1}}));
    assertTrue(e.getMessage().startsWith("example 1: the margin-mse loss needs a score for each "
        + "text: 2 texts but 1 scores"), e.getMessage());
    var pair = assertThrows(IllegalArgumentException.class, () -> computeFloat(new MarginMseLoss(),
        q, new float[][][] {{v(3, 0)}, {v(1, 1), v(2, 0)}}, new float[][] {{5}, {1, 1}}));
    assertTrue(pair.getMessage().startsWith("example 0: the margin-mse loss needs a negative"),
        pair.getMessage());
  }
}

package dev.quarry.train.loss;

import static dev.quarry.train.loss.LossChecks.computeFloat;
import static dev.quarry.train.loss.LossChecks.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad batches are refused with a message that names the example, for every loss. */
class LossValidationTest {

  private static final List<Loss> LOSSES = List.of(new MultipleNegativesRankingLoss(),
      new TripletLoss(), new ListNetLoss(), new MarginMseLoss(),
      new MatryoshkaLoss(new MultipleNegativesRankingLoss(), List.of(2)));

  private static float[][] queries() {
    return new float[][] {v(1, 0, 0), v(0, 1, 0), v(0.5, 0, 1)};
  }

  private static float[][][] texts() {
    return new float[][][] {{v(1, 1, 0), v(0, 1, 1)}, {v(1, 0, 1), v(1, 1, 1)},
        {v(2, 1, 0), v(0, 2, 1)}};
  }

  private static final float[][] SCORES = {{1, 0}, {2, 1}, {0, 3}};

  private static String message(Loss loss, float[][] q, float[][][] t) {
    return assertThrows(IllegalArgumentException.class, () -> computeFloat(loss, q, t, SCORES),
        loss.describe()).getMessage();
  }

  @Test
  void aValidBatchPassesEveryLoss() {
    for (Loss loss : LOSSES) {
      double value = computeFloat(loss, queries(), texts(), SCORES);
      assertTrue(Double.isFinite(value) && value >= 0, loss.describe() + ": " + value);
    }
  }

  @Test
  void nanNamesTheExampleTextAndComponent() {
    for (Loss loss : LOSSES) {
      float[][][] t = texts();
      t[2][1][2] = Float.NaN;
      assertEquals("example 2: text 1 embedding has NaN at component 2",
          message(loss, queries(), t));
      float[][] q = queries();
      q[1][0] = Float.POSITIVE_INFINITY;
      assertEquals("example 1: query embedding has Infinity at component 0",
          message(loss, q, texts()));
    }
  }

  @Test
  void mismatchedDimensionsNameTheExample() {
    for (Loss loss : LOSSES) {
      float[][] q = queries();
      q[2] = v(1, 0);
      assertEquals("example 2: query embedding has 2 components but example 0's query has 3",
          message(loss, q, texts()));
      float[][][] t = texts();
      t[1][0] = v(1, 0, 0, 0);
      assertEquals("example 1: text 0 embedding has 4 components but example 0's query has 3",
          message(loss, queries(), t));
    }
  }

  @Test
  void missingPiecesNameTheExample() {
    for (Loss loss : LOSSES) {
      float[][][] t = texts();
      t[1] = new float[0][];
      assertTrue(message(loss, queries(), t).startsWith("example 1: the "), loss.describe());
      float[][] q = queries();
      q[2] = null;
      assertEquals("example 2: query embedding is missing", message(loss, q, texts()));
    }
  }

  @Test
  void batchShapeMismatchesAreRefused() {
    Loss loss = new MultipleNegativesRankingLoss();
    assertEquals("3 queries but 2 text lists; they must be one per example",
        message(loss, queries(), java.util.Arrays.copyOf(texts(), 2)));
    assertEquals("empty batch", message(loss, new float[0][], new float[0][][]));
    var wrongGradient = assertThrows(IllegalArgumentException.class, () -> loss.compute(queries(),
        texts(), null, new float[][] {new float[3], new float[3], new float[2]},
        new float[][][] {{new float[3], new float[3]}, {new float[3], new float[3]},
            {new float[3], new float[3]}}));
    assertEquals("example 2: the query gradient row has length 2, expected 3 (-1: missing)",
        wrongGradient.getMessage());
  }

  @Test
  void gradientsAreOverwrittenNotAccumulated() {
    Loss loss = new MultipleNegativesRankingLoss();
    float[][] gq = new float[3][3];
    float[][][] gt = new float[3][2][3];
    loss.compute(queries(), texts(), null, gq, gt);
    float[][] first = {gq[0].clone(), gq[1].clone(), gq[2].clone()};
    loss.compute(queries(), texts(), null, gq, gt);
    for (int i = 0; i < 3; i++) {
      for (int k = 0; k < 3; k++) assertEquals(first[i][k], gq[i][k]);
    }
  }
}

package dev.quarry.train.loss;

import static dev.quarry.train.loss.LossChecks.computeFloat;
import static dev.quarry.train.loss.LossChecks.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.train.loss.TripletLoss.Distance;
import org.junit.jupiter.api.Test;

/** The triplet margin loss with euclidean and cosine distance. */
class TripletLossTest {

  @Test
  void euclideanGradientMatchesFiniteDifferences() {
    LossChecks.Batch batch = LossChecks.random(11, 5, 6, 2, 3);
    TripletLoss loss = new TripletLoss(Distance.EUCLIDEAN, 1);
    assertAwayFromHinge(batch, loss);
    LossChecks.checkGradient(loss, batch);
  }

  @Test
  void cosineGradientMatchesFiniteDifferences() {
    LossChecks.Batch batch = LossChecks.random(12, 5, 6, 2, 3);
    TripletLoss loss = new TripletLoss(Distance.COSINE, 0.3);
    assertAwayFromHinge(batch, loss);
    LossChecks.checkGradient(loss, batch);
  }

  /**
   * Finite differences across the hinge would measure its kink, not the gradient: every triplet
   * must be clearly active or inactive, and both kinds must occur so that both paths are checked.
   */
  private static void assertAwayFromHinge(LossChecks.Batch batch, TripletLoss loss) {
    int active = 0;
    int inactive = 0;
    for (int i = 0; i < batch.queries().length; i++) {
      double[] q = batch.queries()[i];
      double[][] t = batch.texts()[i];
      for (int j = 1; j < t.length; j++) {
        double value = distance(loss, q, t[0]) - distance(loss, q, t[j]) + loss.margin();
        assertTrue(Math.abs(value) > 1e-3, "triplet (" + i + ", " + j + ") is on the hinge");
        if (value > 0) active++;
        else inactive++;
      }
    }
    assertTrue(active > 0 && inactive > 0, active + " active, " + inactive + " inactive");
  }

  private static double distance(TripletLoss loss, double[] a, double[] b) {
    if (loss.distance() == Distance.COSINE) {
      return 1 - VectorMath.dot(a, b) / (VectorMath.norm(a) * VectorMath.norm(b));
    }
    double s = 0;
    for (int k = 0; k < a.length; k++) s += (a[k] - b[k]) * (a[k] - b[k]);
    return Math.sqrt(s);
  }

  @Test
  void floatEntryPointMatchesDouble() {
    LossChecks.Batch batch = LossChecks.random(13, 5, 6, 2, 3);
    LossChecks.checkFloatMatchesDouble(new TripletLoss(), batch);
    LossChecks.checkFloatMatchesDouble(new TripletLoss(Distance.COSINE, 0.5), batch);
  }

  @Test
  void handWorkedEuclidean() {
    // d(q, pos) = 1, d(q, neg) = 3, margin 5: 1 - 3 + 5 = 3.
    float[][] q = {v(0, 0)};
    float[][][] t = {{v(1, 0), v(3, 0)}};
    assertEquals(3, computeFloat(new TripletLoss(), q, t, null), 0);
    // A second negative at distance 7 gives max(0, 1 - 7 + 5) = 0: the mean over triplets is 1.5.
    float[][][] two = {{v(1, 0), v(3, 0), v(0, 7)}};
    assertEquals(1.5, computeFloat(new TripletLoss(), q, two, null), 0);
  }

  @Test
  void handWorkedCosine() {
    // Cosine distances 0 (positive) and 1 (negative).
    float[][] q = {v(1, 0)};
    float[][][] t = {{v(2, 0), v(0, 3)}};
    assertEquals(4, computeFloat(new TripletLoss(Distance.COSINE, 5), q, t, null), 1e-12);
    assertEquals(0, computeFloat(new TripletLoss(Distance.COSINE, 0.5), q, t, null), 0);
  }

  @Test
  void needsANegative() {
    float[][] q = {v(0, 0), v(1, 1)};
    float[][][] t = {{v(1, 0), v(3, 0)}, {v(1, 0)}};
    var e = assertThrows(IllegalArgumentException.class,
        () -> computeFloat(new TripletLoss(), q, t, null));
    assertTrue(e.getMessage().startsWith("example 1: the triplet loss needs a negative"),
        e.getMessage());
  }

  @Test
  void describesItself() {
    assertEquals("triplet(distance=euclidean, margin=5)", new TripletLoss().describe());
    assertEquals("triplet(distance=cosine, margin=0.5)",
        new TripletLoss(Distance.COSINE, 0.5).describe());
  }
}

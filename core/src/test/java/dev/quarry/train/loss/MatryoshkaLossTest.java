package dev.quarry.train.loss;

import static dev.quarry.train.loss.LossChecks.computeFloat;
import static dev.quarry.train.loss.LossChecks.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.train.loss.TripletLoss.Distance;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Matryoshka: the inner loss on cut and renormalised embeddings, weighted and summed. */
class MatryoshkaLossTest {

  @Test
  void fullDimensionEqualsInnerLossOnNormalisedInputs() {
    LossChecks.Batch raw = LossChecks.random(41, 5, 6, 2, 3);
    LossChecks.Batch unit = normalised(raw);
    for (DoubleLoss inner : List.of(new MultipleNegativesRankingLoss(20, true), new MarginMseLoss(),
        new ListNetLoss(), new TripletLoss(Distance.EUCLIDEAN, 0.5))) {
      MatryoshkaLoss m = new MatryoshkaLoss(inner, List.of(6));
      assertEquals(LossChecks.loss(inner, unit), LossChecks.loss(m, raw), 1e-12, inner.describe());
    }
  }

  @Test
  void onUnitInputsACosineLossKeepsItsGradient() {
    // A cosine loss's gradient at unit vectors is already orthogonal to them, so the
    // renormalisation's backward pass leaves it as it is.
    LossChecks.Batch unit = normalised(LossChecks.random(42, 5, 6, 1, 3));
    DoubleLoss inner = new MultipleNegativesRankingLoss();
    double[][] gi = DoubleLoss.zerosLike(unit.queries());
    double[][][] ti = DoubleLoss.zerosLike(unit.texts());
    double[][] gm = DoubleLoss.zerosLike(unit.queries());
    double[][][] tm = DoubleLoss.zerosLike(unit.texts());
    inner.computeDouble(unit.queries(), unit.texts(), null, gi, ti);
    new MatryoshkaLoss(inner, List.of(6)).computeDouble(unit.queries(), unit.texts(), null, gm, tm);
    for (int i = 0; i < gi.length; i++) {
      for (int k = 0; k < 6; k++) assertEquals(gi[i][k], gm[i][k], 1e-12);
      for (int j = 0; j < ti[i].length; j++) {
        for (int k = 0; k < 6; k++) assertEquals(ti[i][j][k], tm[i][j][k], 1e-12);
      }
    }
  }

  @Test
  void sumsWeightedLossesOverTheCuts() {
    LossChecks.Batch raw = LossChecks.random(43, 5, 6, 2, 3);
    DoubleLoss inner = new MarginMseLoss();
    double expected = 0;
    double[] weights = {1, 0.5, 0.25};
    int[] dims = {6, 4, 2};
    for (int m = 0; m < dims.length; m++) {
      expected += weights[m] * LossChecks.loss(inner, normalised(cut(raw, dims[m])));
    }
    MatryoshkaLoss loss = new MatryoshkaLoss(inner, List.of(6, 4, 2), List.of(1.0, 0.5, 0.25));
    assertEquals(expected, LossChecks.loss(loss, raw), 1e-12);
  }

  @Test
  void gradientMatchesFiniteDifferencesThroughTheCuts() {
    LossChecks.Batch batch = LossChecks.random(44, 5, 6, 2, 3);
    List<Integer> dims = List.of(6, 4, 2);
    List<Double> weights = List.of(1.0, 0.5, 0.25);
    for (DoubleLoss inner : List.of(new MultipleNegativesRankingLoss(20, true), new MarginMseLoss(),
        new ListNetLoss(5))) {
      LossChecks.checkGradient(new MatryoshkaLoss(inner, dims, weights), batch);
    }
    // Cuts that leave the last components out: their gradient must be exactly zero.
    MatryoshkaLoss shortCuts =
        new MatryoshkaLoss(new MultipleNegativesRankingLoss(), List.of(3, 2));
    LossChecks.checkGradient(shortCuts, batch);
    double[][] gq = DoubleLoss.zerosLike(batch.queries());
    shortCuts.computeDouble(batch.queries(), batch.texts(), null, gq,
        DoubleLoss.zerosLike(batch.texts()));
    for (double[] g : gq) {
      for (int k = 3; k < 6; k++) assertEquals(0, g[k], 0);
    }
  }

  @Test
  void floatEntryPointMatchesDouble() {
    LossChecks.checkFloatMatchesDouble(new MatryoshkaLoss(new MarginMseLoss(), List.of(6, 3)),
        LossChecks.random(45, 5, 6, 2, 3));
  }

  @Test
  void wrapsALossFromOutsideThePackage() {
    Loss mnr = new MultipleNegativesRankingLoss();
    Loss foreign = new Loss() {
      @Override
      public double compute(float[][] q, float[][][] t, float[][] s, float[][] dq, float[][][] dt) {
        return mnr.compute(q, t, s, dq, dt);
      }

      @Override
      public String describe() {
        return "foreign";
      }
    };
    LossChecks.Batch batch = LossChecks.random(46, 5, 6, 1, 3);
    double expected = LossChecks.loss(new MatryoshkaLoss(mnr, List.of(6, 4)), batch);
    double actual = LossChecks.loss(new MatryoshkaLoss(foreign, List.of(6, 4)), batch);
    assertEquals(expected, actual, 1e-5);
    assertEquals(DataShape.ANY, Losses.shape(new MatryoshkaLoss(foreign, List.of(4))));
  }

  @Test
  void dimLargerThanTheEmbeddingIsRefused() {
    float[][] q = {v(1, 0, 0)};
    float[][][] t = {{v(0, 1, 0)}};
    var e = assertThrows(IllegalArgumentException.class, () -> computeFloat(
        new MatryoshkaLoss(new MultipleNegativesRankingLoss(), List.of(2, 4)), q, t, null));
    assertEquals("matryoshka dim 4 is larger than the embedding size 3", e.getMessage());
  }

  @Test
  void aCutThatIsAllZeroNamesTheExample() {
    float[][] q = {v(1, 0, 0), v(0, 0, 1)};
    float[][][] t = {{v(0, 1, 0)}, {v(1, 0, 1)}};
    var e = assertThrows(IllegalArgumentException.class, () -> computeFloat(
        new MatryoshkaLoss(new MultipleNegativesRankingLoss(), List.of(3, 2)), q, t, null));
    assertTrue(e.getMessage().startsWith("example 1: the query embedding's first 2 components"),
        e.getMessage());
  }

  @Test
  void rejectsBadSettings() {
    Loss mnr = new MultipleNegativesRankingLoss();
    assertThrows(IllegalArgumentException.class, () -> new MatryoshkaLoss(mnr, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new MatryoshkaLoss(mnr, List.of(0)));
    assertThrows(IllegalArgumentException.class,
        () -> new MatryoshkaLoss(mnr, List.of(4, 2), List.of(1.0)));
    assertEquals("matryoshka(dims=[4, 2], weights=[1, 0.5], mnr(scale=20))",
        new MatryoshkaLoss(mnr, List.of(4, 2), List.of(1.0, 0.5)).describe());
  }

  private static LossChecks.Batch cut(LossChecks.Batch b, int dim) {
    double[][] q = new double[b.queries().length][];
    double[][][] t = new double[b.texts().length][][];
    for (int i = 0; i < q.length; i++) {
      q[i] = java.util.Arrays.copyOf(b.queries()[i], dim);
      t[i] = new double[b.texts()[i].length][];
      for (int j = 0; j < t[i].length; j++) t[i][j] = java.util.Arrays.copyOf(b.texts()[i][j], dim);
    }
    return new LossChecks.Batch(q, t, b.scores());
  }

  private static LossChecks.Batch normalised(LossChecks.Batch b) {
    double[][] q = new double[b.queries().length][];
    double[][][] t = new double[b.texts().length][][];
    for (int i = 0; i < q.length; i++) {
      q[i] = VectorMath.scaled(b.queries()[i], VectorMath.norm(b.queries()[i]));
      t[i] = new double[b.texts()[i].length][];
      for (int j = 0; j < t[i].length; j++) {
        t[i][j] = VectorMath.scaled(b.texts()[i][j], VectorMath.norm(b.texts()[i][j]));
      }
    }
    return new LossChecks.Batch(q, t, b.scores());
  }
}

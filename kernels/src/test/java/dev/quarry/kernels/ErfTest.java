package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The double-precision erf against values computed with 40-digit arithmetic (mpmath). */
class ErfTest {

  @Test
  void erfMatchesHighPrecisionValues() {
    assertClose(0.11246291601828489, Erf.erf(0.1), 1e-15);
    assertClose(0.52049987781304654, Erf.erf(0.5), 1e-15);
    assertClose(0.84270079294971487, Erf.erf(1), 1e-15);
    assertClose(0.99532226501895273, Erf.erf(2), 1e-15);
    assertClose(0.99959304798255504, Erf.erf(2.5), 1e-15);
    assertClose(0.99997790950300141, Erf.erf(3), 1e-15);
    assertClose(-0.67780119383741847, Erf.erf(-0.7), 1e-15);
    assertEquals(0.0, Erf.erf(0.0));
    assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
    assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
    assertTrue(Double.isNaN(Erf.erf(Double.NaN)));
  }

  @Test
  void erfcKeepsRelativeAccuracyInTheTail() {
    assertClose(2.2090496998585441e-05, Erf.erfc(3), 1e-14);
    assertClose(1.5374597944280349e-12, Erf.erfc(5), 1e-14);
    assertClose(2.0884875837625448e-45, Erf.erfc(10), 1e-14);
    assertClose(5.6631924088561428e-296, Erf.erfc(26), 1e-13);
    assertClose(1.8427007929497149, Erf.erfc(-1), 1e-15);
    assertEquals(0.0, Erf.erfc(Double.POSITIVE_INFINITY));
    assertEquals(2.0, Erf.erfc(Double.NEGATIVE_INFINITY));
  }

  @Test
  void seriesAndContinuedFractionAgreeWhereTheyMeet() {
    double below = Math.nextDown(Erf.SERIES_LIMIT);
    double gap = Erf.erfc(Erf.SERIES_LIMIT) - Erf.erfc(below);
    // Below the seam erfc is 1 - erf, good to about 1e-15 absolute; a wrong branch would jump
    // by far more (erfc(2.5) itself is 4e-4).
    assertTrue(Math.abs(gap) < 2e-15, "jump at the seam: " + gap);
  }

  private static void assertClose(double expected, double actual, double relative) {
    assertEquals(expected, actual, Math.abs(expected) * relative, () -> "expected " + expected);
  }
}

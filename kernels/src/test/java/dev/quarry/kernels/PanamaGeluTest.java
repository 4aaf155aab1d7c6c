package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The vectorized GELU's erf approximation, measured against the double-precision {@link Erf}. */
class PanamaGeluTest {

  private final TensorSupport panama = KernelProvider.lookup("panama");

  @Test
  void erfApproximationErrorIsFarBelowFloatResolution() {
    double maxAbsErf = 0, maxRelErfc = 0;
    for (int i = 0; i <= 2_000_000; i++) {
      double z = i * 5e-6; // 0 .. 10, where erfc leaves the float range of GELU
      double approx = PanamaGelu.erfc(z);
      double exact = Erf.erfc(z);
      maxAbsErf = Math.max(maxAbsErf, Math.abs(approx - exact));
      maxRelErfc = Math.max(maxRelErfc, Math.abs(approx - exact) / exact);
    }
    System.out.printf("PanamaGelu erf: max |error| %.3g, erfc max relative error %.3g%n",
        maxAbsErf, maxRelErfc);
    assertTrue(maxAbsErf < 1e-9, "erf abs error " + maxAbsErf);
    assertTrue(maxRelErfc < 1e-9, "erfc relative error " + maxRelErfc);
  }

  @Test
  void vectorGeluIsWithinOneUlpOfTheOracle() {
    int n = 600_001;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = -15f + i * 5e-5f; // -15 .. 15, every region of the formula
    }
    float[] expected = x.clone();
    KernelProvider.scalar().gelu(expected, 0, n);
    panama.gelu(x, 0, n);
    int differing = 0;
    for (int i = 0; i < n; i++) {
      if (x[i] != expected[i]) {
        differing++;
        assertEquals(expected[i], x[i], Math.ulp(expected[i]), "at " + (-15f + i * 5e-5f));
      }
    }
    System.out.printf("PanamaGelu: %d of %d values differ from the oracle (by one ulp)%n",
        differing, n);
  }

  @Test
  void knownValuesAndSpecialCases() {
    float[] x = {1, -1, -5, 5, 10, -10, -20, 0, -0f, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, -39.9f, -40.1f, 3e38f};
    float[] in = x.clone();
    // Once at a vector-aligned position, once shifted so that each value meets the scalar tail.
    for (int shift : new int[] {0, 13}) {
      float[] y = TestData.embed(in, shift, 0);
      panama.gelu(y, shift, in.length);
      System.arraycopy(y, shift, x, 0, in.length);
      assertEquals(0.8413447460685429f, x[0], 1e-7f);
      assertEquals(-0.15865525393145707f, x[1], 1e-8f);
      assertEquals(-1.4332578593959696e-6f, x[2], 1e-13f);
      assertEquals(4.999998566742141f, x[3], 1e-6f);
      assertEquals(10f, x[4]);
      assertEquals(-7.619853024160526e-23f, x[5], 1e-29f);
      assertEquals(-0f, x[6]);
      assertEquals(0f, x[7]);
      assertEquals(-0f, x[8]);
      assertTrue(Float.isNaN(x[9]));
      assertEquals(Float.POSITIVE_INFINITY, x[10]);
      assertEquals(-0f, x[11]);
      assertEquals(-0f, x[12]);
      assertEquals(-0f, x[13]);
      assertEquals(3e38f, x[14]);
    }
  }
}

package dev.quarry.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.train.Parameters;
import org.junit.jupiter.api.Test;

/** Clipping by the global norm, as torch.nn.utils.clip_grad_norm_. */
class GradientClippingTest {

  private static Parameters withGrads(float[]... grads) {
    Parameters params = new Parameters();
    for (int i = 0; i < grads.length; i++) {
      Parameters.Parameter p = params.add("p" + i, new long[] {grads[i].length},
          new float[grads[i].length], true);
      System.arraycopy(grads[i], 0, p.grad(), 0, grads[i].length);
    }
    return params;
  }

  @Test
  void scalesAllGradientsByTheGlobalNorm() {
    // Norm over both tensors: sqrt(9 + 16 + 0 + 144) = 13.
    Parameters params = withGrads(new float[] {3f, 4f}, new float[] {0f, 12f});
    double norm = GradientClipping.clip(params);
    assertEquals(13.0, norm, 1e-12, "the norm before clipping");
    float scale = (float) (1.0 / (13.0 + 1e-6));
    assertArrayEquals(new float[] {3f * scale, 4f * scale}, params.get("p0").grad(), 1e-7f);
    assertArrayEquals(new float[] {0f, 12f * scale}, params.get("p1").grad(), 1e-7f);
    assertEquals(1.0, GradientClipping.norm(params), 1e-6, "clipped to the limit");
  }

  @Test
  void leavesGradientsWithinTheLimitAlone() {
    float[] odd = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, 0.6f, -0.7f}; // length not a multiple of 4
    Parameters params = withGrads(odd.clone());
    double expected = Math.sqrt(0.01 + 0.04 + 0.09 + 0.16 + 0.25 + 0.36 + 0.49);
    assertEquals(expected, GradientClipping.clip(params, 5.0), 1e-7);
    assertArrayEquals(odd, params.get("p0").grad());
    assertEquals(expected, GradientClipping.clip(params, 0.5), 1e-7);
    assertEquals(0.5, GradientClipping.norm(params), 1e-6);
  }

  @Test
  void aNonFiniteNormIsReturnedWithoutScaling() {
    Parameters nan = withGrads(new float[] {1f, Float.NaN}, new float[] {100f});
    assertTrue(Double.isNaN(GradientClipping.clip(nan)));
    assertArrayEquals(new float[] {100f}, nan.get("p1").grad());

    Parameters inf = withGrads(new float[] {Float.POSITIVE_INFINITY, 2f});
    assertEquals(Double.POSITIVE_INFINITY, GradientClipping.clip(inf));
    assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 2f}, inf.get("p0").grad());

    // Squares that overflow float are summed in double and stay finite.
    Parameters huge = withGrads(new float[] {3e30f, 4e30f});
    assertEquals(5e30, GradientClipping.clip(huge), 1e24);
  }

  @Test
  void rejectsABadLimit() {
    Parameters params = withGrads(new float[] {1f});
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.clip(params, 0));
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.clip(params, Double.NaN));
  }
}

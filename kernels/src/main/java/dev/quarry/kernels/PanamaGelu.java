package dev.quarry.kernels;

import static jdk.incubator.vector.VectorOperators.D2F;
import static jdk.incubator.vector.VectorOperators.F2D;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LT;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The exact GELU, {@code x * Phi(x)}, and its derivative, vectorized: widened to double so that
 * the result is correctly rounded to float almost everywhere (a float erf cannot keep its error
 * below 2e-7 near zero after rounding).
 *
 * <p>One formula covers every x: {@code erfc(z) = t * Q(t) * exp(-z^2)} with {@code z = |x|/sqrt 2}
 * and {@code t = 1/(1 + 0.3 z)}, where Q is a degree-10 polynomial fitted (minimax in relative
 * error, Lawson iterations on 3,000 Chebyshev nodes) to {@code erfc(z) exp(z^2) / t} over
 * {@code 0 <= z <= 10}. Its relative error there is 4.3e-10, so erf's absolute error is below
 * 5e-10; {@code PanamaGeluTest} measures it against {@link Erf}. Then {@code Phi(x)} is
 * {@code erfc(z)/2} for negative x, {@code 1 - erfc(z)/2} otherwise: no cancellation in the left
 * tail, where GELU is tiny.
 *
 * <p>Cost: about 2 ns per element with AVX-512, half of it the double exp. A float version of the
 * same formula would be about four times faster but only good to about 2e-7.
 */
final class PanamaGelu {

  private static final VectorSpecies<Double> D = PanamaSpecies.DOUBLE;
  private static final VectorSpecies<Float> H = PanamaSpecies.FLOAT_FOR_DOUBLE;
  private static final int LD = D.length();

  private static final double SQRT_HALF = 0.7071067811865476;
  private static final double INV_SQRT_2PI = 0.3989422804014327;
  private static final double P = 0.3;
  private static final double Q0 = 0.16928067917848116;
  private static final double Q1 = 0.16870169105747757;
  private static final double Q2 = 0.1673930092465633;
  private static final double Q3 = 0.11148402330581389;
  private static final double Q4 = 0.2623792189230313;
  private static final double Q5 = -0.2717003179909764;
  private static final double Q6 = 0.7557599983501386;
  private static final double Q7 = -0.8226980132426182;
  private static final double Q8 = 0.7329955626798919;
  private static final double Q9 = -0.32862886868176755;
  private static final double Q10 = 0.055033016742475224;

  private PanamaGelu() {}

  static void gelu(float[] x, int offset, int n) {
    int i = 0;
    for (int bound = H.loopBound(n); i < bound; i += LD) {
      DoubleVector xd =
          (DoubleVector) FloatVector.fromArray(H, x, offset + i).convertShape(F2D, D, 0);
      ((FloatVector) gelu(xd).convertShape(D2F, H, 0)).intoArray(x, offset + i);
    }
    for (; i < n; i++) {
      x[offset + i] = gelu(x[offset + i]);
    }
  }

  private static DoubleVector gelu(DoubleVector x) {
    DoubleVector z = x.mul(SQRT_HALF);
    DoubleVector halfErfc = scaledErfc(z.abs()).mul(PanamaExp.exp(z.mul(z).neg())).mul(0.5);
    DoubleVector phi = halfErfc.blend(halfErfc.neg().add(1.0), x.compare(GE, 0.0));
    return x.mul(phi).blend(-0.0, x.compare(LT, ScalarTensorSupport.GELU_ZERO_BELOW));
  }

  /**
   * In place, GELU's backward pass: {@code dy[i] *= gelu'(x[i]) = Phi(x) + x phi(x)}, in double.
   * The density {@code phi(x) = exp(-z^2) / sqrt(2 pi)} is the factor erfc already needs, so the
   * derivative costs one exp per element like the forward pass.
   */
  static void backward(float[] x, int xOffset, float[] dy, int dyOffset, int n) {
    int i = 0;
    for (int bound = H.loopBound(n); i < bound; i += LD) {
      DoubleVector xd =
          (DoubleVector) FloatVector.fromArray(H, x, xOffset + i).convertShape(F2D, D, 0);
      DoubleVector g =
          (DoubleVector) FloatVector.fromArray(H, dy, dyOffset + i).convertShape(F2D, D, 0);
      ((FloatVector) g.mul(derivative(xd)).convertShape(D2F, H, 0)).intoArray(dy, dyOffset + i);
    }
    for (; i < n; i++) {
      dy[dyOffset + i] = (float) (dy[dyOffset + i] * derivative(x[xOffset + i]));
    }
  }

  private static DoubleVector derivative(DoubleVector x) {
    DoubleVector z = x.mul(SQRT_HALF);
    DoubleVector density = PanamaExp.exp(z.mul(z).neg());
    DoubleVector halfErfc = scaledErfc(z.abs()).mul(density).mul(0.5);
    DoubleVector phi = halfErfc.blend(halfErfc.neg().add(1.0), x.compare(GE, 0.0));
    // Beyond +-40 the exact derivative rounds to 0 or 1, and x * density is NaN at infinity.
    return x.mul(density).fma(DoubleVector.broadcast(D, INV_SQRT_2PI), phi)
        .blend(0.0, x.compare(LT, ScalarTensorSupport.GELU_ZERO_BELOW))
        .blend(1.0, x.compare(GT, -ScalarTensorSupport.GELU_ZERO_BELOW));
  }

  /** The same derivative for one value, lane for lane the vector body's arithmetic. */
  static double derivative(double x) {
    if (x < ScalarTensorSupport.GELU_ZERO_BELOW) {
      return 0;
    }
    if (x > -ScalarTensorSupport.GELU_ZERO_BELOW) {
      return 1;
    }
    double z = x * SQRT_HALF;
    double density = PanamaExp.exp(-z * z);
    double halfErfc = scaledErfc(Math.abs(z)) * density * 0.5;
    double phi = x >= 0 ? 1 - halfErfc : halfErfc;
    return Math.fma(x * density, INV_SQRT_2PI, phi);
  }

  /** {@code erfc(z) exp(z^2) = t Q(t)} for {@code z >= 0}. */
  private static DoubleVector scaledErfc(DoubleVector z) {
    DoubleVector t = DoubleVector.broadcast(D, 1.0).div(z.fma(P, 1.0));
    DoubleVector q = t.fma(Q10, Q9).fma(t, DoubleVector.broadcast(D, Q8));
    q = q.fma(t, DoubleVector.broadcast(D, Q7)).fma(t, DoubleVector.broadcast(D, Q6));
    q = q.fma(t, DoubleVector.broadcast(D, Q5)).fma(t, DoubleVector.broadcast(D, Q4));
    q = q.fma(t, DoubleVector.broadcast(D, Q3)).fma(t, DoubleVector.broadcast(D, Q2));
    q = q.fma(t, DoubleVector.broadcast(D, Q1)).fma(t, DoubleVector.broadcast(D, Q0));
    return t.mul(q);
  }

  /** The same approximation for one value: tails match the vector body to the last bit or so. */
  static float gelu(float x) {
    if (x < ScalarTensorSupport.GELU_ZERO_BELOW) {
      return -0f;
    }
    double xd = x;
    double halfErfc = 0.5 * erfc(Math.abs(xd * SQRT_HALF));
    return (float) (xd * (xd >= 0 ? 1 - halfErfc : halfErfc));
  }

  /** The approximation of {@code erfc(z)} for {@code z >= 0}. */
  static double erfc(double z) {
    return scaledErfc(z) * PanamaExp.exp(-z * z);
  }

  /** {@code erfc(z) exp(z^2) = t Q(t)} for {@code z >= 0}. */
  private static double scaledErfc(double z) {
    double t = 1 / Math.fma(z, P, 1.0);
    double q = Math.fma(t, Q10, Q9);
    q = Math.fma(q, t, Q8);
    q = Math.fma(q, t, Q7);
    q = Math.fma(q, t, Q6);
    q = Math.fma(q, t, Q5);
    q = Math.fma(q, t, Q4);
    q = Math.fma(q, t, Q3);
    q = Math.fma(q, t, Q2);
    q = Math.fma(q, t, Q1);
    q = Math.fma(q, t, Q0);
    return t * q;
  }
}

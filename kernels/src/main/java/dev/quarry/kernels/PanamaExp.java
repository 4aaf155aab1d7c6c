package dev.quarry.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@code exp} and lane sums built only from IEEE-exact lane operations (add, mul, fma, shifts).
 *
 * <p>{@code VectorOperators.EXP} and {@code reduceLanes(ADD)} may give different bits in compiled
 * and interpreted code (a vendor math library against a per-lane fallback; a reduction tree against
 * a sequential sum). A text's embedding must not depend on whether the JIT had warmed up, so the
 * encoder's kernels use these instead. The scalar versions compute exactly what one lane does, so
 * vector bodies and scalar tails agree to the bit.
 *
 * <p>exp: {@code x = n ln2 + r} with {@code |r| <= ln2 / 2} (Cody-Waite, two-part ln2), a Taylor
 * polynomial for {@code exp(r)} (degree 7 for float: error below 1e-8 relative; degree 12 for
 * double: below 1e-15), then scaling by {@code 2^n} through the exponent bits. Inputs are clamped
 * to the range where {@code 2^n} is a normal number, so exp of very negative inputs is about 1e-38
 * (float) or 1e-307 (double) instead of 0: immaterial in softmax and erfc.
 *
 * <p>{@code 2^n} needs n as an integer in the exponent field, but no lane conversion: D2L has no
 * AVX2 instruction (it needs AVX-512DQ), and C2 then runs it lane by lane through the Java
 * fallback, which made GELU a sixth of the encoder's time on AVX2. n is already in the bits:
 * {@code x log2e + 1.5 * 2^k} (k the mantissa width) rounds to an integer n in the last place, so
 * its bits are {@code bits(1.5 * 2^k) + n}; adding the exponent bias and shifting the sum into the
 * exponent field pushes the constant's bits out (their low 9 or 12 bits are zero). Same bits as a
 * conversion would give.
 */
final class PanamaExp {

  private static final float F_MIN = -87.0f;
  private static final float F_MAX = 88.0f;
  private static final float F_ROUND = 12582912f; // 1.5 * 2^23: adding it rounds to an integer
  private static final float F_LOG2E = 1.44269504f;
  private static final float F_LN2_HI = 0.693359375f;
  private static final float F_LN2_LO = -2.12194440e-4f;
  /** 1/6!, 1/5!, ..., 1/0!: Horner's coefficients after the leading 1/7!. */
  private static final float[] F_TAYLOR = {1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f, 1f, 1f};

  private static final double D_MIN = -708.0;
  private static final double D_MAX = 709.0;
  private static final double D_ROUND = 6755399441055744.0; // 1.5 * 2^52
  private static final double D_LOG2E = 1.4426950408889634;
  private static final double D_LN2_HI = 0.6931471803691238;
  private static final double D_LN2_LO = 1.9082149292705877e-10;

  private PanamaExp() {}

  static FloatVector exp(FloatVector x) {
    // Clamped by compare and blend: C2 leaves FloatVector.max/min as slow library calls here.
    x = x.blend(F_MIN, x.compare(VectorOperators.LT, F_MIN));
    x = x.blend(F_MAX, x.compare(VectorOperators.GT, F_MAX));
    FloatVector shifted = x.fma(F_LOG2E, F_ROUND);
    FloatVector n = shifted.sub(F_ROUND);
    FloatVector r = n.fma(x.broadcast(-F_LN2_HI), x);
    r = n.fma(x.broadcast(-F_LN2_LO), r);
    FloatVector p = x.broadcast(1f / 5040);
    for (float c : F_TAYLOR) p = p.fma(r, x.broadcast(c));
    IntVector bits = shifted.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23);
    return p.mul(bits.reinterpretAsFloats());
  }

  static float exp(float x) {
    x = Math.min(Math.max(x, F_MIN), F_MAX);
    float n = Math.fma(x, F_LOG2E, F_ROUND) - F_ROUND;
    float r = Math.fma(n, -F_LN2_HI, x);
    r = Math.fma(n, -F_LN2_LO, r);
    float p = 1f / 5040;
    for (float c : F_TAYLOR) p = Math.fma(p, r, c);
    return p * Float.intBitsToFloat(((int) n + 127) << 23);
  }

  static DoubleVector exp(DoubleVector x) {
    x = x.blend(D_MIN, x.compare(VectorOperators.LT, D_MIN));
    x = x.blend(D_MAX, x.compare(VectorOperators.GT, D_MAX));
    DoubleVector shifted = x.fma(D_LOG2E, D_ROUND);
    DoubleVector n = shifted.sub(D_ROUND);
    DoubleVector r = n.fma(x.broadcast(-D_LN2_HI), x);
    r = n.fma(x.broadcast(-D_LN2_LO), r);
    DoubleVector p = x.broadcast(TAYLOR[12]);
    for (int k = 11; k >= 0; k--) p = p.fma(r, x.broadcast(TAYLOR[k]));
    LongVector bits = shifted.reinterpretAsLongs().add(1023).lanewise(VectorOperators.LSHL, 52);
    return p.mul(bits.reinterpretAsDoubles());
  }

  static double exp(double x) {
    x = Math.min(Math.max(x, D_MIN), D_MAX);
    double n = Math.fma(x, D_LOG2E, D_ROUND) - D_ROUND;
    double r = Math.fma(n, -D_LN2_HI, x);
    r = Math.fma(n, -D_LN2_LO, r);
    double p = TAYLOR[12];
    for (int k = 11; k >= 0; k--) p = Math.fma(p, r, TAYLOR[k]);
    return p * Double.longBitsToDouble(((long) n + 1023) << 52);
  }

  /** 1 / k! for k = 0..12. */
  private static final double[] TAYLOR = new double[13];

  static {
    double f = 1;
    for (int k = 0; k < TAYLOR.length; k++) {
      if (k > 0) f *= k;
      TAYLOR[k] = 1 / f;
    }
  }

  /** The sum of the lanes, always in lane order, whatever compiled the code. */
  static float sumLanes(FloatVector v) {
    float[] lanes = v.toArray();
    float sum = 0f;
    for (float lane : lanes) sum += lane;
    return sum;
  }
}

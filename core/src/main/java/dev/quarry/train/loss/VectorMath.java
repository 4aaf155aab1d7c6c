package dev.quarry.train.loss;

/** Double-precision helpers shared by the losses: dots, norms and normalisation's backward. */
final class VectorMath {

  private VectorMath() {}

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) s += a[k] * b[k];
    return s;
  }

  static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  /** {@code a / norm}, a new array. */
  static double[] scaled(double[] a, double norm) {
    double[] u = new double[a.length];
    for (int k = 0; k < a.length; k++) u[k] = a[k] / norm;
    return u;
  }

  /** {@code y += c * x}. */
  static void axpy(double c, double[] x, double[] y) {
    for (int k = 0; k < x.length; k++) y[k] += c * x[k];
  }

  /**
   * Backward of {@code u = x / |x|}: given {@code g = d loss / d u}, adds {@code (g - (g.u) u) /
   * |x|} to {@code dx} (over the first {@code g.length} components of {@code dx}).
   */
  static void addNormalizeBackward(double[] g, double[] u, double norm, double[] dx) {
    double gu = dot(g, u);
    for (int k = 0; k < g.length; k++) dx[k] += (g[k] - gu * u[k]) / norm;
  }

  /** {@code log(sum(exp(v[0..n))))}, shifted by the maximum so that it cannot overflow. */
  static double logSumExp(double[] v, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) max = Math.max(max, v[j]);
    double s = 0;
    for (int j = 0; j < n; j++) s += Math.exp(v[j] - max);
    return max + Math.log(s);
  }

  /** A number for {@code describe()}: {@code 20} rather than {@code 20.0}. */
  static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}

package dev.quarry.eval;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Pearson and Spearman correlation, as STS benchmarks report them (Spearman with average ranks for ties). */
public final class Correlation {

  private Correlation() {}

  public static double pearson(double[] x, double[] y) {
    check(x, y);
    double mx = Arrays.stream(x).average().orElse(0);
    double my = Arrays.stream(y).average().orElse(0);
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx == 0 || syy == 0) return Double.NaN;
    return sxy / Math.sqrt(sxx * syy);
  }

  /** Pearson correlation of the ranks; tied values share their average rank (as SciPy does). */
  public static double spearman(double[] x, double[] y) {
    check(x, y);
    return pearson(ranks(x), ranks(y));
  }

  static double[] ranks(double[] values) {
    Integer[] order = IntStream.range(0, values.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
    double[] ranks = new double[values.length];
    for (int i = 0; i < order.length; ) {
      int j = i;
      while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) j++;
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) ranks[order[k]] = rank;
      i = j + 1;
    }
    return ranks;
  }

  private static void check(double[] x, double[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException("correlation of " + x.length + " and " + y.length + " values");
    }
    if (x.length < 2) throw new IllegalArgumentException("correlation needs at least 2 pairs");
    for (int i = 0; i < x.length; i++) {
      if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
        throw new IllegalArgumentException("pair " + i + " is not finite: " + x[i] + ", " + y[i]);
      }
    }
  }
}

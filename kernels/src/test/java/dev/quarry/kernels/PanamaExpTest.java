package dev.quarry.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The deterministic exp: accurate, and every vector lane equal to the scalar version's bits. */
class PanamaExpTest {

  @Test
  void floatExpIsAccurateAndLanesMatchScalar() {
    Random random = new Random(7);
    int lanes = PanamaSpecies.FLOAT.length();
    double worst = 0;
    for (int round = 0; round < 20_000; round++) {
      float[] x = new float[lanes];
      for (int i = 0; i < lanes; i++) x[i] = (random.nextFloat() * 2 - 1) * (round % 2 == 0 ? 87 : 3);
      float[] v = PanamaExp.exp(FloatVector.fromArray(PanamaSpecies.FLOAT, x, 0)).toArray();
      for (int i = 0; i < lanes; i++) {
        assertEquals(Float.floatToIntBits(PanamaExp.exp(x[i])), Float.floatToIntBits(v[i]), "exp(" + x[i] + ")");
        worst = Math.max(worst, Math.abs(v[i] / Math.exp(x[i]) - 1));
      }
    }
    System.out.printf("float exp: max relative error %.2e%n", worst);
    assertEquals(0, worst, 3e-7);
    assertEquals(1f, PanamaExp.exp(0f));
  }

  @Test
  void doubleExpIsAccurateAndLanesMatchScalar() {
    Random random = new Random(8);
    int lanes = PanamaSpecies.DOUBLE.length();
    double worst = 0;
    for (int round = 0; round < 20_000; round++) {
      double[] x = new double[lanes];
      for (int i = 0; i < lanes; i++) x[i] = (random.nextDouble() * 2 - 1) * (round % 2 == 0 ? 700 : 5);
      double[] v = PanamaExp.exp(DoubleVector.fromArray(PanamaSpecies.DOUBLE, x, 0)).toArray();
      for (int i = 0; i < lanes; i++) {
        assertEquals(Double.doubleToLongBits(PanamaExp.exp(x[i])), Double.doubleToLongBits(v[i]), "exp(" + x[i] + ")");
        worst = Math.max(worst, Math.abs(v[i] / Math.exp(x[i]) - 1));
      }
    }
    System.out.printf("double exp: max relative error %.2e%n", worst);
    assertEquals(0, worst, 1e-14);
  }

  @Test
  void lanesMatchScalarBeyondTheClampAndAtItsEdges() {
    float[] fx = {-1e6f, -88f, -87f, -86.99f, 87.99f, 88f, 89f, 1e6f};
    for (int i = 0; i < fx.length; i += PanamaSpecies.FLOAT.length()) {
      float[] v = PanamaExp.exp(FloatVector.fromArray(PanamaSpecies.FLOAT, Arrays.copyOfRange(fx, i, i + PanamaSpecies.FLOAT.length()), 0)).toArray();
      for (int j = 0; j < v.length && i + j < fx.length; j++) {
        assertEquals(Float.floatToIntBits(PanamaExp.exp(fx[i + j])), Float.floatToIntBits(v[j]), "exp(" + fx[i + j] + ")");
      }
    }
    double[] dx = {-1e9, -709, -708, -707.99, 708.99, 709, 710, 1e9};
    for (int i = 0; i < dx.length; i += PanamaSpecies.DOUBLE.length()) {
      double[] v = PanamaExp.exp(DoubleVector.fromArray(PanamaSpecies.DOUBLE, Arrays.copyOfRange(dx, i, i + PanamaSpecies.DOUBLE.length()), 0)).toArray();
      for (int j = 0; j < v.length && i + j < dx.length; j++) {
        assertEquals(Double.doubleToLongBits(PanamaExp.exp(dx[i + j])), Double.doubleToLongBits(v[j]), "exp(" + dx[i + j] + ")");
      }
    }
  }
}

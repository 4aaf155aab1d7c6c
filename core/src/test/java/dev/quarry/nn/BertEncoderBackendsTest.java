package dev.quarry.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.kernels.KernelProvider;
import dev.quarry.model.EncoderModel;
import dev.quarry.model.Models;
import org.junit.jupiter.api.Test;

/** The whole encoder on the Vector API backend against the scalar oracle, on a real model. */
class BertEncoderBackendsTest {

  @Test
  void vectorBackendMatchesScalarOracle() throws Exception {
    try (EncoderModel model = Models.load(null);
         Parallel one = new Parallel(1);
         Parallel two = new Parallel(2)) {
      int[][] ids = new int[3][];
      int[][] types = new int[3][];
      String[] texts = {"a", "The scalar oracle and the vector kernels agree.", "東京 " + "odd sizes ".repeat(20)};
      for (int i = 0; i < texts.length; i++) {
        ids[i] = Models.configure(model.tokenizer(), 256).encode(texts[i]).ids();
        types[i] = new int[ids[i].length];
      }
      TokenBatch batch = TokenBatch.of(ids, types);
      float[] scalar = new BertEncoder(model.weights(), KernelProvider.scalar(), one).forward(batch);
      float[] vector = new BertEncoder(model.weights(), KernelProvider.tensorSupport(), two).forward(batch);
      double worst = 0;
      for (int i = 0; i < scalar.length; i++) {
        assertTrue(Float.isFinite(vector[i]));
        worst = Math.max(worst, Math.abs(scalar[i] - vector[i]));
      }
      System.out.printf("encoder %s vs scalar: max abs difference %.2e over %d values%n",
          KernelProvider.tensorSupport().getClass().getSimpleName(), worst, scalar.length);
      assertEquals(0, worst, 2e-3);
    }
  }
}

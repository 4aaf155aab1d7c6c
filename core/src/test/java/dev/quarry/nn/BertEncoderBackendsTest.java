package dev.quarry.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.quarry.kernels.KernelProvider;
import dev.quarry.model.BertConfig;
import dev.quarry.model.BertWeights;
import dev.quarry.model.EncoderModel;
import dev.quarry.model.Models;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole encoder on the Vector API backend against the scalar oracle, on a real model; and an
 * int8 model computing from its codes against the same model widened to fp32 at load.
 */
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

  @Test
  void int8CodesGiveTheBitsOfWeightsWidenedAtLoad() throws Exception {
    try (EncoderModel model = Models.load("all-MiniLM-L6-v2-q"); Parallel two = new Parallel(2)) {
      BertWeights codes = model.weights();
      assertNotNull(codes.int8("encoder.layer.0.intermediate.dense.weight"), "the file's codes are kept");
      assertNotNull(codes.int8("embeddings.word_embeddings.weight"), "the file's codes are kept");
      Map<String, MemorySegment> floats = new HashMap<>();
      for (BertConfig.Parameter p : model.config().parameters()) floats.put(p.name(), codes.get(p.name()));
      BertWeights widened = new BertWeights(model.config(), floats, "widened");
      String[] texts = {"a", "Codes widened per panel slice give the bits of weights widened at load.",
          "odd sizes ".repeat(40)};
      int[][] ids = new int[texts.length][];
      int[][] types = new int[texts.length][];
      for (int i = 0; i < texts.length; i++) {
        ids[i] = Models.configure(model.tokenizer(), 256).encode(texts[i]).ids();
        types[i] = new int[ids[i].length];
      }
      TokenBatch batch = TokenBatch.of(ids, types);
      float[] fromCodes = new BertEncoder(codes, KernelProvider.tensorSupport(), two).forward(batch);
      float[] fromFloats = new BertEncoder(widened, KernelProvider.tensorSupport(), two).forward(batch);
      assertArrayEquals(fromFloats, fromCodes);
    }
  }
}

package dev.quarry.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.kernels.KernelProvider;
import dev.quarry.model.EncoderModel;
import dev.quarry.model.Models;
import dev.quarry.nn.Parallel;
import dev.quarry.train.Parameters.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole backward pass on the Vector API backends, two threads, against the scalar oracle on
 * one thread, on the real all-MiniLM-L6-v2: every parameter's gradient, compared as a whole.
 */
class TrainableBertBackendsTest {

  @Test
  void vectorGradientsMatchScalarOracle() throws Exception {
    List<String> texts = List.of("a", "Gradients on the vector backend agree with the oracle.",
        "東京 " + "odd sizes ".repeat(15));
    try (EncoderModel model = Models.load(null);
         Parallel one = new Parallel(1);
         Parallel two = new Parallel(2)) {
      Parameters scalar = gradients(model, one, true, texts);
      Parameters vector = gradients(model, two, false, texts);
      double total = 0;
      for (Parameter s : scalar.all()) {
        for (float g : s.grad()) total += (double) g * g;
      }
      // A tensor whose true gradient is zero (the key bias: softmax ignores a shift shared by all
      // keys) holds only rounding noise; it is compared against the whole gradient's scale.
      double floor = 1e-4 * Math.sqrt(total);
      double worst = 0;
      for (Parameter s : scalar.all()) {
        float[] v = vector.get(s.name()).grad();
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
          assertTrue(Float.isFinite(v[i]), s.name());
          diff += Math.pow(v[i] - s.grad()[i], 2);
          norm += Math.pow(s.grad()[i], 2);
        }
        double relative = Math.sqrt(diff) / Math.max(Math.sqrt(norm), floor);
        worst = Math.max(worst, relative);
        assertTrue(relative < 1e-3, s.name() + ": gradients differ by " + relative + " of their norm");
      }
      System.out.printf("backward %s vs scalar: worst relative difference %.2e%n",
          KernelProvider.backendName(), worst);
    }
  }

  /** The gradient of a fixed linear function of the sentence embeddings. */
  private static Parameters gradients(EncoderModel model, Parallel parallel, boolean scalar, List<String> texts) {
    TrainableBert bert = scalar
        ? new TrainableBert(model.weights(), KernelProvider.scalar(), KernelProvider.scalarGradients(), parallel)
        : new TrainableBert(model.weights(), KernelProvider.tensorSupport(), KernelProvider.tensorGradients(), parallel);
    SentenceEncoder encoder = new SentenceEncoder(bert, Models.configure(model.tokenizer(), 256),
        model.sentence().pooling(), model.sentence().normalize());
    SentenceEncoder.Pass pass = encoder.forward(texts);
    float[][] d = new float[texts.size()][model.config().hiddenSize()];
    for (int s = 0; s < d.length; s++) {
      for (int i = 0; i < d[s].length; i++) d[s][i] = (float) Math.sin(1 + 7 * s + 0.3 * i);
    }
    encoder.backward(pass, d);
    return bert.parameters();
  }
}

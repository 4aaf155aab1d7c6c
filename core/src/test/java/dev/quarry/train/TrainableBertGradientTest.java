package dev.quarry.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.kernels.KernelProvider;
import dev.quarry.model.BertWeights;
import dev.quarry.model.Pooling;
import dev.quarry.nn.BertEncoder;
import dev.quarry.nn.Parallel;
import dev.quarry.nn.SentencePooling;
import dev.quarry.nn.TokenBatch;
import dev.quarry.train.Parameters.Parameter;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The encoder's backward pass against central finite differences of its forward pass, for every
 * parameter tensor of a tiny random BERT, on the scalar oracle (one thread).
 *
 * <p>The loss is a fixed random linear function of the output, summed in double. The forward pass
 * stores floats (about 2e-6 of noise in the loss), so the difference is the five-point one, whose
 * truncation error is O(step⁴), with a step ({@value #STEP}) large enough for the noise to stay
 * near 1e-5: the worst mismatch seen is about a tenth of the tolerance, and a gradient 1 % off
 * fails.
 */
class TrainableBertGradientTest {

  private static final float STEP = 5e-2f;
  private static final double TOLERANCE = 1e-4;
  private static final double RELATIVE_TOLERANCE = 2e-3;

  @Test
  void hiddenStateGradientsMatchFiniteDifferences() {
    try (Parallel one = new Parallel(1)) {
      TrainableBert bert = scalarBert(one);
      TokenBatch batch = TinyBert.batch(7);
      float[] weights = randomVector(batch.tokenCount() * TinyBert.CONFIG.hiddenSize(), 11);
      ToDoubleFunction<TrainableBert> loss = b -> dot(weights, b.forward(batch).hidden());
      bert.backward(bert.forward(batch), weights.clone());
      checkEveryParameter(bert, loss, batch, STEP, TOLERANCE, RELATIVE_TOLERANCE);
    }
  }

  @Test
  void sentenceEmbeddingGradientsMatchFiniteDifferences() {
    // Max pooling is piecewise linear, so finite differences through the whole model cross its
    // kinks; its routing is checked on its own below.
    for (Pooling pooling : new Pooling[] {Pooling.MEAN, Pooling.CLS}) {
      for (boolean normalize : new boolean[] {false, true}) {
        try (Parallel one = new Parallel(1)) {
          TrainableBert bert = scalarBert(one);
          SentenceEncoder encoder = new SentenceEncoder(bert, null, pooling, normalize);
          TokenBatch batch = TinyBert.batch(3);
          int h = TinyBert.CONFIG.hiddenSize();
          float[][] weights = new float[batch.sequenceCount()][];
          for (int s = 0; s < weights.length; s++) weights[s] = randomVector(h, 20 + s);
          ToDoubleFunction<TrainableBert> loss = b -> {
            float[][] e = encoder.forward(batch).embeddings();
            double sum = 0;
            for (int s = 0; s < e.length; s++) sum += dot(weights[s], e[s]);
            return sum;
          };
          encoder.backward(encoder.forward(batch), weights);
          checkEveryParameter(bert, loss, batch, STEP, TOLERANCE, RELATIVE_TOLERANCE);
        }
      }
    }
  }

  @Test
  void poolingGradientsMatchFiniteDifferences() {
    int h = 6;
    int length = 5;
    float[] hidden = randomVector(2 * length * h, 31);
    float[] d = randomVector(h, 32);
    for (Pooling pooling : Pooling.values()) {
      float[] dHidden = new float[hidden.length];
      SentenceEncoder.poolBackward(pooling, hidden, length, length, h, d, dHidden);
      for (int i = 0; i < hidden.length; i++) {
        float saved = hidden[i];
        hidden[i] = saved + 1e-3f;
        double plus = dot(d, SentencePooling.pool(pooling, hidden, length, length, h));
        hidden[i] = saved - 1e-3f;
        double minus = dot(d, SentencePooling.pool(pooling, hidden, length, length, h));
        hidden[i] = saved;
        assertEquals((plus - minus) / 2e-3, dHidden[i], 1e-3, pooling + ", hidden value " + i);
      }
    }
  }

  @Test
  void trainingForwardEqualsInferenceForward() {
    BertWeights weights = TinyBert.weights(5);
    TokenBatch batch = TinyBert.batch(9);
    try (Parallel one = new Parallel(1)) {
      float[] inference = new BertEncoder(weights, KernelProvider.scalar(), one).forward(batch);
      float[] training = scalarBert(one).forward(batch).hidden();
      for (int i = 0; i < inference.length; i++) {
        assertEquals(inference[i], training[i], 1e-5, "output " + i);
      }
    }
  }

  @Test
  void gradientsAreDeterministicAndAccumulate() {
    try (Parallel one = new Parallel(1)) {
      TokenBatch batch = TinyBert.batch(4);
      float[] d = randomVector(batch.tokenCount() * TinyBert.CONFIG.hiddenSize(), 8);
      TrainableBert bert = scalarBert(one);
      bert.backward(bert.forward(batch), d.clone());
      float[] once = bert.parameters().get("encoder.layer.0.attention.self.key.weight").grad().clone();
      bert.backward(bert.forward(batch), d.clone());
      float[] twice = bert.parameters().get("encoder.layer.0.attention.self.key.weight").grad();
      for (int i = 0; i < once.length; i++) assertEquals(2 * once[i], twice[i], 1e-6 * (1 + Math.abs(once[i])));
      bert.parameters().zeroGrad();
      bert.backward(bert.forward(batch), d.clone());
      assertArrayEquals(once, bert.parameters().get("encoder.layer.0.attention.self.key.weight").grad());
    }
  }

  private static TrainableBert scalarBert(Parallel parallel) {
    return new TrainableBert(TinyBert.weights(5), KernelProvider.scalar(), KernelProvider.scalarGradients(), parallel);
  }

  /**
   * For every parameter tensor, a few of its elements (for the word embeddings: rows the batch
   * uses; the random picks mostly hit unused rows, whose gradient must stay zero).
   */
  private static void checkEveryParameter(TrainableBert bert, ToDoubleFunction<TrainableBert> loss,
      TokenBatch batch, float step, double tolerance, double relativeTolerance) {
    Random random = new Random(99);
    int h = TinyBert.CONFIG.hiddenSize();
    int checked = 0;
    for (Parameter p : bert.parameters().all()) {
      int[] elements = new int[4];
      for (int i = 0; i < elements.length; i++) elements[i] = random.nextInt(p.value().length);
      if (p.name().equals("embeddings.word_embeddings.weight")) {
        elements[0] = batch.ids()[0] * h + 3;
        elements[1] = batch.ids()[batch.tokenCount() - 1] * h + h - 1;
      }
      for (int i : elements) {
        float saved = p.value()[i];
        double numeric = (-at(bert, loss, p, i, saved + 2 * step) + 8 * at(bert, loss, p, i, saved + step)
            - 8 * at(bert, loss, p, i, saved - step) + at(bert, loss, p, i, saved - 2 * step)) / (12 * step);
        p.value()[i] = saved;
        bert.parametersChanged();
        double analytic = p.grad()[i];
        assertTrue(Math.abs(numeric - analytic) <= tolerance + relativeTolerance * Math.abs(numeric), p.name() + "[" + i + "]: backward "
            + analytic + ", finite difference " + numeric);
        checked++;
      }
    }
    assertEquals(4 * bert.parameters().all().size(), checked);
  }

  /** The loss with element {@code i} of {@code p} set to {@code value}. */
  private static double at(TrainableBert bert, ToDoubleFunction<TrainableBert> loss, Parameter p, int i,
      float value) {
    p.value()[i] = value;
    bert.parametersChanged();
    return loss.applyAsDouble(bert);
  }

  private static float[] randomVector(int n, long seed) {
    Random random = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian();
    return v;
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) sum += (double) a[i] * b[i];
    return sum;
  }
}

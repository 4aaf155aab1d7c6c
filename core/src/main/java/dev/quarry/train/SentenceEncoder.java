package dev.quarry.train;

import dev.quarry.model.Pooling;
import dev.quarry.nn.SentencePooling;
import dev.quarry.nn.TokenBatch;
import dev.quarry.tokenizer.Encoding;
import dev.quarry.tokenizer.Tokenizer;
import java.util.List;

/**
 * Texts to sentence embeddings and back: tokenization, the trainable encoder, pooling and
 * normalisation forward, and the gradient of the embeddings back through normalisation and
 * pooling into the encoder. What a loss sees is exactly what inference would return for the text
 * (before any Matryoshka truncation, which the loss applies itself).
 */
public final class SentenceEncoder {

  private final TrainableBert bert;
  private final Tokenizer tokenizer;
  private final Pooling pooling;
  private final boolean normalize;

  /** @param tokenizer configured with the training length (truncation, no padding) */
  public SentenceEncoder(TrainableBert bert, Tokenizer tokenizer, Pooling pooling, boolean normalize) {
    this.bert = bert;
    this.tokenizer = tokenizer;
    this.pooling = pooling;
    this.normalize = normalize;
  }

  public TrainableBert bert() {
    return bert;
  }

  /**
   * One forward pass over some texts.
   *
   * @param embeddings one per text, pooled and (if the model normalises) of unit length
   * @param pooled the embeddings before normalisation (needed by its backward pass)
   */
  public record Pass(TrainableBert.Tape tape, float[][] pooled, float[][] embeddings) {}

  /** Tokenizes and encodes {@code texts}, keeping what {@link #backward} needs. */
  public Pass forward(List<String> texts) {
    return forward(tokenize(texts));
  }

  /** Encodes an already tokenized batch. */
  public Pass forward(TokenBatch batch) {
    TrainableBert.Tape tape = bert.forward(batch);
    int h = bert.config().hiddenSize();
    int n = batch.sequenceCount();
    float[][] pooled = new float[n][];
    float[][] embeddings = new float[n][];
    for (int s = 0; s < n; s++) {
      pooled[s] = SentencePooling.pool(pooling, tape.hidden(), batch.start(s), batch.length(s), h);
      embeddings[s] = normalize ? SentencePooling.normalize(pooled[s].clone()) : pooled[s];
    }
    return new Pass(tape, pooled, embeddings);
  }

  /** Accumulates the encoder's parameter gradients from {@code d loss / d embeddings}. */
  public void backward(Pass pass, float[][] dEmbeddings) {
    TokenBatch batch = pass.tape().batch();
    int h = bert.config().hiddenSize();
    float[] hidden = pass.tape().hidden();
    float[] dHidden = new float[hidden.length];
    for (int s = 0; s < batch.sequenceCount(); s++) {
      float[] d = normalize ? normalizeBackward(pass.pooled()[s], pass.embeddings()[s], dEmbeddings[s])
          : dEmbeddings[s];
      poolBackward(pooling, hidden, batch.start(s), batch.length(s), h, d, dHidden);
    }
    bert.backward(pass.tape(), dHidden);
  }

  /**
   * Through pooling the {@code length} rows from row {@code start}: writes those rows of
   * {@code dHidden} from {@code d}, the gradient of the pooled vector.
   */
  static void poolBackward(Pooling pooling, float[] hidden, int start, int length, int h, float[] d,
      float[] dHidden) {
    switch (pooling) {
      case CLS -> System.arraycopy(d, 0, dHidden, start * h, h);
      case MEAN -> {
        for (int t = start; t < start + length; t++) {
          for (int i = 0; i < h; i++) dHidden[t * h + i] = d[i] / length;
        }
      }
      case MAX -> {
        // The gradient goes to the token that won each component (the first, on ties).
        for (int i = 0; i < h; i++) {
          int best = start;
          for (int t = start + 1; t < start + length; t++) {
            if (hidden[t * h + i] > hidden[best * h + i]) best = t;
          }
          dHidden[best * h + i] = d[i];
        }
      }
    }
  }

  /** Token ids of {@code texts} as one unpadded batch. */
  public TokenBatch tokenize(List<String> texts) {
    int[][] ids = new int[texts.size()][];
    int[][] types = new int[texts.size()][];
    for (int i = 0; i < ids.length; i++) {
      Encoding e = tokenizer.encode(texts.get(i));
      ids[i] = e.ids();
      types[i] = e.typeIds();
    }
    return TokenBatch.of(ids, types);
  }

  /**
   * Through {@code y = v / max(|v|, 1e-12)}: {@code dv = (dy - y (y·dy)) / |v|}; below the floor
   * the norm is a constant and the map is a plain scaling.
   */
  static float[] normalizeBackward(float[] v, float[] y, float[] dy) {
    double sum = 0;
    for (float x : v) sum += (double) x * x;
    double norm = Math.sqrt(sum);
    float[] dv = new float[v.length];
    if (norm <= 1e-12) {
      for (int i = 0; i < v.length; i++) dv[i] = (float) (dy[i] / 1e-12);
      return dv;
    }
    double dot = 0;
    for (int i = 0; i < v.length; i++) dot += (double) y[i] * dy[i];
    for (int i = 0; i < v.length; i++) dv[i] = (float) ((dy[i] - y[i] * dot) / norm);
    return dv;
  }
}

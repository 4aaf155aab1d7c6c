package dev.quarry.embed;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.quarry.model.Pooling;
import dev.quarry.tokenizer.Encoding;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The reference pipeline: ONNX Runtime runs the same ONNX file on padded batches, then pooling with
 * the attention mask and L2 normalisation exactly as sentence-transformers does them.
 */
final class OnnxRuntimeReference implements AutoCloseable {

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final Pooling pooling;

  OnnxRuntimeReference(Path onnx, Pooling pooling, int threads) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(threads);
    this.session = env.createSession(onnx.toString(), options);
    this.pooling = pooling;
  }

  /** Embeds already tokenized texts as one padded batch. */
  float[][] embed(List<Encoding> encodings) throws OrtException {
    int batch = encodings.size();
    int width = encodings.stream().mapToInt(Encoding::length).max().orElse(0);
    long[][] ids = new long[batch][width];
    long[][] mask = new long[batch][width];
    long[][] types = new long[batch][width];
    for (int b = 0; b < batch; b++) {
      Encoding e = encodings.get(b);
      for (int t = 0; t < e.length(); t++) {
        ids[b][t] = e.ids()[t];
        types[b][t] = e.typeIds()[t];
        mask[b][t] = 1;
      }
    }
    try (OnnxTensor idsT = OnnxTensor.createTensor(env, ids);
         OnnxTensor maskT = OnnxTensor.createTensor(env, mask);
         OnnxTensor typesT = OnnxTensor.createTensor(env, types);
         OrtSession.Result result = session.run(Map.of("input_ids", idsT, "attention_mask", maskT,
             "token_type_ids", typesT))) {
      float[][][] hidden = (float[][][]) result.get(0).getValue();
      float[][] out = new float[batch][];
      for (int b = 0; b < batch; b++) {
        out[b] = poolAndNormalize(hidden[b], mask[b]);
      }
      return out;
    }
  }

  /** sentence-transformers' pooling over the tokens the mask keeps, then F.normalize, in double. */
  private float[] poolAndNormalize(float[][] tokens, long[] mask) {
    int dim = tokens[0].length;
    double[] sum = new double[dim];
    int count = 0;
    for (int t = 0; t < tokens.length; t++) {
      if (mask[t] == 0) continue;
      count++;
      for (int i = 0; i < dim; i++) sum[i] += tokens[t][i];
    }
    double[] pooled = switch (pooling) {
      case MEAN -> { for (int i = 0; i < dim; i++) sum[i] /= count; yield sum; }
      case CLS -> { double[] cls = new double[dim]; for (int i = 0; i < dim; i++) cls[i] = tokens[0][i]; yield cls; }
      case MAX -> throw new IllegalArgumentException("the reference checks mean and CLS pooling");
    };
    double norm = 0;
    for (double v : pooled) norm += v * v;
    norm = Math.max(Math.sqrt(norm), 1e-12);
    float[] out = new float[dim];
    for (int i = 0; i < dim; i++) out[i] = (float) (pooled[i] / norm);
    return out;
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}

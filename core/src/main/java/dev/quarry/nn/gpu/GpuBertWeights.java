package dev.quarry.nn.gpu;

import dev.quarry.kernels.cuda.CudaContext;
import dev.quarry.kernels.cuda.DeviceBuffer;
import dev.quarry.kernels.cuda.HalfFloats;
import dev.quarry.model.BertConfig;
import dev.quarry.model.BertWeights;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A BERT encoder's parameters resident on the GPU: linear weights fp16 {@code [in, out]} (Q, K and V
 * side by side as one {@code [hidden, 3 * hidden]} matrix, so one GEMM projects all three), biases,
 * norms and embedding tables fp32, plus fp16 copies of the biases that GEMM epilogues add.
 */
final class GpuBertWeights implements AutoCloseable {

  record Layer(DeviceBuffer qkv, DeviceBuffer qkvBias, DeviceBuffer attentionOut,
      DeviceBuffer attentionOutBias, DeviceBuffer attentionNormWeight, DeviceBuffer attentionNormBias,
      DeviceBuffer intermediate, DeviceBuffer intermediateBias, DeviceBuffer output,
      DeviceBuffer outputBias, DeviceBuffer outputNormWeight, DeviceBuffer outputNormBias,
      HalfBiases half) {}

  /** fp16 copies of the biases that cuBLASLt epilogues add (its bias type follows the fp16 output). */
  record HalfBiases(DeviceBuffer attentionOut, DeviceBuffer intermediate, DeviceBuffer output) {}

  final DeviceBuffer wordEmbeddings;
  final DeviceBuffer positionEmbeddings;
  final DeviceBuffer typeEmbeddings;
  final DeviceBuffer embeddingNormWeight;
  final DeviceBuffer embeddingNormBias;
  final Layer[] layers;
  private final List<DeviceBuffer> all = new ArrayList<>();

  GpuBertWeights(CudaContext context, BertWeights weights) {
    BertConfig config = weights.config();
    int h = config.hiddenSize();
    try {
      wordEmbeddings = floats(context, weights.get("embeddings.word_embeddings.weight"));
      positionEmbeddings = floats(context, weights.get("embeddings.position_embeddings.weight"));
      typeEmbeddings = floats(context, weights.get("embeddings.token_type_embeddings.weight"));
      embeddingNormWeight = floats(context, weights.get("embeddings.LayerNorm.weight"));
      embeddingNormBias = floats(context, weights.get("embeddings.LayerNorm.bias"));
      layers = new Layer[config.layers()];
      for (int l = 0; l < layers.length; l++) {
        String p = "encoder.layer." + l + ".";
        MemorySegment q = weights.get(p + "attention.self.query.weight");
        MemorySegment k = weights.get(p + "attention.self.key.weight");
        MemorySegment v = weights.get(p + "attention.self.value.weight");
        DeviceBuffer qkv = upload(context, packQkv(q, k, v, h, p + "attention.self"));
        MemorySegment qkvBias = concat(weights.get(p + "attention.self.query.bias"),
            weights.get(p + "attention.self.key.bias"), weights.get(p + "attention.self.value.bias"));
        layers[l] = new Layer(qkv, floats(context, qkvBias),
            halves(context, weights.get(p + "attention.output.dense.weight"), p + "attention.output.dense.weight"),
            floats(context, weights.get(p + "attention.output.dense.bias")),
            floats(context, weights.get(p + "attention.output.LayerNorm.weight")),
            floats(context, weights.get(p + "attention.output.LayerNorm.bias")),
            halves(context, weights.get(p + "intermediate.dense.weight"), p + "intermediate.dense.weight"),
            floats(context, weights.get(p + "intermediate.dense.bias")),
            halves(context, weights.get(p + "output.dense.weight"), p + "output.dense.weight"),
            floats(context, weights.get(p + "output.dense.bias")),
            floats(context, weights.get(p + "output.LayerNorm.weight")),
            floats(context, weights.get(p + "output.LayerNorm.bias")),
            new HalfBiases(halves(context, weights.get(p + "attention.output.dense.bias"), p + "attention.output.dense.bias"),
                halves(context, weights.get(p + "intermediate.dense.bias"), p + "intermediate.dense.bias"),
                halves(context, weights.get(p + "output.dense.bias"), p + "output.dense.bias")));
      }
      context.synchronize();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Q, K and V ({@code [hidden, hidden]} each, {@code [in, out]}) as one fp16 {@code [hidden, 3 * hidden]}
   * matrix: row {@code i} is Q's row {@code i}, then K's, then V's.
   */
  static ByteBuffer packQkv(MemorySegment q, MemorySegment k, MemorySegment v, int hidden, String what) {
    ByteBuffer out = ByteBuffer.allocateDirect(2 * 3 * hidden * hidden).order(ByteOrder.LITTLE_ENDIAN);
    long rowBytes = 4L * hidden;
    for (int i = 0; i < hidden; i++) {
      HalfFloats.convert(q.asSlice(i * rowBytes, rowBytes), hidden, out, what + ".query");
      HalfFloats.convert(k.asSlice(i * rowBytes, rowBytes), hidden, out, what + ".key");
      HalfFloats.convert(v.asSlice(i * rowBytes, rowBytes), hidden, out, what + ".value");
    }
    return out.flip();
  }

  private static MemorySegment concat(MemorySegment... parts) {
    long total = 0;
    for (MemorySegment s : parts) total += s.byteSize();
    MemorySegment out = MemorySegment.ofArray(new float[(int) (total / 4)]);
    long at = 0;
    for (MemorySegment s : parts) {
      MemorySegment.copy(s, 0, out, at, s.byteSize());
      at += s.byteSize();
    }
    return out;
  }

  private DeviceBuffer halves(CudaContext context, MemorySegment src, String what) {
    long n = src.byteSize() / 4;
    ByteBuffer staged = ByteBuffer.allocateDirect((int) (2 * n)).order(ByteOrder.LITTLE_ENDIAN);
    HalfFloats.convert(src, n, staged, what);
    return upload(context, staged.flip());
  }

  private DeviceBuffer floats(CudaContext context, MemorySegment src) {
    ByteBuffer staged = ByteBuffer.allocateDirect((int) src.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < src.byteSize() / 4; i++) staged.putFloat(src.getAtIndex(BertWeights.FLOAT, i));
    return upload(context, staged.flip());
  }

  private DeviceBuffer upload(CudaContext context, ByteBuffer staged) {
    DeviceBuffer buffer = context.allocate(staged.remaining());
    all.add(buffer);
    buffer.upload(staged, 0);
    context.synchronize(); // the staging buffer is garbage once this returns
    return buffer;
  }

  @Override
  public void close() {
    for (DeviceBuffer b : all) b.close();
    all.clear();
  }
}

package dev.quarry.nn.gpu;

import dev.quarry.model.BertConfig;

/**
 * How much device memory the GPU encoder needs: fp16 linear weights, fp32 embeddings and norms
 * (resident), and per token the activation buffers of one forward pass (reused by every layer).
 */
public record DeviceMemoryPlan(BertConfig config) {

  /** Bytes kept free for cuBLAS, the graphs and the driver. */
  static final long RESERVE = 256L << 20;

  /** Device bytes of the weights: linear weights fp16, everything else fp32. */
  public long weightBytes() {
    long h = config.hiddenSize(), inner = config.intermediateSize();
    long linear = config.layers() * (4 * h * h + 2 * h * inner) * 2;
    long vectors = config.layers() * (3 * h + h + 4 * h + inner + h) * 4;
    long embeddings = ((long) config.vocabSize() + config.maxPositions() + config.typeVocabSize() + 2) * h * 4;
    return linear + vectors + embeddings;
  }

  /** fp16 activation bytes per token row: x, x1, the projection output, q|k|v, the attention context, the feed-forward inner. */
  public long bytesPerToken() {
    long h = config.hiddenSize();
    return 2 * (h + h + h + 3 * h + h + config.intermediateSize());
  }

  /** Device bytes of the buffers for {@code capacity}: activations, the packed inputs, the pooled outputs. */
  public long activationBytes(ShapeBucket capacity) {
    return capacity.tokens() * bytesPerToken() + PackedBatch.bytes(capacity)
        + 4L * capacity.sequences() * config.hiddenSize();
  }

  /** The most token rows whose activations fit in {@code freeBytes} after the weights are resident, or 0. */
  public int maxTokens(long freeBytes) {
    long left = freeBytes - RESERVE;
    // Inputs and outputs add at most 16 + 4 * hidden bytes per row (one sequence per row at worst).
    long perRow = bytesPerToken() + 16 + 4L * config.hiddenSize();
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left / perRow));
  }
}

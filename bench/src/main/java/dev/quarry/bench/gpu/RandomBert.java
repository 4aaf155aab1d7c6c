package dev.quarry.bench.gpu;

import dev.quarry.model.BertConfig;
import dev.quarry.model.BertWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** BERT encoders of the benchmarked shapes with random weights: speed does not depend on the values. */
final class RandomBert {

  private static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private RandomBert() {}

  /** The shapes {@code torch_reference.py} names. */
  static BertConfig config(String arch) {
    return switch (arch) {
      case "minilm-l6" -> new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12f);
      case "bge-small" -> new BertConfig(30522, 384, 12, 12, 1536, 512, 2, 1e-12f);
      case "bge-base" -> new BertConfig(30522, 768, 12, 12, 3072, 512, 2, 1e-12f);
      default -> throw new IllegalArgumentException("arch " + arch + " (minilm-l6, bge-small, bge-base)");
    };
  }

  /** Weights of Hugging Face's initial scale (standard deviation 0.02, uniform), LayerNorm weight 1, bias 0. */
  static BertWeights weights(BertConfig config, Arena arena, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, MemorySegment> tensors = new HashMap<>();
    for (BertConfig.Parameter p : config.parameters()) {
      MemorySegment t = arena.allocate(4 * p.elementCount(), 64);
      boolean norm = p.name().contains("LayerNorm");
      boolean bias = p.name().endsWith(".bias");
      for (long i = 0; i < p.elementCount(); i++) {
        float v = norm ? (bias ? 0f : 1f) : (float) ((random.nextDouble() * 2 - 1) * 0.0346);
        t.setAtIndex(FLOAT_LE, i, v);
      }
      tensors.put(p.name(), t);
    }
    return new BertWeights(config, tensors, "random " + seed);
  }
}

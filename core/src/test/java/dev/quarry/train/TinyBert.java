package dev.quarry.train;

import dev.quarry.model.BertConfig;
import dev.quarry.model.BertWeights;
import dev.quarry.nn.TokenBatch;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** A small random BERT for gradient checks: two layers, two heads, odd sizes where allowed. */
final class TinyBert {

  static final BertConfig CONFIG = new BertConfig(23, 10, 2, 2, 14, 16, 2, 1e-5f);

  private TinyBert() {}

  /** Weights of roughly BERT's initial scale, LayerNorm gains near one, from {@code seed}. */
  static BertWeights weights(long seed) {
    Random random = new Random(seed);
    Map<String, MemorySegment> tensors = new LinkedHashMap<>();
    for (BertConfig.Parameter p : CONFIG.parameters()) {
      float[] v = new float[(int) p.elementCount()];
      boolean gain = p.name().endsWith("LayerNorm.weight");
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (gain ? 1 + 0.1 * random.nextGaussian() : 0.3 * random.nextGaussian());
      }
      tensors.put(p.name(), MemorySegment.ofArray(v));
    }
    return new BertWeights(CONFIG, tensors, "tiny");
  }

  /** Three sequences of lengths 5, 1 and 9 with random ids and both token types. */
  static TokenBatch batch(long seed) {
    Random random = new Random(seed);
    int[] lengths = {5, 1, 9};
    int[][] ids = new int[lengths.length][];
    int[][] types = new int[lengths.length][];
    for (int s = 0; s < lengths.length; s++) {
      ids[s] = new int[lengths[s]];
      types[s] = new int[lengths[s]];
      for (int t = 0; t < lengths[s]; t++) {
        ids[s][t] = random.nextInt(CONFIG.vocabSize());
        types[s][t] = t > lengths[s] / 2 ? 1 : 0;
      }
    }
    return TokenBatch.of(ids, types);
  }
}

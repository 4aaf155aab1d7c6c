package dev.quarry.index.vectors;

import dev.quarry.index.hnsw.NodeScorer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Asymmetric scoring of one query against binary codes ({@link BinaryQuantizer}): the centred
 * query {@code q' = q - mean} is quantized to 4 bits, {@code q'_i ≈ lo + step·u_i}, and split
 * into bit planes, so that for a stored sign vector {@code s} (bits {@code x_i},
 * {@code s_i = 2x_i - 1})
 * {@code <q', s> ≈ 2·(lo·pc(x) + step·Σ_b 2^b·pc(plane_b & x)) - Σq'_i} with popcounts only.
 * A score is that times the record's scale (the estimate of {@code <q', o>}) plus its bias: up to
 * terms that depend on the query alone, {@code q·x = <q', o> + <mean, o> + <q, mean>} for dot
 * product and cosine (bias {@code <mean, o>}), and {@code -‖q - x‖² = 2<q', o> - ‖o‖² - ‖q'‖²}
 * for Euclidean (weight 2, bias {@code -‖o‖²}).
 *
 * <p>Records are the code's longs, then the scale and the bias as two little-endian floats (one
 * more long), read from a heap {@code long[]} where the store keeps one, else from its segment.
 * A record is 56 bytes for 384 dimensions and spans two cache lines at most; batch scoring reads
 * both ends of every record in the batch before it counts bits in any, so that the batch's cache
 * misses overlap instead of coming one after another (docs/PERFORMANCE.md has the figures).
 */
public final class BinaryScorer implements NodeScorer {

  private static final ValueLayout.OfLong LONG = RecordStore.LONG;

  private final int words;
  /** Plane {@code b} of word {@code w} at {@code 4w + b}: a word's four planes share a cache line. */
  private final long[] planes;
  private final float twoLo;
  private final float twoStep;
  private final float sumQ;
  private final float weight;
  private final long[] heap;
  private final MemorySegment segment;
  private final int stride;
  private long[] first = new long[0];
  private long[] factors = new long[0];

  /**
   * @param weight 1 for dot product and cosine, 2 for Euclidean ({@code -‖q - x‖² = 2<q', o> - ‖o‖² - ‖q'‖²})
   */
  public BinaryScorer(BinaryQuantizer quantizer, float[] query, float weight, RecordStore codes) {
    float[] means = quantizer.means();
    int dim = means.length;
    this.words = quantizer.words();
    this.weight = weight;
    this.heap = codes.heapLongs();
    this.segment = codes.segment();
    this.stride = codes.recordBytes() / Long.BYTES;
    float[] c = new float[dim];
    float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < dim; i++) {
      c[i] = query[i] - means[i];
      lo = Math.min(lo, c[i]);
      hi = Math.max(hi, c[i]);
    }
    float step = hi > lo ? (hi - lo) / 15 : 1;
    planes = new long[4 * words];
    long sumU = 0;
    for (int i = 0; i < dim; i++) {
      int u = Math.round((c[i] - lo) / step);
      sumU += u;
      // Without branches: the bits of u are random, and mispredicted branches cost more than the rest of the setup.
      for (int b = 0; b < 4; b++) planes[4 * (i >>> 6) + b] |= (long) ((u >>> b) & 1) << (i & 63);
    }
    // Σ of the quantized q'_i, so that the estimate is exact for the quantized query.
    sumQ = dim * lo + step * sumU;
    twoLo = 2 * lo;
    twoStep = 2 * step;
  }

  @Override
  public float score(int node) {
    long at = (long) node * stride;
    return score(word(at), at, word(at + words));
  }

  @Override
  public void score(int[] nodes, int count, float[] scores) {
    if (first.length < count) {
      first = new long[nodes.length];
      factors = new long[nodes.length];
    }
    for (int i = 0; i < count; i++) {
      long at = (long) nodes[i] * stride;
      first[i] = word(at);
      factors[i] = word(at + words);
    }
    for (int i = 0; i < count; i++) scores[i] = score(first[i], (long) nodes[i] * stride, factors[i]);
  }

  /** The score of the record at long {@code at}, whose first word and factors are already read. */
  private float score(long x0, long at, long factors) {
    int pc = Long.bitCount(x0);
    int weighted = weightedCount(x0, 0);
    for (int w = 1; w < words; w++) {
      long x = word(at + w);
      pc += Long.bitCount(x);
      weighted += weightedCount(x, w);
    }
    float qs = twoLo * pc + twoStep * weighted - sumQ;
    float scale = Float.intBitsToFloat((int) factors);
    float bias = Float.intBitsToFloat((int) (factors >>> 32));
    return weight * scale * qs + bias;
  }

  /** {@code Σ_b 2^b·pc(plane_b & x)} for word {@code w}. */
  private int weightedCount(long x, int w) {
    int p = 4 * w;
    return Long.bitCount(planes[p] & x) + 2 * Long.bitCount(planes[p + 1] & x)
        + 4 * Long.bitCount(planes[p + 2] & x) + 8 * Long.bitCount(planes[p + 3] & x);
  }

  private long word(long at) {
    return heap != null ? heap[(int) at] : segment.getAtIndex(LONG, at);
  }
}

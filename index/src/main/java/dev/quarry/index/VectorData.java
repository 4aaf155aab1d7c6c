package dev.quarry.index;

import dev.quarry.index.hnsw.NodeScorer;
import dev.quarry.index.hnsw.ScorerSource;
import dev.quarry.index.vectors.BinaryQuantizer;
import dev.quarry.index.vectors.Int8Quantizer;
import dev.quarry.index.vectors.RecordStore;
import dev.quarry.kernels.VectorDistances;
import java.lang.foreign.MemorySegment;

/**
 * The vectors of an index and how to score them: the exact floats (always kept, for rescoring)
 * and, for the quantized encodings, the codes the graph is searched with. The graph builder sees
 * only {@link #exactSource()}; searches get a scorer per query.
 */
final class VectorData {

  static final VectorDistances DISTANCES = VectorDistances.get();

  final int dim;
  final Similarity similarity;
  final VectorEncoding encoding;
  final RecordStore floats;
  final RecordStore codes;
  Int8Quantizer int8;
  BinaryQuantizer binary;

  VectorData(int dim, Similarity similarity, VectorEncoding encoding, RecordStore floats, RecordStore codes) {
    this.dim = dim;
    this.similarity = similarity;
    this.encoding = encoding;
    this.floats = floats;
    this.codes = codes;
  }

  static VectorData empty(VectorIndexConfig config) {
    int dim = config.dimension();
    RecordStore codes = switch (config.encoding()) {
      case FLOAT32 -> null;
      case INT8 -> new RecordStore(dim + 4);
      case BINARY -> new RecordStore(8 * ((dim + 63) / 64));
    };
    return new VectorData(dim, config.similarity(), config.encoding(), new RecordStore(4 * dim), codes);
  }

  /** Fits the quantizer to the first batch, if this encoding has one and it is not fitted yet. */
  void fitIfNeeded(float[][] batch, int count) {
    if (encoding == VectorEncoding.INT8 && int8 == null) int8 = Int8Quantizer.fit(batch, count);
    if (encoding == VectorEncoding.BINARY && binary == null) binary = BinaryQuantizer.fit(batch, count);
  }

  void reserve(int total) {
    floats.reserve(total);
    if (codes != null) codes.reserve(total);
  }

  /** Appends a checked (and for cosine normalised) vector; returns its ordinal. */
  int append(float[] v) {
    if (codes != null) {
      if (encoding == VectorEncoding.INT8) {
        byte[] code = new byte[dim];
        int correction = int8.quantize(v, code);
        codes.append(code, correction);
      } else {
        long[] bits = new long[binary.words()];
        binary.quantize(v, bits);
        codes.append(bits);
      }
    }
    return floats.append(v);
  }

  /** Exact score of a stored node against a prepared query. */
  NodeScorer exact(float[] query) {
    MemorySegment seg = floats.segment();
    long stride = floats.recordBytes();
    int n = dim;
    if (similarity == Similarity.EUCLIDEAN) return node -> -DISTANCES.squareDistance(query, seg, node * stride, n);
    return node -> DISTANCES.dot(query, seg, node * stride, n);
  }

  /** The scorer the graph is searched with: exact for float32, on the codes otherwise. */
  NodeScorer traversal(float[] query) {
    if (codes == null) return exact(query);
    MemorySegment seg = codes.segment();
    long stride = codes.recordBytes();
    int n = dim;
    if (encoding == VectorEncoding.BINARY) return binaryScorer(query, seg, stride);
    byte[] code = new byte[dim];
    int qSum = int8.quantize(query, code);
    if (similarity == Similarity.EUCLIDEAN) return node -> -DISTANCES.squareDistanceInt8(code, seg, node * stride, n);
    // x·y ≈ s²·(q_x·q_y) + c·s·(Σq_x + Σq_y) + const: rank by (q_x·q_y) + (c/s)·Σq_x.
    float ratio = int8.centre() / int8.step();
    return node -> {
      long at = node * stride;
      return DISTANCES.dotInt8(code, seg, at, n) + ratio * seg.get(INT, at + n);
    };
  }

  /**
   * Asymmetric binary scoring: the centred query is quantized to 4 bits and split into bit planes,
   * so {@code <q, sign(x)>} is estimated with popcounts only:
   * {@code <c, s> = lo·Σs + step·Σu·s}, {@code Σs = 2·pc(x) - n}, {@code Σu·s = 2·Σ_b 2^b·pc(plane_b & x) - Σu}.
   * Far better than Hamming between two sign vectors, at a few popcounts more.
   */
  private NodeScorer binaryScorer(float[] query, MemorySegment seg, long stride) {
    int words = binary.words();
    float[] c = new float[dim];
    float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < dim; i++) {
      c[i] = query[i] - binary.means()[i];
      lo = Math.min(lo, c[i]);
      hi = Math.max(hi, c[i]);
    }
    float step = hi > lo ? (hi - lo) / 15 : 1;
    long[] planes = new long[4 * words];
    for (int i = 0; i < dim; i++) {
      int u = Math.round((c[i] - lo) / step);
      for (int b = 0; b < 4; b++) if ((u & (1 << b)) != 0) planes[b * words + (i >>> 6)] |= 1L << (i & 63);
    }
    float loWeight = lo / step;
    return node -> {
      long at = node * stride;
      int pc = 0, u0 = 0, u1 = 0, u2 = 0, u3 = 0;
      for (int w = 0; w < words; w++) {
        long x = seg.get(LONG, at + 8L * w);
        pc += Long.bitCount(x);
        u0 += Long.bitCount(planes[w] & x);
        u1 += Long.bitCount(planes[words + w] & x);
        u2 += Long.bitCount(planes[2 * words + w] & x);
        u3 += Long.bitCount(planes[3 * words + w] & x);
      }
      return loWeight * pc + (u0 + 2 * u1 + 4 * u2 + 8 * u3);
    };
  }

  private static final java.lang.foreign.ValueLayout.OfLong LONG =
      java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

  private static final java.lang.foreign.ValueLayout.OfInt INT =
      java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

  /** The builder's view: exact floats, a stored node as the query. */
  ScorerSource exactSource() {
    return node -> {
      float[] v = new float[dim];
      floats.readFloats(node, v);
      return exact(v);
    };
  }
}

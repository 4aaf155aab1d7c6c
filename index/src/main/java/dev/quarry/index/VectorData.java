package dev.quarry.index;

import dev.quarry.index.hnsw.NodeScorer;
import dev.quarry.index.hnsw.ScoreEstimate;
import dev.quarry.index.hnsw.ScorerSource;
import dev.quarry.index.vectors.BinaryQuantizer;
import dev.quarry.index.vectors.BinaryScorer;
import dev.quarry.index.vectors.Int8Quantizer;
import dev.quarry.index.vectors.Int8Scorer;
import dev.quarry.index.vectors.RecordStore;
import dev.quarry.index.vectors.SignSketch;
import dev.quarry.kernels.VectorDistances;
import java.lang.foreign.MemorySegment;

/**
 * The vectors of an index and how to score them: the exact floats (always kept, for rescoring)
 * and, for the quantized encodings, the codes the graph is searched with. The graph builder sees
 * only exact floats ({@link #buildSource}); searches get a scorer per query.
 */
final class VectorData {

  static final VectorDistances DISTANCES = VectorDistances.get();

  final int dim;
  final Similarity similarity;
  final VectorEncoding encoding;
  final RecordStore floats;
  final RecordStore codes;
  /** Sign bits and norms of the floats, for a float32 graph to skip what cannot compete; else null (see {@link SignSketch#MIN_DIMENSION}). */
  final SignSketch sketch;
  Int8Quantizer int8;
  BinaryQuantizer binary;

  /** With {@code sketched}, a float32 index sketches the vectors already in {@code floats} (one pass over them). */
  VectorData(int dim, Similarity similarity, VectorEncoding encoding, RecordStore floats, RecordStore codes,
      boolean sketched) {
    this.dim = dim;
    this.similarity = similarity;
    this.encoding = encoding;
    this.floats = floats;
    this.codes = codes;
    this.sketch = sketched && encoding == VectorEncoding.FLOAT32 && dim >= SignSketch.MIN_DIMENSION ? new SignSketch(dim) : null;
    if (sketch != null) sketch.appendAll(floats.segment(), floats.size());
  }

  /** An empty store for a graph index (float32 gets a {@link SignSketch}). */
  static VectorData empty(VectorIndexConfig config) {
    return empty(config, true);
  }

  /** An empty store; {@code sketched}: whether a float32 index keeps a {@link SignSketch} (a flat one has no use for it). */
  static VectorData empty(VectorIndexConfig config, boolean sketched) {
    int dim = config.dimension();
    RecordStore codes = switch (config.encoding()) {
      case FLOAT32 -> null;
      case INT8 -> new RecordStore(dim + 4, RecordStore.Heap.BYTES);
      case BINARY -> new RecordStore(binaryRecordBytes(dim), RecordStore.Heap.LONGS);
    };
    return new VectorData(dim, config.similarity(), config.encoding(), new RecordStore(4 * dim, RecordStore.Heap.FLOATS), codes,
        sketched);
  }

  /** Bytes of one binary code: the sign-bit words, then float32 scale and float32 bias. */
  static int binaryRecordBytes(int dim) {
    return 8 * ((dim + 63) / 64) + 8;
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
        float[] factors = new float[3];
        binary.quantize(v, bits, factors);
        // The per-vector terms of the score estimate (see BinaryScorer): -‖o‖² for Euclidean, <mean, o> otherwise.
        codes.append(bits, factors[0], similarity == Similarity.EUCLIDEAN ? -factors[1] : factors[2]);
      }
    }
    // Sketch first: a search takes its limit from the floats, and the sketch then covers it.
    if (sketch != null) sketch.append(v);
    return floats.append(v);
  }

  /** Exact score of a stored node against a prepared query. */
  NodeScorer exact(float[] query) {
    float[] all = floats.heapFloats();
    if (all != null) return arrayScorer(query, all);
    MemorySegment seg = floats.segment();
    long stride = floats.recordBytes();
    int n = dim;
    if (similarity == Similarity.EUCLIDEAN) {
      return new NodeScorer() {
        @Override
        public float score(int node) {
          return -DISTANCES.squareDistance(query, seg, node * stride, n);
        }

        @Override
        public void score(int[] nodes, int count, float[] scores) {
          DISTANCES.squareDistance(query, seg, stride, nodes, count, n, scores);
          for (int i = 0; i < count; i++) scores[i] = -scores[i];
        }
      };
    }
    return new NodeScorer() {
      @Override
      public float score(int node) {
        return DISTANCES.dot(query, seg, node * stride, n);
      }

      @Override
      public void score(int[] nodes, int count, float[] scores) {
        DISTANCES.dot(query, seg, stride, nodes, count, n, scores);
      }
    };
  }

  /** The scorer the graph is searched with: exact for float32 (with the sketch's estimates, where kept), on the codes otherwise. */
  NodeScorer traversal(float[] query) {
    if (sketch != null) return estimated(exact(query), sketch.forQuery(query, similarity == Similarity.EUCLIDEAN));
    if (codes == null) return exact(query);
    // The per-vector bias of binary codes is <mean, o> for dot product and cosine, -‖o‖² for Euclidean (see append).
    if (encoding == VectorEncoding.BINARY) return new BinaryScorer(binary, query, similarity == Similarity.EUCLIDEAN ? 2 : 1, codes);
    return new Int8Scorer(int8, query, similarity == Similarity.EUCLIDEAN, codes);
  }

  private static NodeScorer estimated(NodeScorer exact, ScoreEstimate estimate) {
    return new NodeScorer() {
      @Override
      public float score(int node) {
        return exact.score(node);
      }

      @Override
      public void score(int[] nodes, int count, float[] scores) {
        exact.score(nodes, count, scores);
      }

      @Override
      public ScoreEstimate estimate() {
        return estimate;
      }
    };
  }

  private static final java.lang.foreign.ValueLayout.OfFloat FLOAT =
      java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

  /**
   * The builder's view for inserting nodes {@code [start, end)}: exact floats, a stored node as the
   * query, scored from a heap array (see {@link RecordStore}). Where the floats are not on the heap
   * (a mapped index), a bulk build (the batch at least as large as what is already indexed) first
   * copies them to one, costing their size in heap for the build's duration; small additions to a
   * large index score from the store, as copying would cost more than it saves. Scores are bit for
   * bit those of the stored form (see {@link VectorDistances#dot(float[], float[], int, int)}), so
   * the graph is the same either way.
   */
  ScorerSource buildSource(int start, int end) {
    float[] all = floats.heapFloats();
    if (all == null) {
      if (end - start < start || (long) end * dim > Integer.MAX_VALUE - 16) return exactSource();
      // Float records are packed back to back (4·dim bytes each): one bulk copy.
      all = new float[end * dim];
      MemorySegment.copy(floats.segment(), FLOAT, 0, all, 0, end * dim);
    }
    float[] vectors = all;
    return node -> arrayScorer(java.util.Arrays.copyOfRange(vectors, node * dim, node * dim + dim), vectors);
  }

  /** Scores against vectors packed back to back in an array. */
  private NodeScorer arrayScorer(float[] query, float[] all) {
    int n = dim;
    if (similarity == Similarity.EUCLIDEAN) {
      return new NodeScorer() {
        @Override
        public float score(int node) {
          return -DISTANCES.squareDistance(query, all, node * n, n);
        }

        @Override
        public void score(int[] nodes, int count, float[] scores) {
          DISTANCES.squareDistance(query, all, n, nodes, count, n, scores);
          for (int i = 0; i < count; i++) scores[i] = -scores[i];
        }
      };
    }
    return new NodeScorer() {
      @Override
      public float score(int node) {
        return DISTANCES.dot(query, all, node * n, n);
      }

      @Override
      public void score(int[] nodes, int count, float[] scores) {
        DISTANCES.dot(query, all, n, nodes, count, n, scores);
      }
    };
  }

  /** Exact floats from the store, a stored node as the query. */
  private ScorerSource exactSource() {
    return node -> {
      float[] v = new float[dim];
      floats.readFloats(node, v);
      return exact(v);
    };
  }
}

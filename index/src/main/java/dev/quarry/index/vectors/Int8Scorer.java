package dev.quarry.index.vectors;

import dev.quarry.index.hnsw.NodeScorer;
import dev.quarry.kernels.VectorDistances;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Scores one query against int8 codes ({@link Int8Quantizer}): records are the code's bytes, then
 * its correction {@code Σq} as a little-endian int, read from a heap {@code byte[]} where the store
 * keeps one, else from its segment. For dot product and cosine,
 * {@code x·y ≈ s²·(q_x·q_y) + c·s·(Σq_x + Σq_y) + const}, so nodes rank by
 * {@code q_x·q_y + (c/s)·Σq_y}; for Euclidean by the negated squared distance of the codes.
 *
 * <p>Batch scoring first reads every cache line of every record in the batch, then scores: the
 * kernels interleave four records, and reading ahead over the whole batch (a dozen or more on a
 * level-0 expansion) lets all of its cache misses overlap (docs/PERFORMANCE.md has the figures).
 */
public final class Int8Scorer implements NodeScorer {

  private static final VectorDistances DISTANCES = VectorDistances.get();
  private static final ValueLayout.OfInt INT = RecordStore.INT;
  private static final int LINE = 64;

  private final byte[] code;
  private final float ratio;
  private final boolean euclidean;
  private final byte[] heap;
  private final MemorySegment segment;
  private final int stride;
  private final int dim;
  private int[] sums = new int[0];
  /** What the read-ahead loads, kept so that the compiler cannot drop the loads. */
  private int touched;

  public Int8Scorer(Int8Quantizer quantizer, float[] query, boolean euclidean, RecordStore codes) {
    this.dim = query.length;
    this.code = new byte[dim];
    quantizer.quantize(query, code);
    this.ratio = quantizer.centre() / quantizer.step();
    this.euclidean = euclidean;
    this.heap = codes.heapBytes();
    this.segment = codes.segment();
    this.stride = codes.recordBytes();
  }

  @Override
  public float score(int node) {
    long at = (long) node * stride;
    if (euclidean) {
      return -(heap != null ? DISTANCES.squareDistanceInt8(code, heap, (int) at, dim) : DISTANCES.squareDistanceInt8(code, segment, at, dim));
    }
    int dot = heap != null ? DISTANCES.dotInt8(code, heap, (int) at, dim) : DISTANCES.dotInt8(code, segment, at, dim);
    return dot + ratio * segment.get(INT, at + dim);
  }

  @Override
  public void score(int[] nodes, int count, float[] scores) {
    if (sums.length < count) sums = new int[nodes.length];
    readAhead(nodes, count);
    if (euclidean) {
      if (heap != null) DISTANCES.squareDistanceInt8(code, heap, stride, nodes, count, dim, sums);
      else DISTANCES.squareDistanceInt8(code, segment, stride, nodes, count, dim, sums);
      for (int i = 0; i < count; i++) scores[i] = -sums[i];
    } else {
      if (heap != null) DISTANCES.dotInt8(code, heap, stride, nodes, count, dim, sums);
      else DISTANCES.dotInt8(code, segment, stride, nodes, count, dim, sums);
      for (int i = 0; i < count; i++) scores[i] = sums[i] + ratio * segment.get(INT, (long) nodes[i] * stride + dim);
    }
  }

  /** Loads one byte of every cache line of the batch's records, the correction's line included. */
  private void readAhead(int[] nodes, int count) {
    int sum = 0;
    for (int i = 0; i < count; i++) {
      long at = (long) nodes[i] * stride;
      for (int j = 0; j < stride; j += LINE) sum += byteAt(at + j);
      sum += byteAt(at + stride - 1);
    }
    touched = sum;
  }

  private byte byteAt(long at) {
    return heap != null ? heap[(int) at] : segment.get(ValueLayout.JAVA_BYTE, at);
  }
}

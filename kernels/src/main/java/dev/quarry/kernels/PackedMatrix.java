package dev.quarry.kernels;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix {@code b[k × n]} with its bias, laid out once, at load time, the way one backend's
 * GEMM reads it fastest; made by {@link TensorSupport#pack} and only readable by the backend that
 * made it.
 *
 * <p>The Panama backend copies {@code b} into column panels of {@link #columnBlock()} columns
 * (row {@code p} of a panel is {@code columnBlock} contiguous floats, the last panel padded with
 * zeros), so that the GEMM's inner loop reads one contiguous stream instead of a strided segment.
 * Packed from an {@link Int8Matrix}, the panels hold the codes instead (a quarter of the bytes),
 * with each panel column's zero point and scale, and the GEMM widens one slice of a panel at a
 * time. The scalar backend keeps the segment as it is (an int8 matrix widened to floats).
 */
public final class PackedMatrix {

  private final int rows;
  private final int columns;
  private final int columnBlock;
  final MemorySegment source;
  final MemorySegment bias;
  /** Column panels, {@code ceil(n / columnBlock) × k × columnBlock} floats; null if unpacked. */
  final float[] panels;
  /** The bias as floats, zeros where there is none. */
  final float[] biasValues;
  /** Packed from int8: the codes in the layout of {@link #panels} (which is null), else null. */
  final Codes codes;

  /**
   * Signed codes in panels ({@link Int8Matrix#signedCode}), and per panel column (padding
   * included, where both are 0) the zero point as a float and the scale.
   */
  record Codes(byte[] panels, float[] zeros, float[] scales) {}

  PackedMatrix(int rows, int columns, int columnBlock, MemorySegment source, MemorySegment bias,
      float[] panels, float[] biasValues) {
    this(rows, columns, columnBlock, source, bias, panels, biasValues, null);
  }

  PackedMatrix(int rows, int columns, int columnBlock, float[] biasValues, Codes codes) {
    this(rows, columns, columnBlock, null, null, null, biasValues, codes);
  }

  private PackedMatrix(int rows, int columns, int columnBlock, MemorySegment source,
      MemorySegment bias, float[] panels, float[] biasValues, Codes codes) {
    this.rows = rows;
    this.columns = columns;
    this.columnBlock = columnBlock;
    this.source = source;
    this.bias = bias;
    this.panels = panels;
    this.biasValues = biasValues;
    this.codes = codes;
  }

  /** {@code k}: the inner dimension, rows of {@code b}. */
  public int rows() {
    return rows;
  }

  /** {@code n}: the output columns. */
  public int columns() {
    return columns;
  }

  /**
   * The granularity of column ranges that {@link TensorSupport#matmul(float[], int, int,
   * PackedMatrix, Activation, float[], int, int, int)} accepts: a range must start at a multiple
   * of it (and end at one, or at {@link #columns()}).
   */
  public int columnBlock() {
    return columnBlock;
  }

  /** Bytes held besides the source segment (the packed copy): for memory accounting. */
  public long packedBytes() {
    if (codes != null) {
      return codes.panels.length + (long) (codes.zeros.length + codes.scales.length) * Float.BYTES;
    }
    return panels == null ? 0 : (long) panels.length * Float.BYTES;
  }

  /** What is applied to each output element after the bias. */
  public enum Activation {
    /** Nothing: {@code c = a·b + bias}. */
    IDENTITY,
    /** The exact GELU, as {@link TensorSupport#gelu} computes it. */
    GELU
  }
}

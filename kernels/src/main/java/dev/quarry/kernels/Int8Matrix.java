package dev.quarry.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A {@code rows × columns} matrix of 8-bit codes, row-major, with a scale and a zero point per
 * column, as int8 model exports store their weights: {@code value[p][j] = (code[p][j] − zero[j]) ·
 * scale[j]}, the difference taken in integers, then converted to float and multiplied once. Every
 * consumer (the packed GEMM's dequantization, {@link #dequantize}, {@link #row}) computes exactly
 * that, so a model gives the same bits whether its weights are kept as codes or widened at load.
 *
 * <p>Codes are read as unsigned (uint8) or signed (int8) bytes, as the file says; the segment may
 * be a slice of a memory-mapped file.
 */
public final class Int8Matrix {

  private static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final MemorySegment codes;
  private final boolean unsigned;
  private final float[] scales;
  private final int[] zeros;
  private final int rows;
  private final int columns;

  /**
   * @param codes    {@code rows × columns} bytes, row-major
   * @param unsigned whether a code byte is read as 0..255 (uint8) rather than −128..127
   * @param scales   one per column
   * @param zeros    one per column, in the codes' own range
   */
  public Int8Matrix(MemorySegment codes, boolean unsigned, float[] scales, int[] zeros, int rows,
      int columns) {
    Bounds.dimension("rows", rows);
    Bounds.dimension("columns", columns);
    if (codes.byteSize() != (long) rows * columns) {
      throw new IllegalArgumentException("codes: " + codes.byteSize() + " bytes for a " + rows
          + " × " + columns + " matrix (expected " + (long) rows * columns + ")");
    }
    if (scales.length != columns || zeros.length != columns) {
      throw new IllegalArgumentException(scales.length + " scales and " + zeros.length
          + " zero points for " + columns + " columns (expected one of each per column)");
    }
    for (int j = 0; j < columns; j++) {
      if (!Float.isFinite(scales[j])) {
        throw new IllegalArgumentException("column " + j + " has scale " + scales[j]
            + "; scales must be finite");
      }
      if (zeros[j] < (unsigned ? 0 : -128) || zeros[j] > (unsigned ? 255 : 127)) {
        throw new IllegalArgumentException("column " + j + " has zero point " + zeros[j]
            + ", outside the range of " + (unsigned ? "uint8" : "int8") + " codes");
      }
    }
    this.codes = codes;
    this.unsigned = unsigned;
    this.scales = scales.clone();
    this.zeros = zeros.clone();
    this.rows = rows;
    this.columns = columns;
  }

  public int rows() {
    return rows;
  }

  public int columns() {
    return columns;
  }

  /** The codes, row-major; a slice of the model file when it was mapped. */
  public MemorySegment codes() {
    return codes;
  }

  /** The code at {@code [p][j]} as an int, unsigned or signed as stored. */
  public int code(long p, int j) {
    byte b = codes.get(ValueLayout.JAVA_BYTE, p * columns + j);
    return unsigned ? b & 0xff : b;
  }

  /**
   * The code minus 128 for unsigned codes, the code itself for signed ones: always a signed byte,
   * so that kernels widen every code the same way; {@link #signedZero} shifts the zero point alike.
   */
  byte signedCode(long p, int j) {
    byte b = codes.get(ValueLayout.JAVA_BYTE, p * columns + j);
    return unsigned ? (byte) (b ^ 0x80) : b;
  }

  /** The zero point of column {@code j} in the range of {@link #signedCode}. */
  int signedZero(int j) {
    return unsigned ? zeros[j] - 128 : zeros[j];
  }

  float scale(int j) {
    return scales[j];
  }

  /** {@code (code − zero) · scale} at {@code [p][j]}. */
  public float value(long p, int j) {
    return (code(p, j) - zeros[j]) * scales[j];
  }

  /** Row {@code p} as floats into {@code dst[offset, offset + columns)}. */
  public void row(int p, float[] dst, int offset) {
    if (p < 0 || p >= rows) {
      throw new IndexOutOfBoundsException("row " + p + " of a matrix of " + rows + " rows");
    }
    for (int j = 0; j < columns; j++) dst[offset + j] = value(p, j);
  }

  /** The whole matrix as little-endian floats, allocated in {@code arena}. */
  public MemorySegment dequantize(Arena arena) {
    MemorySegment out = arena.allocate((long) rows * columns * Float.BYTES, 64);
    for (long p = 0, i = 0; p < rows; p++) {
      for (int j = 0; j < columns; j++, i++) out.setAtIndex(FLOAT_LE, i, value(p, j));
    }
    return out;
  }

  /**
   * The matrices' columns side by side (say Q, K and V, for one fused projection), their codes
   * copied into {@code arena}.
   */
  public static Int8Matrix sideBySide(Arena arena, Int8Matrix... parts) {
    int rows = parts[0].rows;
    boolean unsigned = parts[0].unsigned;
    int columns = 0;
    for (Int8Matrix part : parts) {
      if (part.rows != rows || part.unsigned != unsigned) {
        throw new IllegalArgumentException("cannot put a " + part.rows + "-row "
            + (part.unsigned ? "uint8" : "int8") + " matrix beside a " + rows + "-row "
            + (unsigned ? "uint8" : "int8") + " one");
      }
      columns += part.columns;
    }
    MemorySegment codes = arena.allocate((long) rows * columns);
    float[] scales = new float[columns];
    int[] zeros = new int[columns];
    int at = 0;
    for (Int8Matrix part : parts) {
      for (long p = 0; p < rows; p++) {
        MemorySegment.copy(part.codes, p * part.columns, codes, p * columns + at, part.columns);
      }
      System.arraycopy(part.scales, 0, scales, at, part.columns);
      System.arraycopy(part.zeros, 0, zeros, at, part.columns);
      at += part.columns;
    }
    return new Int8Matrix(codes, unsigned, scales, zeros, rows, columns);
  }
}

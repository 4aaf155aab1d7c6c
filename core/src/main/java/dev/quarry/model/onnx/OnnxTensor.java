package dev.quarry.model.onnx;

import java.lang.foreign.MemorySegment;

/**
 * One initializer of an ONNX graph: its element type, shape and the bytes that hold its values.
 *
 * @param data the little-endian values: a slice of the mapped file when stored as raw data, else a
 *             copy decoded from the typed repeated fields
 */
public record OnnxTensor(String name, int dataType, long[] dims, MemorySegment data) {

  public static final int FLOAT = 1;
  public static final int UINT8 = 2;
  public static final int INT8 = 3;
  public static final int INT32 = 6;
  public static final int INT64 = 7;

  /** The number of elements (1 for a scalar). */
  public long elementCount() {
    long count = 1;
    for (long d : dims) count *= d;
    return count;
  }

  /** Bytes per element of the types Quarry reads. */
  static int elementSize(int dataType) {
    return switch (dataType) {
      case FLOAT, INT32 -> 4;
      case UINT8, INT8 -> 1;
      case INT64 -> 8;
      default -> 0;
    };
  }

  public String shape() {
    return java.util.Arrays.toString(dims);
  }
}

package dev.quarry.model.onnx;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A forward-only reader of the protobuf wire format over a memory segment.
 *
 * <p>ONNX files are protobuf messages whose weight blobs can be hundreds of megabytes; reading the
 * wire format directly lets us record where each blob lies in the mapped file instead of copying
 * it, and spares us a protobuf dependency.
 */
final class ProtoReader {

  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;

  private final MemorySegment data;
  private final String source;
  private long position;
  private final long limit;

  ProtoReader(MemorySegment data, long start, long limit, String source) {
    this.data = data;
    this.position = start;
    this.limit = limit;
    this.source = source;
  }

  /** A reader over the delimited bytes {@code [start, end)} of the same data. */
  ProtoReader child(long start, long end) {
    return new ProtoReader(data, start, end, source);
  }

  boolean hasMore() {
    return position < limit;
  }

  long position() {
    return position;
  }

  /** Reads a field tag; the field number is {@code tag >>> 3}, the wire type {@code tag & 7}. */
  int readTag() {
    long tag = readVarint();
    if (tag <= 0 || tag > Integer.MAX_VALUE) throw corrupt("invalid field tag " + tag);
    return (int) tag;
  }

  long readVarint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (position >= limit) throw corrupt("truncated varint");
      byte b = data.get(ValueLayout.JAVA_BYTE, position++);
      result |= (long) (b & 0x7f) << shift;
      if (b >= 0) return result;
    }
    throw corrupt("varint longer than 10 bytes");
  }

  int readFixed32() {
    require(4);
    int value = data.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), position);
    position += 4;
    return value;
  }

  /** Reads a length prefix and returns the end offset of the delimited bytes, leaving the position at their start. */
  long readLengthDelimitedEnd() {
    long length = readVarint();
    if (length < 0 || length > limit - position) {
      throw corrupt("field of " + length + " bytes runs past its enclosing message");
    }
    return position + length;
  }

  String readString() {
    long end = readLengthDelimitedEnd();
    byte[] bytes = data.asSlice(position, end - position).toArray(ValueLayout.JAVA_BYTE);
    position = end;
    return new String(bytes, StandardCharsets.UTF_8);
  }

  void seek(long newPosition) {
    position = newPosition;
  }

  void skip(int wireType) {
    switch (wireType) {
      case VARINT -> readVarint();
      case FIXED64 -> { require(8); position += 8; }
      case LENGTH_DELIMITED -> position = readLengthDelimitedEnd();
      case FIXED32 -> { require(4); position += 4; }
      default -> throw corrupt("unsupported wire type " + wireType);
    }
  }

  private void require(int bytes) {
    if (limit - position < bytes) throw corrupt("truncated fixed-width field");
  }

  IllegalStateException corrupt(String what) {
    return new IllegalStateException(source + ": not a valid ONNX file (" + what + " at byte "
        + position + "); the file may be truncated or corrupt: download it again");
  }
}

package dev.quarry.index.vectors;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Fixed-size records (one vector or code each) in one {@link MemorySegment}: off-heap memory that
 * grows by copying, or a read-only memory-mapped file region that is copied on the first append.
 *
 * <p>One thread appends; any number read. A reader takes {@link #size()} first and then
 * {@link #segment()}: the segment is then at least as new as the size, so every record below it is
 * there. Old segments stay valid for readers that still hold them (they are freed by the GC).
 */
public final class RecordStore {

  static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final int recordBytes;
  private volatile MemorySegment segment;
  private volatile int size;
  private long capacity;

  /** An empty store of records of {@code recordBytes} bytes. */
  public RecordStore(int recordBytes) {
    this.recordBytes = recordBytes;
    this.segment = MemorySegment.NULL;
  }

  /** A store over {@code count} records already in {@code mapped} (read-only until the first append copies it). */
  public RecordStore(int recordBytes, MemorySegment mapped, int count) {
    this.recordBytes = recordBytes;
    if (mapped.byteSize() < (long) count * recordBytes) {
      throw new IllegalArgumentException("segment of " + mapped.byteSize() + " bytes cannot hold " + count + " records of " + recordBytes);
    }
    this.segment = mapped;
    this.size = count;
    this.capacity = count;
  }

  public int recordBytes() {
    return recordBytes;
  }

  public int size() {
    return size;
  }

  public MemorySegment segment() {
    return segment;
  }

  /** Makes room for {@code total} records without further copying. */
  public void reserve(int total) {
    if (total <= capacity) return;
    MemorySegment grown = Arena.ofAuto().allocate((long) total * recordBytes, 64);
    MemorySegment.copy(segment, 0, grown, 0, (long) size * recordBytes);
    segment = grown;
    capacity = total;
  }

  private long slot() {
    if (size == capacity) reserve((int) Math.min(Integer.MAX_VALUE - 8, Math.max(1024, capacity + (capacity >> 1))));
    return (long) size * recordBytes;
  }

  /** Appends floats, returning the new record's ordinal. */
  public int append(float[] values) {
    long at = slot();
    MemorySegment.copy(values, 0, segment, FLOAT, at, values.length);
    return size++;
  }

  /** Appends bytes and then an int (a code and its correction term). */
  public int append(byte[] values, int trailer) {
    long at = slot();
    MemorySegment.copy(values, 0, segment, ValueLayout.JAVA_BYTE, at, values.length);
    segment.set(INT, at + values.length, trailer);
    return size++;
  }

  /** Appends longs (packed bits) and then two floats (the factors that scale their popcounts). */
  public int append(long[] values, float first, float second) {
    long at = slot();
    MemorySegment.copy(values, 0, segment, LONG, at, values.length);
    long after = at + 8L * values.length;
    segment.set(FLOAT, after, first);
    segment.set(FLOAT, after + 4, second);
    return size++;
  }

  /** Copies record {@code ord} as floats into {@code out}. */
  public void readFloats(int ord, float[] out) {
    MemorySegment.copy(segment, FLOAT, (long) ord * recordBytes, out, 0, out.length);
  }

  /** The int stored at byte {@code within} of record {@code ord}. */
  public int readInt(int ord, int within) {
    return segment.get(INT, (long) ord * recordBytes + within);
  }
}

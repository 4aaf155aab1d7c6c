package dev.quarry.index.vectors;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Fixed-size records (one vector or code each) in one {@link MemorySegment}: memory that grows by
 * copying, or a read-only memory-mapped file region that is copied on the first append.
 *
 * <p>A store may live on the heap, as a {@code float[]} (float records), a {@code byte[]} (int8
 * codes) or a {@code long[]} (binary codes) with the segment a view of it, so that scoring can use the array kernels, which C2
 * compiles to faster code than memory-segment loads (bounds and liveness checks per load; 1.3× the
 * search rate here). It stays there while it fits one array (2^31 elements) and moves off-heap
 * beyond that.
 *
 * <p>One thread appends; any number read. A reader takes {@link #size()} first and then
 * {@link #segment()} or a heap array: these are then at least as new as the size, so every
 * record below it is there. Old segments and arrays stay valid for readers that still hold them
 * (they are freed by the GC).
 */
public final class RecordStore {

  static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  /** Which array, if any, holds the records on the heap. */
  public enum Heap {
    /** Off-heap memory (or the mapped file). */
    NONE,
    /** A {@code float[]}: records of little-endian floats (on a little-endian platform; off-heap elsewhere). */
    FLOATS,
    /** A {@code byte[]}. */
    BYTES,
    /** A {@code long[]}: records of whole little-endian longs (on a little-endian platform; off-heap elsewhere). */
    LONGS;

    private int elementBytes() {
      return switch (this) {
        case NONE, BYTES -> 1;
        case FLOATS -> Float.BYTES;
        case LONGS -> Long.BYTES;
      };
    }
  }

  private final int recordBytes;
  private volatile MemorySegment segment;
  /** The heap array behind {@link #segment}, or null. */
  private volatile Object array;
  private volatile int size;
  private long capacity;
  /** Where growth goes while it fits one array. */
  private Heap heap;

  /** An empty store of records of {@code recordBytes} bytes, kept as {@code heap} says. */
  public RecordStore(int recordBytes, Heap heap) {
    this.recordBytes = recordBytes;
    this.segment = MemorySegment.NULL;
    this.heap = usable(heap, recordBytes);
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
    this.heap = Heap.NONE;
  }

  /** Float and long arrays are in native order, and the records little-endian. */
  private static Heap usable(Heap heap, int recordBytes) {
    boolean whole = recordBytes % heap.elementBytes() == 0 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    return heap.elementBytes() > 1 && !whole ? Heap.NONE : heap;
  }

  /**
   * Copies the records to a heap array and keeps them there (see the class comment); a no-op
   * where they do not fit one array. Call before sharing the store with readers.
   */
  public void moveToHeap(Heap kind) {
    Heap usable = usable(kind, recordBytes);
    if (usable == Heap.NONE || array != null || elements(usable, size) > MAX_ARRAY) return;
    heap = usable;
    grow(size);
  }

  private long elements(Heap kind, int records) {
    return (long) records * recordBytes / kind.elementBytes();
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

  /** The records as floats in an array, record {@code i} from float {@code i · recordBytes / 4}; null when not so kept. */
  public float[] heapFloats() {
    return array instanceof float[] floats ? floats : null;
  }

  /** The records' bytes in an array, record {@code i} from byte {@code i · recordBytes}; null when not so kept. */
  public byte[] heapBytes() {
    return array instanceof byte[] bytes ? bytes : null;
  }

  /** The records as longs in an array, record {@code i} from long {@code i · recordBytes / 8}; null when not so kept. */
  public long[] heapLongs() {
    return array instanceof long[] longs ? longs : null;
  }

  /** Makes room for {@code total} records without further copying. */
  public void reserve(int total) {
    if (total > capacity) grow(total);
  }

  private void grow(int total) {
    long used = (long) size * recordBytes;
    long elements = elements(heap, total);
    if (heap != Heap.NONE && elements <= MAX_ARRAY) {
      int length = (int) elements;
      Object grown = switch (heap) {
        case FLOATS -> new float[length];
        case LONGS -> new long[length];
        default -> new byte[length];
      };
      MemorySegment view = switch (grown) {
        case float[] floats -> MemorySegment.ofArray(floats);
        case long[] longs -> MemorySegment.ofArray(longs);
        default -> MemorySegment.ofArray((byte[]) grown);
      };
      MemorySegment.copy(segment, 0, view, 0, used);
      array = grown;
      segment = view;
    } else {
      MemorySegment grown = Arena.ofAuto().allocate((long) total * recordBytes, 64);
      MemorySegment.copy(segment, 0, grown, 0, used);
      segment = grown;
      array = null;
    }
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

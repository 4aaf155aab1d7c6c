package dev.quarry.index.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RecordStoreTest {

  private static float[] record(int i) {
    return new float[] {i, -i, i * 0.5f};
  }

  @Test
  void heapStoreGrowsAndItsArrayAndSegmentAgree() {
    RecordStore store = new RecordStore(12, RecordStore.Heap.FLOATS);
    for (int i = 0; i < 3000; i++) assertEquals(i, store.append(record(i)));
    float[] heap = store.heapFloats();
    assertNotNull(heap);
    float[] out = new float[3];
    for (int i = 0; i < 3000; i++) {
      store.readFloats(i, out);
      assertArrayEquals(record(i), out);
      assertArrayEquals(record(i), Arrays.copyOfRange(heap, 3 * i, 3 * i + 3));
    }
  }

  @Test
  void mappedRecordsMoveToTheHeapAndStillTakeAppends() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment file = arena.allocate(12 * 10);
      for (int i = 0; i < 10; i++) MemorySegment.copy(record(i), 0, file, RecordStore.FLOAT, 12L * i, 3);
      RecordStore store = new RecordStore(12, file, 10);
      assertNull(store.heapFloats());
      store.moveToHeap(RecordStore.Heap.FLOATS);
      assertNotNull(store.heapFloats());
      assertEquals(10, store.append(record(10)));
      float[] heap = store.heapFloats();
      for (int i = 0; i <= 10; i++) assertArrayEquals(record(i), Arrays.copyOfRange(heap, 3 * i, 3 * i + 3));
    }
  }

  @Test
  void codeRecordsLiveInAByteArray() {
    RecordStore store = new RecordStore(7, RecordStore.Heap.BYTES);
    for (int i = 0; i < 2000; i++) store.append(new byte[] {(byte) i, 2, 3}, i);
    assertNull(store.heapFloats());
    byte[] heap = store.heapBytes();
    for (int i = 0; i < 2000; i++) {
      assertEquals((byte) i, heap[7 * i]);
      assertEquals(i, store.readInt(i, 3));
    }
  }

  @Test
  void floatHeapIsRefusedForRecordsThatAreNotFloats() {
    RecordStore store = new RecordStore(7, RecordStore.Heap.FLOATS);
    store.append(new byte[] {1, 2, 3}, 42);
    assertNull(store.heapFloats());
    assertNull(store.heapBytes());
    assertEquals(42, store.readInt(0, 3));
  }

  @Test
  void binaryCodesLiveInALongArrayWithTheirFactors() {
    RecordStore store = new RecordStore(24, RecordStore.Heap.LONGS);
    for (int i = 0; i < 2000; i++) store.append(new long[] {i, -i}, i * 0.5f, -i);
    long[] heap = store.heapLongs();
    assertNotNull(heap);
    assertNull(store.heapBytes());
    for (int i = 0; i < 2000; i++) {
      assertEquals(-i, heap[3 * i + 1]);
      // Two little-endian floats in one long: the first in the low half.
      assertEquals(i * 0.5f, Float.intBitsToFloat((int) heap[3 * i + 2]));
      assertEquals((float) -i, Float.intBitsToFloat((int) (heap[3 * i + 2] >>> 32)));
    }
  }

  @Test
  void longHeapIsRefusedForRecordsThatAreNotWholeLongs() {
    RecordStore store = new RecordStore(12, RecordStore.Heap.LONGS);
    store.append(record(1));
    assertNull(store.heapLongs());
    float[] out = new float[3];
    store.readFloats(0, out);
    assertArrayEquals(record(1), out);
  }
}

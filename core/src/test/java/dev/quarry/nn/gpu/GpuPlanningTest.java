package dev.quarry.nn.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quarry.model.BertConfig;
import dev.quarry.nn.TokenBatch;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Host-side logic of the GPU encoder: bucketing, packing of unpadded batches, memory planning, QKV packing. */
class GpuPlanningTest {

  private static final BertConfig MINILM = new BertConfig(30522, 384, 6, 12, 1536, 512, 2, 1e-12f);

  @Test
  void bucketsRoundUpAndNeverShrink() {
    assertEquals(new ShapeBucket(16, 1, 64), ShapeBucket.of(5, 1, 5));
    assertEquals(new ShapeBucket(128, 4, 64), ShapeBucket.of(97, 3, 40));
    assertEquals(new ShapeBucket(4096, 32, 128), ShapeBucket.of(4096, 32, 128));
    assertEquals(new ShapeBucket(6144, 64, 192), ShapeBucket.of(4097, 33, 129));
    for (int t = 1; t < 20000; t += 37) {
      ShapeBucket b = ShapeBucket.of(t, 1, 1);
      assertTrue(b.tokens() >= t && b.tokens() < 2 * t + 16, "tokens " + t + " -> " + b);
    }
    assertThrows(IllegalArgumentException.class, () -> ShapeBucket.of(3, 4, 1));
    assertTrue(ShapeBucket.of(100, 3, 50).fitsIn(ShapeBucket.of(200, 4, 10)));
  }

  @Test
  void packsUnpaddedBatchWithPaddingRowsAndEmptySlots() {
    TokenBatch batch = TokenBatch.of(new int[][] {{101, 7, 102}, {101, 102}, {101, 9, 9, 9, 102}},
        new int[][] {{0, 0, 0}, {0, 1}, {0, 0, 0, 0, 0}});
    ShapeBucket bucket = ShapeBucket.of(batch.tokenCount(), batch.sequenceCount(), 5);
    ShapeBucket capacity = new ShapeBucket(32, 8, 64);
    ByteBuffer buf = ByteBuffer.allocate((int) PackedBatch.bytes(capacity)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < buf.capacity() / 4; i++) buf.putInt(4 * i, -7); // poison: every read slot must be written
    PackedBatch.write(batch, bucket, capacity, buf);
    int[] ids = ints(buf, PackedBatch.idsOffset(capacity), bucket.tokens());
    int[] types = ints(buf, PackedBatch.typesOffset(capacity), bucket.tokens());
    int[] positions = ints(buf, PackedBatch.positionsOffset(capacity), bucket.tokens());
    int[] starts = ints(buf, PackedBatch.startsOffset(capacity), bucket.sequences() + 1);
    assertArrayEquals(new int[] {101, 7, 102, 101, 102, 101, 9, 9, 9, 102, 0, 0, 0, 0, 0, 0}, ids);
    assertArrayEquals(new int[] {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, types);
    assertArrayEquals(new int[] {0, 1, 2, 0, 1, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0}, positions);
    assertArrayEquals(new int[] {0, 3, 5, 10, 10}, starts); // slot 3 is empty padding
  }

  @Test
  void slicesKeepWholeSequences() {
    TokenBatch batch = TokenBatch.of(new int[][] {{1, 2}, {3, 4, 5}, {6}}, new int[][] {{0, 0}, {0, 0, 0}, {0}});
    TokenBatch middle = CudaBertEncoder.slice(batch, 1, 3);
    assertArrayEquals(new int[] {3, 4, 5, 6}, middle.ids());
    assertArrayEquals(new int[] {0, 3, 4}, middle.starts());
  }

  @Test
  void plansDeviceMemory() {
    DeviceMemoryPlan plan = new DeviceMemoryPlan(MINILM);
    // 6 layers of 4·384² + 2·384·1536 fp16 weights: 21.2 MB; embeddings fp32: 47.7 MB.
    assertEquals(6L * (4 * 384 * 384 + 2 * 384 * 1536) * 2, plan.weightBytes() - embeddingAndVectorBytes());
    assertEquals(2L * (7 * 384 + 1536), plan.bytesPerToken());
    ShapeBucket cap = new ShapeBucket(16384, 512, 512);
    assertEquals(16384L * plan.bytesPerToken() + PackedBatch.bytes(cap) + 4L * 512 * 384, plan.activationBytes(cap));
    long free = 1L << 30;
    int tokens = plan.maxTokens(free);
    assertTrue(tokens > 0 && plan.activationBytes(new ShapeBucket(tokens, tokens, 64)) + DeviceMemoryPlan.RESERVE <= free);
    assertEquals(0, plan.maxTokens(DeviceMemoryPlan.RESERVE / 2));
  }

  private static long embeddingAndVectorBytes() {
    long h = 384;
    return 6L * (3 * h + h + 4 * h + 1536 + h) * 4 + (30522L + 512 + 2 + 2) * h * 4;
  }

  @Test
  void packsQkvSideBySideInFp16() {
    int h = 4;
    float[] q = new float[h * h], k = new float[h * h], v = new float[h * h];
    for (int i = 0; i < h * h; i++) {
      q[i] = i;
      k[i] = 100 + i;
      v[i] = -0.5f * i;
    }
    ByteBuffer packed = GpuBertWeights.packQkv(MemorySegment.ofArray(q), MemorySegment.ofArray(k),
        MemorySegment.ofArray(v), h, "layer");
    assertEquals(2 * 3 * h * h, packed.remaining());
    for (int row = 0; row < h; row++) {
      for (int c = 0; c < 3 * h; c++) {
        float[] src = c < h ? q : c < 2 * h ? k : v;
        float expected = src[row * h + c % h];
        float got = Float.float16ToFloat(packed.getShort(2 * (row * 3 * h + c)));
        assertEquals(expected, got, Math.abs(expected) * 1e-3, "row " + row + " col " + c);
      }
    }
  }

  private static int[] ints(ByteBuffer b, long offset, int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) out[i] = b.getInt((int) offset + 4 * i);
    return out;
  }
}

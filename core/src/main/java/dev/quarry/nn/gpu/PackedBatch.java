package dev.quarry.nn.gpu;

import dev.quarry.nn.TokenBatch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A {@link TokenBatch} laid out as the GPU reads it, in one host buffer copied with one transfer
 * per array: {@code ids}, {@code types} and {@code positions} (one int per token row, padding rows
 * id 0 at position 0) and {@code starts} (one int per sequence slot plus one; empty padding slots
 * start and end at the real token count).
 *
 * <p>Layout, little-endian int32, for a buffer sized for {@code capacity}: ids at byte 0, types at
 * {@code 4 * capacity.tokens}, positions at {@code 8 * capacity.tokens}, starts at
 * {@code 12 * capacity.tokens}.
 */
public final class PackedBatch {

  private PackedBatch() {}

  public static long idsOffset(ShapeBucket capacity) {
    return 0;
  }

  public static long typesOffset(ShapeBucket capacity) {
    return 4L * capacity.tokens();
  }

  public static long positionsOffset(ShapeBucket capacity) {
    return 8L * capacity.tokens();
  }

  public static long startsOffset(ShapeBucket capacity) {
    return 12L * capacity.tokens();
  }

  /** Bytes of a buffer sized for {@code capacity}. */
  public static long bytes(ShapeBucket capacity) {
    return 12L * capacity.tokens() + 4L * (capacity.sequences() + 1);
  }

  /** Writes {@code batch}, padded to {@code bucket}, into {@code buffer} laid out for {@code capacity}. */
  public static void write(TokenBatch batch, ShapeBucket bucket, ShapeBucket capacity, ByteBuffer buffer) {
    if (!bucket.fitsIn(capacity) || batch.tokenCount() > bucket.tokens() || batch.sequenceCount() > bucket.sequences()) {
      throw new IllegalArgumentException(batch.tokenCount() + " tokens / " + batch.sequenceCount()
          + " sequences do not fit bucket " + bucket + " within " + capacity);
    }
    // Bulk int views: this runs on the host before every batch, inside the timed region.
    java.nio.IntBuffer b = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
    int tokens = batch.tokenCount(), padded = bucket.tokens();
    int idsAt = (int) (idsOffset(capacity) / 4), typesAt = (int) (typesOffset(capacity) / 4);
    int posAt = (int) (positionsOffset(capacity) / 4), startsAt = (int) (startsOffset(capacity) / 4);
    b.put(idsAt, batch.ids(), 0, tokens);
    b.put(typesAt, batch.typeIds(), 0, tokens);
    int[] positions = new int[padded];
    for (int s = 0; s < batch.sequenceCount(); s++) {
      for (int p = 0, t = batch.start(s); p < batch.length(s); p++, t++) positions[t] = p;
    }
    b.put(posAt, positions, 0, padded);
    int[] zeros = new int[padded - tokens];
    b.put(idsAt + tokens, zeros);
    b.put(typesAt + tokens, zeros);
    int[] starts = new int[bucket.sequences() + 1];
    for (int s = 0; s < starts.length; s++) starts[s] = s <= batch.sequenceCount() ? batch.starts()[s] : tokens;
    b.put(startsAt, starts);
  }
}

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
    ByteBuffer b = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int tokens = batch.tokenCount();
    int[] ids = batch.ids();
    int[] types = batch.typeIds();
    long idsAt = idsOffset(capacity), typesAt = typesOffset(capacity), posAt = positionsOffset(capacity);
    for (int t = 0; t < bucket.tokens(); t++) {
      b.putInt((int) (idsAt + 4L * t), t < tokens ? ids[t] : 0);
      b.putInt((int) (typesAt + 4L * t), t < tokens ? types[t] : 0);
    }
    for (int s = 0; s < batch.sequenceCount(); s++) {
      for (int p = 0, t = batch.start(s); p < batch.length(s); p++, t++) b.putInt((int) (posAt + 4L * t), p);
    }
    for (int t = tokens; t < bucket.tokens(); t++) b.putInt((int) (posAt + 4L * t), 0);
    long startsAt = startsOffset(capacity);
    for (int s = 0; s <= bucket.sequences(); s++) {
      b.putInt((int) (startsAt + 4L * s), s <= batch.sequenceCount() ? batch.starts()[s] : tokens);
    }
  }
}

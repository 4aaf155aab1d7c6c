package dev.quarry.kernels.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** fp32 to IEEE fp16 conversion of weights on the host, round to nearest even, as the GPU holds them. */
public final class HalfFloats {

  private static final ValueLayout.OfFloat FLOAT_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private HalfFloats() {}

  /**
   * Converts {@code count} little-endian floats of {@code src} into fp16 at {@code dst}'s position
   * (advanced by {@code 2 * count}). Values beyond fp16's range (±65504) are rejected: a weight that
   * large would silently become infinity on the GPU.
   *
   * @param what names the tensor in the error
   */
  public static void convert(MemorySegment src, long count, ByteBuffer dst, String what) {
    ByteBuffer out = dst.order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < count; i++) {
      float f = src.getAtIndex(FLOAT_LE, i);
      short h = Float.floatToFloat16(f);
      if (Float.isFinite(f) && !Float.isFinite(Float.float16ToFloat(h))) {
        throw new IllegalArgumentException(what + ": value " + f + " at " + i
            + " is outside fp16's range (±65504); run this model in fp32 on the CPU");
      }
      out.putShort(h);
    }
  }

  /** The fp16 value of {@code f} read back as a float: what the GPU computes with. */
  public static float roundTrip(float f) {
    return Float.float16ToFloat(Float.floatToFloat16(f));
  }
}

package dev.quarry.index.inverted;

/**
 * Lucene's lossy one-byte encoding of a document length ({@code SmallFloat.intToByte4}): exact
 * up to 23, then four significant bits with an exponent, so that BM25 sees the same rounded
 * lengths as Lucene and produces the same scores.
 */
public final class LengthNorm {

  private static final int MAX_INT4 = longToInt4(Integer.MAX_VALUE);
  private static final int NUM_FREE_VALUES = 255 - MAX_INT4;
  private static final int[] DECODED = new int[256];

  static {
    for (int i = 0; i < 256; i++) DECODED[i] = byte4ToInt((byte) i);
  }

  private LengthNorm() {}

  /** The byte Lucene stores for a field of {@code length} terms. */
  public static byte encode(int length) {
    if (length < 0) throw new IllegalArgumentException("length must not be negative: " + length);
    if (length < NUM_FREE_VALUES) return (byte) length;
    return (byte) (NUM_FREE_VALUES + longToInt4(length - NUM_FREE_VALUES));
  }

  /** The length that BM25 uses for an encoded byte. */
  public static int decode(byte b) {
    return DECODED[b & 0xFF];
  }

  private static int byte4ToInt(byte b) {
    int i = Byte.toUnsignedInt(b);
    if (i < NUM_FREE_VALUES) return i;
    return Math.toIntExact(NUM_FREE_VALUES + int4ToLong(i - NUM_FREE_VALUES));
  }

  private static int longToInt4(long i) {
    int numBits = 64 - Long.numberOfLeadingZeros(i);
    if (numBits < 4) return (int) i;
    int shift = numBits - 4;
    int encoded = (int) (i >>> shift) & 0x07;
    return encoded | (shift + 1) << 3;
  }

  private static long int4ToLong(int i) {
    long bits = i & 0x07;
    int shift = (i >>> 3) - 1;
    return shift == -1 ? bits : (bits | 0x08) << shift;
  }
}

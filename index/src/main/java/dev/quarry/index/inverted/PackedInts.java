package dev.quarry.index.inverted;

/** Bit-packing of small non-negative ints into 32-bit words, lowest bits first. */
final class PackedInts {

  private PackedInts() {}

  /** Bits needed for the largest of {@code values[0..n)}. */
  static int bitsRequired(int[] values, int n) {
    int or = 0;
    for (int i = 0; i < n; i++) or |= values[i];
    return 32 - Integer.numberOfLeadingZeros(or);
  }

  /** Words that {@code n} values of {@code bits} bits take. */
  static int words(int n, int bits) {
    return (int) (((long) n * bits + 31) >>> 5);
  }

  /** Appends {@code values[0..n)} packed at {@code bits} bits to {@code out} at {@code pos}. */
  static int pack(int[] values, int n, int bits, int[] out, int pos) {
    if (bits == 0) return pos;
    long buf = 0;
    int have = 0;
    for (int i = 0; i < n; i++) {
      buf |= (values[i] & 0xFFFFFFFFL) << have;
      have += bits;
      if (have >= 32) {
        out[pos++] = (int) buf;
        buf >>>= 32;
        have -= 32;
      }
    }
    if (have > 0) out[pos++] = (int) buf;
    return pos;
  }

  /** Reads {@code n} values of {@code bits} bits from {@code in} at {@code pos} into {@code out}. */
  static int unpack(int[] in, int pos, int bits, int n, int[] out) {
    if (bits == 0) {
      java.util.Arrays.fill(out, 0, n, 0);
      return pos;
    }
    long mask = (1L << bits) - 1;
    long buf = 0;
    int have = 0;
    for (int i = 0; i < n; i++) {
      if (have < bits) {
        buf |= (in[pos++] & 0xFFFFFFFFL) << have;
        have += 32;
      }
      out[i] = (int) (buf & mask);
      buf >>>= bits;
      have -= bits;
    }
    return pos;
  }
}

package dev.quarry.index.analysis;

import java.util.Arrays;
import java.util.Set;

/** A small immutable set of strings that answers for a range of a char array without copying it. */
final class CharArraySet {

  private final char[][] slots;
  private final int mask;

  CharArraySet(Set<String> words) {
    int size = Integer.highestOneBit(Math.max(4, words.size() * 4) - 1) << 1;
    slots = new char[size][];
    mask = size - 1;
    for (String w : words) {
      char[] chars = w.toCharArray();
      int i = hash(chars, chars.length) & mask;
      while (slots[i] != null && !Arrays.equals(slots[i], chars)) i = (i + 1) & mask;
      slots[i] = chars;
    }
  }

  boolean contains(char[] text, int len) {
    int i = hash(text, len) & mask;
    while (true) {
      char[] s = slots[i];
      if (s == null) return false;
      if (s.length == len && Arrays.equals(s, 0, len, text, 0, len)) return true;
      i = (i + 1) & mask;
    }
  }

  private static int hash(char[] chars, int len) {
    int h = 0;
    for (int i = 0; i < len; i++) h = 31 * h + chars[i];
    return h ^ (h >>> 16);
  }
}

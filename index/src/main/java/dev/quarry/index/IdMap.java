package dev.quarry.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * External ids ↔ ordinals, and the tombstones of deleted ordinals. One writer, lock-free readers:
 * {@link #idOf} and {@link #isDeleted} read arrays that only grow by copy-then-publish.
 */
final class IdMap {

  private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

  private volatile long[] ordToId = new long[1024];
  private volatile long[] deleted = new long[16];
  private int deletedCount;
  // Open addressing id -> ordinal + 1 (0 = empty); writer only.
  private long[] keys = new long[2048];
  private int[] values = new int[2048];
  private int count;

  boolean contains(long id) {
    return find(id) >= 0;
  }

  /** The ordinal of a live {@code id}, or -1. */
  int ordOf(long id) {
    int ord = find(id);
    return ord >= 0 && !isDeleted(ord) ? ord : -1;
  }

  private int find(long id) {
    int mask = keys.length - 1;
    for (int i = hash(id) & mask; ; i = (i + 1) & mask) {
      if (values[i] == 0) return -1;
      if (keys[i] == id) return values[i] - 1;
    }
  }

  private static int hash(long id) {
    long h = id * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  void put(long id, int ord) {
    if (ord >= ordToId.length) ordToId = Arrays.copyOf(ordToId, Math.max(ord + 1, ordToId.length * 2));
    ordToId[ord] = id;
    if ((ord >> 6) >= deleted.length) deleted = Arrays.copyOf(deleted, Math.max((ord >> 6) + 1, deleted.length * 2));
    if (2 * (count + 1) > keys.length) rehash();
    int mask = keys.length - 1;
    int i = hash(id) & mask;
    while (values[i] != 0 && keys[i] != id) i = (i + 1) & mask;
    if (values[i] == 0) count++;
    keys[i] = id;
    values[i] = ord + 1;
  }

  private void rehash() {
    long[] oldKeys = keys;
    int[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new int[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldValues[j] == 0) continue;
      int i = hash(oldKeys[j]) & mask;
      while (values[i] != 0) i = (i + 1) & mask;
      keys[i] = oldKeys[j];
      values[i] = oldValues[j];
    }
  }

  long idOf(int ord) {
    return ordToId[ord];
  }

  /** Tombstones {@code id}; false if it is unknown or already deleted. */
  boolean delete(long id) {
    int ord = ordOf(id);
    if (ord < 0) return false;
    WORDS.getAndBitwiseOr(deleted, ord >> 6, 1L << (ord & 63));
    deletedCount++;
    // The id may be added again later, as a new ordinal.
    removeKey(id);
    return true;
  }

  private void removeKey(long id) {
    // Rebuild the probe chain: simplest correct removal for linear probing.
    int mask = keys.length - 1;
    int i = hash(id) & mask;
    while (keys[i] != id || values[i] == 0) i = (i + 1) & mask;
    values[i] = 0;
    count--;
    for (int j = (i + 1) & mask; values[j] != 0; j = (j + 1) & mask) {
      long k = keys[j];
      int v = values[j];
      values[j] = 0;
      count--;
      int at = hash(k) & mask;
      while (values[at] != 0) at = (at + 1) & mask;
      keys[at] = k;
      values[at] = v;
      count++;
    }
  }

  boolean isDeleted(int ord) {
    long[] words = deleted;
    int w = ord >> 6;
    return w < words.length && (words[w] & (1L << (ord & 63))) != 0;
  }

  int deletedCount() {
    return deletedCount;
  }

  /** Restores state read from a file: ids of ordinals {@code [0, n)} and the tombstone words. */
  void load(long[] idsByOrd, int n, long[] deletedWords) {
    for (int ord = 0; ord < n; ord++) {
      boolean dead = (deletedWords[ord >> 6] & (1L << (ord & 63))) != 0;
      if (ord >= ordToId.length) ordToId = Arrays.copyOf(ordToId, Math.max(n, ordToId.length * 2));
      ordToId[ord] = idsByOrd[ord];
      if (dead) {
        if ((ord >> 6) >= deleted.length) deleted = Arrays.copyOf(deleted, Math.max((n >> 6) + 1, deleted.length * 2));
        deleted[ord >> 6] |= 1L << (ord & 63);
        deletedCount++;
      } else {
        put(idsByOrd[ord], ord);
      }
    }
  }
}

package dev.quarry.tokenizer;

import java.util.Arrays;

/**
 * The growing, mutable form of an {@link Encoding} while a sequence is tokenized, truncated,
 * given its special tokens and padded.
 */
final class EncodingBuffer {

    private int size;
    private int[] ids;
    private int[] typeIds;
    private String[] tokens;
    private int[] starts;
    private int[] ends;
    private int[] attentionMask;
    private int[] specialTokensMask;

    EncodingBuffer() {
        this(16);
    }

    EncodingBuffer(int capacity) {
        int c = Math.max(capacity, 4);
        ids = new int[c];
        typeIds = new int[c];
        tokens = new String[c];
        starts = new int[c];
        ends = new int[c];
        attentionMask = new int[c];
        specialTokensMask = new int[c];
    }

    int size() {
        return size;
    }

    String token(int i) {
        return tokens[i];
    }

    int start(int i) {
        return starts[i];
    }

    int end(int i) {
        return ends[i];
    }

    void setOffsets(int i, int start, int end) {
        starts[i] = start;
        ends[i] = end;
    }

    void add(int id, String token, int start, int end, int typeId, boolean special) {
        addRaw(id, token, start, end, typeId, 1, special ? 1 : 0);
    }

    private void addRaw(int id, String token, int start, int end, int typeId, int attention, int special) {
        if (size == ids.length) {
            grow(size + 1);
        }
        ids[size] = id;
        tokens[size] = token;
        starts[size] = start;
        ends[size] = end;
        typeIds[size] = typeId;
        attentionMask[size] = attention;
        specialTokensMask[size] = special;
        size++;
    }

    /** Appends all of {@code other}. */
    void append(EncodingBuffer other) {
        if (size + other.size > ids.length) {
            grow(size + other.size);
        }
        System.arraycopy(other.ids, 0, ids, size, other.size);
        System.arraycopy(other.typeIds, 0, typeIds, size, other.size);
        System.arraycopy(other.tokens, 0, tokens, size, other.size);
        System.arraycopy(other.starts, 0, starts, size, other.size);
        System.arraycopy(other.ends, 0, ends, size, other.size);
        System.arraycopy(other.attentionMask, 0, attentionMask, size, other.size);
        System.arraycopy(other.specialTokensMask, 0, specialTokensMask, size, other.size);
        size += other.size;
    }

    void setTypeIds(int typeId) {
        Arrays.fill(typeIds, 0, size, typeId);
    }

    /** Keeps the first {@code length} entries, or the last ones when {@code fromLeft}. */
    void truncate(int length, boolean fromLeft) {
        if (length >= size) {
            return;
        }
        if (fromLeft) {
            int drop = size - length;
            System.arraycopy(ids, drop, ids, 0, length);
            System.arraycopy(typeIds, drop, typeIds, 0, length);
            System.arraycopy(tokens, drop, tokens, 0, length);
            System.arraycopy(starts, drop, starts, 0, length);
            System.arraycopy(ends, drop, ends, 0, length);
            System.arraycopy(attentionMask, drop, attentionMask, 0, length);
            System.arraycopy(specialTokensMask, drop, specialTokensMask, 0, length);
        }
        Arrays.fill(tokens, length, size, null);
        size = length;
    }

    /** Pads to {@code length} with entries that have offsets (0, 0) and attention 0. */
    void pad(int length, int padId, int padTypeId, String padToken, boolean onLeft) {
        if (size >= length) {
            return;
        }
        int extra = length - size;
        if (onLeft) {
            if (length > ids.length) {
                grow(length);
            }
            System.arraycopy(ids, 0, ids, extra, size);
            System.arraycopy(typeIds, 0, typeIds, extra, size);
            System.arraycopy(tokens, 0, tokens, extra, size);
            System.arraycopy(starts, 0, starts, extra, size);
            System.arraycopy(ends, 0, ends, extra, size);
            System.arraycopy(attentionMask, 0, attentionMask, extra, size);
            System.arraycopy(specialTokensMask, 0, specialTokensMask, extra, size);
            fillPad(0, extra, padId, padTypeId, padToken);
            size = length;
        } else {
            if (length > ids.length) {
                grow(length);
            }
            fillPad(size, length, padId, padTypeId, padToken);
            size = length;
        }
    }

    private void fillPad(int from, int to, int padId, int padTypeId, String padToken) {
        Arrays.fill(ids, from, to, padId);
        Arrays.fill(typeIds, from, to, padTypeId);
        Arrays.fill(tokens, from, to, padToken);
        Arrays.fill(starts, from, to, 0);
        Arrays.fill(ends, from, to, 0);
        Arrays.fill(attentionMask, from, to, 0);
        Arrays.fill(specialTokensMask, from, to, 1);
    }

    Encoding toEncoding() {
        return new Encoding(
                Arrays.copyOf(ids, size), Arrays.copyOf(typeIds, size), Arrays.copyOf(tokens, size),
                Arrays.copyOf(starts, size), Arrays.copyOf(ends, size),
                Arrays.copyOf(attentionMask, size), Arrays.copyOf(specialTokensMask, size));
    }

    private void grow(int minCapacity) {
        int c = Math.max(minCapacity, ids.length * 2);
        ids = Arrays.copyOf(ids, c);
        typeIds = Arrays.copyOf(typeIds, c);
        tokens = Arrays.copyOf(tokens, c);
        starts = Arrays.copyOf(starts, c);
        ends = Arrays.copyOf(ends, c);
        attentionMask = Arrays.copyOf(attentionMask, c);
        specialTokensMask = Arrays.copyOf(specialTokensMask, c);
    }
}

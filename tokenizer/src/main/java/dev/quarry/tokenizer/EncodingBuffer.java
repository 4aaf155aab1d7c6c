package dev.quarry.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
    /** The windows truncation cut off, and after post-processing their combinations; see {@link Truncation}. */
    private List<EncodingBuffer> overflowing = List.of();

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

    List<EncodingBuffer> overflowing() {
        return overflowing;
    }

    void setOverflowing(List<EncodingBuffer> windows) {
        overflowing = windows;
    }

    /** A copy of the entries {@code [from, to)}, without overflowing windows. */
    EncodingBuffer slice(int from, int to) {
        EncodingBuffer out = new EncodingBuffer(to - from);
        System.arraycopy(ids, from, out.ids, 0, to - from);
        System.arraycopy(typeIds, from, out.typeIds, 0, to - from);
        System.arraycopy(tokens, from, out.tokens, 0, to - from);
        System.arraycopy(starts, from, out.starts, 0, to - from);
        System.arraycopy(ends, from, out.ends, 0, to - from);
        System.arraycopy(attentionMask, from, out.attentionMask, 0, to - from);
        System.arraycopy(specialTokensMask, from, out.specialTokensMask, 0, to - from);
        out.size = to - from;
        return out;
    }

    EncodingBuffer copy() {
        return slice(0, size);
    }

    /**
     * Hugging Face's {@code Encoding::truncate} with a stride: keeps the first window of
     * {@code maxLength} entries (the last one when {@code fromLeft}) and makes the rest of the
     * entries overflowing windows of the same length, each starting {@code maxLength - stride}
     * after the previous one, so that neighbours share {@code stride} entries. With a
     * {@code maxLength} of 0 everything overflows as one window.
     */
    void truncateToWindows(int maxLength, int stride, boolean fromLeft) {
        if (maxLength >= size) {
            return;
        }
        if (maxLength == 0) {
            EncodingBuffer all = copy();
            truncate(0, false);
            overflowing = new ArrayList<>(List.of(all));
            return;
        }
        if (stride >= maxLength) {
            throw new IllegalArgumentException("truncation stride " + stride + " must be strictly less than max length "
                    + maxLength + " (the max length less the special tokens)");
        }
        int step = maxLength - stride;
        List<int[]> windows = new ArrayList<>();
        if (fromLeft) {
            for (int last = size - 1; last >= 0; last -= step) {
                int stop = last + 1;
                int start = Math.max(0, stop - maxLength);
                windows.add(new int[] {start, stop});
                if (start == 0) {
                    break;
                }
            }
        } else {
            for (int start = 0; start < size; start += step) {
                int stop = Math.min(start + maxLength, size);
                windows.add(new int[] {start, stop});
                if (stop == size) {
                    break;
                }
            }
        }
        List<EncodingBuffer> rest = new ArrayList<>(windows.size() - 1);
        for (int i = 1; i < windows.size(); i++) {
            rest.add(slice(windows.get(i)[0], windows.get(i)[1]));
        }
        int[] first = windows.get(0);
        if (first[0] > 0) {
            truncate(first[1], false);
            truncate(first[1] - first[0], true);
        } else {
            truncate(first[1], false);
        }
        overflowing = rest;
    }

    /** Pads to {@code length} with entries that have offsets (0, 0) and attention 0. */
    void pad(int length, int padId, int padTypeId, String padToken, boolean onLeft) {
        for (EncodingBuffer window : overflowing) {
            window.pad(length, padId, padTypeId, padToken, onLeft);
        }
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
        List<Encoding> windows = new ArrayList<>(overflowing.size());
        for (EncodingBuffer window : overflowing) {
            windows.add(window.toEncoding());
        }
        return new Encoding(
                Arrays.copyOf(ids, size), Arrays.copyOf(typeIds, size), Arrays.copyOf(tokens, size),
                Arrays.copyOf(starts, size), Arrays.copyOf(ends, size),
                Arrays.copyOf(attentionMask, size), Arrays.copyOf(specialTokensMask, size), List.copyOf(windows));
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

package dev.quarry.tokenizer;

import java.util.Arrays;

/**
 * A piece of input text being normalized, where every UTF-16 unit of the normalized text remembers
 * the range of the original text it came from, as Hugging Face's {@code NormalizedString} does.
 *
 * <p>Alignments are absolute UTF-16 offsets into the whole original input, so pieces cut out of
 * the input keep offsets that need no shifting. Both units of a surrogate pair share one
 * alignment. Rewrites follow the Hugging Face {@code transform} rules exactly (a character with a
 * positive change is "inserted" and takes the alignment of the unit before it), because the
 * offsets reported for tokens depend on those rules.
 */
final class NormalizedString {

    private final char[] text;
    private final int length;
    private final int[] starts;
    private final int[] ends;

    private NormalizedString(char[] text, int length, int[] starts, int[] ends) {
        this.text = text;
        this.length = length;
        this.starts = starts;
        this.ends = ends;
    }

    /** The range {@code [from, to)} of {@code original}, not yet normalized. */
    static NormalizedString of(String original, int from, int to) {
        int n = to - from;
        char[] text = new char[n];
        original.getChars(from, to, text, 0);
        int[] starts = new int[n];
        int[] ends = new int[n];
        for (int i = 0; i < n; ) {
            int units = Character.isHighSurrogate(text[i]) && i + 1 < n && Character.isLowSurrogate(text[i + 1]) ? 2 : 1;
            for (int k = 0; k < units; k++) {
                starts[i + k] = from + i;
                ends[i + k] = from + i + units;
            }
            i += units;
        }
        return new NormalizedString(text, n, starts, ends);
    }

    int length() {
        return length;
    }

    boolean isEmpty() {
        return length == 0;
    }

    char charAt(int index) {
        return text[index];
    }

    int codePointAt(int index) {
        return Character.codePointAt(text, index, length);
    }

    int codePointBefore(int index) {
        return Character.codePointBefore(text, index, 0);
    }

    int codePointCount(int from, int to) {
        return Character.codePointCount(text, from, to - from);
    }

    String substring(int from, int to) {
        return new String(text, from, to - from);
    }

    @Override
    public String toString() {
        return new String(text, 0, length);
    }

    /** Original start of the unit at {@code index}. */
    int originalStart(int index) {
        return starts[index];
    }

    /** Original end of the unit at {@code index}. */
    int originalEnd(int index) {
        return ends[index];
    }

    /** The normalized units {@code [from, to)} as a string of their own, alignments kept. */
    NormalizedString slice(int from, int to) {
        return new NormalizedString(
                Arrays.copyOfRange(text, from, to), to - from,
                Arrays.copyOfRange(starts, from, to), Arrays.copyOfRange(ends, from, to));
    }

    /** Starts a Hugging Face style rewrite of this string; see {@link Rewrite}. */
    Rewrite rewrite(int initialSkippedCodePoints) {
        return new Rewrite(this, initialSkippedCodePoints);
    }

    /**
     * Builds the result of a Hugging Face {@code transform(dest, initial_offset)}: each emitted code
     * point carries a change, 0 to replace the next source code point, {@code -n} to replace it and
     * drop the {@code n} that follow, {@code 1} to insert without consuming anything.
     */
    static final class Rewrite {
        private final NormalizedString source;
        private int position;
        private char[] text;
        private int[] starts;
        private int[] ends;
        private int length;

        private Rewrite(NormalizedString source, int initialSkippedCodePoints) {
            this.source = source;
            int capacity = Math.max(16, source.length + (source.length >> 3));
            this.text = new char[capacity];
            this.starts = new int[capacity];
            this.ends = new int[capacity];
            skip(initialSkippedCodePoints);
        }

        void emit(int codePoint, int change) {
            int start;
            int end;
            if (change > 0) {
                if (position < 1) {
                    start = source.length > 0 ? source.starts[0] : 0;
                    end = start;
                } else {
                    start = source.starts[position - 1];
                    end = source.ends[position - 1];
                }
            } else if (position < source.length) {
                start = source.starts[position];
                end = source.ends[position];
                skip(1 - change);
            } else {
                // Past the end: only a rewrite that consumes more than it has (Precompiled) gets here.
                start = source.length > 0 ? source.ends[source.length - 1] : 0;
                end = start;
            }
            int units = Character.charCount(codePoint);
            ensure(units);
            Character.toChars(codePoint, text, length);
            for (int k = 0; k < units; k++) {
                starts[length + k] = start;
                ends[length + k] = end;
            }
            length += units;
        }

        /** Copies the next source code point unchanged, alignment included. */
        void keep() {
            int units = Character.isHighSurrogate(source.text[position]) && position + 1 < source.length
                    && Character.isLowSurrogate(source.text[position + 1]) ? 2 : 1;
            ensure(units);
            System.arraycopy(source.text, position, text, length, units);
            System.arraycopy(source.starts, position, starts, length, units);
            System.arraycopy(source.ends, position, ends, length, units);
            length += units;
            position += units;
        }

        /** Drops the next source code point. */
        void drop() {
            skip(1);
        }

        NormalizedString finish() {
            return new NormalizedString(text, length, starts, ends);
        }

        private void skip(int codePoints) {
            for (int i = 0; i < codePoints && position < source.length; i++) {
                position += Character.isHighSurrogate(source.text[position]) && position + 1 < source.length
                        && Character.isLowSurrogate(source.text[position + 1]) ? 2 : 1;
            }
        }

        private void ensure(int extra) {
            if (length + extra > text.length) {
                int capacity = Math.max(text.length * 2, length + extra);
                text = Arrays.copyOf(text, capacity);
                starts = Arrays.copyOf(starts, capacity);
                ends = Arrays.copyOf(ends, capacity);
            }
        }
    }
}

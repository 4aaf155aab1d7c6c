package dev.quarry.tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * The result of tokenizing one input (or one pair of inputs): the arrays a model takes, plus each
 * token's text and where it came from.
 *
 * <p>All arrays have {@link #length()} entries. {@code starts[i]}/{@code ends[i]} are offsets in
 * Java {@code char} (UTF-16) units into the original input string, end exclusive, so
 * {@code text.substring(starts[i], ends[i])} is the text token {@code i} came from, even through
 * lowercasing, accent stripping and removed characters. For a pair, each token's offsets refer to
 * the input it came from (see {@link #typeIds()}). Tokens added by the post-processor ({@code [CLS]},
 * {@code [SEP]}) and padding have offsets (0, 0). Hugging Face reports offsets in bytes (Rust) or in
 * code points (Python, and DJL's {@code getCharTokenSpans()}); those equal these whenever the input
 * has no character outside the Basic Multilingual Plane, and otherwise convert with
 * {@link String#offsetByCodePoints(int, int)}.
 *
 * <p>{@code specialTokensMask} is 1 for the post-processor's tokens and for padding, 0 for tokens
 * from the text, including special tokens written in the text such as "[MASK]" (as in Hugging
 * Face). {@code attentionMask} is 0 for padding only. The arrays are not copied: treat them as
 * read-only.
 *
 * <p>{@code overflowing} holds the windows that truncation cut off, each a whole encoding with its
 * own special tokens and padding, as Hugging Face's {@code overflowing}: only
 * {@link Tokenizer#encodeWithOverflowing} fills it, {@code encode} leaves it empty (it may stop
 * tokenizing where truncation would cut).
 */
public record Encoding(int[] ids, int[] typeIds, String[] tokens, int[] starts, int[] ends, int[] attentionMask,
                       int[] specialTokensMask, List<Encoding> overflowing) {

    /** An encoding without overflowing windows. */
    public Encoding(int[] ids, int[] typeIds, String[] tokens, int[] starts, int[] ends, int[] attentionMask,
                    int[] specialTokensMask) {
        this(ids, typeIds, tokens, starts, ends, attentionMask, specialTokensMask, List.of());
    }

    public Encoding {
        overflowing = overflowing == null ? List.of() : List.copyOf(overflowing);
        int n = ids.length;
        if (typeIds.length != n || tokens.length != n || starts.length != n || ends.length != n
                || attentionMask.length != n || specialTokensMask.length != n) {
            throw new IllegalArgumentException("Encoding arrays must all have " + n + " entries");
        }
    }

    /** Number of tokens, padding included. */
    public int length() {
        return ids.length;
    }

    /** Number of tokens that are not padding. */
    public int unpaddedLength() {
        int n = 0;
        for (int a : attentionMask) {
            n += a;
        }
        return n;
    }

    /** The ids as longs, the element type most inference runtimes take. */
    public long[] idsAsLongs() {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding e
                && Arrays.equals(ids, e.ids) && Arrays.equals(typeIds, e.typeIds) && Arrays.equals(tokens, e.tokens)
                && Arrays.equals(starts, e.starts) && Arrays.equals(ends, e.ends)
                && Arrays.equals(attentionMask, e.attentionMask)
                && Arrays.equals(specialTokensMask, e.specialTokensMask) && overflowing.equals(e.overflowing);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(starts);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Encoding[");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(tokens[i]).append('=').append(ids[i]).append('@').append(starts[i]).append('-').append(ends[i]);
            if (typeIds[i] != 0) {
                b.append(":t").append(typeIds[i]);
            }
        }
        if (!overflowing.isEmpty()) {
            b.append(" + ").append(overflowing.size()).append(" overflowing");
        }
        return b.append(']').toString();
    }
}

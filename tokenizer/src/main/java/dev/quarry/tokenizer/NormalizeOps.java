package dev.quarry.tokenizer;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The rewrites behind the Hugging Face normalizers ({@code filter}, {@code nfd},
 * {@code lowercase}, ...), each producing the same text and the same alignments as the Rust
 * {@code NormalizedString} method of that name.
 */
final class NormalizeOps {

    private static final java.text.Normalizer.Form NFD = java.text.Normalizer.Form.NFD;

    private NormalizeOps() {
    }

    /** Keeps the code points {@code keep} accepts; kept ones keep their own alignment. */
    static NormalizedString filter(NormalizedString s, IntPredicate keep) {
        if (allMatch(s, keep)) {
            return s;
        }
        NormalizedString.Rewrite out = s.rewrite(0);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (keep.test(c)) {
                out.keep();
            } else {
                out.drop();
            }
            i += Character.charCount(c);
        }
        return out.finish();
    }

    /** BertNormalizer's clean_text: drops NUL, U+FFFD and controls, turns whitespace into a space. */
    static NormalizedString cleanText(NormalizedString s) {
        NormalizedString kept = filter(s, c -> !(c == 0 || c == 0xFFFD || isControl(c)));
        if (allMatch(kept, c -> c == ' ' || !CharClasses.isWhitespace(c))) {
            return kept;
        }
        NormalizedString.Rewrite out = kept.rewrite(0);
        for (int i = 0; i < kept.length(); ) {
            int c = kept.codePointAt(i);
            if (CharClasses.isWhitespace(c)) {
                out.emit(' ', 0);
            } else {
                out.keep();
            }
            i += Character.charCount(c);
        }
        return out.finish();
    }

    /** Tab, newline and carriage return count as whitespace, not as controls. */
    private static boolean isControl(int c) {
        return c != '\t' && c != '\n' && c != '\r' && CharClasses.isOther(c);
    }

    /** BertNormalizer's handle_chinese_chars: a space on each side of every CJK ideograph. */
    static NormalizedString padChineseChars(NormalizedString s) {
        if (allMatch(s, c -> !CharClasses.isChineseChar(c))) {
            return s;
        }
        NormalizedString.Rewrite out = s.rewrite(0);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (CharClasses.isChineseChar(c)) {
                out.emit(' ', 0);
                out.emit(c, 1);
                out.emit(' ', 1);
            } else {
                out.keep();
            }
            i += Character.charCount(c);
        }
        return out.finish();
    }

    /** BertNormalizer's strip_accents after NFD: drops the nonspacing marks (Mn). */
    static NormalizedString stripNonspacingMarks(NormalizedString s) {
        return filter(s, c -> !CharClasses.isMarkNonspacing(c));
    }

    /**
     * Rust's {@code char::to_lowercase}, one code point at a time: no context, so a final capital
     * sigma becomes σ (Java's {@code String.toLowerCase} would give ς), and U+0130 becomes
     * "i" + U+0307 (Java's {@code Character.toLowerCase} would give "i").
     */
    static NormalizedString lowercase(NormalizedString s) {
        if (allMatch(s, c -> c != 0x130 && lowercaseOf(c) == c)) {
            return s;
        }
        NormalizedString.Rewrite out = s.rewrite(0);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (c == 0x130) {
                // The only unconditional multi-character lowercase mapping in SpecialCasing.txt.
                out.emit('i', 0);
                out.emit(0x307, 1);
            } else {
                int lower = lowercaseOf(c);
                if (lower == c) {
                    out.keep();
                } else {
                    out.emit(lower, 0);
                }
            }
            i += Character.charCount(c);
        }
        return out.finish();
    }

    /**
     * Simple lowercase mapping. The Rust library the reference was built with already maps two
     * capitals of Unicode 17 (U+A7D2, U+A7D4) to their older lowercase letters; Java 25 has
     * Unicode 16 and leaves them unchanged.
     */
    private static int lowercaseOf(int c) {
        if (c == 0xA7D2 || c == 0xA7D4) {
            return c + 1;
        }
        return Character.toLowerCase(c);
    }

    /**
     * Canonical decomposition as the {@code unicode-normalization-alignments} crate reports it: the
     * first code point of each character's decomposition replaces it (change 0), the others are
     * inserted (change 1), and canonical reordering carries those changes along with the marks.
     */
    static NormalizedString nfd(NormalizedString s) {
        String text = s.toString();
        if (java.text.Normalizer.isNormalized(text, NFD)) {
            return s;
        }
        int[] decomposed = new int[text.length() * 2 + 4];
        int[] changes = new int[decomposed.length];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            // Nothing below U+00C0 decomposes: ASCII skips the normalizer.
            String d = c < 0xC0 ? Character.toString(c) : java.text.Normalizer.normalize(Character.toString(c), NFD);
            for (int k = 0; k < d.length(); ) {
                int p = d.codePointAt(k);
                if (n == decomposed.length) {
                    decomposed = Arrays.copyOf(decomposed, n * 2);
                    changes = Arrays.copyOf(changes, n * 2);
                }
                decomposed[n] = p;
                changes[n++] = k == 0 ? 0 : 1;
                k += Character.charCount(p);
            }
        }
        int[] ordered = java.text.Normalizer.normalize(text, NFD).codePoints().toArray();
        int[] orderedChanges = reorderChanges(decomposed, changes, n, ordered);
        NormalizedString.Rewrite out = s.rewrite(0);
        for (int i = 0; i < ordered.length; i++) {
            out.emit(ordered[i], orderedChanges[i]);
        }
        return out.finish();
    }

    /**
     * Canonical reordering is a stable sort of marks by combining class, so the k-th occurrence of
     * a code point in the reordered text is its k-th occurrence before reordering: that is how each
     * change follows its code point.
     */
    private static int[] reorderChanges(int[] decomposed, int[] changes, int n, int[] ordered) {
        int[] result = new int[ordered.length];
        boolean same = ordered.length == n;
        for (int i = 0; same && i < n; i++) {
            same = decomposed[i] == ordered[i];
        }
        if (same) {
            System.arraycopy(changes, 0, result, 0, n);
            return result;
        }
        Map<Integer, ArrayDeque<Integer>> positions = new HashMap<>();
        for (int i = 0; i < n; i++) {
            positions.computeIfAbsent(decomposed[i], k -> new ArrayDeque<>()).add(i);
        }
        for (int i = 0; i < ordered.length; i++) {
            result[i] = changes[positions.get(ordered[i]).poll()];
        }
        return result;
    }

    private static boolean allMatch(NormalizedString s, IntPredicate test) {
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (!test.test(c)) {
                return false;
            }
            i += Character.charCount(c);
        }
        return true;
    }
}

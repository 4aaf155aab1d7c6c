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
        return normalize(s, java.text.Normalizer.Form.NFD);
    }

    /** Compatibility decomposition, with changes as for {@link #nfd}. */
    static NormalizedString nfkd(NormalizedString s) {
        return normalize(s, java.text.Normalizer.Form.NFKD);
    }

    /**
     * Canonical composition after canonical decomposition. The crate composes the decomposed
     * stream: a composite takes the changes of everything it absorbed, minus one per absorbed code
     * point, so "e" + U+0301 becomes "é" with change -1 and a precomposed "é" keeps change 0.
     */
    static NormalizedString nfc(NormalizedString s) {
        return normalize(s, java.text.Normalizer.Form.NFC);
    }

    /** Canonical composition after compatibility decomposition, with changes as for {@link #nfc}. */
    static NormalizedString nfkc(NormalizedString s) {
        return normalize(s, java.text.Normalizer.Form.NFKC);
    }

    /**
     * The characters that Java's Unicode 16 decomposes and the Rust crate (whose tables predate
     * Unicode 12) leaves alone, found by comparing every code point: to the reference they are
     * starters without a decomposition, and no composition produces them.
     */
    private static final int[] UNDECOMPOSED_BY_REFERENCE = {
        0x32FF, 0x32FF, 0xA7F2, 0xA7F4, 0xAB69, 0xAB69, 0x105C9, 0x105C9, 0x105E4, 0x105E4, 0x10781, 0x107BA,
        0x11383, 0x11383, 0x11385, 0x11385, 0x1138E, 0x1138E, 0x11391, 0x11391, 0x113C5, 0x113C5, 0x113C7, 0x113C8,
        0x11938, 0x11938, 0x16121, 0x16128, 0x16D68, 0x16D6A, 0x1CCD6, 0x1CCF9, 0x1E030, 0x1E06D, 0x1F16C, 0x1F16C,
        0x1FBF0, 0x1FBF9};

    private static boolean undecomposedByReference(int c) {
        if (c < 0x32FF) {
            return false;
        }
        for (int i = 0; i < UNDECOMPOSED_BY_REFERENCE.length; i += 2) {
            if (c >= UNDECOMPOSED_BY_REFERENCE[i] && c <= UNDECOMPOSED_BY_REFERENCE[i + 1]) {
                return true;
            }
        }
        return false;
    }

    private static NormalizedString normalize(NormalizedString s, java.text.Normalizer.Form form) {
        String text = s.toString();
        if (java.text.Normalizer.isNormalized(text, form)) {
            return s;
        }
        NormalizedString.Rewrite out = s.rewrite(0);
        // A character the reference cannot decompose is a starter to it, so nothing reorders or
        // composes across it: the text between such characters is normalized piece by piece.
        int from = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int next = i + Character.charCount(c);
            if (undecomposedByReference(c)) {
                normalizeRange(text.substring(from, i), form, out);
                out.emit(c, 0);
                from = next;
            }
            i = next;
        }
        normalizeRange(text.substring(from), form, out);
        return out.finish();
    }

    private static void normalizeRange(String text, java.text.Normalizer.Form form, NormalizedString.Rewrite out) {
        if (text.isEmpty()) {
            return;
        }
        boolean compat = form == java.text.Normalizer.Form.NFKD || form == java.text.Normalizer.Form.NFKC;
        java.text.Normalizer.Form decomposition = compat ? java.text.Normalizer.Form.NFKD : NFD;
        // Nothing below U+00C0 has a canonical decomposition, nothing below U+00A0 a compatibility one.
        int plain = compat ? 0xA0 : 0xC0;
        int[] decomposed = new int[text.length() * 2 + 4];
        int[] changes = new int[decomposed.length];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            String d = c < plain ? Character.toString(c) : java.text.Normalizer.normalize(Character.toString(c), decomposition);
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
        int[] ordered = java.text.Normalizer.normalize(text, decomposition).codePoints().toArray();
        int[] orderedChanges = reorderChanges(decomposed, changes, n, ordered);
        if (form == decomposition) {
            for (int i = 0; i < ordered.length; i++) {
                out.emit(ordered[i], orderedChanges[i]);
            }
        } else {
            compose(ordered, orderedChanges, java.text.Normalizer.normalize(text, form), out);
        }
    }

    /**
     * Walks the decomposed code points along the composed text: a composed code point that differs
     * from the next decomposed one absorbed the code points of its own canonical decomposition, the
     * first one there and the others further on, each the first of its value not yet absorbed
     * (a later equal mark would have been blocked by the earlier one). A composite the reference
     * does not know stays decomposed.
     */
    private static void compose(int[] decomposed, int[] changes, String composed, NormalizedString.Rewrite out) {
        boolean[] absorbed = new boolean[decomposed.length];
        int i = 0;
        for (int k = 0; k < composed.length(); ) {
            int c = composed.codePointAt(k);
            k += Character.charCount(c);
            while (i < decomposed.length && absorbed[i]) {
                i++;
            }
            if (i == decomposed.length || decomposed[i] == c) {
                out.emit(c, i == decomposed.length ? 0 : changes[i]);
                i++;
                continue;
            }
            boolean unknown = undecomposedByReference(c);
            int change = changes[i];
            if (unknown) {
                out.emit(decomposed[i], change);
            }
            int[] parts = java.text.Normalizer.normalize(Character.toString(c), NFD).codePoints().toArray();
            int j = i;
            for (int p = 1; p < parts.length; p++) {
                j++;
                while (j < decomposed.length && (absorbed[j] || decomposed[j] != parts[p])) {
                    j++;
                }
                if (j == decomposed.length) {
                    break;
                }
                absorbed[j] = true;
                if (unknown) {
                    out.emit(decomposed[j], changes[j]);
                } else {
                    change += changes[j] - 1;
                }
            }
            if (!unknown) {
                out.emit(c, change);
            }
            i++;
        }
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

package dev.quarry.tokenizer;

import java.nio.charset.StandardCharsets;
import java.text.BreakIterator;
import java.util.Locale;

/**
 * The Hugging Face {@code Precompiled} normalizer: SentencePiece's {@code precompiled_charsmap},
 * applied grapheme by grapheme as the Rust library does (a grapheme under 6 UTF-8 bytes is looked
 * up whole, else each of its characters), including its offset bookkeeping.
 *
 * <p>The charsmap, byte by byte: a little-endian u32, the size in bytes of the trie; the trie, a
 * darts-clone double array of little-endian u32 units (bits 0-7 label, bit 8 has-leaf, bit 9 and
 * bits 10-31 the offset, a leaf unit's bits 0-30 the value); then the replacement strings, UTF-8,
 * each ended by a NUL, the values being their byte offsets. Lookups take the shortest key that
 * prefixes the text, as the Rust {@code spm_precompiled} crate does.
 */
final class PrecompiledNormalizer implements Normalizer {

    private final int[] trie;
    private final byte[] normalized;

    PrecompiledNormalizer(byte[] charsmap) {
        if (charsmap.length < 4) {
            throw new IllegalArgumentException("precompiled_charsmap is shorter than its 4-byte header");
        }
        long trieSize = (charsmap[0] & 0xFFL) | (charsmap[1] & 0xFFL) << 8 | (charsmap[2] & 0xFFL) << 16 | (charsmap[3] & 0xFFL) << 24;
        if (trieSize % 4 != 0 || 4 + trieSize > charsmap.length || trieSize == 0) {
            throw new IllegalArgumentException("precompiled_charsmap: trie size " + trieSize + " does not fit its "
                    + charsmap.length + " bytes");
        }
        trie = new int[(int) (trieSize / 4)];
        for (int i = 0; i < trie.length; i++) {
            int o = 4 + 4 * i;
            trie[i] = (charsmap[o] & 0xFF) | (charsmap[o + 1] & 0xFF) << 8 | (charsmap[o + 2] & 0xFF) << 16 | (charsmap[o + 3] & 0xFF) << 24;
        }
        normalized = java.util.Arrays.copyOfRange(charsmap, 4 + (int) trieSize, charsmap.length);
        if (!Utf8.isValid(normalized)) {
            throw new IllegalArgumentException("precompiled_charsmap: the replacement strings are not UTF-8");
        }
    }

    /** The replacement of the shortest key that prefixes {@code chunk}, or null. */
    String transform(String chunk) {
        byte[] key = chunk.getBytes(StandardCharsets.UTF_8);
        int nodePos = 0;
        long unit = trie[0] & 0xFFFFFFFFL;
        nodePos ^= offset(unit);
        for (byte b : key) {
            int c = b & 0xFF;
            if (c == 0) {
                break;
            }
            nodePos ^= c;
            if (nodePos < 0 || nodePos >= trie.length) {
                return null;
            }
            unit = trie[nodePos] & 0xFFFFFFFFL;
            if ((unit & ((1L << 31) | 0xFF)) != c) {
                return null;
            }
            nodePos ^= offset(unit);
            if (((unit >>> 8) & 1) == 1) {
                if (nodePos < 0 || nodePos >= trie.length) {
                    return null;
                }
                int value = (int) (trie[nodePos] & ((1L << 31) - 1));
                return replacementAt(value);
            }
        }
        return null;
    }

    private static int offset(long unit) {
        return (int) ((unit >>> 10) << ((unit & (1L << 9)) >>> 6));
    }

    private String replacementAt(int index) {
        if (index >= normalized.length) {
            return "";
        }
        int end = index;
        while (end < normalized.length && normalized[end] != 0) {
            end++;
        }
        return new String(normalized, index, end - index, StandardCharsets.UTF_8);
    }

    @Override
    public NormalizedString normalize(NormalizedString text) {
        String s = text.toString();
        if (s.isEmpty()) {
            return text;
        }
        int[] cps = new int[s.length() * 2 + 8];
        int[] changes = new int[cps.length];
        int n = 0;
        boolean modified = false;
        BreakIterator graphemes = BreakIterator.getCharacterInstance(Locale.ROOT);
        graphemes.setText(s);
        int start = graphemes.first();
        for (int end = graphemes.next(); end != BreakIterator.DONE; start = end, end = graphemes.next()) {
            String grapheme = s.substring(start, end);
            if (utf8Length(grapheme) < 6) {
                String norm = transform(grapheme);
                if (norm != null) {
                    modified = true;
                    int[][] r = replace(cps, changes, n, grapheme, norm);
                    cps = r[0];
                    changes = r[1];
                    n = r[2][0];
                    continue;
                }
            }
            for (int i = 0; i < grapheme.length(); ) {
                int c = grapheme.codePointAt(i);
                String part = Character.toString(c);
                i += Character.charCount(c);
                String norm = transform(part);
                if (norm != null) {
                    modified = true;
                    int[][] r = replace(cps, changes, n, part, norm);
                    cps = r[0];
                    changes = r[1];
                    n = r[2][0];
                } else {
                    if (n == cps.length) {
                        cps = java.util.Arrays.copyOf(cps, n * 2);
                        changes = java.util.Arrays.copyOf(changes, n * 2);
                    }
                    cps[n] = c;
                    changes[n++] = 0;
                }
            }
        }
        if (!modified) {
            return text;
        }
        NormalizedString.Rewrite out = text.rewrite(0);
        for (int i = 0; i < n; i++) {
            out.emit(cps[i], changes[i]);
        }
        return out.finish();
    }

    /**
     * The Rust {@code replace}: the new characters all with change 0, then the last ones marked as
     * inserted when there are more of them, or the last change lowered when there are fewer.
     */
    private static int[][] replace(int[] cps, int[] changes, int n, String old, String norm) {
        int oldCount = old.codePointCount(0, old.length());
        int newCount = norm.codePointCount(0, norm.length());
        int diff = newCount - oldCount;
        if (n + newCount > cps.length) {
            cps = java.util.Arrays.copyOf(cps, (n + newCount) * 2);
            changes = java.util.Arrays.copyOf(changes, (n + newCount) * 2);
        }
        for (int i = 0; i < norm.length(); ) {
            int c = norm.codePointAt(i);
            cps[n] = c;
            changes[n++] = 0;
            i += Character.charCount(c);
        }
        if (diff > 0) {
            for (int k = 0; k < diff && n - 1 - k >= 0; k++) {
                changes[n - 1 - k] = 1;
            }
        } else if (diff < 0 && n > 0) {
            changes[n - 1] += diff;
        }
        return new int[][] {cps, changes, {n}};
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            n += Utf8.length(c);
            i += Character.charCount(c);
        }
        return n;
    }
}

package dev.quarry.tokenizer;

/**
 * The Hugging Face {@code ByteLevel} pre-tokenizer: optionally a space before text that does not
 * start with one, then the GPT-2 split
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} (matched by
 * hand here, with the Unicode White_Space property for {@code \s}), and each word written in the
 * byte alphabet ({@link ByteLevel}).
 */
record ByteLevelPreTokenizer(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {

    @Override
    public boolean endsWordsAtAsciiWhitespace() {
        return useRegex;
    }

    @Override
    public void split(NormalizedString text, int start, int end, WordSink words) {
        if (start >= end) {
            return;
        }
        NormalizedString piece = text;
        if (addPrefixSpace && text.charAt(start) != ' ') {
            piece = prependSpace(text, start, end);
            start = 0;
            end = piece.length();
        }
        if (!useRegex) {
            NormalizedString w = ByteLevel.encode(piece, start, end);
            words.word(w, 0, w.length());
            return;
        }
        int i = start;
        while (i < end) {
            int stop = matchEnd(piece, i, end);
            NormalizedString w = ByteLevel.encode(piece, i, stop);
            words.word(w, 0, w.length());
            i = stop;
        }
    }

    /** Hugging Face's {@code prepend(" ")}: the space takes the first character's alignment. */
    static NormalizedString prependSpace(NormalizedString text, int start, int end) {
        return prepend(text, start, end, " ");
    }

    static NormalizedString prepend(NormalizedString text, int start, int end, String s) {
        NormalizedString piece = start == 0 && end == text.length() ? text : text.slice(start, end);
        if (piece.isEmpty()) {
            return piece;
        }
        NormalizedString.Rewrite out = piece.rewrite(0);
        int first = piece.codePointAt(0);
        int k = 0;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            out.emit(c, k == 0 ? 0 : 1);
            k++;
            i += Character.charCount(c);
        }
        out.emit(first, 1);
        for (int i = Character.charCount(first); i < piece.length(); ) {
            int c = piece.codePointAt(i);
            out.keep();
            i += Character.charCount(c);
        }
        return out.finish();
    }

    /** End of the GPT-2 pattern's match at {@code i} (every position starts a match). */
    private static int matchEnd(NormalizedString t, int i, int end) {
        int c = t.codePointAt(i);
        if (c == '\'' && i + 1 < end) {
            char d = t.charAt(i + 1);
            if (d == 's' || d == 't' || d == 'm' || d == 'd') {
                return i + 2;
            }
            if (i + 2 < end) {
                char e = t.charAt(i + 2);
                if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l')) {
                    return i + 3;
                }
            }
        }
        int j = i;
        int first = c;
        if (c == ' ' && i + 1 < end) {
            j = i + 1;
            first = t.codePointAt(j);
        }
        int kind = kind(first);
        if (kind != WS) {
            int k = j + Character.charCount(first);
            while (k < end) {
                int d = t.codePointAt(k);
                if (kind(d) != kind) {
                    break;
                }
                k += Character.charCount(d);
            }
            return k;
        }
        // \s+(?!\S) then \s+
        int k = i;
        while (k < end) {
            int d = t.codePointAt(k);
            if (!CharClasses.isWhitespace(d)) {
                break;
            }
            k += Character.charCount(d);
        }
        if (k == end) {
            return k;
        }
        int back = k - Character.charCount(t.codePointBefore(k));
        return back > i ? back : k;
    }

    private static final int LETTER = 0;
    private static final int NUMBER = 1;
    private static final int OTHER = 2;
    private static final int WS = 3;

    private static int kind(int c) {
        if (CharClasses.isWhitespace(c)) {
            return WS;
        }
        if (CharClasses.isRegexLetter(c)) {
            return LETTER;
        }
        if (CharClasses.isRegexNumber(c)) {
            return NUMBER;
        }
        return OTHER;
    }
}

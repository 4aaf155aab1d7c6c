package dev.quarry.tokenizer;

/**
 * The Hugging Face {@code Metaspace} pre-tokenizer (SentencePiece style): every space becomes the
 * replacement character (▁), which is also put before the text ({@code prepend_scheme} "always",
 * or "first" for the text at the start of the input only, or "never"), and with {@code split} the
 * text is cut before each replacement character.
 */
record MetaspacePreTokenizer(int replacement, PrependScheme prependScheme, boolean split) implements PreTokenizer {

    enum PrependScheme {
        ALWAYS,
        NEVER,
        FIRST
    }

    @Override
    public void split(NormalizedString text, int start, int end, WordSink words) {
        if (start >= end) {
            return;
        }
        NormalizedString piece = start == 0 && end == text.length() ? text : text.slice(start, end);
        NormalizedString.Rewrite out = piece.rewrite(0);
        boolean changed = false;
        for (int i = 0; i < piece.length(); ) {
            int c = piece.codePointAt(i);
            if (c == ' ') {
                out.drop();
                out.emit(replacement, 1);
                changed = true;
            } else {
                out.keep();
            }
            i += Character.charCount(c);
        }
        NormalizedString s = changed ? out.finish() : piece;
        boolean prepend = switch (prependScheme) {
            case ALWAYS -> s.codePointAt(0) != replacement;
            case FIRST -> s.codePointAt(0) != replacement && s.originalStart(0) == 0;
            case NEVER -> false;
        };
        if (prepend) {
            s = ByteLevelPreTokenizer.prepend(s, 0, s.length(), Character.toString(replacement));
        }
        if (!split) {
            words.word(s, 0, s.length());
            return;
        }
        int wordStart = 0;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (c == replacement && i > wordStart) {
                words.word(s, wordStart, i);
                wordStart = i;
            }
            i += Character.charCount(c);
        }
        if (wordStart < s.length()) {
            words.word(s, wordStart, s.length());
        }
    }
}

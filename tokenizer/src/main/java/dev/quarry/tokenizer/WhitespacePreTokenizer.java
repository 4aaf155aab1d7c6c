package dev.quarry.tokenizer;

/**
 * The Hugging Face {@code Whitespace} pre-tokenizer: the matches of {@code \w+|[^\w\s]+} with the
 * Rust {@code regex} crate's Unicode classes, everything else (whitespace) dropped. Its {@code \w}
 * leaves out numbers other than decimal digits, so "x²" is two words.
 */
enum WhitespacePreTokenizer implements PreTokenizer {
    INSTANCE;

    private static final int SPACE = 0;
    private static final int WORD = 1;
    private static final int OTHER = 2;

    @Override
    public boolean endsWordsAtAsciiWhitespace() {
        return true;
    }

    @Override
    public void split(NormalizedString text, int start, int end, WordSink words) {
        int runStart = start;
        int runKind = SPACE;
        for (int i = start; i < end; ) {
            int c = text.codePointAt(i);
            int kind = CharClasses.isRegexWord(c) ? WORD : CharClasses.isWhitespace(c) ? SPACE : OTHER;
            if (kind != runKind) {
                if (runKind != SPACE && runStart < i) {
                    words.word(text, runStart, i);
                }
                runStart = i;
                runKind = kind;
            }
            i += Character.charCount(c);
        }
        if (runKind != SPACE && runStart < end) {
            words.word(text, runStart, end);
        }
    }
}

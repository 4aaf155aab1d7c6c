package dev.quarry.tokenizer;

/** The Hugging Face {@code WhitespaceSplit} pre-tokenizer: splits on (and drops) Unicode whitespace. */
enum WhitespaceSplitPreTokenizer implements PreTokenizer {
    INSTANCE;

    @Override
    public boolean endsWordsAtAsciiWhitespace() {
        return true;
    }

    @Override
    public void split(NormalizedString text, int start, int end, WordSink words) {
        int wordStart = start;
        for (int i = start; i < end; ) {
            int c = text.codePointAt(i);
            int next = i + Character.charCount(c);
            if (CharClasses.isWhitespace(c)) {
                if (wordStart < i) {
                    words.word(text, wordStart, i);
                }
                wordStart = next;
            }
            i = next;
        }
        if (wordStart < end) {
            words.word(text, wordStart, end);
        }
    }
}

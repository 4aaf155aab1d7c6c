package dev.quarry.tokenizer;

/**
 * A Hugging Face {@code pre_tokenizer}: cuts a range of normalized text into words, each then
 * tokenized by the model on its own. Most pre-tokenizers only cut, and report words as ranges of
 * the same {@link NormalizedString}; those that rewrite text (ByteLevel, Metaspace) report ranges
 * of a rewritten copy whose alignments still point into the original input. Empty words are never
 * reported.
 */
interface PreTokenizer {

    void split(NormalizedString text, int start, int end, WordSink words);

    /**
     * Whether every word ends before each ASCII whitespace character and no word is rewritten in a
     * way that depends on text after it: then a prefix of the input that stops before such a
     * character yields a prefix of the input's words (see {@code Tokenizer.encodePrefix}).
     */
    default boolean endsWordsAtAsciiWhitespace() {
        return false;
    }

    /** Receives the words, in order, as ranges of normalized UTF-16 units. */
    @FunctionalInterface
    interface WordSink {
        void word(NormalizedString text, int start, int end);
    }
}

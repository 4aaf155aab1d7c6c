package dev.quarry.tokenizer;

/**
 * A Hugging Face {@code pre_tokenizer}: cuts a range of normalized text into words, each then
 * tokenized by the model on its own. Pre-tokenizers never rewrite text, so words are reported as
 * ranges of the same {@link NormalizedString}; empty words are never reported.
 */
interface PreTokenizer {

    void split(NormalizedString text, int start, int end, WordSink words);

    /** Receives the words, in order, as ranges of normalized UTF-16 units. */
    @FunctionalInterface
    interface WordSink {
        void word(int start, int end);
    }
}

package dev.quarry.tokenizer;

/**
 * A Hugging Face tokenization {@code model} (WordPiece, BPE, Unigram, WordLevel): turns one word of
 * normalized, pre-tokenized text into vocabulary tokens with offsets in the original input.
 */
interface Model {

    /** Tokenizes the word {@code [start, end)} of {@code text} and appends its tokens to {@code out}. */
    void tokenize(NormalizedString text, int start, int end, int typeId, EncodingBuffer out);

    /** Id of a vocabulary entry, or -1. */
    int tokenToId(String token);

    /** The vocabulary entry with this id, or null. */
    String idToToken(int id);

    /** Number of entries, as Hugging Face's {@code get_vocab_size} counts them for the model. */
    int size();
}

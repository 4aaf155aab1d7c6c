package dev.quarry.tokenizer;

import java.util.List;

/**
 * A Hugging Face {@code post_processor}: adds special tokens, sets type ids, or adjusts offsets of
 * the encodings of a sequence and its pair, after truncation.
 */
interface PostProcessor {

    /** How many tokens it adds, which truncation reserves room for. */
    int addedTokens(boolean isPair);

    /**
     * Processes the encodings of the sequence and, when there is one, its pair; the result is
     * concatenated in order (as Hugging Face merges them).
     */
    List<EncodingBuffer> process(List<EncodingBuffer> encodings, boolean addSpecialTokens);
}

package dev.quarry.tokenizer;

/** One step of a Hugging Face {@code normalizer}: rewrites text while keeping alignments to the original. */
interface Normalizer {

    NormalizedString normalize(NormalizedString text);

    /**
     * Whether normalizing a prefix that ends before an ASCII whitespace character gives a prefix of
     * the normalized whole, with that character kept as whitespace.
     */
    default boolean keepsAsciiWhitespaceCuts() {
        return false;
    }
}

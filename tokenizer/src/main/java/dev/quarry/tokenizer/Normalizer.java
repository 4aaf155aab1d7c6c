package dev.quarry.tokenizer;

/** One step of a Hugging Face {@code normalizer}: rewrites text while keeping alignments to the original. */
interface Normalizer {

    NormalizedString normalize(NormalizedString text);
}

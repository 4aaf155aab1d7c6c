package dev.quarry.tokenizer;

/**
 * One entry of tokenizer.json's {@code added_tokens}: text matched in the input before the model
 * runs, with Hugging Face's matching flags.
 *
 * @param content    the text to match
 * @param singleWord match only where no word character touches either end
 * @param lstrip     the match takes the whitespace on its left
 * @param rstrip     the match takes the whitespace on its right
 * @param normalized match in the normalized text (else in the raw input)
 * @param special    skipped by {@code decode(ids, true)}
 */
record AddedToken(String content, boolean singleWord, boolean lstrip, boolean rstrip, boolean normalized,
                  boolean special) {
}

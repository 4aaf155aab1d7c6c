package dev.quarry.tokenizer;

/**
 * The Hugging Face {@code BertNormalizer}: clean_text, handle_chinese_chars, strip_accents (which
 * follows lowercase when unset) and lowercase, applied in that order.
 */
record BertNormalizer(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase)
        implements Normalizer {

    @Override
    public NormalizedString normalize(NormalizedString text) {
        NormalizedString s = text;
        if (cleanText) {
            s = NormalizeOps.cleanText(s);
        }
        if (handleChineseChars) {
            s = NormalizeOps.padChineseChars(s);
        }
        if (stripAccents) {
            // Accents go before lowercasing, so "İ" loses its dot before it could become "i̇".
            s = NormalizeOps.stripNonspacingMarks(NormalizeOps.nfd(s));
        }
        if (lowercase) {
            s = NormalizeOps.lowercase(s);
        }
        return s;
    }

    @Override
    public boolean keepsAsciiWhitespaceCuts() {
        return true;
    }
}

package dev.quarry.tokenizer;

import java.util.List;

/**
 * The Hugging Face {@code ByteLevel} post-processor: with {@code trim_offsets}, token offsets leave
 * out the spaces ("Ġ") a token starts or ends with, except the one space added by
 * {@code add_prefix_space} before the first token. It adds no special tokens.
 */
record ByteLevelProcessing(boolean trimOffsets, boolean addPrefixSpace) implements PostProcessor {

    @Override
    public int addedTokens(boolean isPair) {
        return 0;
    }

    @Override
    public List<EncodingBuffer> process(List<EncodingBuffer> encodings, boolean addSpecialTokens) {
        if (trimOffsets) {
            for (EncodingBuffer e : encodings) {
                trimOffsets(e, addPrefixSpace);
            }
        }
        return encodings;
    }

    /** Hugging Face's {@code process_offsets}. */
    static void trimOffsets(EncodingBuffer e, boolean addPrefixSpace) {
        for (int i = 0; i < e.size(); i++) {
            String token = e.token(i);
            int leading = 0;
            for (int k = 0; k < token.length(); ) {
                int c = token.codePointAt(k);
                if (c != ByteLevel.SPACE && !CharClasses.isWhitespace(c)) {
                    break;
                }
                leading++;
                k += Character.charCount(c);
            }
            int trailing = 0;
            for (int k = token.length(); k > 0; ) {
                int c = token.codePointBefore(k);
                if (c != ByteLevel.SPACE && !CharClasses.isWhitespace(c)) {
                    break;
                }
                trailing++;
                k -= Character.charCount(c);
            }
            if (leading == 0 && trailing == 0) {
                continue;
            }
            int start = e.start(i);
            int end = e.end(i);
            if (leading > 0) {
                boolean isFirst = i == 0 || start == 0;
                if (isFirst && addPrefixSpace && leading == 1) {
                    leading = 0;
                }
                start = Math.min(start + leading, end);
            }
            if (trailing > 0 && end >= trailing) {
                end = Math.max(end - trailing, start);
            }
            e.setOffsets(i, start, end);
        }
    }
}

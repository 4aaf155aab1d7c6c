package dev.quarry.tokenizer;

/**
 * Character classes with the exact definitions the Rust {@code tokenizers} library uses, which
 * differ from Java's {@link Character} predicates in ways that change tokens.
 *
 * <p>{@code Character.isWhitespace} excludes U+00A0 and includes U+001C..U+001F where Rust's
 * {@code char::is_whitespace} (the Unicode White_Space property) does the opposite; the regex
 * engines' {@code \w} and {@code \s} each have their own definitions too. Where the Rust
 * library relies on old Unicode tables, the differences from Java's data are listed here.
 */
final class CharClasses {

    private CharClasses() {
    }

    /** Rust {@code char::is_whitespace}: the Unicode White_Space property. */
    static boolean isWhitespace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F
                || c == 0x205F || c == 0x3000;
    }

    /**
     * Ranges (first, last) of code points that the {@code unicode_categories} crate, whose tables
     * are Unicode 8.0, puts in none of Cc, Cf, Co, Mn or P* while Java's newer Unicode data puts
     * them in one of those: mostly characters assigned after 8.0. Between the listed characters a
     * range may take in code points that Java already puts in none of those categories. Found by
     * comparing every code point with the Rust library (see {@code CodePointParityTest}), which also
     * catches the next JDK's Unicode update.
     */
    private static final int[] UNICODE_8_NONE = {
        0x0061D, 0x0061D, 0x007FD, 0x007FD, 0x00890, 0x008E2, 0x009FD, 0x009FE,
        0x00A76, 0x00A76, 0x00AFA, 0x00AFF, 0x00B55, 0x00B55, 0x00C04, 0x00C3C,
        0x00C77, 0x00C77, 0x00C84, 0x00C84, 0x00D00, 0x00D00, 0x00D3B, 0x00D3C,
        0x00D81, 0x00D81, 0x00EBA, 0x00EBA, 0x00ECE, 0x00ECE, 0x0180F, 0x01886,
        0x01ABF, 0x01ACE, 0x01B4E, 0x01B4F, 0x01B7D, 0x01B7F, 0x01DF6, 0x01DFB,
        0x02E43, 0x02E5D, 0x0A82C, 0x0A82C, 0x0A8C5, 0x0A8C5, 0x0A8FF, 0x0A8FF,
        0x0A9BD, 0x0A9BD, 0x10D24, 0x10F89, 0x11070, 0x11074, 0x110C2, 0x110CD,
        0x111CF, 0x111CF, 0x1123E, 0x11241, 0x1133B, 0x1133B, 0x113BB, 0x1145E,
        0x11660, 0x1166C, 0x116B9, 0x116B9, 0x1182F, 0x11FFF, 0x12FF1, 0x1612F,
        0x16D6D, 0x16F4F, 0x16FE2, 0x16FE4, 0x1CF00, 0x1CF46, 0x1E000, 0x1E5FF,
        0x1E944, 0x1E95F,
    };

    /**
     * Ranges (first, last) of code points that Java's Unicode data calls marks (M*) and the
     * {@code unicode-normalization-alignments} crate, whose tables are Unicode 9.0, does not: marks
     * assigned after 9.0, and U+111C9 which was punctuation. Ranges may take in code points that
     * Java does not call marks either. Found and checked as {@link #UNICODE_8_NONE} is.
     */
    private static final int[] UNICODE_9_NOT_MARK = {
        0x007FD, 0x007FD, 0x00897, 0x008D3, 0x009FE, 0x009FE, 0x00AFA, 0x00AFF,
        0x00B55, 0x00B55, 0x00C04, 0x00C3C, 0x00CF3, 0x00D00, 0x00D3B, 0x00D3C,
        0x00D81, 0x00D81, 0x00EBA, 0x00EBA, 0x00ECE, 0x00ECE, 0x01715, 0x01715,
        0x0180F, 0x0180F, 0x01ABF, 0x01ACE, 0x01CF7, 0x01CF7, 0x01DF6, 0x01DFA,
        0x0A82C, 0x0A82C, 0x0A8FF, 0x0A8FF, 0x10D24, 0x10F85, 0x11070, 0x11074,
        0x110C2, 0x110C2, 0x11145, 0x11146, 0x111C9, 0x111C9, 0x111CE, 0x111CF,
        0x11241, 0x11241, 0x1133B, 0x1133B, 0x113B8, 0x113E2, 0x1145E, 0x1145E,
        0x1182C, 0x11A99, 0x11D31, 0x1612F, 0x16F4F, 0x16F4F, 0x16F7F, 0x16F87,
        0x16FE4, 0x16FF1, 0x1CF00, 0x1CF46, 0x1E08F, 0x1E5EF,
    };

    private static boolean inUnicode8None(int c) {
        return inRanges(UNICODE_8_NONE, c);
    }

    /** Binary search in sorted, disjoint (first, last) pairs. */
    private static boolean inRanges(int[] ranges, int c) {
        if (c < ranges[0]) {
            return false;
        }
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (c < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (c > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /**
     * The {@code unicode_categories} crate's {@code is_other}: general categories Cc, Cf and Co
     * (not Cn, not Cs), as its tables define them.
     */
    static boolean isOther(int c) {
        if (inUnicode8None(c)) {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE;
    }

    /**
     * The {@code unicode_categories} crate's {@code is_punctuation}: categories Pc Pd Ps Pe Pi Pf Po
     * of Unicode 8.0, when U+166D and U+111C9 were still punctuation.
     */
    static boolean isPunctuation(int c) {
        if (c == 0x166D || c == 0x111C9) {
            return true;
        }
        if (inUnicode8None(c)) {
            return false;
        }
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /**
     * The {@code unicode_categories} crate's {@code is_mark_nonspacing}: category Mn of Unicode 8.0,
     * when U+1734 and U+1171E were still Mn.
     */
    static boolean isMarkNonspacing(int c) {
        if (c == 0x1734 || c == 0x1171E) {
            return true;
        }
        return c != 0x111C9 && !inUnicode8None(c) && Character.getType(c) == Character.NON_SPACING_MARK;
    }

    /**
     * The {@code unicode-normalization-alignments} crate's {@code is_combining_mark}: categories Mn,
     * Mc and Me of Unicode 9.0, when U+1CF2 and U+1CF3 were still marks. The standalone StripAccents
     * normalizer removes these, unlike BertNormalizer's strip_accents that removes Mn only.
     */
    static boolean isCombiningMark(int c) {
        if (c == 0x1CF2 || c == 0x1CF3) {
            return true;
        }
        if (inRanges(UNICODE_9_NOT_MARK, c)) {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    /** BERT's punctuation: Rust {@code is_ascii_punctuation} (which counts $+<=>^`|~) or Unicode P*. */
    static boolean isBertPunctuation(int c) {
        return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)
                || isPunctuation(c);
    }

    /** The CJK ideograph blocks that the Hugging Face BertNormalizer surrounds with spaces. */
    static boolean isChineseChar(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF)
                || (c >= 0x3400 && c <= 0x4DBF)
                || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F)
                || (c >= 0x2B740 && c <= 0x2B81F)
                || (c >= 0x2B920 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF)
                || (c >= 0x2F800 && c <= 0x2FA1F);
    }

    /**
     * The Rust {@code regex} crate's Unicode {@code \w}: Alphabetic, marks, decimal digits,
     * connector punctuation and Join_Control.
     */
    static boolean isRegexWord(int c) {
        if (Character.isAlphabetic(c) || c == 0x200C || c == 0x200D) {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                 Character.DECIMAL_DIGIT_NUMBER, Character.CONNECTOR_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** {@code \p{L}} of the Oniguruma regex engine the Rust library uses for ByteLevel and Split. */
    static boolean isRegexLetter(int c) {
        if (c < 0x80) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }
        return Character.isLetter(c);
    }

    /** {@code \p{N}} of the Oniguruma regex engine. */
    static boolean isRegexNumber(int c) {
        if (c < 0x80) {
            return c >= '0' && c <= '9';
        }
        int t = Character.getType(c);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }
}

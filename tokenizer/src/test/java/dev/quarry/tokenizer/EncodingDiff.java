package dev.quarry.tokenizer;

/** Describes where two encodings first differ, for mismatch reports. */
final class EncodingDiff {

    private EncodingDiff() {
    }

    /** The first difference, or null when the encodings are identical. */
    static String first(Encoding expected, Encoding actual) {
        int n = Math.min(expected.length(), actual.length());
        for (int i = 0; i < n; i++) {
            String field = null;
            if (expected.ids()[i] != actual.ids()[i]) {
                field = "id";
            } else if (!expected.tokens()[i].equals(actual.tokens()[i])) {
                field = "token";
            } else if (expected.typeIds()[i] != actual.typeIds()[i]) {
                field = "type id";
            } else if (expected.starts()[i] != actual.starts()[i] || expected.ends()[i] != actual.ends()[i]) {
                field = "offsets";
            } else if (expected.attentionMask()[i] != actual.attentionMask()[i]) {
                field = "attention mask";
            } else if (expected.specialTokensMask()[i] != actual.specialTokensMask()[i]) {
                field = "special tokens mask";
            }
            if (field != null) {
                return "position " + i + " (" + field + "): expected " + describe(expected, i) + ", got "
                        + describe(actual, i);
            }
        }
        if (expected.length() != actual.length()) {
            return "length: expected " + expected.length() + ", got " + actual.length() + " (next expected "
                    + (n < expected.length() ? describe(expected, n) : "nothing") + ", next got "
                    + (n < actual.length() ? describe(actual, n) : "nothing") + ")";
        }
        return null;
    }

    private static String describe(Encoding e, int i) {
        return TestText.escape(e.tokens()[i]) + "=" + e.ids()[i] + "@" + e.starts()[i] + "-" + e.ends()[i]
                + " type " + e.typeIds()[i] + " attn " + e.attentionMask()[i] + " special " + e.specialTokensMask()[i];
    }
}

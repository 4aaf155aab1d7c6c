package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every code point that Java's Unicode 16 normalizes, between a letter and a combining acute, through
 * NFKD and NFKC (whose decompositions include the canonical ones of NFD and NFC) on the RoBERTa
 * byte-level BPE (which shows every output character in its tokens), against the Rust Hugging Face
 * tokenizers, whose normalization tables are older.
 */
class NormalizerCodePointTest {

    @ParameterizedTest
    @ValueSource(strings = {"NFKD", "NFKC"})
    void everyChangedCodePointMatches(String form) {
        String json = TestText.editJson(FixtureParityTest.fixture(ComponentParityTest.ROBERTA), root -> {
            root.putObject("normalizer").put("type", form);
            root.putNull("post_processor");
        });
        Tokenizer ours = Tokenizer.fromJson(json, form);
        java.text.Normalizer.Form javaForm = java.text.Normalizer.Form.valueOf(form);
        StringBuilder differing = new StringBuilder();
        int mismatches = 0;
        try (HfReference reference = new HfReference(json)) {
            for (int c = 0xA0; c < 0x110000; c++) {
                if (Character.getType(c) == Character.SURROGATE
                        || java.text.Normalizer.isNormalized(Character.toString(c), javaForm)) {
                    continue;
                }
                String text = "a" + Character.toString(c) + "\u0301";
                if (EncodingDiff.first(reference.encode(text, null, false), ours.encode(text, null, false)) != null
                        && ++mismatches <= 40) {
                    differing.append(String.format(" U+%04X", c));
                }
            }
        }
        assertEquals(0, mismatches, form + " differs on" + differing);
    }
}

package dev.quarry.tokenizer;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Encode then decode on every fixture, against the Rust Hugging Face tokenizers' decode of the same
 * ids (with and without special tokens), on generated lines and the eleven STS-B languages.
 */
class RoundTripTest {

    @ParameterizedTest
    @ValueSource(strings = {"tokenizers/hf-tokenizers-node-roberta.json", "tokenizers/hf-tokenizers-node-bert-wiki.json",
        "tokenizers/hf-tokenizers-node-tokenizer-wiki.json", "sentencepiece/test_model.unigram.tokenizer.json"})
    void decodeMatchesTheReference(String name) {
        String json = FixtureParityTest.fixture(name);
        Tokenizer ours = Tokenizer.fromJson(json, name);
        List<String> texts = new ArrayList<>(TestCorpus.generated(1_500, 20_260_403L));
        texts.addAll(TestCorpus.stsbMultilingual(15));
        List<String> reports = new ArrayList<>();
        int mismatches = 0;
        try (HfReference reference = new HfReference(json)) {
            for (String text : texts) {
                int[] ids = ours.encode(text).ids();
                for (boolean skip : new boolean[] {true, false}) {
                    String expected = reference.decode(ids, skip);
                    String actual = ours.decode(ids, skip);
                    if (!expected.equals(actual) && ++mismatches <= 10) {
                        reports.add("\"" + TestText.escape(text) + "\" (skip special " + skip + "): expected \""
                                + TestText.escape(expected) + "\", got \"" + TestText.escape(actual) + "\"");
                    }
                }
            }
        }
        Assertions.assertEquals(0, mismatches, () -> name + ": " + String.join("\n  ", reports));
    }
}

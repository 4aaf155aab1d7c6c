package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The golden files of ../shared/fixtures for the BPE and Unigram tokenizers: ids, tokens and
 * decoded text written by {@code @huggingface/tokenizers} (JavaScript), and the pieces and ids of
 * the real SentencePiece for the same Unigram model.
 */
class FixtureGoldenTest {

    private static JsonNode read(String name) throws IOException {
        return new ObjectMapper().readTree(TestText.sharedDir().resolve("fixtures").resolve(name).toFile());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tokenizers/hf-tokenizers-node-roberta.json", "sentencepiece/test_model.unigram.tokenizer.json"})
    void javaScriptTokenizers(String name) throws IOException {
        JsonNode cases = read("tokenizers-js-golden.json").get(name);
        assertEquals(12, cases.size(), "golden cases");
        Tokenizer tokenizer = Tokenizer.fromJson(FixtureParityTest.fixture(name), name);
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            Encoding e = tokenizer.encode(text);
            int[] ids = ints(c.get("ids"));
            List<String> tokens = new ArrayList<>();
            c.get("tokens").forEach(t -> tokens.add(t.asText()));
            assertArrayEquals(ids, e.ids(), () -> "ids of " + TestText.escape(text));
            assertEquals(tokens, List.of(e.tokens()), () -> "tokens of " + TestText.escape(text));
            assertEquals(c.get("decoded").asText(), tokenizer.decode(ids, false), () -> "decode of " + TestText.escape(text));
        }
    }

    /**
     * SentencePiece itself. Hugging Face's converted file differs on purpose in one way: its
     * WhitespaceSplit pre-tokenizer drops tabs and newlines, which SentencePiece keeps as pieces
     * (and then every word after them gets its own "▁"). Quarry follows Hugging Face: for those
     * strings the expectation is the Rust library's output, checked here too.
     */
    @Test
    void sentencePieceUnigram() throws IOException {
        String name = "sentencepiece/test_model.unigram.tokenizer.json";
        String json = FixtureParityTest.fixture(name);
        Tokenizer tokenizer = Tokenizer.fromJson(json, name);
        int followedSentencePiece = 0;
        try (HfReference reference = new HfReference(json)) {
            for (JsonNode c : read("sentencepiece/test_model.golden.json").get("cases")) {
                String text = c.get("text").asText();
                Encoding e = tokenizer.encode(text);
                if (text.indexOf('\t') >= 0 || text.indexOf('\n') >= 0) {
                    assertArrayEquals(reference.encode(text).ids(), e.ids(), () -> "ids of " + TestText.escape(text));
                    continue;
                }
                List<String> pieces = new ArrayList<>();
                c.get("pieces").forEach(t -> pieces.add(t.asText()));
                assertArrayEquals(ints(c.get("ids")), e.ids(), () -> "ids of " + TestText.escape(text));
                // Unknown pieces: SentencePiece and Hugging Face both give the text itself.
                assertEquals(pieces, List.of(e.tokens()), () -> "pieces of " + TestText.escape(text));
                followedSentencePiece++;
            }
        }
        assertEquals(9, followedSentencePiece, "strings without tabs or newlines");
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}

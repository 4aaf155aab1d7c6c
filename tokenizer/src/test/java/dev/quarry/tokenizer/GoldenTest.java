package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The all-MiniLM-L6-v2 expectations of ../shared/fixtures/tokenizers-js-golden.json, written by
 * {@code @huggingface/tokenizers} (JavaScript): ids, tokens and decoded text for 12 strings.
 */
class GoldenTest {

    private static final String KEY = "all-minilm-l6-v2-tokenizer.json (from the all-MiniLM-L6-v2 model jar)";

    @Test
    void idsTokensAndDecodesOfTheJavaScriptTokenizers() throws IOException {
        JsonNode golden = new ObjectMapper().readTree(TestText.sharedDir().resolve("fixtures/tokenizers-js-golden.json").toFile());
        JsonNode cases = golden.get(KEY);
        assertEquals(12, cases.size(), "golden cases");
        // The golden ids are unpadded, as the model is run.
        Tokenizer tokenizer = Tokenizer.fromJson(TestText.resource("all-minilm-l6-v2-tokenizer.json"), "all-MiniLM-L6-v2")
                .withoutPadding();
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            Encoding e = tokenizer.encode(text);
            int[] ids = new int[c.get("ids").size()];
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < ids.length; i++) {
                ids[i] = c.get("ids").get(i).asInt();
                tokens.add(c.get("tokens").get(i).asText());
            }
            assertArrayEquals(ids, e.ids(), () -> "ids of " + TestText.escape(text));
            assertEquals(tokens, List.of(e.tokens()), () -> "tokens of " + TestText.escape(text));
            // The JavaScript library cleans up the whole decoded string, as Python transformers does.
            assertEquals(c.get("decoded").asText(), tokenizer.decode(ids, false, true), () -> "decode of " + TestText.escape(text));
        }
    }
}

package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The configuration Quarry runs all-MiniLM-L6-v2 with (256 tokens, no padding) against DJL's own
 * {@code HuggingFaceTokenizer}, loaded from a file as DJL users load it. The line-by-line parity
 * tests use DJL's raw binding instead, because this wrapper replaces the file's padding settings.
 */
class DjlWrapperTest {

    @Test
    void quarryConfigurationMatchesHuggingFaceTokenizerFromAFile() throws IOException {
        Path file = Files.createDirectories(Path.of("target", "djl-wrapper-test")).resolve("tokenizer.json");
        Files.writeString(file, TestText.resource("all-minilm-l6-v2-tokenizer.json"), StandardCharsets.UTF_8);
        Tokenizer quarry = Tokenizer.fromJson(file).withTruncation(256).withoutPadding();
        List<String> texts = new ArrayList<>(TestCorpus.generated(3000, 99));
        texts.addAll(TestCorpus.realText(200));
        int mismatches = 0;
        String first = null;
        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(file,
                Map.of("maxLength", "256", "truncation", "true", "padding", "false"))) {
            for (String text : texts) {
                String input = Tokenizer.replaceUnpairedSurrogates(text);
                String diff = EncodingDiff.first(HfReference.fromDjl(djl.encode(input), input), quarry.encode(text));
                if (diff != null && mismatches++ == 0) {
                    first = TestText.escape(text) + ": " + diff;
                }
            }
        }
        assertEquals(0, mismatches, "first mismatch: " + first);
    }
}

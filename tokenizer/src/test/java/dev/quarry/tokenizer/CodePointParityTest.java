package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every Unicode code point, between two letters ("a" + c + "b"), against the Rust tokenizers: this
 * is what pins down the character tables (the Rust library's are partly Unicode 8 and 9, Java's
 * are newer) and catches the next JDK's Unicode update.
 */
class CodePointParityTest {

    /** Probes per input: many per call keeps the run short, and a mismatch still names its range. */
    private static final int PROBES_PER_LINE = 64;

    @Test
    void bertNormalizerAndPreTokenizer() {
        String json = TestText.resource("all-minilm-l6-v2-tokenizer.json");
        assertEveryCodePointMatches(json, Tokenizer.fromJson(json, "all-MiniLM-L6-v2").withoutTruncation().withoutPadding());
    }

    @Test
    void normalizerSequenceAndWhitespacePreTokenizer() throws IOException {
        String json = Files.readString(TestText.sharedDir().resolve("fixtures/tokenizers/hf-tokenizers-node-bert-wiki.json"));
        assertEveryCodePointMatches(json, Tokenizer.fromJson(json, "bert-wiki"));
    }

    private static void assertEveryCodePointMatches(String json, Tokenizer ours) {
        List<String> reports = new ArrayList<>();
        int mismatches = 0;
        try (HfReference reference = new HfReference(TestText.withoutTruncationOrPadding(json))) {
            StringBuilder line = new StringBuilder();
            int first = 0;
            int probes = 0;
            for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
                if (Character.isSurrogate((char) c) && c <= 0xFFFF) {
                    continue;
                }
                if (probes == 0) {
                    first = c;
                }
                line.append(" a").appendCodePoint(c).append('b');
                if (++probes == PROBES_PER_LINE || c == Character.MAX_CODE_POINT) {
                    String text = line.toString();
                    String diff = EncodingDiff.first(reference.encode(text), ours.encode(text));
                    if (diff != null && ++mismatches <= 10) {
                        reports.add(String.format("U+%04X..U+%04X: %s", first, c, diff));
                    }
                    line.setLength(0);
                    probes = 0;
                }
            }
        }
        assertEquals(0, mismatches, () -> mismatches(reports));
    }

    private static String mismatches(List<String> reports) {
        return "code points tokenized differently from Hugging Face:\n  " + String.join("\n  ", reports);
    }
}

package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Truncation with a stride and its overflowing windows against the Rust Hugging Face tokenizers:
 * every window, nested ones included, with its special tokens, type ids, offsets and padding, for
 * each strategy and direction, on singles and pairs.
 *
 * <p>Without a post-processor the reference reports no offsets for the second sequence's tokens
 * in overflowing windows (the Rust library sets no sequence id on them, and DJL maps every span
 * to the first text), so pairs are checked on fixtures that have one.
 */
class OverflowParityTest {

    private static final int MAX_REPORTS = 10;
    private static List<String> lines;

    @BeforeAll
    static void loadLines() {
        // Windows of 24 tokens multiply: a pair of long texts has hundreds of combinations.
        List<String> all = new ArrayList<>(TestCorpus.generated(1_200, 20_260_402L));
        all.addAll(TestCorpus.realText(20));
        lines = new ArrayList<>();
        for (int i = 0; i < all.size(); i += 8) {
            if (all.get(i).length() < 200) {
                lines.add(all.get(i));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "tokenizers/hf-tokenizers-node-bert-wiki.json, LongestFirst, Right, 5, true",
        "tokenizers/hf-tokenizers-node-bert-wiki.json, LongestFirst, Left, 3, true",
        "tokenizers/hf-tokenizers-node-bert-wiki.json, LongestFirst, Right, 0, true",
        "tokenizers/hf-tokenizers-node-bert-wiki.json, OnlyFirst, Right, 0, true",
        "tokenizers/hf-tokenizers-node-bert-wiki.json, OnlySecond, Left, 0, true",
        "tokenizers/hf-tokenizers-node-bert-wiki.json, OnlySecond, Right, 1, true",
        "tokenizers/hf-tokenizers-node-roberta.json, LongestFirst, Right, 4, true",
        "tokenizers/hf-tokenizers-node-roberta.json, OnlyFirst, Left, 2, true",
        "sentencepiece/test_model.unigram.tokenizer.json, LongestFirst, Right, 6, false",
        "tokenizers/hf-tokenizers-node-tokenizer-wiki.json, LongestFirst, Left, 2, false"})
    void windowsMatch(String fixture, String strategy, String direction, int stride, boolean pairs) {
        String json = TestText.editJson(FixtureParityTest.fixture(fixture), root -> root.putObject("truncation")
                .put("max_length", 24).put("strategy", strategy).put("direction", direction).put("stride", stride));
        compare(fixture + " " + strategy + " " + direction + " stride " + stride, json, pairs);
    }

    /** Overflowing windows are padded like the encoding that holds them. */
    @Test
    void paddedWindowsMatch() {
        String name = "tokenizers/hf-tokenizers-node-bert-wiki.json";
        String json = TestText.editJson(FixtureParityTest.fixture(name), root -> {
            root.putObject("truncation").put("max_length", 16).put("strategy", "LongestFirst").put("direction", "Right")
                    .put("stride", 2);
            var padding = root.putObject("padding");
            padding.putObject("strategy").put("Fixed", 20);
            padding.put("direction", "Left").put("pad_id", 0).put("pad_type_id", 0).put("pad_token", "[PAD]");
        });
        compare(name + " padded", json, true);
    }

    private static void compare(String name, String json, boolean pairs) {
        Tokenizer ours = Tokenizer.fromJson(json, name);
        List<String> reports = new ArrayList<>();
        int mismatches = 0;
        int compared = 0;
        try (HfReference reference = new HfReference(json)) {
            for (int i = 0; i < lines.size(); i++) {
                for (String pair : pairs ? new String[] {null, lines.get((i + 1) % lines.size())} : new String[] {null}) {
                    String text = lines.get(i);
                    String diff;
                    Encoding actual = null;
                    String actualError = null;
                    try {
                        actual = ours.encodeWithOverflowing(text, pair, true);
                    } catch (IllegalArgumentException e) {
                        actualError = e.getMessage();
                    }
                    if (actualError != null && actualError.contains("stride")) {
                        // The Rust library panics (aborting the JVM) on a window shorter than the stride.
                        continue;
                    }
                    compared++;
                    Encoding expected = null;
                    String expectedError = null;
                    try {
                        expected = reference.encodeWithOverflowing(text, pair, true);
                    } catch (RuntimeException e) {
                        expectedError = String.valueOf(e);
                    }
                    if (expectedError != null || actualError != null) {
                        diff = expectedError != null && actualError != null ? null
                                : "expected " + (expectedError != null ? "error " + expectedError : "an encoding")
                                + ", got " + (actualError != null ? "error " + actualError : "an encoding");
                    } else {
                        diff = deepDiff(expected, actual, "");
                    }
                    if (diff != null && ++mismatches <= MAX_REPORTS) {
                        reports.add("line " + i + " \"" + TestText.escape(text) + "\""
                                + (pair == null ? "" : " with \"" + TestText.escape(pair) + "\"") + ": " + diff);
                    }
                }
            }
        }
        if (mismatches > 0) {
            fail(name + ": " + mismatches + " of " + compared + " inputs differ from Hugging Face tokenizers:\n  "
                    + String.join("\n  ", reports));
        }
        assertEquals(0, mismatches);
    }

    /** The first difference in the encoding or, depth first, in its overflowing windows. */
    static String deepDiff(Encoding expected, Encoding actual, String where) {
        String diff = EncodingDiff.first(expected, actual);
        if (diff != null) {
            return (where.isEmpty() ? "" : "overflowing" + where + ": ") + diff;
        }
        if (expected.overflowing().size() != actual.overflowing().size()) {
            return "overflowing" + where + ": expected " + expected.overflowing().size() + " windows, got "
                    + actual.overflowing().size();
        }
        for (int k = 0; k < expected.overflowing().size(); k++) {
            String d = deepDiff(expected.overflowing().get(k), actual.overflowing().get(k), where + "[" + k + "]");
            if (d != null) {
                return d;
            }
        }
        return null;
    }
}

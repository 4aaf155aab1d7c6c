package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Quarry's tokenizer against the Rust Hugging Face tokenizers on the same tokenizer.json, line by
 * line: ids, tokens, type ids, offsets, attention and special-token masks must all be identical.
 */
class ParityTest {

    private static final String MINILM = "all-minilm-l6-v2-tokenizer.json";
    private static final int MAX_REPORTS = 15;

    /** Every input: the main configurations run on all of them. */
    private static List<String> lines;
    /**
     * Every fourth input, for the other configurations. The reference is the slow side: with
     * truncation it also builds the overflowing windows (for a pair, every combination of them).
     */
    private static List<String> sample;

    @BeforeAll
    static void loadLines() {
        lines = new ArrayList<>(TestCorpus.generated(12_000, 20_240_601L));
        lines.addAll(TestCorpus.realText(600));
        sample = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += 4) {
            sample.add(lines.get(i));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {MINILM, "bge-small-en-v1.5-q-tokenizer.json", "e5-small-v2-q-tokenizer.json"})
    void singleTextsAsTheFileConfigures(String resource) {
        String json = TestText.resource(resource);
        compareSingles(resource + " as configured", json, Tokenizer.fromJson(json, resource), true);
    }

    @ParameterizedTest
    @ValueSource(ints = {256, 512})
    void truncatedWithoutPadding(int maxLength) {
        String json = TestText.resource(MINILM);
        Tokenizer ours = Tokenizer.fromJson(json, MINILM).withTruncation(maxLength).withoutPadding();
        String reference = TestText.editJson(json, root -> {
            ((ObjectNode) root.get("truncation")).put("max_length", maxLength);
            root.putNull("padding");
        });
        compareSingles("truncation " + maxLength + ", no padding", reference, ours, true);
    }

    @Test
    void withoutSpecialTokensOrTruncation() {
        String json = TestText.resource(MINILM);
        Tokenizer ours = Tokenizer.fromJson(json, MINILM).withoutTruncation().withoutPadding();
        String reference = TestText.withoutTruncationOrPadding(json);
        compare("no truncation, no padding", reference, sample, false, ours, true);
        compare("no special tokens, truncation 256", TestText.editJson(json, root -> {
            ((ObjectNode) root.get("truncation")).put("max_length", 256);
            root.putNull("padding");
        }), sample, false, ours.withTruncation(256), false);
    }

    @Test
    void pairsAsConfiguredAndAt256() {
        String json = TestText.resource(MINILM);
        Tokenizer ours = Tokenizer.fromJson(json, MINILM);
        comparePairs("pairs as configured", json, ours, lines);
        comparePairs("pairs, truncation 256", TestText.editJson(json, root -> {
            ((ObjectNode) root.get("truncation")).put("max_length", 256);
            root.putNull("padding");
        }), ours.withTruncation(256).withoutPadding(), sample);
    }

    /** Strategies and directions the models do not use, configured in the file for both sides. */
    @ParameterizedTest
    @ValueSource(strings = {"OnlyFirst/Right/40", "OnlySecond/Right/40", "LongestFirst/Left/40",
        "LongestFirst/Right/20", "OnlyFirst/Left/3", "LongestFirst/Right/2", "LongestFirst/Right/3"})
    void truncationStrategies(String spec) {
        String[] parts = spec.split("/");
        String json = TestText.editJson(TestText.resource(MINILM), root -> {
            ObjectNode t = (ObjectNode) root.get("truncation");
            t.put("strategy", parts[0]);
            t.put("direction", parts[1]);
            t.put("max_length", Integer.parseInt(parts[2]));
            root.putNull("padding");
        });
        Tokenizer ours = Tokenizer.fromJson(json, spec);
        // Short texts only: with a tiny max length the Rust library builds every combination of
        // overflowing windows of the two texts, which takes minutes for long documents.
        List<String> shortTexts = sample.stream().filter(l -> l.length() < 300).toList();
        compare(spec, json, shortTexts, false, ours, true);
        comparePairs(spec + " pairs", json, ours, shortTexts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"BatchLongest/Right/0", "BatchLongest/Left/8", "Fixed/Left/0", "Fixed/Right/16"})
    void paddedBatches(String spec) {
        String[] parts = spec.split("/");
        String json = TestText.editJson(TestText.resource(MINILM), root -> {
            ObjectNode p = (ObjectNode) root.get("padding");
            if (parts[0].equals("BatchLongest")) {
                p.put("strategy", "BatchLongest");
            } else {
                p.putObject("strategy").put("Fixed", 40);
            }
            p.put("direction", parts[1]);
            int multiple = Integer.parseInt(parts[2]);
            if (multiple > 0) {
                p.put("pad_to_multiple_of", multiple);
            }
            p.put("pad_type_id", 3);
            ((ObjectNode) root.get("truncation")).put("max_length", 64);
        });
        Tokenizer ours = Tokenizer.fromJson(json, spec);
        List<String> reports = new ArrayList<>();
        int mismatches = 0;
        try (HfReference reference = new HfReference(json)) {
            for (int start = 0; start + 7 <= sample.size(); start += 7) {
                List<String> batch = sample.subList(start, start + 7);
                List<Encoding> expected = reference.encodeBatch(batch, true);
                List<Encoding> actual = ours.encodeBatch(batch);
                for (int i = 0; i < batch.size(); i++) {
                    String diff = EncodingDiff.first(expected.get(i), actual.get(i));
                    if (diff != null && ++mismatches <= MAX_REPORTS) {
                        reports.add("batch at line " + start + ", item " + i + " \"" + TestText.escape(batch.get(i)) + "\": " + diff);
                    }
                }
            }
        }
        report(spec, mismatches, reports);
    }

    /** WordPiece with a normalizer Sequence (NFD, Lowercase, StripAccents) and the Whitespace pre-tokenizer. */
    @Test
    void bertWikiFixture() throws IOException {
        String json = Files.readString(TestText.sharedDir().resolve("fixtures/tokenizers/hf-tokenizers-node-bert-wiki.json"));
        compareSingles("bert-wiki", json, Tokenizer.fromJson(json, "bert-wiki.json"), true);
        comparePairs("bert-wiki pairs", json, Tokenizer.fromJson(json, "bert-wiki.json"), sample);
    }

    /**
     * Added tokens with every matching flag: lstrip, rstrip, single_word, normalized, and
     * non-special tokens that are not in the vocabulary (so they get new ids).
     */
    @Test
    void addedTokenFlags() {
        String json = TestText.editJson(TestText.resource(MINILM), root -> {
            var added = (com.fasterxml.jackson.databind.node.ArrayNode) root.get("added_tokens");
            ((ObjectNode) added.get(4)).put("lstrip", true).put("rstrip", true);   // [MASK]
            ((ObjectNode) added.get(1)).put("single_word", true);                 // [UNK]
            ((ObjectNode) added.get(3)).put("normalized", true);                  // [SEP], matched as "[sep]"
            added.addObject().put("id", 30522).put("content", "qu4rk").put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", true).put("special", false);
            added.addObject().put("id", 30523).put("content", "Ünï").put("single_word", true).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
            added.addObject().put("id", 30524).put("content", "world").put("single_word", true).put("lstrip", true)
                    .put("rstrip", false).put("normalized", true).put("special", false);
            root.putNull("padding");
            root.putNull("truncation");
        });
        List<String> extra = new ArrayList<>();
        for (String s : List.of("a [MASK] b", "a   [MASK]   b", "[MASK]", "x[MASK]y", "[UNK] x[UNK] [UNK]y [UNK]",
                "qu4rk QU4RK Qu4rkqu4rk", "Ünï Ünïx xÜnï Üni", "hello world worlds WORLD  World", "[sep] [SEP] [Sep]",
                "[MASK][MASK]  [MASK]\u00A0[MASK]\u3000x")) {
            extra.add(s);
        }
        extra.addAll(sample);
        Tokenizer ours = Tokenizer.fromJson(json, "added tokens");
        compare("added token flags", json, extra, false, ours, true);
        compare("added token flags, pairs", json, extra, true, ours, true);
    }

    private static void compareSingles(String name, String json, Tokenizer ours, boolean addSpecialTokens) {
        compare(name, json, lines, false, ours, addSpecialTokens);
    }

    private static void comparePairs(String name, String json, Tokenizer ours, List<String> texts) {
        compare(name, json, texts, true, ours, true);
    }

    /** Each text alone, or with the next text as its pair. */
    static void compare(String name, String json, List<String> texts, boolean pairs, Tokenizer ours,
                                boolean addSpecialTokens) {
        List<String> reports = new ArrayList<>();
        int mismatches = 0;
        int count = pairs ? texts.size() - 1 : texts.size();
        try (HfReference reference = new HfReference(json)) {
            for (int i = 0; i < count; i++) {
                String text = texts.get(i);
                String pair = pairs ? texts.get(i + 1) : null;
                String expected;
                Encoding expectedEncoding = null;
                try {
                    expectedEncoding = reference.encode(text, pair, addSpecialTokens);
                    expected = null;
                } catch (RuntimeException e) {
                    expected = "error " + e.getMessage();
                }
                String actual;
                Encoding actualEncoding = null;
                try {
                    actualEncoding = ours.encode(text, pair, addSpecialTokens);
                    actual = null;
                } catch (RuntimeException e) {
                    actual = "error " + e.getMessage();
                }
                String diff;
                if (expected != null || actual != null) {
                    diff = expected != null && actual != null ? null
                            : "expected " + (expected != null ? expected : "an encoding") + ", got " + (actual != null ? actual : "an encoding");
                } else {
                    diff = EncodingDiff.first(expectedEncoding, actualEncoding);
                }
                if (diff != null && ++mismatches <= MAX_REPORTS) {
                    reports.add("line " + i + " \"" + TestText.escape(text) + "\""
                            + (pair == null ? "" : " with \"" + TestText.escape(pair) + "\"") + ": " + diff);
                }
            }
        }
        report(name + " (" + count + " inputs)", mismatches, reports);
    }

    private static void report(String name, int mismatches, List<String> reports) {
        if (mismatches > 0) {
            fail(name + ": " + mismatches + " mismatches with Hugging Face tokenizers, first ones:\n  "
                    + String.join("\n  ", reports));
        }
        assertEquals(0, mismatches);
    }
}

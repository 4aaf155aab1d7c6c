package dev.quarry.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each normalizer and pre-tokenizer of the second half of the tokenizer.json format against the
 * Rust Hugging Face tokenizers, swapped into real fixtures: the byte-level BPE of RoBERTa (every
 * character is representable, so each cut and each rewritten character shows in the tokens) and
 * the WordPiece bert-wiki file.
 */
class ComponentParityTest {

    static final String ROBERTA = "tokenizers/hf-tokenizers-node-roberta.json";
    static final String BERT_WIKI = "tokenizers/hf-tokenizers-node-bert-wiki.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Generated lines and the eleven STS-B languages. */
    private static List<String> lines;
    /** Every eighth of them, for the many pre-tokenizer variants. */
    private static List<String> sample;

    @BeforeAll
    static void loadLines() {
        lines = new ArrayList<>(TestCorpus.generated(1_500, 20_260_401L));
        lines.addAll(TestCorpus.stsbMultilingual(10));
        sample = new ArrayList<>();
        for (int i = 0; i < lines.size(); i += 8) {
            sample.add(lines.get(i));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"NFC", "NFKC", "NFKD", "NFD"})
    void unicodeNormalizers(String form) {
        JsonNode step = node("{\"type\":\"" + form + "\"}");
        check(ROBERTA + " " + form, ROBERTA, root -> root.set("normalizer", step), lines);
        JsonNode sequence = node("{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"" + form + "\"},{\"type\":\"Lowercase\"}]}");
        check(BERT_WIKI + " " + form, BERT_WIKI, root -> root.set("normalizer", sequence), sample);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"'s|'t|'re|'ve|'m|'ll|'d| ?\\\\p{L}+| ?\\\\p{N}+| ?[^\\\\s\\\\p{L}\\\\p{N}]+|\\\\s+(?!\\\\S)|\\\\s+\"},\"behavior\":\"Isolated\",\"invert\":false}",
        "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+\"},\"behavior\":\"Isolated\",\"invert\":false}",
        "{\"type\":\"Split\",\"pattern\":{\"String\":\" \"},\"behavior\":\"Removed\",\"invert\":false}",
        "{\"type\":\"Split\",\"pattern\":{\"String\":\" \"},\"behavior\":\"Isolated\",\"invert\":false}",
        "{\"type\":\"Split\",\"pattern\":{\"String\":\" \"},\"behavior\":\"MergedWithPrevious\",\"invert\":false}",
        "{\"type\":\"Split\",\"pattern\":{\"String\":\" \"},\"behavior\":\"MergedWithNext\",\"invert\":false}",
        "{\"type\":\"Split\",\"pattern\":{\"String\":\" \"},\"behavior\":\"Contiguous\",\"invert\":false}",
        "{\"type\":\"Split\",\"pattern\":{\"String\":\"e\"},\"behavior\":\"MergedWithNext\",\"invert\":true}",
        "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\s+\"},\"behavior\":\"Removed\",\"invert\":true}",
        "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\s+\"},\"behavior\":\"MergedWithPrevious\",\"invert\":true}",
        "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\w+\"},\"behavior\":\"Contiguous\",\"invert\":true}",
        "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\d|[.,]\"},\"behavior\":\"MergedWithNext\",\"invert\":false}",
        "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"[aeiou]*\"},\"behavior\":\"MergedWithPrevious\",\"invert\":false}",
        "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"^\\\\s*|\\\\s*$\"},\"behavior\":\"Isolated\",\"invert\":false}",
        "{\"type\":\"Punctuation\",\"behavior\":\"Isolated\"}",
        "{\"type\":\"Punctuation\",\"behavior\":\"Removed\"}",
        "{\"type\":\"Punctuation\",\"behavior\":\"MergedWithPrevious\"}",
        "{\"type\":\"Punctuation\",\"behavior\":\"MergedWithNext\"}",
        "{\"type\":\"Punctuation\",\"behavior\":\"Contiguous\"}",
        "{\"type\":\"Punctuation\"}",
        "{\"type\":\"Digits\",\"individual_digits\":true}",
        "{\"type\":\"Digits\",\"individual_digits\":false}",
        "{\"type\":\"CharDelimiterSplit\",\"delimiter\":\" \"}",
        "{\"type\":\"CharDelimiterSplit\",\"delimiter\":\"\u00e9\"}",
        "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"WhitespaceSplit\"},{\"type\":\"Punctuation\"},{\"type\":\"Digits\",\"individual_digits\":true}]}"})
    void preTokenizers(String spec) {
        JsonNode step = node(spec);
        ObjectNode byteLevel = (ObjectNode) node("{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":false}");
        check(ROBERTA + " " + spec, ROBERTA, root -> {
            ObjectNode sequence = root.putObject("pre_tokenizer");
            sequence.put("type", "Sequence");
            ArrayNode steps = sequence.putArray("pretokenizers");
            steps.add(step);
            steps.add(byteLevel);
        }, sample);
        check(BERT_WIKI + " " + spec, BERT_WIKI, root -> root.set("pre_tokenizer", step), sample);
    }

    private static void check(String name, String fixture, java.util.function.Consumer<ObjectNode> change, List<String> texts) {
        String json = TestText.editJson(FixtureParityTest.fixture(fixture), change);
        Tokenizer ours = Tokenizer.fromJson(json, name);
        ParityTest.compare(name, json, texts, false, ours, true);
    }

    private static JsonNode node(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.quarry.tokenizer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The BPE and Unigram fixtures of ../shared/fixtures against the Rust Hugging Face tokenizers, line
 * by line (ids, tokens, type ids, offsets, masks): byte-level BPE with RobertaProcessing (RoBERTa),
 * character BPE with the Whitespace pre-tokenizer, and SentencePiece Unigram with the Precompiled
 * normalizer and WhitespaceSplit + Metaspace.
 */
class FixtureParityTest {

    private static List<String> lines;
    private static List<String> sample;

    @BeforeAll
    static void loadLines() {
        lines = new ArrayList<>(TestCorpus.generated(12_000, 20_240_601L));
        lines.addAll(TestCorpus.realText(600));
        sample = new ArrayList<>();
        // The reference is the slow side: pairs and the other settings run on every eighth line.
        for (int i = 0; i < lines.size(); i += 8) {
            sample.add(lines.get(i));
        }
    }

    static String fixture(String name) {
        try {
            return Files.readString(TestText.sharedDir().resolve("fixtures").resolve(name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tokenizers/hf-tokenizers-node-roberta.json", "tokenizers/hf-tokenizers-node-tokenizer-wiki.json",
        "sentencepiece/test_model.unigram.tokenizer.json"})
    void singlesAndPairs(String name) {
        String json = fixture(name);
        Tokenizer ours = Tokenizer.fromJson(json, name);
        ParityTest.compare(name, json, lines, false, ours, true);
        ParityTest.compare(name + " pairs", json, sample, true, ours, true);
        ParityTest.compare(name + " without special tokens", json, sample, false, ours, false);
    }

    /** Truncation on the byte-level BPE, where the prefix shortcut meets whitespace runs. */
    @ParameterizedTest
    @ValueSource(strings = {"tokenizers/hf-tokenizers-node-roberta.json", "sentencepiece/test_model.unigram.tokenizer.json"})
    void truncated(String name) {
        String json = TestText.editJson(fixture(name), root -> root.putObject("truncation").put("max_length", 24)
                .put("strategy", "LongestFirst").put("direction", "Right").put("stride", 0));
        Tokenizer ours = Tokenizer.fromJson(json, name);
        List<String> shortTexts = sample.stream().filter(l -> l.length() < 300).toList();
        ParityTest.compare(name + " truncated", json, sample, false, ours, true);
        ParityTest.compare(name + " truncated pairs", json, shortTexts, true, ours, true);
    }
}

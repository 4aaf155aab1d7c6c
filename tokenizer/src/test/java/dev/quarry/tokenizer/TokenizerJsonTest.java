package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Loading: what is read from tokenizer.json, and the messages for files that cannot be used. */
class TokenizerJsonTest {

    private static final String MINILM = TestText.resource("all-minilm-l6-v2-tokenizer.json");

    private static String refusal(Consumer<ObjectNode> change) {
        String json = TestText.editJson(MINILM, change);
        return assertThrows(TokenizerFormatException.class, () -> Tokenizer.fromJson(json, "tokenizer.json")).getMessage();
    }

    @Test
    void vocabularyAndAddedTokens() {
        assertEquals(30522, MiniLm.PLAIN.vocabSize());
        assertEquals(101, MiniLm.PLAIN.tokenToId("[CLS]"));
        assertEquals(7592, MiniLm.PLAIN.tokenToId("hello"));
        assertEquals(-1, MiniLm.PLAIN.tokenToId("Hello"));
        assertEquals("[MASK]", MiniLm.PLAIN.idToToken(103));
        assertEquals("##s", MiniLm.PLAIN.idToToken(2015));
        assertEquals(null, MiniLm.PLAIN.idToToken(30522));
        assertEquals("all-minilm-l6-v2-tokenizer.json", MiniLm.PLAIN.sourceName());
    }

    @Test
    void addedTokensOutsideTheVocabularyGetIdsAfterIt() {
        Tokenizer t = Tokenizer.fromJson(TestText.editJson(MINILM, root -> ((com.fasterxml.jackson.databind.node.ArrayNode) root.get("added_tokens"))
                .addObject().put("id", 5).put("content", "<new>").put("special", true).put("normalized", false)), "x");
        assertEquals(30522, t.tokenToId("<new>"));
        assertEquals(30523, t.vocabSize());
        assertEquals("<new>", t.idToToken(30522));
        assertEquals("a b", t.decode(t.encode("a<new>b").ids(), true));
    }

    @Test
    void unsupportedComponentsAreNamedWithWhatIsSupported() {
        assertEquals("tokenizer.json: model.type \"Foo\" is not supported (WordPiece, BPE, Unigram, WordLevel are)",
                refusal(root -> ((ObjectNode) root.get("model")).put("type", "Foo")));
        assertEquals("tokenizer.json: normalizer.normalizers[1].type \"ByteLevel\" is not supported "
                        + "(BertNormalizer, Sequence, NFD, NFKD, NFC, NFKC, Lowercase, StripAccents, Precompiled, Strip, "
                        + "Prepend, Replace are)",
                refusal(root -> {
                    var steps = root.putObject("normalizer").put("type", "Sequence").putArray("normalizers");
                    steps.addObject().put("type", "NFKC");
                    steps.addObject().put("type", "ByteLevel");
                }));
        assertEquals("tokenizer.json: pre_tokenizer.type \"UnicodeScripts\" is not supported "
                        + "(BertPreTokenizer, Whitespace, WhitespaceSplit, ByteLevel, Metaspace, Split, Punctuation, Digits, "
                        + "CharDelimiterSplit, Sequence are)",
                refusal(root -> root.putObject("pre_tokenizer").put("type", "UnicodeScripts")));
        assertEquals("tokenizer.json: pre_tokenizer.pretokenizers[0].behavior \"Dropped\" is not supported "
                        + "(Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous are)",
                refusal(root -> {
                    var steps = root.putObject("pre_tokenizer").put("type", "Sequence").putArray("pretokenizers");
                    steps.addObject().put("type", "Split").put("behavior", "Dropped").putObject("pattern").put("String", " ");
                }));
        String badRegex = refusal(root -> root.putObject("pre_tokenizer").put("type", "Split").put("behavior", "Isolated")
                .putObject("pattern").put("Regex", "(?~ab)"));
        org.junit.jupiter.api.Assertions.assertTrue(badRegex.startsWith(
                "tokenizer.json: pre_tokenizer.pattern.Regex \"(?~ab)\" is not a regex Quarry can run: "), badRegex);
        assertEquals("tokenizer.json: post_processor.type \"Foo\" is not supported "
                        + "(TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence are)",
                refusal(root -> root.putObject("post_processor").put("type", "Foo")));
        assertEquals("tokenizer.json: decoder.type \"CTC\" is not supported "
                        + "(WordPiece, ByteLevel, Metaspace, BPEDecoder, ByteFallback, Fuse, Strip, Replace, Sequence are)",
                refusal(root -> root.putObject("decoder").put("type", "CTC")));
        assertEquals("tokenizer.json: model.merges[0]: \"zzqx\" is not in the vocabulary",
                refusal(root -> {
                    ObjectNode model = (ObjectNode) root.get("model");
                    model.put("type", "BPE");
                    model.putArray("merges").add("zzqx a");
                }));
    }

    @Test
    void theOtherFixturesLoadWithTheirModel() throws IOException {
        Path fixtures = TestText.sharedDir().resolve("fixtures");
        Tokenizer roberta = Tokenizer.fromJson(fixtures.resolve("tokenizers/hf-tokenizers-node-roberta.json"));
        assertEquals(50265, roberta.vocabSize());
        Tokenizer unigram = Tokenizer.fromJson(fixtures.resolve("sentencepiece/test_model.unigram.tokenizer.json"));
        assertEquals(1000, unigram.vocabSize());
        assertTrue(unigram.toString().contains("vocab 1000"), unigram.toString());
    }

    @Test
    void malformedContentIsDescribed() {
        assertEquals("tokenizer.json: model.vocab is missing", refusal(root -> ((ObjectNode) root.get("model")).remove("vocab")));
        assertEquals("tokenizer.json: model.vocab must be an object of token to id, found an array",
                refusal(root -> ((ObjectNode) root.get("model")).putArray("vocab")));
        assertEquals("tokenizer.json: model.vocab[\"hello\"] must be a non-negative integer id, found \"x\"",
                refusal(root -> ((ObjectNode) root.get("model").get("vocab")).put("hello", "x")));
        assertEquals("tokenizer.json: normalizer.lowercase must be true or false, found the string \"yes\"",
                refusal(root -> ((ObjectNode) root.get("normalizer")).put("lowercase", "yes")));
        assertEquals("tokenizer.json: post_processor.single uses the special token \"[BOS]\" that "
                        + "post_processor.special_tokens does not define",
                refusal(root -> ((ObjectNode) root.get("post_processor").get("single").get(0).get("SpecialToken")).put("id", "[BOS]")));
        assertEquals("tokenizer.json: truncation.strategy \"Shortest\" is not supported (LongestFirst, OnlyFirst, OnlySecond are)",
                refusal(root -> ((ObjectNode) root.get("truncation")).put("strategy", "Shortest")));
        assertEquals("tokenizer.json: not a tokenizer.json (the top level must be a JSON object)",
                assertThrows(TokenizerFormatException.class, () -> Tokenizer.fromJson("[1, 2]", "tokenizer.json")).getMessage());
        String truncated = assertThrows(TokenizerFormatException.class,
                () -> Tokenizer.fromJson("{\n  \"model\": {\"type\": \"WordPiece\",", "tokenizer.json")).getMessage();
        assertTrue(truncated.startsWith("tokenizer.json: malformed JSON at line 2, column "), truncated);
    }

    @Test
    void filesAreNamedInErrors() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "tokenizer-json-test"));
        Path missing = dir.resolve("missing/tokenizer.json");
        NoSuchFileException notFound = assertThrows(NoSuchFileException.class, () -> Tokenizer.fromJson(missing));
        assertTrue(notFound.getMessage().contains(missing.toString()), notFound.getMessage());

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"model\": nope}", StandardCharsets.UTF_8);
        TokenizerFormatException malformed = assertThrows(TokenizerFormatException.class, () -> Tokenizer.fromJson(broken));
        assertTrue(malformed.getMessage().startsWith(broken + ": malformed JSON at line 1, column "), malformed.getMessage());

        Path good = dir.resolve("tokenizer.json");
        Files.writeString(good, MINILM, StandardCharsets.UTF_8);
        assertEquals(MiniLm.AS_CONFIGURED.encode("Hello there"), Tokenizer.fromJson(good).encode("Hello there"));
    }
}

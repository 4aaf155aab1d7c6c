package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Decoding with the WordPiece decoder, as the Rust library does it, and with whole-string clean-up. */
class DecodeTest {

    @Test
    void continuationPiecesAreGluedAndSpecialTokensOptional() {
        int[] ids = MiniLm.PLAIN.encode("unaffable, Hello!").ids();
        assertEquals("[CLS] unaffable, hello! [SEP]", MiniLm.PLAIN.decode(ids, false));
        assertEquals("unaffable, hello!", MiniLm.PLAIN.decode(ids, true));
    }

    @Test
    void rustCleansUpTokenByTokenAndTransformersTheWholeString() {
        int[] ids = MiniLm.PLAIN.encode("don't it's").ids();
        // The Rust decoder sees " '" and " t" separately, so " ' " never matches.
        assertEquals("don ' t it ' s", MiniLm.PLAIN.decode(ids, true));
        assertEquals("don't it's", MiniLm.PLAIN.decode(ids, true, true));
    }

    @Test
    void unknownIdsAreSkipped() {
        assertEquals("hello", MiniLm.PLAIN.decode(new int[] {-1, 7592, 999_999}, true));
    }

    @Test
    void decodeMatchesTheRustLibrary() {
        String json = TestText.resource("all-minilm-l6-v2-tokenizer.json");
        try (HfReference reference = new HfReference(json)) {
            for (String line : TestCorpus.generated(3000, 11)) {
                int[] ids = MiniLm.PLAIN.encode(line).ids();
                assertEquals(reference.decode(ids, false), MiniLm.PLAIN.decode(ids, false), () -> TestText.escape(line));
                assertEquals(reference.decode(ids, true), MiniLm.PLAIN.decode(ids, true), () -> TestText.escape(line));
            }
        }
    }
}

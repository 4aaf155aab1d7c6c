package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Unpaired surrogates, which Java strings can hold and Rust strings cannot, are read as U+FFFD. */
class SurrogateTest {

    @Test
    void unpairedSurrogatesAreReadAsReplacementCharacters() {
        for (String text : List.of("a\uD800b", "\uDC00abc", "abc\uD83D", "\uDE00\uD83D x", "😀\uD800😀", "\uD800",
                "x \uDBFF\uDBFF y")) {
            Encoding e = MiniLm.PLAIN.encode(text);
            Encoding replaced = MiniLm.PLAIN.encode(Tokenizer.replaceUnpairedSurrogates(text));
            assertEquals(replaced, e, TestText.escape(text));
        }
        // BERT's clean_text removes U+FFFD, so the surrogate disappears inside its word.
        Encoding e = MiniLm.PLAIN.encode("a\uD800b");
        assertEquals(List.of("[CLS]", "ab", "[SEP]"), List.of(e.tokens()));
        assertEquals(3, e.ends()[1]);
    }

    @Test
    void pairedSurrogatesAreLeftAlone() {
        assertEquals("😀x", Tokenizer.replaceUnpairedSurrogates("😀x"));
        assertEquals("\uFFFD\uFFFDx", Tokenizer.replaceUnpairedSurrogates("\uDE00\uD83Dx"));
    }
}

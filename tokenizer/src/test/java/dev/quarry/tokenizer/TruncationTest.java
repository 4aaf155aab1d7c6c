package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Truncation counts the special tokens and, for pairs, shortens the longer sequence first. */
class TruncationTest {

    private static final String TEN = "a b c d e f g h i j";
    private static final String FOUR = "k l m n";

    private static List<String> tokens(Encoding e) {
        return List.of(e.tokens());
    }

    @Test
    void singleTextKeepsRoomForSpecialTokens() {
        Encoding e = MiniLm.PLAIN.withTruncation(6).encode(TEN);
        assertEquals(List.of("[CLS]", "a", "b", "c", "d", "[SEP]"), tokens(e));
        Encoding noSpecial = MiniLm.PLAIN.withTruncation(6).encode(TEN, false);
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), tokens(noSpecial));
    }

    @Test
    void longestFirstSplitsWhatIsLeftBetweenAPair() {
        // 10 tokens max: 3 special, 7 left; neither fits in half, so the longer gets 4, the shorter 3.
        Encoding e = MiniLm.PLAIN.withTruncation(10).encode(TEN, FOUR);
        assertEquals(List.of("[CLS]", "a", "b", "c", "d", "[SEP]", "k", "l", "m", "[SEP]"), tokens(e));
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 1, 1, 1, 1}, e.typeIds());
        // 12 max, 9 left: the shorter fits whole (4), the longer gets the rest (5).
        Encoding f = MiniLm.PLAIN.withTruncation(12).encode(FOUR, TEN);
        assertEquals(List.of("[CLS]", "k", "l", "m", "n", "[SEP]", "a", "b", "c", "d", "e", "[SEP]"), tokens(f));
    }

    @Test
    void onlySecondAndLeftDirection() {
        Tokenizer onlySecond = MiniLm.PLAIN.withTruncation(
                new Truncation(10, Truncation.Strategy.ONLY_SECOND, Truncation.Direction.LEFT));
        // 7 tokens left for the texts: the second keeps its last 3.
        assertEquals(List.of("[CLS]", "k", "l", "m", "n", "[SEP]", "h", "i", "j", "[SEP]"),
                tokens(onlySecond.encode(FOUR, TEN)));
        IllegalArgumentException noPair = assertThrows(IllegalArgumentException.class, () -> onlySecond.encode(TEN));
        assertEquals("Truncation error: Second sequence not provided", noPair.getMessage());
        IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class, () -> onlySecond.encode(TEN, "k"));
        assertEquals("Truncation error: Sequence to truncate too short to respect the provided max_length", tooShort.getMessage());
    }

    @Test
    void strideWindowsComeBackAsOverflowing() {
        Tokenizer t = MiniLm.PLAIN.withTruncation(
                new Truncation(6, Truncation.Strategy.LONGEST_FIRST, Truncation.Direction.RIGHT, 1));
        Encoding e = t.encodeWithOverflowing(TEN, null, true);
        // 4 tokens per window, each repeating the last token of the window before it.
        assertEquals(List.of("[CLS]", "a", "b", "c", "d", "[SEP]"), tokens(e));
        assertEquals(2, e.overflowing().size());
        assertEquals(List.of("[CLS]", "d", "e", "f", "g", "[SEP]"), tokens(e.overflowing().get(0)));
        assertEquals(List.of("[CLS]", "g", "h", "i", "j", "[SEP]"), tokens(e.overflowing().get(1)));
        // encode keeps its fast path and reports no windows.
        assertEquals(tokens(e), tokens(t.encode(TEN)));
        assertEquals(List.of(), t.encode(TEN).overflowing());
    }

    @Test
    void maxLengthBelowTheSpecialTokensBehavesAsTheRustLibrary() {
        assertEquals(List.of("[CLS]", "[SEP]"), tokens(MiniLm.PLAIN.withTruncation(2).encode(TEN)));
        // 2 - 3 wraps around in Rust's unsigned arithmetic: the pair is not truncated at all.
        assertEquals(17, MiniLm.PLAIN.withTruncation(2).encode(TEN, FOUR).length());
    }

    @Test
    void theFileConfigurationAndItsOverride() {
        assertEquals(128, MiniLm.AS_CONFIGURED.maxLength());
        assertEquals(Padding.Strategy.FIXED, MiniLm.AS_CONFIGURED.padding().orElseThrow().strategy());
        Tokenizer quarry = MiniLm.AS_CONFIGURED.withTruncation(256).withoutPadding();
        assertEquals(256, quarry.maxLength());
        String longText = "word ".repeat(1000);
        assertEquals(256, quarry.encode(longText).length());
        assertEquals(128, MiniLm.AS_CONFIGURED.encode(longText).length());
        assertEquals(-1, quarry.withoutTruncation().maxLength());
        assertEquals(1002, quarry.withoutTruncation().encode(longText).length());
    }
}

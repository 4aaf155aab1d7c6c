package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Padding: fixed or batch-longest, right or left, rounded to a multiple, with attention masks. */
class PaddingTest {

    @Test
    void fixedPaddingFromTheFile() {
        Encoding e = MiniLm.AS_CONFIGURED.encode("hello");
        assertEquals(128, e.length());
        assertEquals(3, e.unpaddedLength());
        assertArrayEquals(new int[] {101, 7592, 102, 0, 0}, java.util.Arrays.copyOf(e.ids(), 5));
        assertEquals("[PAD]", e.tokens()[127]);
        assertEquals(0, e.attentionMask()[3]);
        assertEquals(1, e.specialTokensMask()[3]);
        assertEquals(0, e.starts()[3] + e.ends()[3]);
    }

    @Test
    void batchLongestPadsToTheLongestOfTheBatch() {
        List<Encoding> batch = MiniLm.PLAIN.withPadding(Padding.batchLongest()).encodeBatch(List.of("a", "a b c", ""));
        assertEquals(List.of(5, 5, 5), batch.stream().map(Encoding::length).toList());
        assertArrayEquals(new int[] {1, 1, 1, 0, 0}, batch.get(0).attentionMask());
        assertArrayEquals(new int[] {1, 1, 0, 0, 0}, batch.get(2).attentionMask());
        // A single encode is a batch of one: nothing to pad.
        assertEquals(3, MiniLm.PLAIN.withPadding(Padding.batchLongest()).encode("a").length());
    }

    @Test
    void leftPaddingToAMultiple() {
        Padding padding = Padding.batchLongest().withDirection(Padding.Direction.LEFT).withPadToMultipleOf(8)
                .withPadToken("[PAD]", 0).withPadTypeId(1);
        Encoding e = MiniLm.PLAIN.withPadding(padding).encode("a b c");
        assertArrayEquals(new int[] {0, 0, 0, 101, 1037, 1038, 1039, 102}, e.ids());
        assertArrayEquals(new int[] {1, 1, 1, 0, 0, 0, 0, 0}, e.typeIds());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 1, 1}, e.attentionMask());
        assertEquals(2, e.starts()[5], "offsets of \"b\" after left padding");
    }

    @Test
    void noPaddingWhenLongEnough() {
        Encoding e = MiniLm.PLAIN.withPadding(Padding.fixed(4)).encode("a b c d e");
        assertEquals(7, e.length());
        assertEquals(7, e.unpaddedLength());
    }
}

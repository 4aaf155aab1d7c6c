package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A megabyte of text truncated to 256 tokens: fast, because only a prefix is tokenized, and
 * identical to tokenizing everything then truncating.
 */
class LongTextTest {

    private static final int MEGABYTE = 1 << 20;

    private static String megabyteOfScifact() {
        StringBuilder b = new StringBuilder(MEGABYTE + 4096);
        for (String doc : TestCorpus.realText(5183).reversed()) {
            if (b.length() >= MEGABYTE) {
                break;
            }
            b.append(doc).append('\n');
        }
        return b.toString();
    }

    @Test
    void truncatedMegabyteIsFastAndIdenticalToTheFullEncoding() {
        String text = megabyteOfScifact();
        Tokenizer quarry = MiniLm.AS_CONFIGURED.withTruncation(256).withoutPadding();
        quarry.encode(text.substring(0, 10_000));
        long start = System.nanoTime();
        Encoding truncated = quarry.encode(text);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 1000, "1 MB truncated to 256 tokens took " + millis + " ms");

        Encoding all = MiniLm.PLAIN.encode(text, false);
        assertTrue(all.length() > 100_000);
        assertEquals(256, truncated.length());
        assertArrayEquals254(all.ids(), Arrays.copyOfRange(truncated.ids(), 1, 255));
        assertArrayEquals254(all.starts(), Arrays.copyOfRange(truncated.starts(), 1, 255));
        assertArrayEquals254(all.ends(), Arrays.copyOfRange(truncated.ends(), 1, 255));
    }

    private static void assertArrayEquals254(int[] all, int[] middle) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(Arrays.copyOf(all, 254), middle);
    }

    @Test
    void megabyteWithoutWhitespaceStillWorks() {
        StringBuilder cjk = new StringBuilder(MEGABYTE);
        while (cjk.length() < MEGABYTE) {
            cjk.append("東京タワーは日本の電波塔です。");
        }
        Encoding e = MiniLm.AS_CONFIGURED.withTruncation(256).withoutPadding().encode(cjk.toString());
        assertEquals(256, e.length());
        Encoding word = MiniLm.AS_CONFIGURED.withTruncation(256).withoutPadding().encode("x".repeat(MEGABYTE));
        assertEquals(java.util.List.of("[CLS]", "[UNK]", "[SEP]"), java.util.List.of(word.tokens()));
        assertEquals(MEGABYTE, word.ends()[1]);
    }
}

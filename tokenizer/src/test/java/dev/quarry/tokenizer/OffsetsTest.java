package dev.quarry.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Offsets point into the original text, in UTF-16 units, through every normalization step. */
class OffsetsTest {

    /** "token@start-end" for every token, special tokens included. */
    private static String spans(String text) {
        Encoding e = MiniLm.PLAIN.encode(text);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < e.length(); i++) {
            out.add(e.tokens()[i] + "@" + e.starts()[i] + "-" + e.ends()[i]);
        }
        return String.join(" ", out);
    }

    @Test
    void accentsComposedAndDecomposedMapToTheWholeCharacter() {
        assertEquals("[CLS]@0-0 hello@0-5 world@6-11 [SEP]@0-0", spans("Héllo wörld"));
        // "e" + U+0301: the mark is removed; inside the word it is covered, at its end it is not
        // (a removed character belongs to no token), as in Hugging Face.
        assertEquals("[CLS]@0-0 hello@0-6 [SEP]@0-0", spans("He\u0301llo"));
        assertEquals("[CLS]@0-0 cafe@0-4 [SEP]@0-0", spans("cafe\u0301"));
    }

    @Test
    void cjkIdeographsAreTokensOfTheirOwn() {
        assertEquals("[CLS]@0-0 日@0-1 本@1-2 語@2-3 abc@3-6 [SEP]@0-0", spans("日本語abc"));
    }

    @Test
    void removedCharactersStayInsideTheSpanOfTheirWord() {
        // NUL and U+200B are removed by clean_text; the word around them still spans them.
        assertEquals("[CLS]@0-0 x@0-1 ##y@2-3 [SEP]@0-0", spans("x\u0000y"));
        assertEquals("[CLS]@0-0 ab@0-3 [SEP]@0-0", spans("a\u200Bb"));
    }

    @Test
    void charactersOutsideTheBmpCountTwoUnits() {
        assertEquals("[CLS]@0-0 [UNK]@0-2 [UNK]@3-7 [SEP]@0-0", spans("😀 a😀b"));
        assertEquals("[CLS]@0-0 𝐁@0-2 [SEP]@0-0".replace("𝐁", MiniLm.PLAIN.encode("𝐁").tokens()[1]), spans("𝐁"));
    }

    @Test
    void lowercasingThatChangesLengthKeepsOffsets() {
        assertEquals("[CLS]@0-0 istanbul@0-8 [SEP]@0-0", spans("İstanbul"));
        // Rust lowercases a final capital sigma to σ, not ς.
        assertEquals("σ", MiniLm.PLAIN.encode("ΟΔΟΣ").tokens()[4].substring(2));
    }

    @Test
    void specialTokensWrittenInTheTextAreMatchedWithTheirOffsets() {
        assertEquals("[CLS]@0-0 a@0-1 [MASK]@1-7 b@7-8 [SEP]@0-0", spans("a[MASK]b"));
        // Matching is on the raw text: "[mask]" is punctuation and word pieces.
        assertEquals("[CLS]@0-0 [@0-1 mask@1-5 ]@5-6 [SEP]@0-0", spans("[mask]"));
        Encoding e = MiniLm.PLAIN.encode("[CLS] x");
        assertEquals(0, e.specialTokensMask()[1], "a special token from the text is not in the special tokens mask");
    }

    @Test
    void everySpanIsTextOfTheInput() {
        for (String line : TestCorpus.generated(2000, 7)) {
            Encoding e = MiniLm.PLAIN.encode(line);
            for (int i = 0; i < e.length(); i++) {
                if (e.specialTokensMask()[i] == 1) {
                    assertEquals(0, e.starts()[i] + e.ends()[i]);
                    continue;
                }
                int start = e.starts()[i];
                int end = e.ends()[i];
                assertTrue(0 <= start && start < end && end <= line.length(),
                        () -> "span " + start + "-" + end + " in " + TestText.escape(line));
                assertTrue(!Character.isLowSurrogate(line.charAt(start)) || !Character.isHighSurrogate(line.charAt(start - 1)),
                        () -> "span starts inside a surrogate pair in " + TestText.escape(line));
            }
        }
    }
}

package dev.quarry.tokenizer;

import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Hugging Face pre-tokenizers that cut at the matches of a pattern and then keep, drop or merge
 * the matches as their {@link Behavior} says: {@code Split} (a string or a regex, optionally
 * inverted), {@code Punctuation}, {@code Digits} and {@code CharDelimiterSplit}.
 *
 * <p>A regex match is a range of the word; a character pattern makes each matching code point a
 * match of its own (so {@code CONTIGUOUS} is what joins runs of them). Empty regex matches are kept
 * as the Rust library's Oniguruma iterator reports them, since they change how neighbours merge.
 */
final class SplitPreTokenizer implements PreTokenizer {

    /** What becomes of a match, Hugging Face's {@code SplitDelimiterBehavior}. */
    enum Behavior {
        REMOVED,
        ISOLATED,
        MERGED_WITH_PREVIOUS,
        MERGED_WITH_NEXT,
        CONTIGUOUS
    }

    /**
     * The flags that bring Java's regex closest to Oniguruma's Ruby syntax as the Rust library
     * compiles it: Unicode {@code \s \w \d}, {@code ^ $} at every line, only "\n" ends a line.
     */
    static final int ONIGURUMA_FLAGS = Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNICODE_CASE | Pattern.MULTILINE
            | Pattern.UNIX_LINES;

    /**
     * Oniguruma's Unicode {@code \\w}: Java's (Alphabetic, marks, Nd, Pc) without Join_Control, and
     * with the Latin-1 numbers ² ³ ¹ ¼ ½ ¾ that Oniguruma's own table below U+0100 counts as word
     * characters.
     */
    private static final String WORD = "[\\w\\u00B2\\u00B3\\u00B9\\u00BC-\\u00BE&&[^\\u200C\\u200D]]";
    private static final String NOT_WORD = "[\\W\\u200C\\u200D&&[^\\u00B2\\u00B3\\u00B9\\u00BC-\\u00BE]]";

    private final Pattern regex;
    private final IntPredicate chars;
    private final Behavior behavior;
    private final boolean invert;

    private SplitPreTokenizer(Pattern regex, IntPredicate chars, Behavior behavior, boolean invert) {
        this.regex = regex;
        this.chars = chars;
        this.behavior = behavior;
        this.invert = invert;
    }

    /** {@code Split} with a {@code {"Regex": ...}} pattern, or a {@code {"String": ...}} one quoted. */
    static SplitPreTokenizer regex(Pattern regex, Behavior behavior, boolean invert) {
        return new SplitPreTokenizer(regex, null, behavior, invert);
    }

    /**
     * An Oniguruma pattern as Java should compile it (with {@link #ONIGURUMA_FLAGS}): Java's
     * Unicode {@code \\w} differs from Oniguruma's on a few characters (see {@link #WORD}), so
     * {@code \\w} and {@code \\W} are spelled out, and {@code \\h} means a hexadecimal digit in
     * Oniguruma.
     */
    static String javaRegex(String oniguruma) {
        StringBuilder b = new StringBuilder(oniguruma.length() + 16);
        for (int i = 0; i < oniguruma.length(); i++) {
            char c = oniguruma.charAt(i);
            if (c != '\\' || i + 1 == oniguruma.length()) {
                b.append(c);
                continue;
            }
            char next = oniguruma.charAt(++i);
            switch (next) {
                case 'w' -> b.append(WORD);
                case 'W' -> b.append(NOT_WORD);
                // Oniguruma's \\h is a hexadecimal digit, Java's a horizontal space.
                case 'h' -> b.append("[0-9a-fA-F]");
                case 'H' -> b.append("[^0-9a-fA-F]");
                default -> b.append(c).append(next);
            }
        }
        return b.toString();
    }

    /** {@code Punctuation}: ASCII punctuation (Rust's, with $+<=>^`|~) and Unicode P*. */
    static SplitPreTokenizer punctuation(Behavior behavior) {
        return new SplitPreTokenizer(null, CharClasses::isBertPunctuation, behavior, false);
    }

    /** {@code Digits}: Rust's {@code char::is_numeric} (Nd, Nl, No), one by one or in runs. */
    static SplitPreTokenizer digits(boolean individualDigits) {
        return new SplitPreTokenizer(null, SplitPreTokenizer::isNumeric,
                individualDigits ? Behavior.ISOLATED : Behavior.CONTIGUOUS, false);
    }

    /** {@code CharDelimiterSplit}: cuts at, and drops, every occurrence of one character. */
    static SplitPreTokenizer charDelimiter(int delimiter) {
        return new SplitPreTokenizer(null, c -> c == delimiter, Behavior.REMOVED, false);
    }

    private static boolean isNumeric(int c) {
        if (c < 0x80) {
            return c >= '0' && c <= '9';
        }
        int t = Character.getType(c);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    @Override
    public void split(NormalizedString text, int start, int end, WordSink words) {
        if (start >= end) {
            return;
        }
        Pieces pieces = regex != null ? regexMatches(text, start, end) : charMatches(text, start, end);
        if (invert) {
            for (int i = 0; i < pieces.size; i++) {
                pieces.match[i] = !pieces.match[i];
            }
        }
        switch (behavior) {
            case REMOVED -> {
                for (int i = 0; i < pieces.size; i++) {
                    if (!pieces.match[i]) {
                        emit(text, pieces.start[i], pieces.end[i], words);
                    }
                }
            }
            case ISOLATED -> {
                for (int i = 0; i < pieces.size; i++) {
                    emit(text, pieces.start[i], pieces.end[i], words);
                }
            }
            case MERGED_WITH_PREVIOUS -> mergeWithPrevious(text, pieces, words);
            case MERGED_WITH_NEXT -> mergeWithNext(text, pieces, words);
            case CONTIGUOUS -> contiguous(text, pieces, words);
        }
    }

    /** A match that follows a non-match extends the piece before it. */
    private static void mergeWithPrevious(NormalizedString text, Pieces p, WordSink words) {
        int curStart = -1;
        int curEnd = -1;
        boolean previousMatch = false;
        for (int i = 0; i < p.size; i++) {
            if (p.match[i] && !previousMatch && curStart >= 0) {
                curEnd = p.end[i];
            } else {
                if (curStart >= 0) {
                    emit(text, curStart, curEnd, words);
                }
                curStart = p.start[i];
                curEnd = p.end[i];
            }
            previousMatch = p.match[i];
        }
        if (curStart >= 0) {
            emit(text, curStart, curEnd, words);
        }
    }

    /** The mirror image: walking from the end, a match that precedes a non-match joins it. */
    private static void mergeWithNext(NormalizedString text, Pieces p, WordSink words) {
        int[] starts = new int[p.size];
        int[] ends = new int[p.size];
        int n = 0;
        boolean previousMatch = false;
        for (int i = p.size - 1; i >= 0; i--) {
            if (p.match[i] && !previousMatch && n > 0) {
                starts[n - 1] = p.start[i];
            } else {
                starts[n] = p.start[i];
                ends[n++] = p.end[i];
            }
            previousMatch = p.match[i];
        }
        for (int k = n - 1; k >= 0; k--) {
            emit(text, starts[k], ends[k], words);
        }
    }

    /** Neighbouring pieces that are both matches, or both not, become one. */
    private static void contiguous(NormalizedString text, Pieces p, WordSink words) {
        int curStart = -1;
        int curEnd = -1;
        boolean previousMatch = false;
        for (int i = 0; i < p.size; i++) {
            if (p.match[i] == previousMatch && curStart >= 0) {
                curEnd = p.end[i];
            } else {
                if (curStart >= 0) {
                    emit(text, curStart, curEnd, words);
                }
                curStart = p.start[i];
                curEnd = p.end[i];
            }
            previousMatch = p.match[i];
        }
        if (curStart >= 0) {
            emit(text, curStart, curEnd, words);
        }
    }

    private static void emit(NormalizedString text, int start, int end, WordSink words) {
        if (start < end) {
            words.word(text, start, end);
        }
    }

    /**
     * The matches as Oniguruma's {@code find_iter} gives them: an empty match right where the
     * previous match ended is skipped (Java's {@code find} would report it), and the search moves
     * on by one character.
     */
    private Pieces regexMatches(NormalizedString text, int start, int end) {
        String word = text.substring(start, end);
        Pieces pieces = new Pieces();
        Matcher m = regex.matcher(word);
        int from = 0;
        int previous = 0;
        int lastMatchEnd = -1;
        while (from <= word.length() && m.find(from)) {
            int s = m.start();
            int e = m.end();
            if (s == e && e == lastMatchEnd) {
                from = e < word.length() ? e + Character.charCount(word.codePointAt(e)) : e + 1;
                continue;
            }
            if (previous != s) {
                pieces.add(start + previous, start + s, false);
            }
            pieces.add(start + s, start + e, true);
            previous = e;
            lastMatchEnd = e;
            from = e;
        }
        if (previous != word.length()) {
            pieces.add(start + previous, end, false);
        }
        return pieces;
    }

    private Pieces charMatches(NormalizedString text, int start, int end) {
        Pieces pieces = new Pieces();
        int previous = start;
        for (int i = start; i < end; ) {
            int c = text.codePointAt(i);
            int next = i + Character.charCount(c);
            if (chars.test(c)) {
                if (previous < i) {
                    pieces.add(previous, i, false);
                }
                pieces.add(i, next, true);
                previous = next;
            }
            i = next;
        }
        if (previous < end) {
            pieces.add(previous, end, false);
        }
        return pieces;
    }

    /** Ranges of normalized units that cover the word, each marked as a match or not. */
    private static final class Pieces {
        int size;
        int[] start = new int[8];
        int[] end = new int[8];
        boolean[] match = new boolean[8];

        void add(int s, int e, boolean isMatch) {
            if (size == start.length) {
                start = Arrays.copyOf(start, size * 2);
                end = Arrays.copyOf(end, size * 2);
                match = Arrays.copyOf(match, size * 2);
            }
            start[size] = s;
            end[size] = e;
            match[size++] = isMatch;
        }
    }
}

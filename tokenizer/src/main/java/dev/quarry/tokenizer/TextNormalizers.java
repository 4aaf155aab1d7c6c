package dev.quarry.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Hugging Face normalizers with parameters that edit text in place: Strip, Prepend, Replace. */
final class TextNormalizers {

    private TextNormalizers() {
    }

    /** {@code Strip}: whitespace (Unicode White_Space) off the left and/or right end. */
    record Strip(boolean left, boolean right) implements Normalizer {
        @Override
        public NormalizedString normalize(NormalizedString s) {
            int from = 0;
            int leading = 0;
            if (left) {
                while (from < s.length() && CharClasses.isWhitespace(s.codePointAt(from))) {
                    from += Character.charCount(s.codePointAt(from));
                    leading++;
                }
            }
            int to = s.length();
            if (right) {
                while (to > from && CharClasses.isWhitespace(s.codePointBefore(to))) {
                    to -= Character.charCount(s.codePointBefore(to));
                }
            }
            if (from == 0 && to == s.length()) {
                return s;
            }
            NormalizedString.Rewrite out = s.rewrite(leading);
            for (int i = from; i < to; ) {
                int c = s.codePointAt(i);
                out.keep();
                i += Character.charCount(c);
            }
            return out.finish();
        }
    }

    /** {@code Prepend}: a string before non-empty text; it takes the first character's alignment. */
    record Prepend(String prefix) implements Normalizer {
        @Override
        public NormalizedString normalize(NormalizedString s) {
            if (s.isEmpty() || prefix.isEmpty()) {
                return s;
            }
            return ByteLevelPreTokenizer.prepend(s, 0, s.length(), prefix);
        }
    }

    /**
     * {@code Replace}: every match of a string or a regex becomes {@code content}, whose characters
     * all take the alignment of the last character replaced. Regexes run on Java's engine, which
     * agrees with the Rust library's Oniguruma on the usual patterns (runs of spaces, literals).
     */
    record Replace(String literal, Pattern regex, String content) implements Normalizer {
        @Override
        public NormalizedString normalize(NormalizedString s) {
            String text = s.toString();
            NormalizedString.Rewrite out = null;
            int done = 0;
            if (regex != null) {
                Matcher m = regex.matcher(text);
                while (m.find()) {
                    if (m.end() == m.start()) {
                        continue;
                    }
                    out = out == null ? s.rewrite(0) : out;
                    done = replace(s, out, done, m.start(), m.end());
                }
            } else if (!literal.isEmpty()) {
                for (int at = text.indexOf(literal); at >= 0; at = text.indexOf(literal, at + literal.length())) {
                    out = out == null ? s.rewrite(0) : out;
                    done = replace(s, out, done, at, at + literal.length());
                }
            }
            if (out == null) {
                return s;
            }
            for (int i = done; i < s.length(); ) {
                int c = s.codePointAt(i);
                out.keep();
                i += Character.charCount(c);
            }
            return out.finish();
        }

        private int replace(NormalizedString s, NormalizedString.Rewrite out, int done, int start, int end) {
            for (int i = done; i < start; ) {
                int c = s.codePointAt(i);
                out.keep();
                i += Character.charCount(c);
            }
            for (int i = start; i < end; ) {
                int c = s.codePointAt(i);
                out.drop();
                i += Character.charCount(c);
            }
            for (int i = 0; i < content.length(); ) {
                int c = content.codePointAt(i);
                out.emit(c, 1);
                i += Character.charCount(c);
            }
            return end;
        }
    }
}

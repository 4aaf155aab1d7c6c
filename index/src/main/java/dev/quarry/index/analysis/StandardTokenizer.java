package dev.quarry.index.analysis;

/**
 * Splits text into words by the Unicode word-break rules (UAX #29) in the way Lucene's
 * {@code StandardTokenizer} applies them: letters and digits joined by the rules WB5–WB13b,
 * single ideographs and hiragana as their own tokens, South-East Asian runs and emoji sequences
 * kept whole, everything else (spaces, punctuation, symbols) dropped. Tokens longer than
 * {@link #MAX_TOKEN_LENGTH} chars are cut into pieces of that length, as Lucene's scanner does.
 */
public final class StandardTokenizer {

  /** Lucene's default maximum token length, in UTF-16 chars. */
  public static final int MAX_TOKEN_LENGTH = 255;

  /** Receives each token as a range of the text. */
  @FunctionalInterface
  public interface TokenSink {
    void token(CharSequence text, int start, int end);
  }

  private StandardTokenizer() {}

  /** Calls {@code sink} with each token of {@code text}, in order. */
  public static void tokenize(CharSequence text, TokenSink sink) {
    int n = text.length();
    int pos = 0;
    while (pos < n) {
      int cp = Character.codePointAt(text, pos);
      int cls = WordBreak.of(cp);
      int end;
      if (WordBreak.emojiChar(cp) || cls == WordBreak.REGIONAL_INDICATOR || keycap(text, pos, cp)) {
        end = emoji(text, pos);
        int word = isWordStart(cls) ? word(text, pos) : -1;
        if (word > end) end = word;
      } else if (isWordStart(cls)) {
        end = word(text, pos);
      } else if (cls == WordBreak.HAN || cls == WordBreak.HIRAGANA) {
        end = absorbExtend(text, pos + Character.charCount(cp));
      } else if (cls == WordBreak.COMPLEX_CONTEXT) {
        end = pos;
        while (end < n) {
          int c = Character.codePointAt(text, end);
          int k = WordBreak.of(c);
          if (k != WordBreak.COMPLEX_CONTEXT && !(k == WordBreak.EXTEND && end > pos)) break;
          end += Character.charCount(c);
        }
      } else {
        end = -1;
      }
      if (end <= pos) {
        pos += Character.charCount(cp);
        continue;
      }
      emit(text, pos, end, sink);
      pos = end;
    }
  }

  private static void emit(CharSequence text, int start, int end, TokenSink sink) {
    // Lucene's scanner buffer holds MAX_TOKEN_LENGTH chars: a longer match comes out in pieces.
    while (end - start > MAX_TOKEN_LENGTH) {
      sink.token(text, start, start + MAX_TOKEN_LENGTH);
      start += MAX_TOKEN_LENGTH;
    }
    sink.token(text, start, end);
  }

  private static boolean isWordStart(int cls) {
    return cls == WordBreak.ALETTER || cls == WordBreak.HEBREW_LETTER || cls == WordBreak.NUMERIC
        || cls == WordBreak.KATAKANA || cls == WordBreak.EXTEND_NUM_LET;
  }

  private static boolean letter(int cls) {
    return cls == WordBreak.ALETTER || cls == WordBreak.HEBREW_LETTER;
  }

  /** The end of the longest word or number starting at {@code start}, or -1 when none does. */
  private static int word(CharSequence text, int start) {
    int n = text.length();
    int pos = start;
    int last = -1; // class of the last significant char in the token
    boolean core = false; // seen a letter, digit or katakana (a lone "_" is no token)
    int coreEnd = -1; // end of the token after its last core char or trailing ExtendNumLet
    while (pos < n) {
      int cp = Character.codePointAt(text, pos);
      int cls = WordBreak.of(cp);
      int next = pos + Character.charCount(cp);
      boolean join;
      switch (cls) {
        case WordBreak.ALETTER, WordBreak.HEBREW_LETTER, WordBreak.NUMERIC ->
            join = last == -1 || letter(last) || last == WordBreak.NUMERIC
                || last == WordBreak.EXTEND_NUM_LET;
        case WordBreak.KATAKANA ->
            join = last == -1 || last == WordBreak.KATAKANA || last == WordBreak.EXTEND_NUM_LET;
        case WordBreak.EXTEND_NUM_LET -> join = true;
        case WordBreak.MID_LETTER, WordBreak.MID_NUM, WordBreak.MID_NUM_LET,
             WordBreak.SINGLE_QUOTE, WordBreak.DOUBLE_QUOTE -> {
          join = false;
          if (last == -1) break;
          int after = absorbExtend(text, next);
          if (after < n) {
            int nc = Character.codePointAt(text, after);
            int ncls = WordBreak.of(nc);
            boolean midLetter = cls == WordBreak.MID_LETTER || cls == WordBreak.MID_NUM_LET
                || cls == WordBreak.SINGLE_QUOTE;
            boolean midNum = cls == WordBreak.MID_NUM || cls == WordBreak.MID_NUM_LET
                || cls == WordBreak.SINGLE_QUOTE;
            if (letter(last) && midLetter && letter(ncls)
                || last == WordBreak.NUMERIC && midNum && ncls == WordBreak.NUMERIC
                || last == WordBreak.HEBREW_LETTER && cls == WordBreak.DOUBLE_QUOTE
                    && ncls == WordBreak.HEBREW_LETTER) {
              pos = absorbExtend(text, after + Character.charCount(nc));
              last = ncls;
              coreEnd = pos;
              continue;
            }
          }
          if (last == WordBreak.HEBREW_LETTER && cls == WordBreak.SINGLE_QUOTE) {
            pos = after;
            last = cls;
            coreEnd = pos;
            continue;
          }
        }
        default -> join = false;
      }
      if (!join) break;
      pos = absorbExtend(text, next);
      last = cls;
      if (cls != WordBreak.EXTEND_NUM_LET) core = true;
      if (core) coreEnd = pos;
    }
    return core ? coreEnd : -1;
  }

  private static int absorbExtend(CharSequence text, int pos) {
    int n = text.length();
    while (pos < n) {
      int cp = Character.codePointAt(text, pos);
      if (WordBreak.of(cp) != WordBreak.EXTEND) break;
      pos += Character.charCount(cp);
    }
    return pos;
  }

  private static boolean keycap(CharSequence text, int pos, int cp) {
    if (!(cp >= '0' && cp <= '9' || cp == '#' || cp == '*')) return false;
    int p = pos + 1;
    if (p < text.length() && text.charAt(p) == '\uFE0F') p++;
    return p < text.length() && text.charAt(p) == '\u20E3';
  }

  /** The end of the emoji sequence at {@code start} (TR #51 emoji_sequence, simplified). */
  private static int emoji(CharSequence text, int start) {
    int n = text.length();
    int cp = Character.codePointAt(text, start);
    if (cp >= 0x1F1E6 && cp <= 0x1F1FF) {
      int p = absorbExtendKeepSelectors(text, start + 2);
      if (p < n) {
        int c2 = Character.codePointAt(text, p);
        if (c2 >= 0x1F1E6 && c2 <= 0x1F1FF) return absorbExtend(text, p + 2);
      }
      return -1;
    }
    if (keycap(text, start, cp)) {
      int p = start + 1;
      if (text.charAt(p) == '\uFE0F') p++;
      return absorbExtend(text, p + 1);
    }
    int pos = start;
    while (true) {
      int c = Character.codePointAt(text, pos);
      pos = absorbExtendKeepSelectors(text, pos + Character.charCount(c));
      if (pos < n && text.charAt(pos) == '\uFE0F') pos++;
      // Tag sequences (flags of regions): tag specs then a cancel tag.
      int tagEnd = pos;
      while (tagEnd < n) {
        int t = Character.codePointAt(text, tagEnd);
        if (t < 0xE0020 || t > 0xE007E) break;
        tagEnd += 2;
      }
      if (tagEnd > pos && tagEnd < n && Character.codePointAt(text, tagEnd) == 0xE007F) {
        return tagEnd + 2;
      }
      if (pos + 1 < n && text.charAt(pos) == '\u200D') {
        int c2 = Character.codePointAt(text, pos + 1);
        if (WordBreak.emojiChar(c2)) {
          pos = pos + 1;
          continue;
        }
      }
      return pos;
    }
  }

  private static int absorbExtendKeepSelectors(CharSequence text, int pos) {
    int n = text.length();
    while (pos < n) {
      int cp = Character.codePointAt(text, pos);
      if (cp == 0xFE0E || cp == 0xFE0F || cp == 0x200D || WordBreak.of(cp) != WordBreak.EXTEND) {
        break;
      }
      pos += Character.charCount(cp);
    }
    return pos;
  }
}

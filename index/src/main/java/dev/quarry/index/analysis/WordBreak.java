package dev.quarry.index.analysis;

/**
 * The Unicode word-break classes (UAX #29) of code points, as far as {@link StandardTokenizer}
 * needs them, derived from the JDK's character properties.
 */
final class WordBreak {

  static final int OTHER = 0;
  static final int ALETTER = 1;
  static final int HEBREW_LETTER = 2;
  static final int NUMERIC = 3;
  static final int KATAKANA = 4;
  static final int EXTEND_NUM_LET = 5;
  static final int MID_LETTER = 6;
  static final int MID_NUM = 7;
  static final int MID_NUM_LET = 8;
  static final int SINGLE_QUOTE = 9;
  static final int DOUBLE_QUOTE = 10;
  /** Extend, Format and ZWJ: absorbed by the character before them (rule WB4). */
  static final int EXTEND = 11;
  static final int HAN = 12;
  static final int HIRAGANA = 13;
  /** Line_Break=Complex_Context (Thai, Lao, Myanmar, Khmer...): runs kept as one token. */
  static final int COMPLEX_CONTEXT = 14;
  static final int REGIONAL_INDICATOR = 15;

  private static final byte[] LATIN = new byte[0x3000];

  static {
    for (int cp = 0; cp < LATIN.length; cp++) LATIN[cp] = (byte) compute(cp);
  }

  private WordBreak() {}

  static int of(int cp) {
    return cp < LATIN.length ? LATIN[cp] : compute(cp);
  }

  private static int compute(int cp) {
    switch (cp) {
      case '\'': return SINGLE_QUOTE;
      case '"': return DOUBLE_QUOTE;
      case '.', 0x2018, 0x2019, 0x2024, 0xFE52, 0xFF07, 0xFF0E: return MID_NUM_LET;
      case ':', 0x00B7, 0x0387, 0x05F4, 0x2027, 0xFE13, 0xFE55, 0xFF1A: return MID_LETTER;
      case ',', ';', 0x037E, 0x0589, 0x060C, 0x060D, 0x066C, 0x07F8, 0x2044, 0xFE10, 0xFE14,
           0xFE50, 0xFE54, 0xFF0C, 0xFF1B: return MID_NUM;
      case 0x200D, 0x200C: return EXTEND;
      case 0x200B: return OTHER;
      case 0x202F: return EXTEND_NUM_LET;
      case 0x066B: return NUMERIC;
      case 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x309B, 0x309C, 0x30A0, 0x30FC, 0xFF70:
        return KATAKANA;
      case 0x02C2, 0x02C3, 0x02C4, 0x02C5, 0x02D2, 0x02D3, 0x02D4, 0x02D5, 0x02D6, 0x02D7,
           0x02DE, 0x02DF, 0x02E5, 0x02E6, 0x02E7, 0x02E8, 0x02E9, 0x02EA, 0x02EB, 0x02ED,
           0x055A, 0x055B, 0x055C, 0x055E, 0x058A, 0x05F3, 0xA720, 0xA721, 0xA789, 0xA78A,
           0xAB5B:
        return ALETTER;
      default:
        break;
    }
    if (cp >= 0x1F1E6 && cp <= 0x1F1FF) return REGIONAL_INDICATOR;
    int type = Character.getType(cp);
    switch (type) {
      case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
           Character.FORMAT:
        return EXTEND;
      case Character.CONNECTOR_PUNCTUATION:
        return EXTEND_NUM_LET;
      case Character.DECIMAL_DIGIT_NUMBER:
        return NUMERIC;
      default:
        break;
    }
    if (Character.isEmojiModifier(cp)) return EXTEND;
    Character.UnicodeScript script;
    try {
      script = Character.UnicodeScript.of(cp);
    } catch (IllegalArgumentException e) {
      return OTHER;
    }
    if (script == Character.UnicodeScript.HAN) return HAN;
    if (script == Character.UnicodeScript.HIRAGANA) return HIRAGANA;
    if (script == Character.UnicodeScript.KATAKANA) {
      return Character.isLetter(cp) || Character.isAlphabetic(cp) ? KATAKANA : OTHER;
    }
    if (!Character.isAlphabetic(cp)) return OTHER;
    if (complexContext(cp)) return COMPLEX_CONTEXT;
    if (script == Character.UnicodeScript.HEBREW && type == Character.OTHER_LETTER) {
      return HEBREW_LETTER;
    }
    if (Character.isIdeographic(cp)) return OTHER;
    return ALETTER;
  }

  private static boolean complexContext(int cp) {
    Character.UnicodeScript s;
    try {
      s = Character.UnicodeScript.of(cp);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return switch (s) {
      case THAI, LAO, MYANMAR, KHMER, TAI_LE, NEW_TAI_LUE, TAI_THAM, TAI_VIET, AHOM -> true;
      default -> false;
    };
  }

  /** Emoji that start an emoji token (Extended_Pictographic or Emoji, minus keycap bases etc.). */
  static boolean emojiChar(int cp) {
    if (cp < 0x80) return false;
    if (cp == 0x00A9 || cp == 0x00AE || cp == 0x2122 || cp == 0x3030 || cp == 0x303D) {
      return true; // Extended_Pictographic although excluded from the Emoji-only set
    }
    if (Character.isEmojiModifier(cp) || (cp >= 0x1F1E6 && cp <= 0x1F1FF)) return false;
    return Character.isExtendedPictographic(cp) || Character.isEmoji(cp);
  }
}

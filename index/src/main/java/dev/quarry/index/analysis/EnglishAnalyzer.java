package dev.quarry.index.analysis;

import java.util.Set;
import java.util.function.Consumer;

/**
 * The analysis chain of Lucene's {@code EnglishAnalyzer}: the UAX #29 {@link StandardTokenizer},
 * removal of English possessives ("'s"), lower-casing, English stop words and the
 * {@link PorterStemmer}. Each step but tokenizing can be turned off; the defaults give Lucene's
 * terms, so that BM25 scores can be compared with Lucene's. Safe for many threads.
 */
public final class EnglishAnalyzer implements Analyzer {

  /** Lucene's {@code EnglishAnalyzer.ENGLISH_STOP_WORDS_SET}. */
  public static final Set<String> ENGLISH_STOP_WORDS = Set.of(
      "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
      "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
      "these", "they", "this", "to", "was", "will", "with");

  private final boolean possessives;
  private final CharArraySet stopWords;
  private final boolean stem;
  private final ThreadLocal<PorterStemmer> stemmers = ThreadLocal.withInitial(PorterStemmer::new);

  /** Lucene's defaults: possessives removed, English stop words, Porter stemming. */
  public EnglishAnalyzer() {
    this(true, ENGLISH_STOP_WORDS, true);
  }

  /**
   * @param possessives whether to remove a trailing "'s" (also with U+2019 or U+FF07)
   * @param stopWords   lower-case words to drop (empty for none)
   * @param stem        whether to apply the Porter stemmer
   */
  public EnglishAnalyzer(boolean possessives, Set<String> stopWords, boolean stem) {
    this.possessives = possessives;
    this.stopWords = new CharArraySet(stopWords);
    this.stem = stem;
  }

  @Override
  public void analyze(String text, Consumer<String> sink) {
    PorterStemmer stemmer = stem ? stemmers.get() : null;
    char[][] buffer = {new char[64]};
    StandardTokenizer.tokenize(text, (t, start, end) -> {
      if (possessives && end - start >= 2) {
        char s = t.charAt(end - 1);
        char q = t.charAt(end - 2);
        if ((s == 's' || s == 'S') && (q == '\'' || q == '\u2019' || q == '\uFF07')) end -= 2;
      }
      char[] buf = buffer[0];
      if (buf.length < (end - start) * 2) buf = buffer[0] = new char[(end - start) * 2 + 16];
      // Code point by code point, like Lucene's LowerCaseFilter (no locale, no special casing).
      int len = 0;
      for (int i = start; i < end; ) {
        char c = t.charAt(i);
        if (c < 0x80) {
          buf[len++] = c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
          i++;
        } else {
          int cp = Character.codePointAt(t, i);
          len += Character.toChars(Character.toLowerCase(cp), buf, len);
          i += Character.charCount(cp);
        }
      }
      if (stopWords.contains(buf, len)) return;
      sink.accept(stemmer != null ? stemmer.stem(buf, len) : new String(buf, 0, len));
    });
  }
}

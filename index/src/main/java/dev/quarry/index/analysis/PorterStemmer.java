package dev.quarry.index.analysis;

/**
 * The Porter (1980) suffix-stripping stemmer, in the form of Martin Porter's reference
 * implementation (release 3, with its two bug fixes) that Lucene's {@code PorterStemFilter} uses:
 * words of one or two letters are left alone, and 'y' is a consonant after a vowel.
 *
 * <p>Not thread-safe: it reuses one buffer. Use one instance per thread.
 */
public final class PorterStemmer {

  private char[] b = new char[64];
  private int j;
  private int k;

  /** The stem of a lower-case word. */
  public String stem(String word) {
    int len = word.length();
    if (len <= 2) return word;
    if (b.length < len) b = new char[len + 16];
    word.getChars(0, len, b, 0);
    int out = stemBuffer(len);
    if (out == len) {
      // The common case of an unchanged word: no new string.
      boolean same = true;
      for (int i = 0; i < len && same; i++) same = b[i] == word.charAt(i);
      if (same) return word;
    }
    return new String(b, 0, out);
  }

  /** The stem of the lower-case word {@code word[0..len)}, as a new string. */
  public String stem(char[] word, int len) {
    if (b.length < len) b = new char[len + 16];
    System.arraycopy(word, 0, b, 0, len);
    return new String(b, 0, len <= 2 ? len : stemBuffer(len));
  }

  private int stemBuffer(int len) {
    k = len - 1;
    step1();
    step2();
    step3();
    step4();
    step5();
    step6();
    return k + 1;
  }

  private boolean cons(int i) {
    switch (b[i]) {
      case 'a', 'e', 'i', 'o', 'u':
        return false;
      case 'y':
        return i == 0 || !cons(i - 1);
      default:
        return true;
    }
  }

  /** The number of consonant-vowel sequences in b[0..j]. */
  private int m() {
    int n = 0;
    int i = 0;
    while (true) {
      if (i > j) return n;
      if (!cons(i)) break;
      i++;
    }
    i++;
    while (true) {
      while (true) {
        if (i > j) return n;
        if (cons(i)) break;
        i++;
      }
      i++;
      n++;
      while (true) {
        if (i > j) return n;
        if (!cons(i)) break;
        i++;
      }
      i++;
    }
  }

  private boolean vowelInStem() {
    for (int i = 0; i <= j; i++) if (!cons(i)) return true;
    return false;
  }

  private boolean doubleConsonant(int at) {
    if (at < 1) return false;
    if (b[at] != b[at - 1]) return false;
    return cons(at);
  }

  private boolean cvc(int i) {
    if (i < 2 || !cons(i) || cons(i - 1) || !cons(i - 2)) return false;
    char ch = b[i];
    return ch != 'w' && ch != 'x' && ch != 'y';
  }

  private boolean ends(String s) {
    int l = s.length();
    int o = k - l + 1;
    if (o < 0) return false;
    for (int i = 0; i < l; i++) if (b[o + i] != s.charAt(i)) return false;
    j = k - l;
    return true;
  }

  private void setTo(String s) {
    int l = s.length();
    int o = j + 1;
    if (o + l > b.length) {
      char[] bigger = new char[o + l + 16];
      System.arraycopy(b, 0, bigger, 0, b.length);
      b = bigger;
    }
    for (int i = 0; i < l; i++) b[o + i] = s.charAt(i);
    k = j + l;
  }

  private void r(String s) {
    if (m() > 0) setTo(s);
  }

  private void step1() {
    if (b[k] == 's') {
      if (ends("sses")) k -= 2;
      else if (ends("ies")) setTo("i");
      else if (b[k - 1] != 's') k--;
    }
    if (ends("eed")) {
      if (m() > 0) k--;
    } else if ((ends("ed") || ends("ing")) && vowelInStem()) {
      k = j;
      if (ends("at")) setTo("ate");
      else if (ends("bl")) setTo("ble");
      else if (ends("iz")) setTo("ize");
      else if (doubleConsonant(k)) {
        char ch = b[k--];
        if (ch == 'l' || ch == 's' || ch == 'z') k++;
      } else if (m() == 1 && cvc(k)) setTo("e");
    }
  }

  private void step2() {
    if (ends("y") && vowelInStem()) b[k] = 'i';
  }

  private void step3() {
    if (k == 0) return;
    switch (b[k - 1]) {
      case 'a' -> {
        if (ends("ational")) r("ate");
        else if (ends("tional")) r("tion");
      }
      case 'c' -> {
        if (ends("enci")) r("ence");
        else if (ends("anci")) r("ance");
      }
      case 'e' -> {
        if (ends("izer")) r("ize");
      }
      case 'l' -> {
        if (ends("bli")) r("ble");
        else if (ends("alli")) r("al");
        else if (ends("entli")) r("ent");
        else if (ends("eli")) r("e");
        else if (ends("ousli")) r("ous");
      }
      case 'o' -> {
        if (ends("ization")) r("ize");
        else if (ends("ation")) r("ate");
        else if (ends("ator")) r("ate");
      }
      case 's' -> {
        if (ends("alism")) r("al");
        else if (ends("iveness")) r("ive");
        else if (ends("fulness")) r("ful");
        else if (ends("ousness")) r("ous");
      }
      case 't' -> {
        if (ends("aliti")) r("al");
        else if (ends("iviti")) r("ive");
        else if (ends("biliti")) r("ble");
      }
      case 'g' -> {
        if (ends("logi")) r("log");
      }
      default -> { }
    }
  }

  private void step4() {
    switch (b[k]) {
      case 'e' -> {
        if (ends("icate")) r("ic");
        else if (ends("ative")) r("");
        else if (ends("alize")) r("al");
      }
      case 'i' -> {
        if (ends("iciti")) r("ic");
      }
      case 'l' -> {
        if (ends("ical")) r("ic");
        else if (ends("ful")) r("");
      }
      case 's' -> {
        if (ends("ness")) r("");
      }
      default -> { }
    }
  }

  private void step5() {
    if (k == 0) return;
    boolean found = switch (b[k - 1]) {
      case 'a' -> ends("al");
      case 'c' -> ends("ance") || ends("ence");
      case 'e' -> ends("er");
      case 'i' -> ends("ic");
      case 'l' -> ends("able") || ends("ible");
      case 'n' -> ends("ant") || ends("ement") || ends("ment") || ends("ent");
      case 'o' -> ends("ion") && j >= 0 && (b[j] == 's' || b[j] == 't') || ends("ou");
      case 's' -> ends("ism");
      case 't' -> ends("ate") || ends("iti");
      case 'u' -> ends("ous");
      case 'v' -> ends("ive");
      case 'z' -> ends("ize");
      default -> false;
    };
    if (found && m() > 1) k = j;
  }

  private void step6() {
    j = k;
    if (b[k] == 'e') {
      int a = m();
      if (a > 1 || a == 1 && !cvc(k - 1)) k--;
    }
    if (b[k] == 'l' && doubleConsonant(k) && m() > 1) k--;
  }
}

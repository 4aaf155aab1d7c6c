package dev.quarry.index.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.junit.jupiter.api.Test;

/** Quarry's English analysis against Lucene's {@code EnglishAnalyzer}, term for term. */
class EnglishAnalyzerTest {

  static List<String> lucene(org.apache.lucene.analysis.Analyzer a, String text) throws IOException {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = a.tokenStream("body", new StringReader(text))) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) out.add(term.toString());
      ts.end();
    }
    return out;
  }

  @Test
  void handPickedCases() throws IOException {
    var lucene = new org.apache.lucene.analysis.en.EnglishAnalyzer();
    EnglishAnalyzer quarry = new EnglishAnalyzer();
    String[] cases = {
      "The dog's bowls were running quickly; it's U.S.A. e.g. 3.5 1,000 p<0.05 IL-6 α2 H2O CD4+",
      "caresses ponies ties caress cats feed agreed disabled matting mating meeting milling",
      "generalizations oscillators hopeful goodness electricity formality sensitivity",
      "a:b foo_bar _x_ __ x_ 12_34 1.a a.1 a1.2 don't O'Neil’s dogs' ‘quoted’",
      "日本語のテキスト カタカナ ひらがな 한국어 ภาษาไทย עִבְרִית \"quotes\"",
      "emoji 😀👍🏽 ©2012 ® ™ 1⃣ 🇺🇸 ↔ x\u00ADy soft\u200Bzw caf\u0065\u0301 Ⅻ ²",
      "İstanbul ΣΊΣΥΦΟΣ straße ﬁne ＦＵＬＬ１２３ x" + "y".repeat(600),
    };
    for (String c : cases) assertEquals(lucene(lucene, c), quarry.terms(c), c);
  }

  @Test
  void sameTermsAsLuceneOnSciFact() throws IOException {
    var lucene = new org.apache.lucene.analysis.en.EnglishAnalyzer();
    EnglishAnalyzer quarry = new EnglishAnalyzer();
    int docs = 0;
    for (SciFact.Doc d : concat(SciFact.corpus(), SciFact.queries())) {
      assertEquals(lucene(lucene, d.text()), quarry.terms(d.text()), d.id());
      docs++;
    }
    assertEquals(5183 + 1109, docs);
  }

  private static List<SciFact.Doc> concat(List<SciFact.Doc> a, List<SciFact.Doc> b) {
    List<SciFact.Doc> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  @Test
  void randomTextFromAMixedAlphabet() throws IOException {
    var lucene = new org.apache.lucene.analysis.en.EnglishAnalyzer();
    EnglishAnalyzer quarry = new EnglishAnalyzer();
    String alphabet = "aeiouybcdstlngAZ019 .,;:'\"_-’()/+%$#é\u0301\u00AD";
    Random random = new Random(7);
    for (int i = 0; i < 3000; i++) {
      StringBuilder b = new StringBuilder();
      int len = random.nextInt(40);
      for (int j = 0; j < len; j++) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      String text = b.toString();
      assertEquals(lucene(lucene, text), quarry.terms(text), text);
    }
  }
}

package dev.quarry.bench.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Varied texts for GPU parity checks, the same on every run: short queries, long passages that
 * reach truncation, numbers, punctuation, accents, CJK, emoji, repeated words and near-empty lines.
 */
final class ParityTexts {

  private static final String[] WORDS = ("the a of retrieval embedding vector model protein cell gene "
      + "study results suggest significant increase decrease patients treatment effect analysis data "
      + "network transformer attention layer norm token sequence batch graph kernel memory device "
      + "café naïve résumé Zürich São Paulo 東京 北京 データ 😀 🚀 COVID-19 p<0.05 3.14159 1,024 "
      + "x86-64 e-mail don't it's U.S.A. (parenthetical) [bracketed] \"quoted\" semi;colon").split(" ");

  private ParityTexts() {}

  static List<String> generate(int count) {
    Random random = new Random(20261126L);
    List<String> texts = new ArrayList<>(count);
    texts.add("a");
    texts.add("?");
    texts.add("Hello, world!");
    texts.add("The quick brown fox jumps over the lazy dog.");
    texts.add("repeat ".repeat(400).strip());
    while (texts.size() < count) {
      int kind = texts.size() % 4;
      int words = switch (kind) {
        case 0 -> 1 + random.nextInt(8);      // query-like
        case 1 -> 10 + random.nextInt(30);    // sentence
        case 2 -> 40 + random.nextInt(120);   // paragraph
        default -> 200 + random.nextInt(200); // beyond 256 tokens: truncated
      };
      StringBuilder b = new StringBuilder();
      for (int w = 0; w < words; w++) {
        if (w > 0) b.append(random.nextInt(12) == 0 ? ". " : " ");
        String word = WORDS[random.nextInt(WORDS.length)];
        b.append(random.nextInt(7) == 0 ? word.toUpperCase(java.util.Locale.ROOT) : word);
      }
      texts.add(b.toString());
    }
    return texts;
  }
}

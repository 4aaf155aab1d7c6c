package dev.quarry.embed;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Varied real texts for the parity tests: STS-B sentences, SciFact abstracts and awkward inputs. */
final class TestTexts {

  private TestTexts() {}

  static Path shared() {
    String dir = System.getProperty("quarry.shared");
    Path path = dir != null ? Path.of(dir) : Path.of("../../shared");
    if (!Files.isDirectory(path.resolve("data"))) {
      throw new IllegalStateException("the shared data folder is missing at " + path.toAbsolutePath()
          + "; set -Dquarry.shared=DIR");
    }
    return path;
  }

  /** The sentence pairs and gold scores of an STS benchmark file (tab-separated, no quoting). */
  record StsPair(String first, String second, double score) {}

  static List<StsPair> sts(String file) {
    List<StsPair> pairs = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(shared().resolve("data/stsbenchmark").resolve(file), StandardCharsets.UTF_8)) {
        String[] f = line.split("\t");
        if (f.length >= 7) pairs.add(new StsPair(f[5], f[6], Double.parseDouble(f[4])));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pairs;
  }

  /** {@code count} texts: short sentences, long abstracts (beyond 256 tokens) and edge cases. */
  static List<String> varied(int count) {
    Set<String> texts = new LinkedHashSet<>(List.of(
        "", " ", "a", "Hello, world!", "[CLS] [SEP] [MASK]",
        "Crème brûlée in São Paulo, naïve façade", "東京は日本の首都です。", "Москва — столица России.",
        "مرحبا بالعالم", "👩‍👩‍👧‍👦 family 🇫🇷 flag", "tabs\tand\nnewlines\r\n", "ＦＵＬＬ－ＷＩＤＴＨ",
        "antidisestablishmentarianismantidisestablishmentarianismantidisestablishmentarianismantidisestablishmentarianism",
        "The quick brown fox jumps over the lazy dog. ".repeat(60)));
    try {
      List<String> lines = Files.readAllLines(shared().resolve("data/scifact/corpus.jsonl"), StandardCharsets.UTF_8);
      ObjectMapper json = new ObjectMapper();
      for (int i = 0; i < 15; i++) {
        var doc = json.readTree(lines.get(i * 97));
        texts.add((doc.path("title").asText() + " " + doc.path("text").asText()).strip());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (StsPair p : sts("sts-dev.csv")) {
      if (texts.size() >= count) break;
      texts.add(p.first());
    }
    return List.copyOf(texts).subList(0, count);
  }
}

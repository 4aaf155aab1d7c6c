package dev.quarry.bench.bm25;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A large English corpus that needs no download: the sentences of the Javadoc comments in the
 * JDK's {@code lib/src.zip}, with HTML tags and inline tags reduced to their text. Deterministic:
 * files in name order, sentences in file order.
 */
final class JavadocCorpus {

  private static final Pattern COMMENT = Pattern.compile("/\\*\\*(.*?)\\*/", Pattern.DOTALL);
  private static final Pattern INLINE_TAG = Pattern.compile("\\{@\\w+\\s*([^}]*)}");
  private static final Pattern HTML = Pattern.compile("<[^>]{0,200}>");
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[A-Z])");

  private JavadocCorpus() {}

  /** Up to {@code max} sentences of at least five words, with no block tags (@param...). */
  static List<String> sentences(Path srcZip, int max) throws IOException {
    List<String> out = new ArrayList<>();
    try (ZipFile zip = new ZipFile(srcZip.toFile())) {
      List<? extends ZipEntry> entries = zip.stream()
          .filter(e -> e.getName().endsWith(".java") && e.getName().startsWith("java.base/"))
          .sorted(Comparator.comparing(ZipEntry::getName)).toList();
      if (entries.isEmpty()) {
        entries = zip.stream().filter(e -> e.getName().endsWith(".java"))
            .sorted(Comparator.comparing(ZipEntry::getName)).toList();
      }
      List<? extends ZipEntry> rest = zip.stream()
          .filter(e -> e.getName().endsWith(".java") && !e.getName().startsWith("java.base/"))
          .sorted(Comparator.comparing(ZipEntry::getName)).toList();
      List<ZipEntry> all = new ArrayList<>(entries);
      all.addAll(rest);
      for (ZipEntry e : all) {
        String source;
        try (InputStream in = zip.getInputStream(e)) {
          source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = COMMENT.matcher(source);
        while (m.find()) {
          StringBuilder text = new StringBuilder();
          for (String line : m.group(1).split("\n")) {
            String l = line.strip();
            if (l.startsWith("*")) l = l.substring(1).strip();
            if (l.startsWith("@")) break; // block tags end the description
            text.append(l).append(' ');
          }
          String clean = HTML.matcher(INLINE_TAG.matcher(text).replaceAll("$1")).replaceAll(" ")
              .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
              .replaceAll("\\s+", " ").strip();
          for (String s : SENTENCE_END.split(clean)) {
            if (s.split(" ").length >= 5) {
              out.add(s);
              if (out.size() == max) return out;
            }
          }
        }
      }
    }
    return out;
  }
}

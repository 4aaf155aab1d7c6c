package dev.quarry.index.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BEIR SciFact from {@code ../shared/data/scifact} for the index tests: the corpus as
 * {@code (title + " " + text).strip()}, the queries as text. The index module has no JSON library,
 * so this reads the top-level string fields of each JSON line itself.
 */
public final class SciFact {

  /** One document or query. */
  public record Doc(String id, String text) {}

  private SciFact() {}

  public static Path dir() {
    String p = System.getProperty("quarry.shared");
    if (p == null) p = System.getenv().getOrDefault("QUARRY_SHARED", "../../shared");
    return Path.of(p).resolve("data/scifact");
  }

  public static List<Doc> corpus() throws IOException {
    return read("corpus.jsonl");
  }

  public static List<Doc> queries() throws IOException {
    return read("queries.jsonl");
  }

  private static List<Doc> read(String file) throws IOException {
    List<Doc> out = new ArrayList<>();
    for (String line : Files.readAllLines(dir().resolve(file))) {
      Map<String, String> f = topLevelStrings(line);
      String text = (f.getOrDefault("title", "") + " " + f.getOrDefault("text", "")).strip();
      out.add(new Doc(f.get("_id"), text));
    }
    return out;
  }

  /** The string-valued members of a JSON object (nested values are skipped). */
  static Map<String, String> topLevelStrings(String json) {
    Map<String, String> out = new LinkedHashMap<>();
    int[] pos = {json.indexOf('{') + 1};
    while (true) {
      skipSpace(json, pos);
      if (json.charAt(pos[0]) == '}') return out;
      String key = string(json, pos);
      skipSpace(json, pos);
      pos[0]++; // ':'
      skipSpace(json, pos);
      if (json.charAt(pos[0]) == '"') out.put(key, string(json, pos));
      else skipValue(json, pos);
      skipSpace(json, pos);
      if (json.charAt(pos[0]) == ',') pos[0]++;
    }
  }

  private static void skipSpace(String s, int[] pos) {
    while (Character.isWhitespace(s.charAt(pos[0]))) pos[0]++;
  }

  private static String string(String s, int[] pos) {
    StringBuilder b = new StringBuilder();
    int i = pos[0] + 1;
    while (true) {
      char c = s.charAt(i++);
      if (c == '"') break;
      if (c == '\\') {
        char e = s.charAt(i++);
        switch (e) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'r' -> b.append('\r');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'u' -> {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> b.append(e);
        }
      } else {
        b.append(c);
      }
    }
    pos[0] = i;
    return b.toString();
  }

  private static void skipValue(String s, int[] pos) {
    int depth = 0;
    int i = pos[0];
    while (true) {
      char c = s.charAt(i);
      if (c == '"') {
        int[] p = {i};
        string(s, p);
        i = p[0];
        continue;
      }
      if (c == '{' || c == '[') depth++;
      else if (c == '}' || c == ']') {
        if (depth == 0) break;
        depth--;
        if (depth == 0) {
          i++;
          break;
        }
      } else if (c == ',' && depth == 0) break;
      i++;
    }
    pos[0] = i;
  }
}

package dev.quarry.bench.ann;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.embed.EmbedOptions;
import dev.quarry.embed.Embedder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Makes the bench's real data set: sentences from the SciFact corpus and the JDK's own Javadoc,
 * embedded by Quarry with all-MiniLM-L6-v2 and cached as fvecs under {@code bench/target/}.
 *
 * <p>Resumable: vectors are appended in chunks, so a killed run continues where it stopped, and
 * whatever prefix exists is usable. The first {@code queries} sentences of a fixed shuffle are the
 * queries; the rest are the base set, so no query is also a base vector.
 */
public final class EmbeddingCache {

  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[A-Z])");
  private static final Pattern JAVADOC = Pattern.compile("/\\*\\*(.*?)\\*/", Pattern.DOTALL);

  /** all-MiniLM-L6-v2's output size: the width of every cached record. */
  private static final int MINILM_DIMENSION = 384;

  private EmbeddingCache() {}

  /** The sentences, deduplicated and shuffled with a fixed seed: queries first, then base. */
  static List<String> sentences(Path scifact, Path srcZip, int wanted) throws IOException {
    Set<String> unique = new LinkedHashSet<>();
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader in = Files.newBufferedReader(scifact, StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.isBlank()) continue;
        JsonNode doc = json.readTree(line);
        addSentences(doc.path("title").asText() + ". " + doc.path("text").asText(), unique);
      }
    }
    if (unique.size() < wanted && srcZip != null && Files.exists(srcZip)) {
      try (ZipFile zip = new ZipFile(srcZip.toFile())) {
        List<? extends ZipEntry> entries = Collections.list(zip.entries());
        entries.sort((a, b) -> a.getName().compareTo(b.getName()));
        for (ZipEntry entry : entries) {
          if (unique.size() >= wanted * 2) break;
          if (!entry.getName().endsWith(".java")) continue;
          String source;
          try (InputStream in = zip.getInputStream(entry)) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
          Matcher m = JAVADOC.matcher(source);
          while (m.find()) {
            String text = m.group(1).replaceAll("(?m)^\\s*\\*", " ")
                .replaceAll("(?s)@(param|return|throws|see|since|author|implNote|implSpec|apiNote|jls|spec|serial).*", " ")
                .replaceAll("<[^>]+>", " ").replaceAll("\\{@\\w+\\s+([^}]*)}", "$1")
                .replaceAll("\\s+", " ").trim();
            addSentences(text, unique);
          }
        }
      }
    }
    List<String> all = new ArrayList<>(unique);
    Collections.shuffle(all, new Random(42));
    return all.size() > wanted ? all.subList(0, wanted) : all;
  }

  private static void addSentences(String text, Set<String> out) {
    for (String s : SENTENCE_END.split(text)) {
      s = s.trim();
      if (s.length() >= 25 && s.length() <= 300 && s.chars().filter(Character::isLetter).count() > s.length() / 2) {
        out.add(s);
      }
    }
  }

  /** {@code EmbeddingCache [dir] [base] [queries] [threads]}: makes or completes the cache. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "bench/target/ann-data");
    int baseCount = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    int queryCount = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    make(dir, baseCount, queryCount, threads);
  }

  /**
   * Embeds whatever of {@code base} base and {@code queries} query sentences is not yet in
   * {@code dir} (minilm-base.fvecs, minilm-queries.fvecs), appending; returns the two files.
   */
  public static Path[] make(Path dir, int baseCount, int queryCount, int threads) throws IOException {
    Path queries = dir.resolve("minilm-queries.fvecs");
    Path base = dir.resolve("minilm-base.fvecs");
    if (records(queries) >= queryCount && records(base) >= baseCount) return new Path[] {base, queries};
    String shared = System.getenv().getOrDefault("QUARRY_SHARED", "../shared");
    Path scifact = Path.of(shared, "data/scifact/corpus.jsonl");
    Path srcZip = Path.of(System.getProperty("java.home"), "lib/src.zip");
    Files.createDirectories(dir);
    List<String> texts = sentences(scifact, srcZip, baseCount + queryCount);
    System.err.println("embedding-cache: " + texts.size() + " sentences, embedding what " + dir + " lacks");
    try (Embedder embedder = Embedder.open("all-MiniLM-L6-v2", EmbedOptions.defaults().withThreads(threads))) {
      int dim = embedder.dimension();
      embedRange(embedder, texts.subList(0, Math.min(queryCount, texts.size())), queries, dim);
      embedRange(embedder, texts.subList(Math.min(queryCount, texts.size()), texts.size()), base, dim);
    }
    return new Path[] {base, queries};
  }

  /** Whole records in {@code file} (0 when absent). */
  private static long records(Path file) throws IOException {
    return Files.exists(file) ? Files.size(file) / (4L + 4L * MINILM_DIMENSION) : 0;
  }

  private static void embedRange(Embedder embedder, List<String> texts, Path file, int dim) throws IOException {
    long recordBytes = 4L + 4L * dim;
    long done = Files.exists(file) ? Files.size(file) / recordBytes : 0;
    if (Files.exists(file) && Files.size(file) != done * recordBytes) {
      // A torn last record from a killed run: drop it.
      try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
        ch.truncate(done * recordBytes);
      }
    }
    long start = System.nanoTime();
    for (int i = (int) done; i < texts.size(); i += 256) {
      List<String> chunk = texts.subList(i, Math.min(texts.size(), i + 256));
      float[][] vectors = embedder.embed(chunk);
      Fvecs.append(file, vectors);
      System.err.printf("embedding-cache: %s %d/%d (%.1f s)%n", file.getFileName(), i + chunk.size(),
          texts.size(), (System.nanoTime() - start) / 1e9);
    }
  }
}

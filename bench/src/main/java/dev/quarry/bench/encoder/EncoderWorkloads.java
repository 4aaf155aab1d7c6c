package dev.quarry.bench.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The token ids both engines are timed on, made from real SciFact text with the model's own
 * tokenizer (no truncation, no padding), so that Quarry and ONNX Runtime see identical inputs.
 * A text cut to a given length keeps {@code [CLS]}, the first words, and ends with {@code [SEP]}.
 */
public final class EncoderWorkloads {

  /** The workloads of the benchmark table. */
  public enum Workload {
    /** One text of 16 tokens (latency). */
    LATENCY_1X16,
    /** 32 documents of 128 tokens each. */
    BATCH_32X128,
    /** 32 first sentences of documents, 24–40 tokens, as they come. */
    SENTENCES_32,
    /** 32 documents cut to lengths spread evenly over 8–256 tokens, in shuffled order. */
    MIXED_32
  }

  private EncoderWorkloads() {}

  /** The shared folder: {@code $QUARRY_SHARED}, else {@code ../shared} from the project root. */
  static Path sharedDir() {
    String env = System.getenv("QUARRY_SHARED");
    if (env != null && !env.isBlank()) return Path.of(env);
    String prop = System.getProperty("quarry.shared");
    if (prop != null && !prop.isBlank()) return Path.of(prop);
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolveSibling("shared");
      if (Files.isDirectory(candidate.resolve("data"))) return candidate;
    }
    throw new IllegalStateException("cannot find the shared data folder (../shared from the project"
        + " root): set QUARRY_SHARED");
  }

  /** The token ids of each text of {@code workload}. */
  public static int[][] ids(Workload workload, Tokenizer tokenizer) {
    List<String> docs = documents();
    return switch (workload) {
      case LATENCY_1X16 -> new int[][] {cut(tokenizer, docs, 16, 0)};
      case BATCH_32X128 -> cutMany(tokenizer, docs, 32, i -> 128);
      case SENTENCES_32 -> sentences(tokenizer, docs);
      case MIXED_32 -> {
        int[][] out = cutMany(tokenizer, docs, 32, i -> 8 + Math.round(i * 248f / 31));
        List<int[]> shuffled = new ArrayList<>(Arrays.asList(out));
        java.util.Collections.shuffle(shuffled, new Random(7));
        yield shuffled.toArray(new int[0][]);
      }
    };
  }

  private static int[][] cutMany(Tokenizer tokenizer, List<String> docs, int count,
      java.util.function.IntUnaryOperator length) {
    int[][] out = new int[count][];
    int from = 0;
    for (int i = 0; i < count; i++) {
      int want = length.applyAsInt(i);
      // The next document long enough for this length.
      int[] ids;
      do {
        ids = tokenizer.encode(docs.get(from++)).ids();
      } while (ids.length < want);
      out[i] = cutIds(ids, want);
    }
    return out;
  }

  private static int[] cut(Tokenizer tokenizer, List<String> docs, int length, int from) {
    return cutMany(tokenizer, docs.subList(from, docs.size()), 1, i -> length)[0];
  }

  private static int[] cutIds(int[] ids, int length) {
    int[] out = Arrays.copyOf(ids, length);
    out[length - 1] = ids[ids.length - 1];
    return out;
  }

  private static int[][] sentences(Tokenizer tokenizer, List<String> docs) {
    int[][] out = new int[32][];
    int n = 0;
    for (String doc : docs) {
      int end = doc.indexOf(". ");
      if (end < 0) continue;
      int[] ids = tokenizer.encode(doc.substring(0, end + 1)).ids();
      if (ids.length >= 24 && ids.length <= 40) out[n++] = ids;
      if (n == out.length) break;
    }
    return out;
  }

  /** SciFact documents as BEIR reads them: {@code (title + " " + text).strip()}. */
  private static List<String> documents() {
    Path corpus = sharedDir().resolve("data/scifact/corpus.jsonl");
    ObjectMapper json = new ObjectMapper();
    List<String> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(corpus, StandardCharsets.UTF_8)) {
        JsonNode node = json.readTree(line);
        out.add((node.get("title").asText() + " " + node.get("text").asText()).strip());
        if (out.size() == 2000) break;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + corpus, e);
    }
    return out;
  }

  /** Token count over all texts. */
  static int tokens(int[][] ids) {
    int sum = 0;
    for (int[] t : ids) sum += t.length;
    return sum;
  }
}

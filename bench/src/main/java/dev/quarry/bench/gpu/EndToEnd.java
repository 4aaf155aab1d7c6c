package dev.quarry.bench.gpu;

import dev.quarry.embed.Device;
import dev.quarry.embed.EmbedOptions;
import dev.quarry.embed.Embedder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Texts in, vectors out, on the GPU, against sentence-transformers {@code encode} (fp16, batch 256)
 * on the same texts and weights: tokenization, batching and copies included on both sides. As
 * {@code torch_reference.py embed} does, one untimed pass first (class loading, JIT, graph capture),
 * then timed passes; Quarry reports the median of three.
 */
final class EndToEnd {

  private static final String MODEL = "all-MiniLM-L6-v2-q";

  private EndToEnd() {}

  /**
   * @param stVectors sentence-transformers' vectors of {@code texts} ({@code torch_reference.py embed})
   * @param stLog that run's standard output, whose JSON line holds its texts/s
   */
  static boolean run(Path texts, Path stVectors, Path stLog) throws IOException {
    List<String> lines = Files.readAllLines(texts, StandardCharsets.UTF_8);
    float[][] vectors = null;
    double[] seconds = new double[3];
    long tokens = 0;
    try (Embedder embedder = Embedder.open(MODEL, EmbedOptions.defaults().withDevice(Device.CUDA))) {
      if (embedder.device() != Device.CUDA) {
        GpuBench.row("GPU encoder opened", "no (see the line above)", "CUDA", false);
        return false;
      }
      for (String line : lines) tokens += embedder.tokenizer().encode(line).length();
      embedder.embed(lines);
      for (int i = 0; i < seconds.length; i++) {
        long t0 = System.nanoTime();
        vectors = embedder.embed(lines);
        seconds[i] = (System.nanoTime() - t0) / 1e9;
      }
    }
    Arrays.sort(seconds);
    double quarry = lines.size() / seconds[1];
    double st = textsPerSecond(stLog);
    boolean ok = true;
    if (Files.exists(stVectors)) {
      ok = GpuBench.check("end to end: sentence-transformers vs Quarry", GpuBench.Stats.of(GpuBench.readJsonl(stVectors),
          vectors), GpuBench.PARITY);
    }
    System.out.printf(Locale.ROOT, "%n| end to end, %d texts, %.1f tokens each (tokenization included) | texts/s |%n",
        lines.size(), (double) tokens / lines.size());
    System.out.println("|---|---|");
    System.out.printf(Locale.ROOT, "| Quarry GPU (median of 3 passes, %d CPU threads) | %.0f |%n",
        Runtime.getRuntime().availableProcessors(), quarry);
    System.out.printf(Locale.ROOT, "| sentence-transformers fp16, batch 256 | %s |%n",
        Double.isNaN(st) ? "- (no figure in " + stLog + ")" : String.format(Locale.ROOT, "%.0f", st));
    System.out.printf(Locale.ROOT, "gpu-e2e: quarry/sentence-transformers texts-per-second=%.2f%n", quarry / st);
    return ok;
  }

  private static double textsPerSecond(Path log) throws IOException {
    if (!Files.exists(log)) return Double.NaN;
    Pattern p = Pattern.compile("\"texts_per_s\":\\s*([0-9.]+)");
    for (String line : Files.readAllLines(log)) {
      Matcher m = p.matcher(line);
      if (m.find()) return Double.parseDouble(m.group(1));
    }
    return Double.NaN;
  }
}

package dev.quarry.bench.gpu;

import dev.quarry.embed.Device;
import dev.quarry.embed.EmbedOptions;
import dev.quarry.embed.Embedder;
import dev.quarry.model.BertConfig;
import dev.quarry.model.BertWeights;
import dev.quarry.model.Pooling;
import dev.quarry.nn.TokenBatch;
import dev.quarry.nn.gpu.CudaBertEncoder;
import dev.quarry.nn.gpu.PackedBatch;
import dev.quarry.nn.gpu.ShapeBucket;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/run gpu}: the GPU encoder against Quarry's CPU encoder, sentence-transformers and
 * PyTorch, on a GPU host (see {@code bench/gpu/device-check.sh}, which runs the steps in order).
 *
 * <pre>
 *   parity DIR                 GPU fp16 vs CPU fp32 on the int8 all-MiniLM-L6-v2 (dequantized), batch
 *                              invariance; writes DIR/texts.txt, DIR/quarry-gpu.jsonl, DIR/model (HF)
 *   compare ST.jsonl Q.jsonl   sentence-transformers' vectors against Quarry's GPU vectors
 *   speed TORCH.jsonl [ARCH,...] [SHAPES]   random weights, against torch_reference.py speed --compile
 *   e2e TEXTS ST.jsonl ST.log  end to end, tokenization included, against sentence-transformers encode
 * </pre>
 * Each mode prints table rows and exits 1 when a check fails; speed ends with the summary line
 * {@code gpu: quarry/pytorch-compiled throughput1024x128=<ratio> latency1x16=<ratio>}.
 */
public final class GpuBench {

  static final double PARITY = 0.9995;
  static final double INVARIANCE = 0.99999;
  /** fp16 dense tensor-core peak measured on an H100 (see the issue): the yardstick for "% of peak". */
  static final double PEAK_TFLOPS = 790;

  private static final PrintStream OUT = System.out;

  private GpuBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) usage();
    boolean ok;
    try {
      ok = run(args);
    } catch (dev.quarry.kernels.cuda.CudaUnavailableException e) {
      System.out.println("gpu: unavailable: " + e.getMessage());
      ok = false;
    }
    System.exit(ok ? 0 : 1);
  }

  private static boolean run(String[] args) throws IOException {
    return switch (args[0]) {
      case "parity" -> parity(Path.of(args.length > 1 ? args[1] : "gpu-parity"));
      case "compare" -> compare(Path.of(args[1]), Path.of(args[2]));
      case "e2e" -> EndToEnd.run(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]));
      case "speed" -> speed(Path.of(args[1]), args.length > 2 ? args[2] : "minilm-l6,bge-small,bge-base",
          args.length > 3 ? args[3] : "1x16,32x128,256x128,1024x128");
      default -> {
        usage();
        yield false;
      }
    };
  }

  private static void usage() {
    System.err.println("usage: GpuBench parity DIR | compare ST.jsonl QUARRY.jsonl | speed TORCH.jsonl [ARCHS] [SHAPES]"
        + " | e2e TEXTS ST.jsonl ST.log");
    System.exit(2);
  }

  static void row(String check, String value, String threshold, boolean pass) {
    OUT.printf(Locale.ROOT, "| %-44s | %-30s | %-12s | %-4s |%n", check, value, threshold, pass ? "PASS" : "FAIL");
  }

  // ---------------------------------------------------------------- parity

  static boolean parity(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> texts = ParityTexts.generate(240);
    String model = "all-MiniLM-L6-v2-q";
    boolean ok = true;
    float[][] cpu, gpuAll, gpuSingles, gpuShuffled;
    try (Embedder cpuEmbedder = Embedder.open(model, EmbedOptions.defaults())) {
      cpu = cpuEmbedder.embed(texts);
      cpuEmbedder.save(dir.resolve("model"));
    }
    long t0 = System.nanoTime();
    try (Embedder gpuEmbedder = Embedder.open(model, EmbedOptions.defaults().withDevice(Device.CUDA))) {
      if (gpuEmbedder.device() != Device.CUDA) {
        row("GPU encoder opened", "no (see the line above)", "CUDA", false);
        return false;
      }
      OUT.printf(Locale.ROOT, "parity: %d texts, model %s (int8 dequantized), GPU encoder opened in %.1f s%n",
          texts.size(), model, (System.nanoTime() - t0) / 1e9);
      gpuAll = gpuEmbedder.embed(texts);
      gpuSingles = new float[texts.size()][];
      for (int i = 0; i < texts.size(); i++) gpuSingles[i] = gpuEmbedder.embed(texts.get(i));
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) order.add(i);
      Collections.shuffle(order, new Random(7));
      gpuShuffled = new float[texts.size()][];
      for (int from = 0; from < order.size(); from += 7) {
        List<Integer> part = order.subList(from, Math.min(order.size(), from + 7));
        float[][] v = gpuEmbedder.embed(part.stream().map(texts::get).toList());
        for (int j = 0; j < part.size(); j++) gpuShuffled[part.get(j)] = v[j];
      }
      // Matryoshka and pooling variants against the CPU path of the same options.
      ok &= variant(model, texts.subList(0, 40), EmbedOptions.defaults().withDimension(128), "dim 128");
      ok &= variant(model, texts.subList(0, 40), EmbedOptions.defaults().withPooling(Pooling.CLS).withNormalize(false), "CLS, not normalised");
      ok &= variant(model, texts.subList(0, 40), EmbedOptions.defaults().withPooling(Pooling.MAX), "max pooling");
      System.setProperty("quarry.gpu.epilogue", "kernels");
      try {
        ok &= variant(model, texts, EmbedOptions.defaults(), "separate kernels (erf GELU)");
      } finally {
        System.clearProperty("quarry.gpu.epilogue");
      }
    }
    Stats vsCpu = Stats.of(cpu, gpuAll);
    ok &= check("GPU fp16 vs CPU fp32, cosine (min/mean)", vsCpu, PARITY);
    ok &= check("batch invariance: alone vs batch of 240", Stats.of(gpuAll, gpuSingles), INVARIANCE);
    ok &= check("batch invariance: shuffled batches of 7", Stats.of(gpuAll, gpuShuffled), INVARIANCE);
    Files.write(dir.resolve("texts.txt"), texts, StandardCharsets.UTF_8);
    writeJsonl(dir.resolve("quarry-gpu.jsonl"), gpuAll);
    writeJsonl(dir.resolve("quarry-cpu.jsonl"), cpu);
    return ok;
  }

  private static boolean variant(String model, List<String> texts, EmbedOptions options, String what) throws IOException {
    float[][] cpu, gpu;
    try (Embedder e = Embedder.open(model, options)) {
      cpu = e.embed(texts);
    }
    try (Embedder e = Embedder.open(model, options.withDevice(Device.CUDA))) {
      gpu = e.embed(texts);
    }
    return check("GPU vs CPU, " + what, Stats.of(cpu, gpu), PARITY);
  }

  static boolean check(String what, Stats s, double threshold) {
    boolean pass = s.minCosine >= threshold && s.finite;
    row(what, String.format(Locale.ROOT, "%.6f / %.6f (max|d| %.1e)", s.minCosine, s.meanCosine, s.maxAbsDiff),
        ">= " + threshold, pass);
    return pass;
  }

  /** Cosine similarities row by row between two sets of vectors. */
  record Stats(double minCosine, double meanCosine, double maxAbsDiff, boolean finite) {
    static Stats of(float[][] a, float[][] b) {
      if (a.length != b.length) throw new IllegalArgumentException(a.length + " vs " + b.length + " vectors");
      double min = 1, sum = 0, maxDiff = 0;
      boolean finite = true;
      for (int i = 0; i < a.length; i++) {
        double dot = 0, na = 0, nb = 0;
        for (int j = 0; j < a[i].length; j++) {
          dot += (double) a[i][j] * b[i][j];
          na += (double) a[i][j] * a[i][j];
          nb += (double) b[i][j] * b[i][j];
          maxDiff = Math.max(maxDiff, Math.abs(a[i][j] - b[i][j]));
          finite &= Float.isFinite(a[i][j]) && Float.isFinite(b[i][j]);
        }
        double c = dot / Math.sqrt(na * nb);
        if (!(c == c)) c = -1;
        min = Math.min(min, c);
        sum += c;
      }
      return new Stats(min, sum / a.length, maxDiff, finite);
    }
  }

  static void writeJsonl(Path file, float[][] vectors) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < vectors.length; i++) {
      b.append("{\"index\": ").append(i).append(", \"embedding\": [");
      for (int j = 0; j < vectors[i].length; j++) b.append(j == 0 ? "" : ", ").append(vectors[i][j]);
      b.append("]}\n");
    }
    Files.writeString(file, b.toString());
  }

  static float[][] readJsonl(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    float[][] out = new float[lines.size()][];
    Pattern p = Pattern.compile("\"index\":\\s*(\\d+).*\"embedding\":\\s*\\[([^\\]]*)\\]");
    for (String line : lines) {
      Matcher m = p.matcher(line);
      if (!m.find()) throw new IOException(file + ": not an embedding line: " + line.substring(0, Math.min(80, line.length())));
      String[] parts = m.group(2).split(",");
      float[] v = new float[parts.length];
      for (int j = 0; j < v.length; j++) v[j] = Float.parseFloat(parts[j].trim());
      out[Integer.parseInt(m.group(1))] = v;
    }
    return out;
  }

  // ---------------------------------------------------------------- sentence-transformers

  static boolean compare(Path st, Path quarry) throws IOException {
    return check("sentence-transformers vs Quarry GPU, cosine", Stats.of(readJsonl(st), readJsonl(quarry)), PARITY);
  }

  // ---------------------------------------------------------------- speed

  /** One PyTorch figure from torch_reference.py's JSON lines. */
  record TorchFigure(String arch, int batch, int seq, String variant, double ms) {}

  static Map<String, TorchFigure> readTorch(Path file) throws IOException {
    Map<String, TorchFigure> out = new LinkedHashMap<>();
    if (!Files.exists(file)) return out;
    Pattern p = Pattern.compile("\"system\":\\s*\"[^\"]*-(eager|compiled)\".*\"arch\":\\s*\"([^\"]+)\".*"
        + "\"batch\":\\s*(\\d+).*\"seq\":\\s*(\\d+).*\"ms\":\\s*([0-9.eE+-]+)");
    for (String line : Files.readAllLines(file)) {
      Matcher m = p.matcher(line);
      if (m.find()) {
        TorchFigure f = new TorchFigure(m.group(2), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)),
            m.group(1), Double.parseDouble(m.group(5)));
        out.put(f.arch + ":" + f.batch + "x" + f.seq + ":" + f.variant, f);
      }
    }
    return out;
  }

  static boolean speed(Path torchFile, String archs, String shapes) {
    Map<String, TorchFigure> torch;
    try {
      torch = readTorch(torchFile);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    OUT.println();
    OUT.println("| arch | batch x tokens | quarry ms | texts/s | TFLOP/s (% of 790) | pytorch eager ms | compiled ms | quarry/compiled speed-up |");
    OUT.println("|---|---|---|---|---|---|---|---|");
    double throughputRatio = Double.NaN, latencyRatio = Double.NaN;
    boolean ok = true;
    String device = "?";
    for (String arch : archs.split(",")) {
      BertConfig config = RandomBert.config(arch);
      try (Arena arena = Arena.ofShared()) {
        BertWeights weights = RandomBert.weights(config, arena, 42);
        try (CudaBertEncoder gpu = CudaBertEncoder.open(weights, 0, 16384)) {
          device = gpu.deviceDescription();
          boolean mmaOk = gpu.attentionCheck().startsWith("PASS");
          boolean fusedOk = gpu.epilogueCheck().startsWith("PASS");
          row("attention check " + arch, gpu.attentionCheck().replace("|", "/"), "rel<1e-2", mmaOk);
          row("epilogue check " + arch, gpu.epilogueCheck().replace("|", "/"), "rel<1e-2", fusedOk);
          OUT.println("|   kernels: " + gpu.kernelChoice() + " |");
          ok &= graphsMatchEager(gpu, config);
          for (String shape : shapes.split(",")) {
            String[] bs = shape.split("x");
            int b = Integer.parseInt(bs[0]), s = Integer.parseInt(bs[1]);
            TokenBatch batch = randomBatch(b, s, new Random(b * 1000L + s));
            int[] budgets = b * s > 16384 ? new int[] {16384, 32768, 131072} : new int[] {16384};
            double best = Double.MAX_VALUE;
            int bestBudget = 0;
            for (int budget : budgets) {
              gpu.setTokenBudget(budget);
              double ms = medianMs(gpu, batch, b * s >= 100_000 ? 15 : b * s >= 8192 ? 40 : 200);
              if (budgets.length > 1) OUT.printf(Locale.ROOT, "|   %s %s, sub-batches of %d tokens | %.3f ms |%n", arch, shape, budget, ms);
              if (ms < best) {
                best = ms;
                bestBudget = budget;
              }
            }
            gpu.setTokenBudget(16384);
            double flops = flops(config, b, s);
            TorchFigure eager = torch.get(arch + ":" + shape + ":eager");
            TorchFigure compiled = torch.get(arch + ":" + shape + ":compiled");
            double speedup = compiled == null ? Double.NaN : compiled.ms / best;
            OUT.printf(Locale.ROOT, "| %s | %s%s | %.3f | %.0f | %.1f (%.1f%%) | %s | %s | %.2fx |%n", arch, shape,
                budgets.length > 1 ? " (budget " + bestBudget + ")" : "", best, b / best * 1000,
                flops / best / 1e9, flops / best / 1e9 / PEAK_TFLOPS * 100,
                eager == null ? "-" : String.format(Locale.ROOT, "%.3f", eager.ms),
                compiled == null ? "-" : String.format(Locale.ROOT, "%.3f", compiled.ms), speedup);
            if (b * s >= 100_000) hostWork(batch, config.hiddenSize());
            if (arch.equals("minilm-l6") && shape.equals("1024x128") && compiled != null) throughputRatio = speedup;
            if (arch.equals("minilm-l6") && shape.equals("1x16") && compiled != null) latencyRatio = best / compiled.ms;
          }
          abAndProfile(gpu, config, arch, shapes, mmaOk, fusedOk);
        }
      }
    }
    OUT.println();
    OUT.println("device: " + device);
    OUT.printf(Locale.ROOT, "gpu: quarry/pytorch-compiled throughput1024x128=%.2f latency1x16=%.2f%n",
        throughputRatio, latencyRatio);
    return ok;
  }

  /**
   * The same large batch with each kernel generation (CUDA-core attention and separate element-wise
   * kernels; tensor-core attention; cuBLASLt epilogues), then the per-stage device-time breakdown of
   * one forward pass at 32x128 and 1024x128 (and 1024x128 without the fused epilogues), as a table.
   */
  private static void abAndProfile(CudaBertEncoder gpu, BertConfig config, String arch, String shapes, boolean mmaOk,
      boolean fusedOk) {
    String big = Arrays.asList(shapes.split(",")).contains("1024x128") ? "1024x128" : null;
    boolean vecOk = config.intermediateSize() % 8 == 0;
    String defaults = gpu.kernelChoice();
    boolean defMma = defaults.contains("attention=mma"), defVec = defaults.contains("gelu=vec8");
    boolean defFused = defaults.contains("epilogues=fused");
    try {
      if (big != null) {
        TokenBatch batch = randomBatch(1024, 128, new Random(1024L * 1000 + 128));
        gpu.setTokenBudget(131072);
        boolean[][] choices = {{false, false, false}, {mmaOk, vecOk, false}, {mmaOk, vecOk, fusedOk}};
        for (boolean[] c : choices) {
          gpu.setKernels(c[0], c[1], c[2]);
          double ms = medianMs(gpu, batch, 15);
          OUT.printf(Locale.ROOT, "|   %s 1024x128, %s | %.3f ms | %.0f texts/s |%n", arch, gpu.kernelChoice(), ms, 1024 / ms * 1000);
        }
      }
      gpu.setKernels(defMma, defVec, defFused);
      List<String> columns = new ArrayList<>();
      List<CudaBertEncoder.Profile> profiles = new ArrayList<>();
      for (String shape : new String[] {"32x128", big, big}) {
        if (shape == null) continue;
        boolean old = profiles.size() == 2;
        if (old) gpu.setKernels(mmaOk, vecOk, false);
        String[] bs = shape.split("x");
        int b = Integer.parseInt(bs[0]), s = Integer.parseInt(bs[1]);
        gpu.setTokenBudget(Math.max(16384, b * s));
        profiles.add(gpu.profile(randomBatch(b, s, new Random(b * 1000L + s)), 7));
        columns.add(shape + (old ? " (" + gpu.kernelChoice() + ")" : ""));
      }
      gpu.setKernels(defMma, defVec, defFused);
      gpu.setTokenBudget(16384);
      OUT.println();
      StringBuilder head = new StringBuilder("| " + arch + " stage (device ms, median of 7, all layers) |");
      StringBuilder rule = new StringBuilder("|---|");
      for (String c : columns) {
        head.append(' ').append(c).append(" | % |");
        rule.append("---|---|");
      }
      OUT.println(head);
      OUT.println(rule);
      java.util.LinkedHashSet<String> stages = new java.util.LinkedHashSet<>();
      for (CudaBertEncoder.Profile p : profiles) stages.addAll(p.stageMs().keySet());
      for (String st : stages) {
        StringBuilder line = new StringBuilder("| " + st + " |");
        for (CudaBertEncoder.Profile p : profiles) {
          Double ms = p.stageMs().get(st);
          line.append(ms == null ? " - | - |" : String.format(Locale.ROOT, " %.3f | %.1f%% |", ms, 100 * ms / p.stagedTotalMs()));
        }
        OUT.println(line);
      }
      String[] names = {"sum: first to last event (staged, eager)", "graph replay, device time (events)",
          "host time to queue the staged pass / spin"};
      for (int k = 0; k < names.length; k++) {
        StringBuilder line = new StringBuilder("| " + names[k] + " |");
        for (CudaBertEncoder.Profile p : profiles) {
          line.append(switch (k) {
            case 0 -> String.format(Locale.ROOT, " %.3f | |", p.stagedTotalMs());
            case 1 -> String.format(Locale.ROOT, " %.3f | |", p.graphMs());
            default -> String.format(Locale.ROOT, " %.2f / %.1f%s | |", p.queueMs(), p.spinMs(),
                p.queueMs() > p.spinMs() ? " (gaps counted!)" : "");
          });
        }
        OUT.println(line);
      }
      OUT.println();
    } catch (RuntimeException e) {
      OUT.println("|   profile/A-B failed: " + e + " |");
      e.printStackTrace(OUT);
      try {
        gpu.setKernels(defMma, defVec, defFused);
        gpu.setTokenBudget(16384);
      } catch (RuntimeException ignored) {
        // the speed rows above stand
      }
    }
  }

  /**
   * The host's share of one batch, timed alone on the host: packing the ids into a direct buffer as
   * the encoder does, and unpacking the pooled vectors into arrays (the wall time above includes both).
   */
  private static void hostWork(TokenBatch batch, int hidden) {
    int n = batch.sequenceCount();
    int longest = 0;
    for (int q = 0; q < n; q++) longest = Math.max(longest, batch.length(q));
    ShapeBucket bucket = ShapeBucket.of(batch.tokenCount(), n, longest);
    ByteBuffer packed = ByteBuffer.allocateDirect((int) PackedBatch.bytes(bucket));
    ByteBuffer pooled = ByteBuffer.allocateDirect(4 * n * hidden).order(ByteOrder.LITTLE_ENDIAN);
    double[] pack = new double[25], unpack = new double[25];
    for (int r = 0; r < pack.length; r++) {
      long t0 = System.nanoTime();
      PackedBatch.write(batch, bucket, bucket, packed);
      long t1 = System.nanoTime();
      FloatBuffer f = pooled.asFloatBuffer();
      float[][] out = new float[n][];
      for (int q = 0; q < n; q++) {
        out[q] = new float[hidden];
        f.get(q * hidden, out[q]);
      }
      long t2 = System.nanoTime();
      pack[r] = (t1 - t0) / 1e6;
      unpack[r] = (t2 - t1) / 1e6;
    }
    Arrays.sort(pack);
    Arrays.sort(unpack);
    OUT.printf(Locale.ROOT, "|   host work of this batch, alone: packing %.3f ms, unpacking %.3f ms (medians) |%n",
        pack[pack.length / 2], unpack[unpack.length / 2]);
  }

  /** Replayed graphs must give exactly what launching every kernel gives. */
  private static boolean graphsMatchEager(CudaBertEncoder gpu, BertConfig config) {
    TokenBatch batch = randomBatch(5, 37, new Random(3));
    int[] starts = {0, 1, 38, 100, 120, 185};
    batch = new TokenBatch(batch.ids(), batch.typeIds(), starts);
    gpu.setUseGraphs(false);
    float[][] eager = gpu.embed(batch, Pooling.MEAN, true, config.hiddenSize());
    gpu.setUseGraphs(true);
    float[][] graph = gpu.embed(batch, Pooling.MEAN, true, config.hiddenSize());
    boolean same = Arrays.deepEquals(eager, graph);
    row("graph replay == eager launches (" + config.layers() + " layers)", same ? "identical" : "differs", "identical", same);
    return same;
  }

  static TokenBatch randomBatch(int sequences, int length, Random random) {
    int[][] ids = new int[sequences][length];
    int[][] types = new int[sequences][length];
    for (int[] row : ids) {
      for (int i = 0; i < length; i++) row[i] = 1000 + random.nextInt(29000);
      row[0] = 101;
      row[length - 1] = 102;
    }
    return TokenBatch.of(ids, types);
  }

  /** Median wall time of {@code iterations} embeds after warm-up: ids in, pooled vectors out, synchronised. */
  static double medianMs(CudaBertEncoder gpu, TokenBatch batch, int iterations) {
    int h = gpu.config().hiddenSize();
    for (int i = 0; i < 5; i++) gpu.embed(batch, Pooling.MEAN, true, h);
    double[] ms = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      long t = System.nanoTime();
      gpu.embed(batch, Pooling.MEAN, true, h);
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    Arrays.sort(ms);
    return ms[iterations / 2];
  }

  /** Matrix-product FLOPs of one forward pass (attention's two products included). */
  static double flops(BertConfig c, int batch, int seq) {
    double tokens = (double) batch * seq, h = c.hiddenSize(), inner = c.intermediateSize();
    double perLayer = 2 * tokens * (4 * h * h + 2 * h * inner) + 4 * tokens * seq * h;
    return perLayer * c.layers();
  }
}

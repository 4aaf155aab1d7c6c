package dev.quarry.bench.encoder;

import dev.quarry.bench.encoder.EncoderBenchmark.Ort;
import dev.quarry.bench.encoder.EncoderWorkloads.Workload;
import dev.quarry.kernels.KernelProvider;
import dev.quarry.model.BertWeights;
import dev.quarry.model.BuiltinModels;
import dev.quarry.model.Models;
import dev.quarry.model.onnx.OnnxBertReader;
import dev.quarry.nn.BertEncoder;
import dev.quarry.nn.Parallel;
import dev.quarry.nn.TokenBatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.ref.Reference;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench/run memory [model ...]}: the memory a loaded model holds, Quarry against ONNX
 * Runtime, each in a fresh JVM. A child process tokenizes a 16-token text, takes its baseline,
 * loads the weights and builds the engine, runs one forward pass, and after a full GC reports what
 * grew: heap retained, native memory allocated through FFM arenas and direct buffers, file pages
 * resident ({@code RssFile}) and anonymous pages ({@code RssAnon}, where ONNX Runtime's native
 * allocations land, as does JVM growth such as compiled code).
 *
 * <p>Quarry's resident weights are heap + native + file pages; ONNX Runtime's are anonymous + file
 * pages (its Java heap holds nothing of the model). Each is printed over the {@code .onnx} file's
 * size; the last line is {@code memory: quarry-resident/file <model>=<ratio> ...}.
 */
public final class ModelMemory {

  private static final List<String> DEFAULT_MODELS = List.of("all-MiniLM-L6-v2", "all-MiniLM-L6-v2-q");

  private ModelMemory() {}

  /** What one child measured, in bytes. */
  private record Growth(long file, long heap, long natives, long rssFile, long rssAnon) {
    long quarryResident() {
      return heap + natives + rssFile;
    }

    long ortResident() {
      return rssAnon + rssFile;
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("--child")) {
      child(args[1], args[2]);
      return;
    }
    List<String> models = args.length > 0 ? List.of(args) : DEFAULT_MODELS;
    for (String model : models) {
      if (BuiltinModels.find(model).isEmpty()) {
        System.err.println("bench/run memory: unknown model \"" + model + "\"; name built-in models,"
            + " e.g. " + String.join(" ", DEFAULT_MODELS));
        System.exit(2);
      }
    }
    System.out.printf(Locale.ROOT, "%-20s %-12s %9s %9s %9s %9s %9s %9s %7s%n", "model", "engine",
        "file MiB", "heap", "native", "RssFile", "RssAnon", "resident", "/file");
    StringBuilder last = new StringBuilder("memory: quarry-resident/file");
    for (String model : models) {
      for (String engine : new String[] {"quarry", "onnxruntime"}) {
        Growth g = fork(engine, model);
        long resident = engine.equals("quarry") ? g.quarryResident() : g.ortResident();
        System.out.printf(Locale.ROOT, "%-20s %-12s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %7.2f%n",
            model, engine, mib(g.file), mib(g.heap), mib(g.natives), mib(g.rssFile), mib(g.rssAnon),
            mib(resident), (double) resident / g.file);
        if (engine.equals("quarry")) {
          last.append(String.format(Locale.ROOT, " %s=%.2f", model, (double) resident / g.file));
        }
      }
    }
    System.out.println("(MiB grown from before loading to after one forward pass and a full GC;"
        + " resident: heap + native + RssFile for Quarry, RssAnon + RssFile for ONNX Runtime)");
    System.out.println(last);
  }

  private static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  private static Growth fork(String engine, String model) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "--add-modules",
        "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g", "-cp",
        System.getProperty("java.class.path"), ModelMemory.class.getName(), "--child", engine, model));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String result = null;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("growth ")) result = line;
      }
    }
    if (process.waitFor() != 0 || result == null) {
      throw new IllegalStateException(engine + " " + model + ": the measuring JVM failed (exit "
          + process.exitValue() + "); its errors are above");
    }
    String[] f = result.split(" ");
    return new Growth(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
        Long.parseLong(f[4]), Long.parseLong(f[5]));
  }

  private static void child(String engine, String model) throws Exception {
    Path onnx = BuiltinModels.fetch(BuiltinModels.find(model).orElseThrow(
        () -> new IllegalArgumentException("unknown model " + model))).resolve("model.onnx");
    int[][] ids = EncoderWorkloads.ids(Workload.LATENCY_1X16, Models.tokenizer(model, 512));
    long[] before = measure();
    Object keep;
    if (engine.equals("quarry")) {
      BertWeights weights = OnnxBertReader.read(onnx, Arena.ofShared(), null);
      Parallel parallel = new Parallel(1);
      BertEncoder encoder = new BertEncoder(weights, KernelProvider.tensorSupport(), parallel);
      encoder.forward(TokenBatch.of(ids, new int[][] {new int[ids[0].length]}));
      keep = encoder;
    } else {
      Ort ort = new Ort(onnx, 1);
      ort.run(ids);
      keep = ort;
    }
    long[] after = measure();
    System.out.println("growth " + Files.size(onnx) + " " + (after[0] - before[0]) + " "
        + (after[1] - before[1]) + " " + (after[2] - before[2]) + " " + (after[3] - before[3]));
    Reference.reachabilityFence(keep);
  }

  /** Heap used after a full GC, native (direct) bytes, RssFile and RssAnon in bytes. */
  private static long[] measure() throws IOException {
    for (int i = 0; i < 3; i++) System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long natives = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) natives = pool.getMemoryUsed();
    }
    long rssFile = 0, rssAnon = 0;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("RssFile:")) rssFile = kib(line);
      if (line.startsWith("RssAnon:")) rssAnon = kib(line);
    }
    return new long[] {heap, natives, rssFile, rssAnon};
  }

  private static long kib(String statusLine) {
    return 1024 * Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
  }
}

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
 * {@code bench/run memory [model ...]}: the memory a loaded model costs, Quarry against ONNX
 * Runtime, each in a fresh JVM, counted the same way for both: growth of the process's resident
 * set ({@code RssAnon + RssFile} from {@code /proc/self/status}) over the file's size. A child
 * process tokenizes a 16-token text and takes its baseline, loads the weights and builds the
 * engine (the first count), then runs one forward pass (the second). Before each count it runs a
 * full GC and waits for the resident set to settle, since G1 hands freed heap back to the system
 * concurrently, after the collection.
 *
 * <p>The second count is the larger for Quarry: until C2 compiles them, the Vector API kernels box
 * every vector they touch, the first pass allocates a few hundred MB, and G1 keeps heap committed
 * in proportion to what is live ({@code -XX:MaxHeapFreeRatio}, 70 % by default;
 * {@code MEMORY_JAVA_OPTS} passes options such as that one to the measured JVMs). The table also
 * shows the heap still live and the native memory Quarry holds. The last line is {@code memory:
 * quarry-rss/file after-load <model>=<ratio> ... after-forward <model>=<ratio> ...}.
 */
public final class ModelMemory {

  private static final List<String> DEFAULT_MODELS = List.of("all-MiniLM-L6-v2", "all-MiniLM-L6-v2-q");

  private ModelMemory() {}

  /** One count, in bytes grown since the baseline: heap live after a full GC, native (direct) memory, resident set. */
  private record Count(long heap, long natives, long rss) {}

  /** What one child measured: the file's size, after loading, after one forward pass. */
  private record Growth(long file, Count loaded, Count forward) {}

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
    System.out.printf(Locale.ROOT, "%-20s %-12s %9s | %9s %7s | %9s %7s | %9s %9s%n", "model", "engine",
        "file MiB", "RSS load", "/file", "RSS fwd", "/file", "heap", "native");
    StringBuilder loaded = new StringBuilder(" after-load");
    StringBuilder forward = new StringBuilder(" after-forward");
    for (String model : models) {
      for (String engine : new String[] {"quarry", "onnxruntime"}) {
        Growth g = fork(engine, model);
        double load = (double) g.loaded.rss / g.file;
        double fwd = (double) g.forward.rss / g.file;
        System.out.printf(Locale.ROOT, "%-20s %-12s %9.1f | %9.1f %7.2f | %9.1f %7.2f | %9.1f %9.1f%n",
            model, engine, mib(g.file), mib(g.loaded.rss), load, mib(g.forward.rss), fwd,
            mib(g.forward.heap), mib(g.forward.natives));
        if (engine.equals("quarry")) {
          loaded.append(String.format(Locale.ROOT, " %s=%.2f", model, load));
          forward.append(String.format(Locale.ROOT, " %s=%.2f", model, fwd));
        }
      }
    }
    System.out.println("(MiB grown from before loading: RSS = RssAnon + RssFile after loading and after one"
        + " forward pass, each after a full GC; heap live and native memory after the forward pass)");
    System.out.println("memory: quarry-rss/file" + loaded + forward);
  }

  private static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  private static Growth fork(String engine, String model) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "--add-modules",
        "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"));
    // JVM options for the measured JVMs, such as G1's heap free ratios (see the class comment).
    String options = System.getenv().getOrDefault("MEMORY_JAVA_OPTS", "").strip();
    if (!options.isEmpty()) command.addAll(List.of(options.split("\\s+")));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), ModelMemory.class.getName(),
        "--child", engine, model));
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
    long[] v = new long[f.length - 1];
    for (int i = 0; i < v.length; i++) v[i] = Long.parseLong(f[i + 1]);
    return new Growth(v[0], new Count(v[1], v[2], v[3]), new Count(v[4], v[5], v[6]));
  }

  /** One forward pass of an engine under test. */
  private interface Pass {
    void run() throws Exception;
  }

  private static void child(String engine, String model) throws Exception {
    Path onnx = BuiltinModels.fetch(BuiltinModels.find(model).orElseThrow(
        () -> new IllegalArgumentException("unknown model " + model))).resolve("model.onnx");
    int[][] ids = EncoderWorkloads.ids(Workload.LATENCY_1X16, Models.tokenizer(model, 512));
    long[] before = measure();
    Pass pass;
    Object keep;
    if (engine.equals("quarry")) {
      BertWeights weights = OnnxBertReader.read(onnx, Arena.ofShared(), null);
      BertEncoder encoder = new BertEncoder(weights, KernelProvider.tensorSupport(), new Parallel(1));
      pass = () -> encoder.forward(TokenBatch.of(ids, new int[][] {new int[ids[0].length]}));
      keep = encoder;
    } else {
      Ort ort = new Ort(onnx, 1);
      pass = () -> ort.run(ids);
      keep = ort;
    }
    long[] loaded = measure();
    pass.run();
    long[] forward = measure();
    StringBuilder line = new StringBuilder("growth " + Files.size(onnx));
    for (long[] after : new long[][] {loaded, forward}) {
      for (int i = 0; i < 3; i++) line.append(' ').append(after[i] - before[i]);
    }
    System.out.println(line);
    Reference.reachabilityFence(keep);
  }

  /**
   * Heap used after a full GC, native (direct) bytes, and the resident set (RssAnon + RssFile), in
   * bytes, once the resident set has stopped shrinking for half a second (at most five seconds).
   */
  private static long[] measure() throws IOException, InterruptedException {
    for (int i = 0; i < 3; i++) System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long natives = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) natives = pool.getMemoryUsed();
    }
    long rss = rss();
    for (int still = 0, waited = 0; still < 5 && waited < 50; waited++) {
      Thread.sleep(100);
      long now = rss();
      still = now < rss ? 0 : still + 1;
      rss = Math.min(rss, now);
    }
    return new long[] {heap, natives, rss};
  }

  private static long rss() throws IOException {
    long rss = 0;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("RssFile:") || line.startsWith("RssAnon:")) rss += kib(line);
    }
    return rss;
  }

  private static long kib(String statusLine) {
    return 1024 * Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
  }
}

package dev.quarry.bench.encoder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code bench/run encoder}: runs {@link EncoderBenchmark} briefly for every workload, Quarry and
 * ONNX Runtime side by side in separate forked JVMs, fp32 and int8, plus {@link FmaPeakBenchmark}
 * on one and two threads; prints a table (with Quarry's useful GFLOP/s as a percent of the
 * measured peak) and ends with one line:
 * {@code encoder: quarry/onnxruntime latency1x16=<t> throughput32x128=<r> throughputMixed=<r>},
 * where latency1x16 is Quarry's time over ONNX Runtime's for one 16-token text (the worse of one
 * and two threads) and the throughput ratios are Quarry's texts/s over ONNX Runtime's (fp32,
 * two threads). Options: {@code --fp32-only}, {@code --scale X} (multiplies every iteration time).
 */
public final class EncoderBench {

  private static final String[] JVM_ARGS = {"--add-modules", "jdk.incubator.vector",
      "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xss4m",
      "-Xmx4g"};

  private record Row(String model, String workload, int threads, double quarryMs, double ortMs,
      double quarryErr, double ortErr, int texts, double gflop) {}

  private EncoderBench() {}

  public static void main(String[] args) throws Exception {
    boolean fp32Only = false;
    double scale = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--fp32-only" -> fp32Only = true;
        case "--scale" -> scale = Double.parseDouble(args[++i]);
        default -> throw new IllegalArgumentException(
            "usage: bench/run encoder [--fp32-only] [--scale X]; unknown argument " + args[i]);
      }
    }
    double peak1 = peak(1, scale);
    double peak2 = peak(2, scale);
    System.err.printf(Locale.ROOT, "fp32 FMA peak: %.1f GFLOP/s on 1 thread, %.1f on 2%n", peak1, peak2);
    List<Row> rows = new ArrayList<>();
    List<String> models = fp32Only ? List.of("all-MiniLM-L6-v2")
        : List.of("all-MiniLM-L6-v2", "all-MiniLM-L6-v2-q");
    for (String model : models) {
      rows.add(run(model, "LATENCY_1X16", 1, scale));
      rows.add(run(model, "LATENCY_1X16", 2, scale));
      rows.add(run(model, "BATCH_32X128", 2, scale));
      rows.add(run(model, "SENTENCES_32", 2, scale));
      rows.add(run(model, "MIXED_32", 2, scale));
    }
    System.out.printf(Locale.ROOT, "%nall-MiniLM-L6-v2 encoder + mean pooling, same token ids; ms per call (JMH average ± 99.9%% CI)%n");
    System.out.printf(Locale.ROOT, "fp32 FMA peak measured: %.1f GFLOP/s (1 thread), %.1f GFLOP/s (2 threads)%n", peak1, peak2);
    System.out.printf(Locale.ROOT, "%-20s %-13s %3s %16s %16s %11s %11s %7s %9s %6s%n", "model", "workload", "thr",
        "quarry ms", "onnxruntime ms", "quarry t/s", "ort t/s", "q/ort", "q GFLOP/s", "%peak");
    for (Row r : rows) {
      double peak = r.threads == 1 ? peak1 : peak2;
      double gflops = r.gflop / (r.quarryMs / 1000);
      System.out.printf(Locale.ROOT, "%-20s %-13s %3d %9.3f ±%5.3f %9.3f ±%5.3f %11.1f %11.1f %7.2f %9.1f %5.1f%%%n",
          r.model, r.workload, r.threads, r.quarryMs, r.quarryErr, r.ortMs, r.ortErr,
          r.texts / (r.quarryMs / 1000), r.texts / (r.ortMs / 1000), r.ortMs / r.quarryMs,
          gflops, 100 * gflops / peak);
    }
    System.out.println("(q/ort: ONNX Runtime time over Quarry time, > 1 means Quarry is faster)");
    Row l1 = find(rows, "LATENCY_1X16", 1), l2 = find(rows, "LATENCY_1X16", 2);
    double latency = Math.max(l1.quarryMs / l1.ortMs, l2.quarryMs / l2.ortMs);
    Row b = find(rows, "BATCH_32X128", 2), m = find(rows, "MIXED_32", 2);
    System.out.printf(Locale.ROOT,
        "encoder: quarry/onnxruntime latency1x16=%.3f throughput32x128=%.3f throughputMixed=%.3f%n",
        latency, b.ortMs / b.quarryMs, m.ortMs / m.quarryMs);
  }

  private static Row find(List<Row> rows, String workload, int threads) {
    return rows.stream().filter(r -> r.model.equals("all-MiniLM-L6-v2") && r.workload.equals(workload)
        && r.threads == threads).findFirst().orElseThrow();
  }

  private static double peak(int threads, double scale) throws Exception {
    var options = new OptionsBuilder()
        .include(FmaPeakBenchmark.class.getName() + ".fma$")
        .threads(threads)
        .forks(1)
        .warmupIterations(2).warmupTime(TimeValue.milliseconds((long) (500 * scale)))
        .measurementIterations(3).measurementTime(TimeValue.milliseconds((long) (700 * scale)))
        .jvmArgsAppend(JVM_ARGS)
        .verbosity(VerboseMode.SILENT)
        .build();
    RunResult result = new Runner(options).runSingle();
    // Score: FMA instructions per microsecond, summed over threads.
    return result.getPrimaryResult().getScore() * FmaPeakBenchmark.lanes() * 2 / 1000;
  }

  private static Row run(String model, String workload, int threads, double scale) throws Exception {
    boolean latency = workload.startsWith("LATENCY");
    long warm = (long) ((latency ? 800 : 1500) * scale);
    long measure = (long) ((latency ? 1000 : 2000) * scale);
    double[] ms = new double[2];
    double[] err = new double[2];
    String[] engines = {"quarry", "onnxruntime"};
    for (int e = 0; e < 2; e++) {
      System.err.printf(Locale.ROOT, "encoder bench: %s %s %d thread(s) %s...%n", model, workload, threads, engines[e]);
      ChainedOptionsBuilder options = new OptionsBuilder()
          .include(EncoderBenchmark.class.getName() + ".encode$")
          .param("engine", engines[e])
          .param("workload", workload)
          .param("model", model)
          .param("threads", Integer.toString(threads))
          .forks(1)
          .warmupIterations(latency ? 3 : 2).warmupTime(TimeValue.milliseconds(warm))
          .measurementIterations(latency ? 5 : 3).measurementTime(TimeValue.milliseconds(measure))
          .jvmArgsAppend(JVM_ARGS)
          .verbosity(VerboseMode.SILENT);
      Collection<RunResult> results = new Runner(options.build()).run();
      RunResult r = results.iterator().next();
      ms[e] = r.getPrimaryResult().getScore();
      err[e] = r.getPrimaryResult().getScoreError();
      if (Double.isNaN(err[e])) err[e] = 0;
    }
    int[][] ids;
    try (var loaded = dev.quarry.model.Models.load(model)) {
      ids = EncoderWorkloads.ids(EncoderWorkloads.Workload.valueOf(workload),
          dev.quarry.model.Models.configure(loaded.tokenizer(), 512));
    }
    return new Row(model, workload, threads, ms[0], ms[1], err[0], err[1], ids.length, gflop(ids));
  }

  /** The useful work of all-MiniLM-L6-v2 on unpadded texts: linear layers plus attention. */
  static double gflop(int[][] ids) {
    int h = 384, inner = 1536, layers = 6;
    double flop = 0;
    for (int[] t : ids) {
      long n = t.length;
      flop += layers * (2.0 * n * (4L * h * h + 2L * h * inner) + 4.0 * n * n * h);
    }
    return flop / 1e9;
  }
}

package dev.quarry.bench.ab;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Same-JVM A/B of two builds of Quarry: each class path gets its own class loader, the same task
 * is set up in both, and the two are timed alternately, A first in even rounds and B first in odd
 * ones, so that a change in the machine's load falls on both. Prints every round, then the median
 * ratio B/A of the rounds after two of warm-up. On this shared machine absolute times swing by 30 %
 * between runs while such paired ratios repeat to a few percent.
 *
 * <p>{@code AbBench CLASSPATH_A CLASSPATH_B TASK ROUNDS [TASK ARGS]}, each class path holding this
 * bench jar and the build's jars (bench/ab makes both from two revisions). Tasks:
 * {@code hnsw-search BASE.fvecs QUERIES.fvecs EF MAPPED|HEAP [ENCODING[:OVERSAMPLE]]} (every query
 * three times) and
 * {@code hnsw-build BASE.fvecs N} (one thread, the first N vectors) and {@code encoder WORKLOAD
 * THREADS} (one forward pass of the CPU encoder, see {@link EncoderTask}).
 */
public final class AbBench {

  /** A task: {@code static Object setup(String[])} and {@code static long run(Object)} (nanoseconds). */
  private record Task(Method run, Object state) {
    long time() throws ReflectiveOperationException {
      return (Long) run.invoke(null, state);
    }
  }

  private AbBench() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (IllegalArgumentException | IOException e) {
      // Bad arguments or missing files: one line that says which, not a stack trace.
      System.err.println("ab: " + (e instanceof NoSuchFileException ? "no such file: " : "") + e.getMessage());
      System.exit(2);
    }
  }

  private static void run(String[] args) throws Exception {
    if (args.length < 4) {
      throw new IllegalArgumentException("usage: AbBench CLASSPATH_A CLASSPATH_B hnsw-search|hnsw-build|encoder ROUNDS [task args]");
    }
    String task = switch (args[2]) {
      case "hnsw-search" -> HnswSearchTask.class.getName();
      case "hnsw-build" -> HnswBuildTask.class.getName();
      case "encoder" -> EncoderTask.class.getName();
      default -> throw new IllegalArgumentException("unknown task " + args[2] + " (hnsw-search, hnsw-build, encoder)");
    };
    int rounds;
    try {
      rounds = Integer.parseInt(args[3]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("ROUNDS is \"" + args[3] + "\", not a number");
    }
    if (rounds < 3) throw new IllegalArgumentException("ROUNDS must be at least 3 (two are warm-up)");
    String[] taskArgs = Arrays.copyOfRange(args, 4, args.length);
    Task a = load(args[0], task, taskArgs);
    Task b = load(args[1], task, taskArgs);
    List<Double> ratios = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      long ta, tb;
      if (r % 2 == 0) {
        ta = a.time();
        tb = b.time();
      } else {
        tb = b.time();
        ta = a.time();
      }
      double ratio = (double) tb / ta;
      if (r >= 2) ratios.add(ratio);
      System.out.printf(Locale.ROOT, "round %2d: A %9.1f ms  B %9.1f ms  B/A %.3f%n", r, ta / 1e6, tb / 1e6, ratio);
    }
    ratios.sort(null);
    System.out.printf(Locale.ROOT, "ab: B/A time median=%.3f min=%.3f max=%.3f over %d rounds%n",
        ratios.get(ratios.size() / 2), ratios.getFirst(), ratios.getLast(), ratios.size());
  }

  private static Task load(String classPath, String task, String[] args) throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String entry : classPath.split(File.pathSeparator)) if (!entry.isEmpty()) urls.add(new File(entry).toURI().toURL());
    // The platform loader as parent: nothing of this JVM's own class path leaks into a build.
    URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    Class<?> c = loader.loadClass(task);
    if (c.getClassLoader() != loader) throw new IllegalStateException(task + " did not come from " + classPath);
    try {
      Object state = c.getMethod("setup", String[].class).invoke(null, (Object) args);
      return new Task(c.getMethod("run", Object.class), state);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }
}

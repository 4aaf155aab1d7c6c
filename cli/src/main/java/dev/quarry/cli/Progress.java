package dev.quarry.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress bar on standard error: texts done out of the total, texts per second and the time
 * left. On a terminal it redraws one line; elsewhere (a log file) it prints a line at most every
 * {@link #LOG_INTERVAL_NANOS} so that logs stay short.
 */
final class Progress {

  static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
  private static final int BAR_WIDTH = 24;

  private final PrintStream err;
  private final String verb;
  private final int total;
  private final boolean terminal;
  private final LongSupplier clock;
  private final long start;
  private long lastLog;
  private int lastWidth;

  /**
   * @param verb     what is being done, as in {@code "embedding"}
   * @param total    how many texts there are
   * @param terminal whether standard error is a terminal (redraw in place)
   * @param clock    nanoseconds, {@link System#nanoTime} outside tests
   */
  Progress(PrintStream err, String verb, int total, boolean terminal, LongSupplier clock) {
    this.err = err;
    this.verb = verb;
    this.total = total;
    this.terminal = terminal;
    this.clock = clock;
    this.start = clock.getAsLong();
    this.lastLog = start;
  }

  /** Reports that {@code done} texts are finished. */
  void update(int done) {
    long now = clock.getAsLong();
    if (terminal) {
      String line = line(done, now);
      // Pad over the previous, possibly longer, line instead of relying on terminal escapes.
      err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
      lastWidth = line.length();
      err.flush();
    } else if (now - lastLog >= LOG_INTERVAL_NANOS && done < total) {
      err.println(line(done, now));
      lastLog = now;
    }
  }

  /** Ends the bar with a summary line. */
  void finish(int done) {
    long now = clock.getAsLong();
    if (terminal) err.print("\r" + " ".repeat(lastWidth) + "\r");
    double seconds = (now - start) / 1e9;
    err.println(String.format(Locale.ROOT, "%s: %d texts in %s (%.1f texts/s)",
        verb, done, duration(seconds), rate(done, seconds)));
    err.flush();
  }

  String line(int done, long now) {
    double seconds = (now - start) / 1e9;
    double rate = rate(done, seconds);
    int filled = total == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * done / total);
    String bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
    String eta = rate > 0 && done < total ? duration((total - done) / rate) : "--:--";
    return String.format(Locale.ROOT, "%s [%s] %d/%d texts  %.1f texts/s  ETA %s",
        verb, bar, done, total, rate, eta);
  }

  private static double rate(int done, double seconds) {
    return seconds > 0 ? done / seconds : 0;
  }

  /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s >= 3600) return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}

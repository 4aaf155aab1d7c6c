package dev.quarry.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Runs independent tasks on a fixed number of threads and waits for all of them; with one thread
 * it runs them inline. Safe to share between callers: each call only waits for its own tasks.
 */
public final class Parallel implements AutoCloseable {

  private final int threads;
  private final ForkJoinPool pool;

  public Parallel(int threads) {
    if (threads <= 0) throw new IllegalArgumentException("threads must be positive, got " + threads);
    this.threads = threads;
    this.pool = threads == 1 ? null : new ForkJoinPool(threads);
  }

  public int threads() {
    return threads;
  }

  /** Runs {@code body.accept(i)} for every {@code i} in {@code [0, tasks)}. */
  public void forEach(int tasks, IntConsumer body) {
    if (pool == null || tasks == 1) {
      for (int i = 0; i < tasks; i++) body.accept(i);
      return;
    }
    List<RecursiveAction> actions = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      int task = i;
      actions.add(new RecursiveAction() {
        @Override
        protected void compute() {
          body.accept(task);
        }
      });
    }
    if (ForkJoinTask.getPool() == pool) {
      ForkJoinTask.invokeAll(actions);
    } else {
      pool.invoke(new RecursiveAction() {
        @Override
        protected void compute() {
          invokeAll(actions);
        }
      });
    }
  }

  /** Splits {@code rows} into about one contiguous chunk per thread and runs {@code body(from, to)} on each. */
  public void forRows(int rows, RowRange body) {
    int chunks = Math.min(threads, rows);
    forEach(chunks, c -> body.run((int) ((long) rows * c / chunks), (int) ((long) rows * (c + 1) / chunks)));
  }

  /** A body over a half-open row range. */
  @FunctionalInterface
  public interface RowRange {
    void run(int from, int to);
  }

  @Override
  public void close() {
    if (pool != null) pool.shutdown();
  }
}

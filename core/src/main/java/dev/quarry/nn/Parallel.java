package dev.quarry.nn;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Runs independent tasks on a fixed number of threads (the caller plus {@code threads - 1}
 * daemon workers) and waits for all of them; with one thread it runs them inline. Safe to share
 * between callers: each call only waits for its own tasks, and helps run them.
 *
 * <p>An encoder forward pass meets a barrier a few times per layer, a few microseconds apart for a
 * short text, so workers spin for a while before they park (as ONNX Runtime's pool does): waking
 * a parked thread costs tens of microseconds, which for one 16-token text would be a quarter of
 * the work. Tasks are claimed one at a time from a counter, so uneven tasks (attention over
 * sequences of different lengths) balance themselves.
 */
public final class Parallel implements AutoCloseable {

  /** How long an idle worker spins before it parks. */
  private static final long SPIN_NANOS = 200_000;

  private final int threads;
  private final Worker[] workers;
  private final ConcurrentLinkedQueue<Job> queue = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  public Parallel(int threads) {
    if (threads <= 0) throw new IllegalArgumentException("threads must be positive, got " + threads);
    this.threads = threads;
    this.workers = new Worker[threads - 1];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker("quarry-encoder-" + i);
      workers[i].start();
    }
  }

  public int threads() {
    return threads;
  }

  /** Runs {@code body.accept(i)} for every {@code i} in {@code [0, tasks)}. */
  public void forEach(int tasks, IntConsumer body) {
    if (workers.length == 0 || tasks <= 1 || Thread.currentThread() instanceof Worker) {
      for (int i = 0; i < tasks; i++) body.accept(i);
      return;
    }
    if (closed) throw new IllegalStateException("this thread pool is closed");
    Job job = new Job(body, tasks, Thread.currentThread());
    queue.offer(job);
    for (Worker w : workers) {
      if (w.parked) LockSupport.unpark(w);
    }
    job.runTasks();
    queue.remove(job);
    job.await();
  }

  /** Splits {@code rows} into about one contiguous chunk per thread and runs {@code body(from, to)} on each. */
  public void forRows(int rows, RowRange body) {
    int chunks = Math.min(threads, rows);
    forEach(chunks, c -> body.run((int) ((long) rows * c / chunks), (int) ((long) rows * (c + 1) / chunks)));
  }

  /**
   * Splits {@code blocks} blocks of {@code blockSize} columns ({@code columns} in all, the last
   * block possibly shorter) into one contiguous range per thread and runs {@code body(from, to)}
   * on each, in columns.
   */
  public void forColumns(int columns, int blockSize, RowRange body) {
    int blocks = (columns + blockSize - 1) / blockSize;
    int chunks = Math.min(threads, blocks);
    forEach(chunks, c -> {
      int from = (int) ((long) blocks * c / chunks) * blockSize;
      int to = Math.min(columns, (int) ((long) blocks * (c + 1) / chunks) * blockSize);
      body.run(from, to);
    });
  }

  /** A body over a half-open row range. */
  @FunctionalInterface
  public interface RowRange {
    void run(int from, int to);
  }

  @Override
  public void close() {
    closed = true;
    for (Worker w : workers) LockSupport.unpark(w);
  }

  /** One call's tasks: claimed through {@code next}, counted through {@code done}. */
  private static final class Job {
    final IntConsumer body;
    final int tasks;
    final Thread owner;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();
    volatile Throwable error;

    Job(IntConsumer body, int tasks, Thread owner) {
      this.body = body;
      this.tasks = tasks;
      this.owner = owner;
    }

    /** Runs tasks until none is left to claim; false if there was none. */
    boolean runTasks() {
      boolean ran = false;
      for (int t; (t = next.getAndIncrement()) < tasks; ) {
        ran = true;
        try {
          if (error == null) body.accept(t);
        } catch (Throwable e) {
          if (error == null) error = e;
        }
        if (done.incrementAndGet() == tasks) LockSupport.unpark(owner);
      }
      return ran;
    }

    void await() {
      long spins = 0;
      while (done.get() < tasks) {
        if (++spins < 20_000) {
          Thread.onSpinWait();
        } else {
          LockSupport.parkNanos(this, 50_000);
        }
      }
      Throwable e = error;
      if (e instanceof RuntimeException r) throw r;
      if (e instanceof Error r) throw r;
      if (e != null) throw new IllegalStateException(e);
    }
  }

  private final class Worker extends Thread {
    volatile boolean parked;

    Worker(String name) {
      super(name);
      setDaemon(true);
    }

    @Override
    public void run() {
      long idleSince = System.nanoTime();
      int polls = 0;
      while (!closed) {
        Job job = queue.peek();
        if (job != null) {
          if (!job.runTasks()) queue.remove(job);
          idleSince = System.nanoTime();
          continue;
        }
        if ((++polls & 63) != 0 || System.nanoTime() - idleSince < SPIN_NANOS) {
          Thread.onSpinWait();
          continue;
        }
        parked = true;
        if (queue.isEmpty() && !closed) LockSupport.park(this);
        parked = false;
        idleSince = System.nanoTime();
      }
    }
  }
}

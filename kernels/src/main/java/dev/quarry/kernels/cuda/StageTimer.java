package dev.quarry.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Device-time breakdown of queued work by CUDA events: {@link #start()} records an event, each
 * {@link #stage(String)} records another and charges the time since the previous one to that stage
 * (stages of the same name add up). Read {@link #millis()} after the stream is synchronised.
 * Not for graph capture: events are recorded on the context's stream as the work is queued.
 */
public final class StageTimer implements AutoCloseable {

  private final CudaContext context;
  private final List<CUevent> pool = new ArrayList<>();
  private final List<String> labels = new ArrayList<>();
  private int used;
  private boolean closed;

  public StageTimer(CudaContext context) {
    this.context = context;
  }

  private CUevent next() {
    if (used == pool.size()) {
      CUevent e = new CUevent();
      Driver.check(cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
      pool.add(e);
    }
    return pool.get(used++);
  }

  /** Forgets earlier stages and records the starting event. */
  public void start() {
    used = 0;
    labels.clear();
    Driver.check(cuEventRecord(next(), context.stream()), "cuEventRecord");
    labels.add(null);
  }

  /** Charges the device time since the previous event to {@code label}. */
  public void stage(String label) {
    if (used == 0) throw new IllegalStateException("stage before start");
    Driver.check(cuEventRecord(next(), context.stream()), "cuEventRecord");
    labels.add(label);
  }

  /** Milliseconds per stage, in first-seen order (waits for the last event). */
  public Map<String, Double> millis() {
    Map<String, Double> out = new LinkedHashMap<>();
    if (used < 2) return out;
    Driver.check(cuEventSynchronize(pool.get(used - 1)), "cuEventSynchronize");
    float[] ms = new float[1];
    for (int i = 1; i < used; i++) {
      Driver.check(cuEventElapsedTime(ms, pool.get(i - 1), pool.get(i)), "cuEventElapsedTime");
      out.merge(labels.get(i), (double) ms[0], Double::sum);
    }
    return out;
  }

  /** Milliseconds from the start event to the last one. */
  public double totalMillis() {
    if (used < 2) return 0;
    Driver.check(cuEventSynchronize(pool.get(used - 1)), "cuEventSynchronize");
    float[] ms = new float[1];
    Driver.check(cuEventElapsedTime(ms, pool.get(0), pool.get(used - 1)), "cuEventElapsedTime");
    return ms[0];
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    context.makeCurrent();
    for (CUevent e : pool) cuEventDestroy(e);
    pool.clear();
  }
}

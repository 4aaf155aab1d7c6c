package dev.quarry.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * A marker in the context's stream: the host waits for the work queued before it, and not for what
 * was queued after, so that it can prepare the next batch while the GPU runs this one.
 */
public final class CudaEvent implements AutoCloseable {

  private final CudaContext context;
  private final CUevent event = new CUevent();
  private boolean closed;

  public CudaEvent(CudaContext context) {
    this.context = context;
    // No timing: recording and waiting stay cheap.
    Driver.check(cuEventCreate(event, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
  }

  /** Marks the end of the work queued so far on the context's stream. */
  public void record() {
    Driver.check(cuEventRecord(event, context.stream()), "cuEventRecord");
  }

  /** Waits until the GPU has done the work queued before the last {@link #record()}. */
  public void synchronize() {
    Driver.check(cuEventSynchronize(event), "cuEventSynchronize");
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    context.makeCurrent();
    cuEventDestroy(event);
  }
}

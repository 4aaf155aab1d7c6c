package dev.quarry.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;

import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstreamCaptureMode;

/**
 * The work that one run of a {@link Runnable} queues on the context's stream, captured once and
 * replayed with one launch: dozens of small kernels cost one launch's overhead.
 */
public final class CudaGraph implements AutoCloseable {

  private final CudaContext context;
  private final CUgraph graph;
  private final CUgraphExec exec;
  private boolean closed;

  private CudaGraph(CudaContext context, CUgraph graph, CUgraphExec exec) {
    this.context = context;
    this.graph = graph;
    this.exec = exec;
  }

  /** Captures what {@code work} queues (it must only queue: no synchronisation, no allocation). */
  public static CudaGraph capture(CudaContext context, Runnable work) {
    context.makeCurrent();
    Driver.check(cuStreamBeginCapture(context.stream(),
        CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL), "cuStreamBeginCapture");
    CUgraph graph = new CUgraph();
    try {
      work.run();
    } catch (RuntimeException | Error e) {
      cuStreamEndCapture(context.stream(), graph); // leave capture mode; the first error is the one to report
      throw e;
    }
    Driver.check(cuStreamEndCapture(context.stream(), graph), "cuStreamEndCapture");
    CUgraphExec exec = new CUgraphExec();
    Driver.check(cuGraphInstantiate(exec, graph, 0), "cuGraphInstantiate");
    return new CudaGraph(context, graph, exec);
  }

  /** Queues one replay on the context's stream. */
  public void launch() {
    Driver.check(cuGraphLaunch(exec, context.stream()), "cuGraphLaunch");
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    context.makeCurrent();
    cuGraphExecDestroy(exec);
    cuGraphDestroy(graph);
  }
}

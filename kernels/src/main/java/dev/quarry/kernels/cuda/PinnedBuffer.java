package dev.quarry.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;

/** Page-locked host memory: the source and target of asynchronous copies (and of copies in CUDA graphs). */
public final class PinnedBuffer implements AutoCloseable {

  private final CudaContext context;
  private final Pointer pointer = new Pointer();
  private final long bytes;
  private final ByteBuffer view;
  private boolean freed;

  PinnedBuffer(CudaContext context, long bytes) {
    this.context = context;
    this.bytes = bytes;
    Driver.check(cuMemAllocHost(pointer, Math.max(bytes, 1)), "cuMemAllocHost(" + bytes + " bytes)");
    this.view = pointer.getByteBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  Pointer pointer() {
    return pointer;
  }

  public long bytes() {
    return bytes;
  }

  /** A little-endian view of the whole buffer (position 0); valid until {@link #close()}. */
  public ByteBuffer buffer() {
    return view.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public void close() {
    if (freed) return;
    freed = true;
    context.makeCurrent();
    Driver.check(cuMemFreeHost(pointer), "cuMemFreeHost");
  }
}

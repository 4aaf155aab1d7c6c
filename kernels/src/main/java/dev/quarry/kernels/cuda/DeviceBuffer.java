package dev.quarry.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;

import java.nio.ByteBuffer;
import jcuda.Pointer;

/** Device memory of a fixed size, zeroed when allocated, freed by {@link #close()}. */
public final class DeviceBuffer implements AutoCloseable {

  private final CudaContext context;
  private final DeviceAddress pointer;
  private final long bytes;
  private boolean freed;

  DeviceBuffer(CudaContext context, long bytes) {
    this.context = context;
    this.bytes = bytes;
    this.pointer = new DeviceAddress();
    Driver.check(cuMemAlloc(pointer, Math.max(bytes, 1)), "cuMemAlloc(" + bytes + " bytes)");
    Driver.check(cuMemsetD8Async(pointer, (byte) 0, Math.max(bytes, 1), context.stream()), "cuMemsetD8Async");
  }

  /** The device address, as kernels and cuBLAS take it. */
  public long address() {
    return pointer.address();
  }

  public long bytes() {
    return bytes;
  }

  /** Copies {@code host} (position to limit; direct or heap) to this buffer at {@code offset}, asynchronously on the stream. */
  public void upload(ByteBuffer host, long offset) {
    int n = host.remaining();
    if (offset + n > bytes) throw new IllegalArgumentException(n + " bytes at " + offset + " exceed " + bytes);
    Pointer src = host.isDirect() ? Pointer.to(host.slice()) : Pointer.to(host.array()).withByteOffset(host.arrayOffset() + host.position());
    Driver.check(cuMemcpyHtoDAsync(pointer.offset(offset), src, n, context.stream()), "cuMemcpyHtoDAsync");
    if (!host.isDirect()) context.synchronize(); // a heap array may move once the call returns
  }

  /** Copies {@code n} bytes at {@code offset} into {@code host} (a pinned buffer), asynchronously on the stream. */
  public void download(long offset, PinnedBuffer host, long n) {
    if (offset + n > bytes || n > host.bytes()) throw new IllegalArgumentException(n + " bytes at " + offset);
    Driver.check(cuMemcpyDtoHAsync(host.pointer(), pointer.offset(offset), n, context.stream()), "cuMemcpyDtoHAsync");
  }

  /** Copies {@code n} bytes at {@code hostOffset} of {@code host} (pinned) to {@code offset}, asynchronously on the stream. */
  public void upload(PinnedBuffer host, long hostOffset, long offset, long n) {
    if (offset + n > bytes || hostOffset + n > host.bytes()) {
      throw new IllegalArgumentException(n + " bytes at " + hostOffset + " / " + offset);
    }
    Driver.check(cuMemcpyHtoDAsync(pointer.offset(offset), host.pointer().withByteOffset(hostOffset), n,
        context.stream()), "cuMemcpyHtoDAsync");
  }

  @Override
  public void close() {
    if (freed) return;
    freed = true;
    context.makeCurrent();
    Driver.check(cuMemFree(pointer), "cuMemFree");
  }
}

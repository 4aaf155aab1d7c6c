package dev.quarry.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * One GPU's primary context (the one the CUDA runtime, and so cuBLAS, also uses) and the stream all
 * of Quarry's work on it goes to. Not thread-safe: one caller at a time, which
 * {@link #makeCurrent()}s it on its own thread first.
 */
public final class CudaContext implements AutoCloseable {

  private final CUdevice device;
  private final CUcontext context;
  private final RawStream stream;
  private final String name;
  private final int multiprocessors;
  private final int computeCapability;
  private final long totalMemory;
  private final int driverVersion;
  private boolean closed;

  /** A CUstream whose handle can be read, for cuBLAS. */
  static final class RawStream extends CUstream {
    long handle() {
      return getNativePointer();
    }
  }

  private CudaContext(int ordinal) {
    device = new CUdevice();
    Driver.check(cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
    context = new CUcontext();
    Driver.check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
    Driver.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    stream = new RawStream();
    Driver.check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    byte[] nameBytes = new byte[256];
    Driver.check(cuDeviceGetName(nameBytes, nameBytes.length, device), "cuDeviceGetName");
    int end = 0;
    while (end < nameBytes.length && nameBytes[end] != 0) end++;
    name = new String(nameBytes, 0, end, java.nio.charset.StandardCharsets.US_ASCII);
    multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    computeCapability = 10 * attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
        + attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    long[] total = new long[1];
    Driver.check(cuDeviceTotalMem(total, device), "cuDeviceTotalMem");
    totalMemory = total[0];
    int[] version = new int[1];
    Driver.check(cuDriverGetVersion(version), "cuDriverGetVersion");
    driverVersion = version[0];
  }

  /**
   * Opens GPU {@code ordinal}.
   *
   * @throws CudaUnavailableException with a one-line reason when there is no driver or no such device
   */
  public static CudaContext open(int ordinal) {
    int count;
    try {
      JCudaDriver.setExceptionsEnabled(false);
      int init = cuInit(0);
      if (init == CUresult.CUDA_ERROR_NO_DEVICE) {
        throw new CudaUnavailableException("no CUDA GPU: the driver reports no device (CUDA_ERROR_NO_DEVICE)", null);
      }
      if (init != CUresult.CUDA_SUCCESS) {
        throw new CudaUnavailableException("the CUDA driver did not start (" + CUresult.stringFor(init)
            + "); check nvidia-smi", null);
      }
      int[] n = new int[1];
      Driver.check(cuDeviceGetCount(n), "cuDeviceGetCount");
      count = n[0];
    } catch (LinkageError e) {
      throw new CudaUnavailableException("no CUDA driver: " + firstLine(e)
          + " (libcuda.so.1 comes with the NVIDIA driver)", e);
    }
    if (ordinal < 0 || ordinal >= count) {
      throw new CudaUnavailableException("no CUDA GPU " + ordinal + ": the driver sees " + count, null);
    }
    return new CudaContext(ordinal);
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private int attribute(int attribute) {
    int[] value = new int[1];
    Driver.check(cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute(" + attribute + ")");
    return value[0];
  }

  /** Binds the context to the calling thread; cheap, call it at every entry point. */
  public void makeCurrent() {
    if (closed) throw new IllegalStateException("the CUDA context of " + name + " is closed");
    Driver.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
  }

  CUstream stream() {
    return stream;
  }

  /** The stream's raw handle ({@code cudaStream_t}), for libraries that take one. */
  long streamHandle() {
    return stream.handle();
  }

  /** Waits for everything queued on the stream. */
  public void synchronize() {
    Driver.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
  }

  /** Allocates {@code bytes} of device memory, zeroed. */
  public DeviceBuffer allocate(long bytes) {
    return new DeviceBuffer(this, bytes);
  }

  /** Allocates {@code bytes} of page-locked host memory. */
  public PinnedBuffer allocatePinned(long bytes) {
    return new PinnedBuffer(this, bytes);
  }

  /** Free device memory in bytes, as the driver reports it now. */
  public long freeMemory() {
    long[] free = new long[1];
    long[] total = new long[1];
    Driver.check(cuMemGetInfo(free, total), "cuMemGetInfo");
    return free[0];
  }

  /**
   * Queues {@code function} on the stream. Arguments: {@link Long} for device addresses and 64-bit
   * values, {@link Integer}, {@link Float}.
   */
  public void launch(CUfunction function, String name, int gridX, int gridY, int gridZ, int blockX,
      int sharedBytes, Object... args) {
    Pointer[] params = new Pointer[args.length];
    for (int i = 0; i < args.length; i++) {
      params[i] = switch (args[i]) {
        case Long l -> Pointer.to(new long[] {l});
        case Integer n -> Pointer.to(new int[] {n});
        case Float f -> Pointer.to(new float[] {f});
        default -> throw new IllegalArgumentException(name + ": argument " + i + " is a " + args[i].getClass());
      };
    }
    Driver.check(cuLaunchKernel(function, gridX, gridY, gridZ, blockX, 1, 1, sharedBytes, stream,
        Pointer.to(params), null), "cuLaunchKernel(" + name + ")");
  }

  public String name() {
    return name;
  }

  public int multiprocessors() {
    return multiprocessors;
  }

  /** {@code 90} for an H100. */
  public int computeCapability() {
    return computeCapability;
  }

  public long totalMemory() {
    return totalMemory;
  }

  /** E.g. 13000 for CUDA 13.0. */
  public int driverVersion() {
    return driverVersion;
  }

  @Override
  public void close() {
    if (closed) return;
    makeCurrent();
    Driver.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
    Driver.check(cuStreamDestroy(stream), "cuStreamDestroy");
    closed = true;
    Driver.check(cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease");
  }
}

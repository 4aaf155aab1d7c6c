package dev.quarry.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;

/**
 * Quarry's kernels as the build compiled them ({@code native/}): the fatbin (sm_90 machine code) when
 * the GPU can run it, else the compute_80 PTX, which the driver compiles at load.
 */
public final class CudaModule {

  static final String FATBIN = "/dev/quarry/kernels/cuda/quarry.fatbin";
  static final String PTX = "/dev/quarry/kernels/cuda/quarry.ptx";

  private final CUmodule module;
  private final String source;
  private final Map<String, CUfunction> functions = new HashMap<>();

  private CudaModule(CUmodule module, String source) {
    this.module = module;
    this.source = source;
  }

  /** True when this build holds compiled kernels (nvcc was found when {@code native/} was built). */
  public static boolean kernelsBuilt() {
    return CudaModule.class.getResource(PTX) != null;
  }

  /**
   * Loads the kernels into {@code context} (current on this thread).
   *
   * @throws CudaUnavailableException when the build has no kernels
   */
  public static CudaModule load(CudaContext context) {
    if (!kernelsBuilt()) {
      throw new CudaUnavailableException("this Quarry was built without CUDA kernels (nvcc was not found"
          + " when native/ was built); rebuild with nvcc on the PATH", null);
    }
    context.makeCurrent();
    byte[] fatbin = read(FATBIN);
    if (fatbin != null && context.computeCapability() == 90) {
      CUmodule m = new CUmodule();
      if (cuModuleLoadData(m, fatbin) == CUresult.CUDA_SUCCESS) return new CudaModule(m, "fatbin sm_90");
    }
    byte[] ptx = read(PTX);
    byte[] terminated = java.util.Arrays.copyOf(ptx, ptx.length + 1); // the driver wants a C string
    CUmodule m = new CUmodule();
    Driver.check(cuModuleLoadData(m, terminated), "cuModuleLoadData(quarry.ptx)");
    return new CudaModule(m, "PTX compute_80");
  }

  private static byte[] read(String resource) {
    try (InputStream in = CudaModule.class.getResourceAsStream(resource)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(resource, e);
    }
  }

  /** What was loaded: {@code fatbin sm_90} or {@code PTX compute_80}. */
  public String source() {
    return source;
  }

  /** The kernel named {@code name} (an {@code extern "C"} function of {@code native/}). */
  public CUfunction function(String name) {
    return functions.computeIfAbsent(name, n -> {
      CUfunction f = new CUfunction();
      Driver.check(cuModuleGetFunction(f, module, n), "cuModuleGetFunction(" + n + ")");
      return f;
    });
  }
}

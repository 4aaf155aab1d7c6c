package dev.quarry.kernels.cuda;

import jcuda.driver.CUresult;

/** Checks driver API results: every call's return code, never JCuda's global exception switch. */
final class Driver {

  private Driver() {}

  static void check(int result, String call) {
    if (result != CUresult.CUDA_SUCCESS) throw new CudaException(call, CUresult.stringFor(result));
  }
}

package dev.quarry.kernels.cuda;

/** A CUDA driver or cuBLAS call that failed, with the call and the error's name. */
public class CudaException extends RuntimeException {

  private final String error;

  public CudaException(String call, String error) {
    super(call + " failed: " + error);
    this.error = error;
  }

  /** The error's name, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY} or {@code CUBLAS_STATUS_ALLOC_FAILED}. */
  public String error() {
    return error;
  }

  /** True when the device ran out of memory: the caller can retry with less. */
  public boolean outOfMemory() {
    return error.equals("CUDA_ERROR_OUT_OF_MEMORY") || error.equals("CUBLAS_STATUS_ALLOC_FAILED");
  }
}

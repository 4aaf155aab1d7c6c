package dev.quarry.kernels.cuda;

/**
 * No usable GPU: no CUDA driver, no device, or a build without kernels. Its message is one line that
 * says which and what to do; the CPU backend stays usable.
 */
public final class CudaUnavailableException extends RuntimeException {

  public CudaUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.quarry.kernels.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cublas.cublasGetStatusName;

import org.bytedeco.javacpp.Pointer;

/** What the cuBLAS and cuBLASLt wrappers share: JavaCPP pointers at raw addresses, and status checks. */
final class CublasCalls {

  private CublasCalls() {}

  /** A JavaCPP pointer at a raw address (device memory or a stream handle). */
  static Pointer at(long address) {
    return new Raw(address);
  }

  /** Throws {@link CudaException} naming {@code call} unless {@code status} is success. */
  static void check(int status, String call) {
    if (status != CUBLAS_STATUS_SUCCESS) {
      throw new CudaException(call, cublasGetStatusName(status).getString());
    }
  }

  private static final class Raw extends Pointer {
    Raw(long address) {
      this.address = address;
    }
  }
}

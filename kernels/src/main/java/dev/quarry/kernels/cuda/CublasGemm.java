package dev.quarry.kernels.cuda;

import static dev.quarry.kernels.cuda.CublasCalls.at;
import static dev.quarry.kernels.cuda.CublasCalls.check;
import static org.bytedeco.cuda.global.cublas.CUBLAS_COMPUTE_32F;
import static org.bytedeco.cuda.global.cublas.CUBLAS_GEMM_DEFAULT;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasGemmEx;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;
import static org.bytedeco.cuda.global.cublas.cublasSetWorkspace_v2;
import static org.bytedeco.cuda.global.cudart.CUDA_R_16F;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;

/**
 * fp16 matrix products with fp32 accumulation through cuBLAS, on device memory allocated by
 * {@link CudaContext} (the two libraries share the primary context and the stream).
 *
 * <p>{@link #linear} is the encoder's layer: {@code y[rows × out] = x[rows × in] · w[in × out]}, all
 * row-major fp16. In cuBLAS's column-major terms that is {@code yᵀ = wᵀ · xᵀ} with no transposes,
 * since a row-major {@code [in, out]} matrix is a column-major {@code out × in} one.
 */
public final class CublasGemm implements AutoCloseable {

  /** Workspace for cuBLAS's kernels, set explicitly so that graph capture never allocates. */
  private static final long WORKSPACE_BYTES = 32L << 20;

  private final CudaContext context;
  private final cublasContext handle;
  private final DeviceBuffer workspace;
  private final FloatPointer one = new FloatPointer(1f);
  private final FloatPointer zero = new FloatPointer(0f);
  private boolean closed;


  /**
   * @throws CudaUnavailableException when the cuBLAS library (libcublas.so.13) cannot be loaded
   */
  public CublasGemm(CudaContext context) {
    this.context = context;
    context.makeCurrent();
    try {
      handle = new cublasContext();
      check(cublasCreate_v2(handle), "cublasCreate");
    } catch (LinkageError e) {
      throw new CudaUnavailableException("cuBLAS for CUDA 13 could not be loaded (" + e.getMessage()
          + "); put the CUDA 13 libraries (libcublas.so.13) on LD_LIBRARY_PATH", e);
    }
    check(cublasSetStream_v2(handle, new CUstream_st(at(context.streamHandle()))), "cublasSetStream");
    workspace = context.allocate(WORKSPACE_BYTES);
    check(cublasSetWorkspace_v2(handle, at(workspace.address()), WORKSPACE_BYTES), "cublasSetWorkspace");
  }

  /** {@code y = x · w}: fp16 row-major {@code x[rows × in]}, {@code w[in × out]}, {@code y[rows × out]}. */
  public void linear(long x, long w, long y, int rows, int in, int out) {
    gemm(out, rows, in, w, out, x, in, y, out);
  }

  /** Column-major {@code C[m × n] = A[m × k] · B[k × n]}, fp16 in and out, fp32 accumulation. */
  public void gemm(int m, int n, int k, long a, int lda, long b, int ldb, long c, int ldc) {
    check(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, one, at(a), CUDA_R_16F, lda,
        at(b), CUDA_R_16F, ldb, zero, at(c), CUDA_R_16F, ldc, CUBLAS_COMPUTE_32F,
        CUBLAS_GEMM_DEFAULT), "cublasGemmEx(" + m + "x" + n + "x" + k + ")");
  }


  @Override
  public void close() {
    if (closed) return;
    closed = true;
    context.makeCurrent();
    cublasDestroy_v2(handle);
    workspace.close();
    one.close();
    zero.close();
  }
}

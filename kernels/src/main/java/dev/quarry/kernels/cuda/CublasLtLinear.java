package dev.quarry.kernels.cuda;

import static dev.quarry.kernels.cuda.CublasCalls.at;
import static dev.quarry.kernels.cuda.CublasCalls.check;
import static org.bytedeco.cuda.global.cublas.CUBLASLT_EPILOGUE_BIAS;
import static org.bytedeco.cuda.global.cublas.CUBLASLT_EPILOGUE_DEFAULT;
import static org.bytedeco.cuda.global.cublas.CUBLASLT_EPILOGUE_GELU_BIAS;
import static org.bytedeco.cuda.global.cublas.CUBLASLT_MATMUL_DESC_BIAS_POINTER;
import static org.bytedeco.cuda.global.cublas.CUBLASLT_MATMUL_DESC_EPILOGUE;
import static org.bytedeco.cuda.global.cublas.CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES;
import static org.bytedeco.cuda.global.cublas.CUBLAS_COMPUTE_32F;
import static org.bytedeco.cuda.global.cublas.cublasLtCreate;
import static org.bytedeco.cuda.global.cublas.cublasLtDestroy;
import static org.bytedeco.cuda.global.cublas.cublasLtMatmul;
import static org.bytedeco.cuda.global.cublas.cublasLtMatmulAlgoGetHeuristic;
import static org.bytedeco.cuda.global.cublas.cublasLtMatmulDescCreate;
import static org.bytedeco.cuda.global.cublas.cublasLtMatmulDescDestroy;
import static org.bytedeco.cuda.global.cublas.cublasLtMatmulDescSetAttribute;
import static org.bytedeco.cuda.global.cublas.cublasLtMatmulPreferenceCreate;
import static org.bytedeco.cuda.global.cublas.cublasLtMatmulPreferenceDestroy;
import static org.bytedeco.cuda.global.cublas.cublasLtMatmulPreferenceSetAttribute;
import static org.bytedeco.cuda.global.cublas.cublasLtMatrixLayoutCreate;
import static org.bytedeco.cuda.global.cublas.cublasLtMatrixLayoutDestroy;
import static org.bytedeco.cuda.global.cudart.CUDA_R_16F;
import static org.bytedeco.cuda.global.cudart.CUDA_R_32F;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.cuda.cublas.cublasLtContext;
import org.bytedeco.cuda.cublas.cublasLtMatmulDescOpaque_t;
import org.bytedeco.cuda.cublas.cublasLtMatmulHeuristicResult_t;
import org.bytedeco.cuda.cublas.cublasLtMatmulPreferenceOpaque_t;
import org.bytedeco.cuda.cublas.cublasLtMatrixLayoutOpaque_t;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Linear layers with their element-wise tail fused into the GEMM's epilogue through cuBLASLt:
 * {@code y = act(x · w + bias) [+ residual]}, fp16 row-major, fp32 accumulation. The GEMM is
 * compute-bound at encoder shapes, so reading the bias and the residual and applying GELU in its
 * epilogue costs almost nothing, while a separate kernel costs a full read and write of the
 * activations.
 *
 * <p>cuBLASLt's GELU is the tanh approximation, not BERT's exact erf form (they differ by under
 * 1e-3 absolute); {@code CudaBertEncoder} checks the fused layer against the exact kernels at open.
 * Biases here are fp16 (cuBLASLt's default bias type for fp16 outputs). Layouts and the chosen
 * algorithm are cached per shape, so a captured CUDA graph replays without host work.
 */
public final class CublasLtLinear implements AutoCloseable {

  /** What the epilogue applies after {@code x · w}. */
  public enum Epilogue {
    NONE(CUBLASLT_EPILOGUE_DEFAULT),
    BIAS(CUBLASLT_EPILOGUE_BIAS),
    GELU_BIAS(CUBLASLT_EPILOGUE_GELU_BIAS);

    final int code;

    Epilogue(int code) {
      this.code = code;
    }
  }

  private static final long WORKSPACE_BYTES = 32L << 20;

  private record Shape(int rows, int in, int out, Epilogue epilogue, boolean residual) {}

  /** Column-major layouts of {@code w}, {@code x} and {@code y} and the algorithm cuBLASLt chose. */
  private record Plan(cublasLtMatrixLayoutOpaque_t w, cublasLtMatrixLayoutOpaque_t x,
      cublasLtMatrixLayoutOpaque_t y, cublasLtMatmulHeuristicResult_t algorithm) {}


  private final CudaContext context;
  private final cublasLtContext handle;
  private final CUstream_st stream;
  private final DeviceBuffer workspace;
  private final Map<Epilogue, cublasLtMatmulDescOpaque_t> descriptors = new EnumMap<>(Epilogue.class);
  private final Map<Shape, Plan> plans = new HashMap<>();
  private final FloatPointer one = new FloatPointer(1f);
  private final FloatPointer zero = new FloatPointer(0f);
  private final LongPointer biasAddress = new LongPointer(1);
  private boolean closed;

  /**
   * @throws CudaUnavailableException when cuBLASLt (libcublasLt.so.13) cannot be loaded
   */
  public CublasLtLinear(CudaContext context) {
    this.context = context;
    context.makeCurrent();
    try {
      handle = new cublasLtContext();
      check(cublasLtCreate(handle), "cublasLtCreate");
    } catch (LinkageError e) {
      throw new CudaUnavailableException("cuBLASLt for CUDA 13 could not be loaded (" + e.getMessage()
          + "); put the CUDA 13 libraries (libcublasLt.so.13) on LD_LIBRARY_PATH", e);
    }
    stream = new CUstream_st(at(context.streamHandle()));
    workspace = context.allocate(WORKSPACE_BYTES);
    try (IntPointer code = new IntPointer(1)) {
      for (Epilogue e : Epilogue.values()) {
        PointerPointer<?> made = new PointerPointer<>(1);
        check(cublasLtMatmulDescCreate(made, CUBLAS_COMPUTE_32F, CUDA_R_32F), "cublasLtMatmulDescCreate");
        cublasLtMatmulDescOpaque_t desc = new cublasLtMatmulDescOpaque_t(made.get(0));
        descriptors.put(e, desc);
        code.put(0, e.code);
        check(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, code, 4), "set epilogue " + e);
      }
    }
  }

  /**
   * {@code y = epilogue(x · w, bias) + residual}: fp16 row-major {@code x[rows × in]},
   * {@code w[in × out]}, {@code y[rows × out]}; {@code bias} fp16 {@code [out]} (0 for
   * {@link Epilogue#NONE}); {@code residual} fp16 {@code [rows × out]} or 0, and not {@code y}
   * (cuBLASLt adds it before the activation, so GELU takes none).
   */
  public void linear(long x, long w, long y, int rows, int in, int out, Epilogue epilogue, long bias, long residual) {
    if ((epilogue == Epilogue.NONE) != (bias == 0)) {
      throw new IllegalArgumentException("epilogue " + epilogue + " with bias address " + bias);
    }
    if (epilogue == Epilogue.GELU_BIAS && residual != 0) {
      throw new IllegalArgumentException("a residual would be added before GELU, not after");
    }
    cublasLtMatmulDescOpaque_t desc = descriptors.get(epilogue);
    if (bias != 0) {
      biasAddress.put(0, bias);
      check(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, biasAddress, 8), "set bias");
    }
    Shape shape = new Shape(rows, in, out, epilogue, residual != 0);
    Plan plan = plans.get(shape);
    if (plan == null) {
      plan = plan(shape, desc);
      plans.put(shape, plan);
    }
    // Column-major: yᵀ[out × rows] = wᵀ[out × in] · xᵀ[in × rows], C = residualᵀ (beta 1) or unused.
    check(cublasLtMatmul(handle, desc, one, at(w), plan.w(), at(x), plan.x(),
        residual != 0 ? one : zero, at(residual != 0 ? residual : y), plan.y(), at(y), plan.y(),
        plan.algorithm().algo(), at(workspace.address()), WORKSPACE_BYTES, stream),
        "cublasLtMatmul(" + shape + ")");
  }

  private Plan plan(Shape s, cublasLtMatmulDescOpaque_t desc) {
    cublasLtMatrixLayoutOpaque_t w = layout(s.out(), s.in());
    cublasLtMatrixLayoutOpaque_t x = layout(s.in(), s.rows());
    cublasLtMatrixLayoutOpaque_t y = layout(s.out(), s.rows());
    PointerPointer<?> made = new PointerPointer<>(1);
    check(cublasLtMatmulPreferenceCreate(made), "cublasLtMatmulPreferenceCreate");
    cublasLtMatmulPreferenceOpaque_t preference = new cublasLtMatmulPreferenceOpaque_t(made.get(0));
    try (LongPointer bytes = new LongPointer(1); IntPointer found = new IntPointer(1)) {
      bytes.put(0, WORKSPACE_BYTES);
      check(cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, bytes, 8),
          "set workspace preference");
      cublasLtMatmulHeuristicResult_t result = new cublasLtMatmulHeuristicResult_t();
      check(cublasLtMatmulAlgoGetHeuristic(handle, desc, w, x, y, y, preference, 1, result, found),
          "cublasLtMatmulAlgoGetHeuristic(" + s + ")");
      if (found.get(0) < 1) {
        throw new CudaException("cublasLtMatmulAlgoGetHeuristic(" + s + ")", "no algorithm for this epilogue");
      }
      return new Plan(w, x, y, result);
    } finally {
      cublasLtMatmulPreferenceDestroy(preference);
    }
  }

  private static cublasLtMatrixLayoutOpaque_t layout(int rows, int cols) {
    PointerPointer<?> made = new PointerPointer<>(1);
    check(cublasLtMatrixLayoutCreate(made, CUDA_R_16F, rows, cols, rows), "cublasLtMatrixLayoutCreate");
    return new cublasLtMatrixLayoutOpaque_t(made.get(0));
  }


  @Override
  public void close() {
    if (closed) return;
    closed = true;
    context.makeCurrent();
    for (Plan p : plans.values()) {
      cublasLtMatrixLayoutDestroy(p.w());
      cublasLtMatrixLayoutDestroy(p.x());
      cublasLtMatrixLayoutDestroy(p.y());
      p.algorithm().close();
    }
    plans.clear();
    for (cublasLtMatmulDescOpaque_t d : descriptors.values()) cublasLtMatmulDescDestroy(d);
    cublasLtDestroy(handle);
    workspace.close();
    one.close();
    zero.close();
    biasAddress.close();
  }
}

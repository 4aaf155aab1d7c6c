// Quarry's CUDA kernels for the BERT encoder, one module loaded by dev.quarry.kernels.cuda.CudaModule.
// Activations are fp16 rows of a concatenated, unpadded token batch; every reduction accumulates in
// fp32. Kernel names are extern "C" so that the Java side finds them by plain name.
#include "common.cuh"
#include "layernorm.cuh"
#include "elementwise.cuh"
#include "attention.cuh"
#include "attention_mma.cuh"
#include "pooling.cuh"

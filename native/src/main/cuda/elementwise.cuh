// Element-wise epilogues that cuBLAS does not fuse exactly: bias + exact (erf) GELU, as BERT uses it.
#pragma once
#include "common.cuh"

__device__ __forceinline__ float gelu_erf(float x) {
  return 0.5f * x * (1.f + erff(x * 0.70710678118654752f));
}

// x[r][c] = gelu(x[r][c] + bias[c]) in place over rows x cols (cols even), four pairs per thread.
extern "C" __global__ void bias_gelu(__half* __restrict__ x, const float* __restrict__ bias, int rows, int cols) {
  size_t pairs = (size_t) rows * cols / 2;
  int colPairs = cols / 2;
  __half2* x2 = reinterpret_cast<__half2*>(x);
  const float2* b2 = reinterpret_cast<const float2*>(bias);
  size_t stride = (size_t) gridDim.x * blockDim.x;
  for (size_t i = (size_t) blockIdx.x * blockDim.x + threadIdx.x; i < pairs; i += stride) {
    float2 v = __half22float2(x2[i]);
    float2 b = b2[i % colPairs];
    x2[i] = __floats2half2_rn(gelu_erf(v.x + b.x), gelu_erf(v.y + b.y));
  }
}

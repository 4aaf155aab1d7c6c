// Sentence pooling on the device: mean / CLS / max over a sequence's rows, Matryoshka truncation to
// the first `dim` components, optional L2 normalisation; one block per sequence slot, fp32 output.
#pragma once
#include "common.cuh"

#define POOL_MEAN 0
#define POOL_CLS 1
#define POOL_MAX 2

extern "C" __global__ void pool_normalize(const __half* __restrict__ hidden, const int* __restrict__ starts,
    int width, int mode, int dim, int normalize, float* __restrict__ out) {
  __shared__ float scratch[32];
  int seq = blockIdx.x;
  int start = starts[seq];
  int len = starts[seq + 1] - start;
  if (len <= 0) return;
  float sq = 0.f;
  // Each thread owns components i = threadIdx.x + k * blockDim.x < dim; the first pass pools and
  // sums squares, the second scales (values stay in out between the passes).
  for (int i = threadIdx.x; i < dim; i += blockDim.x) {
    float v;
    if (mode == POOL_CLS) {
      v = __half2float(hidden[(size_t) start * width + i]);
    } else if (mode == POOL_MAX) {
      v = -INFINITY;
      for (int t = 0; t < len; t++) v = fmaxf(v, __half2float(hidden[(size_t) (start + t) * width + i]));
    } else {
      v = 0.f;
      for (int t = 0; t < len; t++) v += __half2float(hidden[(size_t) (start + t) * width + i]);
      v /= len;
    }
    out[(size_t) seq * dim + i] = v;
    sq += v * v;
  }
  if (!normalize) return;
  float norm = fmaxf(sqrtf(block_sum(sq, scratch)), 1e-12f);
  for (int i = threadIdx.x; i < dim; i += blockDim.x) out[(size_t) seq * dim + i] /= norm;
}

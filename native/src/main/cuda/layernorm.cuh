// LayerNorm kernels: one warp per token row, the row held in registers as pairs (hidden <= 1024,
// even), two passes over registers (mean, then variance) for accuracy.
#pragma once
#include "common.cuh"

#define LN_MAX_PAIRS 16  // 16 pairs x 32 lanes = 1024 columns
#define LN_ROWS_PER_BLOCK 4

// Normalises v (the lane's pairs of one row) in place and writes the fp16 result.
__device__ __forceinline__ void layernorm_write(float2 (&v)[LN_MAX_PAIRS], int pairs, int lane,
    const float* __restrict__ gamma, const float* __restrict__ beta, float eps, __half2* __restrict__ out) {
  float sum = 0.f;
#pragma unroll
  for (int j = 0; j < LN_MAX_PAIRS; j++) {
    int p = lane + 32 * j;
    if (p < pairs) sum += v[j].x + v[j].y;
  }
  float mean = warp_sum(sum) / (2 * pairs);
  float sq = 0.f;
#pragma unroll
  for (int j = 0; j < LN_MAX_PAIRS; j++) {
    int p = lane + 32 * j;
    if (p < pairs) {
      float a = v[j].x - mean, b = v[j].y - mean;
      sq += a * a + b * b;
    }
  }
  float rstd = rsqrtf(warp_sum(sq) / (2 * pairs) + eps);
  const float2* g2 = reinterpret_cast<const float2*>(gamma);
  const float2* b2 = reinterpret_cast<const float2*>(beta);
#pragma unroll
  for (int j = 0; j < LN_MAX_PAIRS; j++) {
    int p = lane + 32 * j;
    if (p < pairs) {
      float2 g = g2[p], b = b2[p];
      out[p] = __floats2half2_rn((v[j].x - mean) * rstd * g.x + b.x, (v[j].y - mean) * rstd * g.y + b.y);
    }
  }
}

// out[t] = LayerNorm(word[ids[t]] + type[types[t]] + position[positions[t]]), fp32 tables.
extern "C" __global__ void embed_layernorm(const int* __restrict__ ids, const int* __restrict__ types,
    const int* __restrict__ positions, const float* __restrict__ word, const float* __restrict__ position,
    const float* __restrict__ type, const float* __restrict__ gamma, const float* __restrict__ beta,
    __half* __restrict__ out, int tokens, int hidden, float eps) {
  int row = blockIdx.x * LN_ROWS_PER_BLOCK + (threadIdx.x >> 5);
  int lane = threadIdx.x & 31;
  if (row >= tokens) return;
  int pairs = hidden / 2;
  const float2* w = reinterpret_cast<const float2*>(word + (size_t) ids[row] * hidden);
  const float2* ty = reinterpret_cast<const float2*>(type + (size_t) types[row] * hidden);
  const float2* po = reinterpret_cast<const float2*>(position + (size_t) positions[row] * hidden);
  float2 v[LN_MAX_PAIRS];
#pragma unroll
  for (int j = 0; j < LN_MAX_PAIRS; j++) {
    int p = lane + 32 * j;
    if (p < pairs) {
      float2 a = w[p], b = ty[p], c = po[p];
      v[j] = make_float2(a.x + b.x + c.x, a.y + b.y + c.y);
    }
  }
  layernorm_write(v, pairs, lane, gamma, beta, eps,
      reinterpret_cast<__half2*>(out + (size_t) row * hidden));
}

// out[t] = LayerNorm(y[t] + bias + residual[t]): the projection's bias, the residual connection and
// the post-norm of a BERT block in one pass. out must not alias y or residual.
extern "C" __global__ void bias_residual_layernorm(const __half* __restrict__ y, const float* __restrict__ bias,
    const __half* __restrict__ residual, const float* __restrict__ gamma, const float* __restrict__ beta,
    __half* __restrict__ out, int tokens, int hidden, float eps) {
  int row = blockIdx.x * LN_ROWS_PER_BLOCK + (threadIdx.x >> 5);
  int lane = threadIdx.x & 31;
  if (row >= tokens) return;
  int pairs = hidden / 2;
  const __half2* y2 = reinterpret_cast<const __half2*>(y + (size_t) row * hidden);
  const __half2* r2 = reinterpret_cast<const __half2*>(residual + (size_t) row * hidden);
  const float2* b2 = reinterpret_cast<const float2*>(bias);
  float2 v[LN_MAX_PAIRS];
#pragma unroll
  for (int j = 0; j < LN_MAX_PAIRS; j++) {
    int p = lane + 32 * j;
    if (p < pairs) {
      float2 a = __half22float2(y2[p]), r = __half22float2(r2[p]), b = b2[p];
      v[j] = make_float2(a.x + b.x + r.x, a.y + b.y + r.y);
    }
  }
  layernorm_write(v, pairs, lane, gamma, beta, eps,
      reinterpret_cast<__half2*>(out + (size_t) row * hidden));
}

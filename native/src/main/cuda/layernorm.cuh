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

#define LN16_LANES 16
#define LN16_MAX_CHUNKS 8  // 8 chunks of 8 halves x 16 lanes = 1024 columns

// out[t] = LayerNorm(y[t]): a BERT block's post-norm once the GEMM's epilogue has added the bias and
// the residual. Half a warp per row with 16-byte accesses (hidden a multiple of 8, at most 1024), so
// a row's loads are all in flight at once; the row stays in registers for the two passes.
extern "C" __global__ void layernorm16(const __half* __restrict__ y, const float* __restrict__ gamma,
    const float* __restrict__ beta, __half* __restrict__ out, int tokens, int hidden, float eps) {
  int row = blockIdx.x * (blockDim.x / LN16_LANES) + threadIdx.x / LN16_LANES;
  int lane = threadIdx.x % LN16_LANES;
  // Rows past the end stay in to the end: the shuffles below need every lane of the warp.
  bool live = row < tokens;
  int chunks = hidden / 8;
  const uint4* in = reinterpret_cast<const uint4*>(y + (size_t) (live ? row : 0) * hidden);
  float v[LN16_MAX_CHUNKS][8];
  float sum = 0.f;
#pragma unroll
  for (int j = 0; j < LN16_MAX_CHUNKS; j++) {
    int c = lane + LN16_LANES * j;
    if (live && c < chunks) {
      uint4 raw = in[c];
      const __half2* h = reinterpret_cast<const __half2*>(&raw);
#pragma unroll
      for (int k = 0; k < 4; k++) {
        float2 f = __half22float2(h[k]);
        v[j][2 * k] = f.x;
        v[j][2 * k + 1] = f.y;
        sum += f.x + f.y;
      }
    }
  }
#pragma unroll
  for (int o = LN16_LANES / 2; o > 0; o >>= 1) sum += __shfl_xor_sync(QUARRY_FULL_MASK, sum, o);
  float mean = sum / hidden;
  float sq = 0.f;
#pragma unroll
  for (int j = 0; j < LN16_MAX_CHUNKS; j++) {
    int c = lane + LN16_LANES * j;
    if (live && c < chunks) {
#pragma unroll
      for (int k = 0; k < 8; k++) {
        float d = v[j][k] - mean;
        sq += d * d;
      }
    }
  }
#pragma unroll
  for (int o = LN16_LANES / 2; o > 0; o >>= 1) sq += __shfl_xor_sync(QUARRY_FULL_MASK, sq, o);
  float rstd = rsqrtf(sq / hidden + eps);
  if (!live) return;
  uint4* dst = reinterpret_cast<uint4*>(out + (size_t) row * hidden);
  const float4* g4 = reinterpret_cast<const float4*>(gamma);
  const float4* b4 = reinterpret_cast<const float4*>(beta);
#pragma unroll
  for (int j = 0; j < LN16_MAX_CHUNKS; j++) {
    int c = lane + LN16_LANES * j;
    if (c < chunks) {
      float4 g0 = g4[2 * c], g1 = g4[2 * c + 1], b0 = b4[2 * c], b1 = b4[2 * c + 1];
      float g[8] = {g0.x, g0.y, g0.z, g0.w, g1.x, g1.y, g1.z, g1.w};
      float b[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
      uint4 raw;
      __half2* h = reinterpret_cast<__half2*>(&raw);
#pragma unroll
      for (int k = 0; k < 4; k++) {
        h[k] = __floats2half2_rn((v[j][2 * k] - mean) * rstd * g[2 * k] + b[2 * k],
            (v[j][2 * k + 1] - mean) * rstd * g[2 * k + 1] + b[2 * k + 1]);
      }
      dst[c] = raw;
    }
  }
}

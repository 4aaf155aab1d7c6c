// Flash-style attention over an unpadded batch: one pass over the keys with an online softmax, no
// score matrix in memory, no mask (a sequence's tokens only ever meet their own sequence).
//
// qkv holds one row of 3 * hidden fp16 values per token ([q | k | v], heads side by side), still
// without their biases, which are added here. Grid: (sequence slots, heads, query tiles); a slot
// whose start equals its end is empty (the CUDA-graph buckets reserve more slots than a batch uses).
// One thread per query row; keys and values go through shared memory in tiles of ATT_KEYS.
#pragma once
#include "common.cuh"

#define ATT_QUERIES 64
#define ATT_KEYS 64
#define ATT_CHUNK 16

template <int D>
__device__ __forceinline__ void attention_impl(const __half* __restrict__ qkv, const float* __restrict__ bias,
    const int* __restrict__ starts, __half* __restrict__ context, int hidden, float scaleLog2) {
  __shared__ float ks[ATT_KEYS][D];
  __shared__ float vs[ATT_KEYS][D];
  int seq = blockIdx.x, head = blockIdx.y;
  int start = starts[seq];
  int len = starts[seq + 1] - start;
  int q0 = blockIdx.z * ATT_QUERIES;
  if (q0 >= len) return;
  int ld = 3 * hidden;
  int col = head * D;
  int i = q0 + threadIdx.x;
  bool active = i < len;

  float q[D], acc[D];
  if (active) {
    const __half2* qr = reinterpret_cast<const __half2*>(qkv + (size_t) (start + i) * ld + col);
#pragma unroll
    for (int d = 0; d < D / 2; d++) {
      float2 v = __half22float2(qr[d]);
      // scale * log2(e) folded into q: the softmax then runs on exp2.
      q[2 * d] = (v.x + bias[col + 2 * d]) * scaleLog2;
      q[2 * d + 1] = (v.y + bias[col + 2 * d + 1]) * scaleLog2;
    }
  }
#pragma unroll
  for (int d = 0; d < D; d++) acc[d] = 0.f;
  float m = -INFINITY, l = 0.f;

  for (int k0 = 0; k0 < len; k0 += ATT_KEYS) {
    __syncthreads();
    for (int idx = threadIdx.x; idx < ATT_KEYS * (D / 2); idx += blockDim.x) {
      int r = idx / (D / 2), c = 2 * (idx % (D / 2));
      int key = k0 + r;
      float2 kv = make_float2(0.f, 0.f), vv = make_float2(0.f, 0.f);
      if (key < len) {
        const __half* row = qkv + (size_t) (start + key) * ld;
        kv = __half22float2(*reinterpret_cast<const __half2*>(row + hidden + col + c));
        vv = __half22float2(*reinterpret_cast<const __half2*>(row + 2 * hidden + col + c));
        kv.x += bias[hidden + col + c]; kv.y += bias[hidden + col + c + 1];
        vv.x += bias[2 * hidden + col + c]; vv.y += bias[2 * hidden + col + c + 1];
      }
      ks[r][c] = kv.x; ks[r][c + 1] = kv.y;
      vs[r][c] = vv.x; vs[r][c + 1] = vv.y;
    }
    __syncthreads();
    int n = min(ATT_KEYS, len - k0);
    if (active) {
      for (int j0 = 0; j0 < n; j0 += ATT_CHUNK) {
        float s[ATT_CHUNK];
        float mx = m;
#pragma unroll
        for (int jj = 0; jj < ATT_CHUNK; jj++) {
          float dot = 0.f;
#pragma unroll
          for (int d = 0; d < D; d++) dot = fmaf(q[d], ks[j0 + jj][d], dot);
          s[jj] = j0 + jj < n ? dot : -INFINITY;
          mx = fmaxf(mx, s[jj]);
        }
        float correction = exp2f(m - mx);
        l *= correction;
#pragma unroll
        for (int d = 0; d < D; d++) acc[d] *= correction;
#pragma unroll
        for (int jj = 0; jj < ATT_CHUNK; jj++) {
          float p = exp2f(s[jj] - mx);
          l += p;
#pragma unroll
          for (int d = 0; d < D; d++) acc[d] = fmaf(p, vs[j0 + jj][d], acc[d]);
        }
        m = mx;
      }
    }
  }
  if (active) {
    float inv = 1.f / l;
    __half2* out = reinterpret_cast<__half2*>(context + (size_t) (start + i) * hidden + col);
#pragma unroll
    for (int d = 0; d < D / 2; d++) out[d] = __floats2half2_rn(acc[2 * d] * inv, acc[2 * d + 1] * inv);
  }
}

extern "C" __global__ void __launch_bounds__(ATT_QUERIES) attention_d32(const __half* __restrict__ qkv,
    const float* __restrict__ bias, const int* __restrict__ starts, __half* __restrict__ context,
    int hidden, float scaleLog2) {
  attention_impl<32>(qkv, bias, starts, context, hidden, scaleLog2);
}

extern "C" __global__ void __launch_bounds__(ATT_QUERIES) attention_d64(const __half* __restrict__ qkv,
    const float* __restrict__ bias, const int* __restrict__ starts, __half* __restrict__ context,
    int hidden, float scaleLog2) {
  attention_impl<64>(qkv, bias, starts, context, hidden, scaleLog2);
}

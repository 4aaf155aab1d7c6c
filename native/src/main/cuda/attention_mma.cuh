// Tensor-core flash attention over an unpadded batch (mma.sync m16n8k16, fp16 operands, fp32
// accumulation, online softmax in fp32 on exp2), for head sizes 32 and 64.
//
// Same contract as attention.cuh: qkv rows of 3 * hidden fp16 values per token ([q | k | v], heads
// side by side) without their biases; grid (sequence slots, heads, query tiles of 64); starts[] the
// sequence offsets; an empty slot does nothing. Block: 4 warps, each owning 16 query rows.
//
// Biases, exactly and without touching K or V:
//   q gets its bias (and the softmax scale * log2 e) as it is loaded, in fp32, then rounds to fp16;
//   k's bias adds q.b_k to every score of a query row, which the softmax cancels: it is left out;
//   v's bias adds b_v to every output row, since a row's probabilities sum to 1: added at the end.
// So K and V tiles are copied raw with cp.async (two stages deep), and nothing else touches them.
#pragma once
#include "common.cuh"

#define MMA_QUERIES 64
#define MMA_KEYS 64
#define MMA_THREADS 128

__device__ __forceinline__ uint32_t smem_u32(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

// 16 bytes global -> shared, zero-filled when !valid (src must still be a mapped address).
__device__ __forceinline__ void cp_async16(void* dst, const void* src, bool valid) {
  int bytes = valid ? 16 : 0;
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_u32(dst)), "l"(src), "r"(bytes));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(N)); }

__device__ __forceinline__ void mma16816(float (&c)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
    uint32_t b0, uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

__device__ __forceinline__ uint32_t pack_half2(float lo, float hi) {
  __half2 h = __floats2half2_rn(lo, hi);
  return *reinterpret_cast<uint32_t*>(&h);
}

template <int D>
__device__ __forceinline__ void attention_mma_impl(const __half* __restrict__ qkv, const float* __restrict__ bias,
    const int* __restrict__ starts, __half* __restrict__ context, int hidden, float scaleLog2) {
  constexpr int LDS = D + 8;                 // padded shared row (halves): conflict-free fragment loads
  constexpr int KSTEPS = D / 16;             // k-steps of Q.K^T
  constexpr int DTILES = D / 8;              // n-tiles of P.V
  constexpr int CHUNKS = MMA_KEYS * D / 8;   // 16-byte pieces of one K (or V) tile
  __shared__ __align__(16) __half ks[2][MMA_KEYS][LDS];
  __shared__ __align__(16) __half vs[2][MMA_KEYS][LDS];

  const int seq = blockIdx.x, head = blockIdx.y;
  const int start = starts[seq];
  const int len = starts[seq + 1] - start;
  const int q0 = blockIdx.z * MMA_QUERIES;
  if (q0 >= len) return;
  const int ld = 3 * hidden;
  const int col = head * D;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int g = lane >> 2, t = lane & 3;
  const __half* base = qkv + (size_t) start * ld;

  auto load_tile = [&](int k0, int buf) {
#pragma unroll
    for (int c = threadIdx.x; c < CHUNKS; c += MMA_THREADS) {
      int r = c / (D / 8), d = (c % (D / 8)) * 8;
      int key = k0 + r;
      bool valid = key < len;
      const __half* row = base + (size_t) (valid ? key : 0) * ld;
      cp_async16(&ks[buf][r][d], row + hidden + col + d, valid);
      cp_async16(&vs[buf][r][d], row + 2 * hidden + col + d, valid);
    }
  };

  const int tiles = (len + MMA_KEYS - 1) / MMA_KEYS;
  load_tile(0, 0);
  cp_async_commit();

  // Q fragments (A operand, row-major 16 x D): rows g and g + 8 of this warp's 16, bias and scale in fp32.
  const int rowA = q0 + warp * 16 + g, rowB = rowA + 8;
  const bool warpActive = q0 + warp * 16 < len;
  uint32_t qa[KSTEPS][4];
#pragma unroll
  for (int s = 0; s < KSTEPS; s++) {
#pragma unroll
    for (int half = 0; half < 2; half++) {
      int c = col + s * 16 + 2 * t + half * 8;
      float2 b = make_float2(bias[c], bias[c + 1]);
      float2 va = make_float2(0.f, 0.f), vb = make_float2(0.f, 0.f);
      if (rowA < len) va = __half22float2(*reinterpret_cast<const __half2*>(base + (size_t) rowA * ld + c));
      if (rowB < len) vb = __half22float2(*reinterpret_cast<const __half2*>(base + (size_t) rowB * ld + c));
      qa[s][half * 2] = pack_half2((va.x + b.x) * scaleLog2, (va.y + b.y) * scaleLog2);
      qa[s][half * 2 + 1] = pack_half2((vb.x + b.x) * scaleLog2, (vb.y + b.y) * scaleLog2);
    }
  }

  float o[DTILES][4];
#pragma unroll
  for (int n = 0; n < DTILES; n++) o[n][0] = o[n][1] = o[n][2] = o[n][3] = 0.f;
  float mA = -INFINITY, mB = -INFINITY, lA = 0.f, lB = 0.f;  // running max and (thread-partial) sum

  for (int tile = 0; tile < tiles; tile++) {
    const int buf = tile & 1;
    if (tile + 1 < tiles) {
      load_tile((tile + 1) * MMA_KEYS, buf ^ 1);
      cp_async_commit();
      cp_async_wait<1>();
    } else {
      cp_async_wait<0>();
    }
    __syncthreads();
    if (warpActive) {
      const int k0 = tile * MMA_KEYS;
      // S = Q . K^T for 64 keys: 8 n-tiles of 8 keys.
      float s[MMA_KEYS / 8][4];
#pragma unroll
      for (int n = 0; n < MMA_KEYS / 8; n++) {
        s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
#pragma unroll
        for (int kk = 0; kk < KSTEPS; kk++) {
          const __half* kr = &ks[buf][n * 8 + g][kk * 16 + 2 * t];
          uint32_t b0 = *reinterpret_cast<const uint32_t*>(kr);
          uint32_t b1 = *reinterpret_cast<const uint32_t*>(kr + 8);
          mma16816(s[n], qa[kk][0], qa[kk][1], qa[kk][2], qa[kk][3], b0, b1);
        }
      }
      // Mask keys past the sequence's end; new running max per row (the 4 threads of a row group).
      float mxA = mA, mxB = mB;
#pragma unroll
      for (int n = 0; n < MMA_KEYS / 8; n++) {
        int key = k0 + n * 8 + 2 * t;
        if (key >= len) { s[n][0] = -INFINITY; s[n][2] = -INFINITY; }
        if (key + 1 >= len) { s[n][1] = -INFINITY; s[n][3] = -INFINITY; }
        mxA = fmaxf(mxA, fmaxf(s[n][0], s[n][1]));
        mxB = fmaxf(mxB, fmaxf(s[n][2], s[n][3]));
      }
      mxA = fmaxf(mxA, __shfl_xor_sync(QUARRY_FULL_MASK, mxA, 1));
      mxA = fmaxf(mxA, __shfl_xor_sync(QUARRY_FULL_MASK, mxA, 2));
      mxB = fmaxf(mxB, __shfl_xor_sync(QUARRY_FULL_MASK, mxB, 1));
      mxB = fmaxf(mxB, __shfl_xor_sync(QUARRY_FULL_MASK, mxB, 2));
      const float cA = exp2f(mA - mxA), cB = exp2f(mB - mxB);
      mA = mxA;
      mB = mxB;
      lA *= cA;
      lB *= cB;
#pragma unroll
      for (int n = 0; n < DTILES; n++) {
        o[n][0] *= cA; o[n][1] *= cA;
        o[n][2] *= cB; o[n][3] *= cB;
      }
      // P = exp2(S - max) as fp16 A fragments; O += P . V (V^T fragments by ldmatrix.trans).
#pragma unroll
      for (int kk = 0; kk < MMA_KEYS / 16; kk++) {
        float p[2][4];
#pragma unroll
        for (int j = 0; j < 2; j++) {
          p[j][0] = exp2f(s[2 * kk + j][0] - mxA);
          p[j][1] = exp2f(s[2 * kk + j][1] - mxA);
          p[j][2] = exp2f(s[2 * kk + j][2] - mxB);
          p[j][3] = exp2f(s[2 * kk + j][3] - mxB);
          lA += p[j][0] + p[j][1];
          lB += p[j][2] + p[j][3];
        }
        uint32_t a0 = pack_half2(p[0][0], p[0][1]);
        uint32_t a1 = pack_half2(p[0][2], p[0][3]);
        uint32_t a2 = pack_half2(p[1][0], p[1][1]);
        uint32_t a3 = pack_half2(p[1][2], p[1][3]);
        // Matrices of one x4 load: keys kk*16 + {0..7, 8..15} x dims n*8 + {0..7, 8..15}.
        const int key = kk * 16 + ((lane >> 3) & 1) * 8 + (lane & 7);
#pragma unroll
        for (int n = 0; n < DTILES; n += 2) {
          const int d = n * 8 + (lane >> 4) * 8;
          uint32_t b0, b1, b2, b3;
          asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                       : "=r"(b0), "=r"(b1), "=r"(b2), "=r"(b3)
                       : "r"(smem_u32(&vs[buf][key][d])));
          mma16816(o[n], a0, a1, a2, a3, b0, b1);
          mma16816(o[n + 1], a0, a1, a2, a3, b2, b3);
        }
      }
    }
    __syncthreads();  // the next iteration's copy overwrites this buffer
  }
  if (!warpActive) return;
  lA += __shfl_xor_sync(QUARRY_FULL_MASK, lA, 1);
  lA += __shfl_xor_sync(QUARRY_FULL_MASK, lA, 2);
  lB += __shfl_xor_sync(QUARRY_FULL_MASK, lB, 1);
  lB += __shfl_xor_sync(QUARRY_FULL_MASK, lB, 2);
  const float invA = 1.f / lA, invB = 1.f / lB;
  const float* bv = bias + 2 * hidden + col;
#pragma unroll
  for (int n = 0; n < DTILES; n++) {
    int d = n * 8 + 2 * t;
    float2 b = make_float2(bv[d], bv[d + 1]);
    if (rowA < len) {
      *reinterpret_cast<__half2*>(context + (size_t) (start + rowA) * hidden + col + d) =
          __floats2half2_rn(o[n][0] * invA + b.x, o[n][1] * invA + b.y);
    }
    if (rowB < len) {
      *reinterpret_cast<__half2*>(context + (size_t) (start + rowB) * hidden + col + d) =
          __floats2half2_rn(o[n][2] * invB + b.x, o[n][3] * invB + b.y);
    }
  }
}

extern "C" __global__ void __launch_bounds__(MMA_THREADS) attention_mma_d32(const __half* __restrict__ qkv,
    const float* __restrict__ bias, const int* __restrict__ starts, __half* __restrict__ context,
    int hidden, float scaleLog2) {
  attention_mma_impl<32>(qkv, bias, starts, context, hidden, scaleLog2);
}

extern "C" __global__ void __launch_bounds__(MMA_THREADS) attention_mma_d64(const __half* __restrict__ qkv,
    const float* __restrict__ bias, const int* __restrict__ starts, __half* __restrict__ context,
    int hidden, float scaleLog2) {
  attention_mma_impl<64>(qkv, bias, starts, context, hidden, scaleLog2);
}

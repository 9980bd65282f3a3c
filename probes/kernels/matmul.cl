// Tier 5: C[M,N] = A[M,K] * B[K,N], row-major f32, 16x16 tiles in LDS.
// Launch: block (16,16), grid (ceil(N/16), ceil(M/16)).
#include "common.h"
#define TILE 16
__kernel void matmul(__global const float *A, __global const float *B, __global float *C,
                     uint M, uint N, uint K) {
  __local float As[TILE][TILE];
  __local float Bs[TILE][TILE];
  uint tx = LID_X(), ty = LID_Y();
  uint col = WGID_X() * TILE + tx;
  uint row = WGID_Y() * TILE + ty;
  float acc = 0.0f;
  for (uint t = 0; t < K; t += TILE) {
    As[ty][tx] = (row < M && t + tx < K) ? A[row * K + t + tx] : 0.0f;
    Bs[ty][tx] = (col < N && t + ty < K) ? B[(t + ty) * N + col] : 0.0f;
    BARRIER();
    for (uint k = 0; k < TILE; ++k) acc = __builtin_fmaf(As[ty][k], Bs[k][tx], acc);
    BARRIER();
  }
  if (row < M && col < N) C[row * N + col] = acc;
}

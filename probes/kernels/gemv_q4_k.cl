// Tier 5: y[r] = sum_c W[r,c] * x[c], W in ggml Q4_K super-blocks
// (block_q4_K = { half d; half dmin; uchar scales[12]; uchar qs[128]; }, 144 bytes,
// 256 weights; dequantisation as ggml's dequantize_row_q4_K / get_scale_min_k4).
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
#include "common.h"
#define QK_K 256
#define Q4_K_BYTES 144
static inline void scale_min_k4(uint j, __global const uchar *q, float *d, float *m) {
  if (j < 4) {
    *d = (float)(q[j] & 63);
    *m = (float)(q[j + 4] & 63);
  } else {
    *d = (float)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *m = (float)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}
__kernel void gemv_q4_k(__global const uchar *W, __global const float *x, __global float *y,
                        uint rows, uint cols) {
  uint r = GID_X();
  if (r >= rows) return;
  uint nb = cols / QK_K;
  __global const uchar *row = W + (ulong)r * nb * Q4_K_BYTES;
  float acc = 0.0f;
  for (uint b = 0; b < nb; ++b) {
    __global const uchar *blk = row + b * Q4_K_BYTES;
    float d = (float)*(__global const half *)blk;
    float dmin = (float)*(__global const half *)(blk + 2);
    __global const uchar *scales = blk + 4;
    __global const uchar *q = blk + 16;
    __global const float *xb = x + b * QK_K;
    for (uint j = 0; j < QK_K / 64; ++j) {
      float sc1, m1, sc2, m2;
      scale_min_k4(2 * j, scales, &sc1, &m1);
      scale_min_k4(2 * j + 1, scales, &sc2, &m2);
      float d1 = d * sc1, mm1 = dmin * m1, d2 = d * sc2, mm2 = dmin * m2;
      for (uint l = 0; l < 32; ++l) {
        uchar v = q[32 * j + l];
        acc = __builtin_fmaf(d1 * (float)(v & 0xF) - mm1, xb[64 * j + l], acc);
        acc = __builtin_fmaf(d2 * (float)(v >> 4) - mm2, xb[64 * j + 32 + l], acc);
      }
    }
  }
  y[r] = acc;
}

// Tier 5: y[r] = sum_c W[r,c] * x[c], W in ggml Q8_0 blocks
// (block_q8_0 = { half d; int8 qs[32]; }, 34 bytes), one work-item per row.
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
#include "common.h"
#define QK8_0 32
#define Q8_0_BYTES 34
__kernel void gemv_q8_0(__global const uchar *W, __global const float *x, __global float *y,
                        uint rows, uint cols) {
  uint r = GID_X();
  if (r >= rows) return;
  uint nb = cols / QK8_0;
  __global const uchar *row = W + (ulong)r * nb * Q8_0_BYTES;
  float acc = 0.0f;
  for (uint b = 0; b < nb; ++b) {
    __global const uchar *blk = row + b * Q8_0_BYTES;
    float d = (float)*(__global const half *)blk;
    __global const char *qs = (__global const char *)(blk + 2);
    float s = 0.0f;
    for (uint i = 0; i < QK8_0; ++i) s = __builtin_fmaf((float)qs[i], x[b * QK8_0 + i], s);
    acc = __builtin_fmaf(d, s, acc);
  }
  y[r] = acc;
}

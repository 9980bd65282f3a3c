// Tier 6: memory bandwidth. Grid-stride loops over float4 elements.
#include "common.h"
__kernel void read_sum(__global const float4 *src, __global float *out, uint n) {
  uint i = GID_X();
  uint stride = __builtin_amdgcn_grid_size_x();
  float4 acc = (float4)(0.0f);
  for (; i < n; i += stride) acc += src[i];
  out[GID_X()] = acc.x + acc.y + acc.z + acc.w;
}
__kernel void copy(__global const float4 *src, __global float4 *dst, uint n) {
  uint stride = __builtin_amdgcn_grid_size_x();
  for (uint i = GID_X(); i < n; i += stride) dst[i] = src[i];
}

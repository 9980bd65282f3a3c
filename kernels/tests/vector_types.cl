#include "common.h"
__kernel void vector_types(__global float4 *out, __global const float4 *a, __global const int4 *b, __global uchar4 *c) {
  size_t i = get_global_id(0);
  float4 x = a[i];
  int4 y = b[i];
  out[i] = x * __builtin_convertvector(y, float4) + (float4)(1.0f, 2.0f, 3.0f, 4.0f);
  c[i] = __builtin_convertvector(y & 255, uchar4);
}

#include "common.h"
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
__kernel void f16_cvt(__global float *out, __global half *h, __global const float *a) {
  size_t i = get_global_id(0);
  half x = (half)a[i];
  h[i] = x;
  out[i] = (float)(x * x) + (float)h[i + 1];
}

#include "common.h"
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
__kernel void f16_math(__global half *out, __global const half *a, __global const half *b) {
  size_t i = get_global_id(0);
  half x = a[i], y = b[i];
  out[i] = x * y + (half)1.5 - x / (y + (half)2.0);
}

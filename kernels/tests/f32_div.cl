#include "common.h"
__kernel void f32_div(__global float *out, __global const float *a, __global const float *b) {
  size_t i = get_global_id(0);
  out[i] = a[i] / b[i];
}

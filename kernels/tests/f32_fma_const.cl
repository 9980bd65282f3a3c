#include "common.h"
__kernel void f32_fma_const(__global float *out, __global const float *a) {
  size_t i = get_global_id(0);
  float x = a[i];
  out[i] = fma(x, 1.5f, 0.15915494f) * 3.14159f + x * 0.1f - 1.0f;
}

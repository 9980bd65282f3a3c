#include "common.h"
__kernel void f32_math(__global float *out, __global const float *a) {
  size_t i = get_global_id(0);
  float x = a[i];
  out[i] = __builtin_amdgcn_sqrtf(fabs(x)) + __builtin_amdgcn_exp2f(x) * 0.5f - __builtin_amdgcn_logf(x + 4.0f) + __builtin_amdgcn_rcpf(x) + floor(x) + fmin(x, 2.0f);
}

#include "common.h"
__kernel void cvt(__global float *f, __global int *s, __global uint *u, __global const float *a) {
  size_t i = get_global_id(0);
  float x = a[i];
  s[i] = (int)x;
  u[i] = (uint)(x * 2.0f);
  f[i] = (float)s[i + 1] + (float)u[i + 1];
}

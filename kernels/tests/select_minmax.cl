#include "common.h"
__kernel void select_minmax(__global int *o, __global float *f, __global const int *a, __global const float *b) {
  size_t i = get_global_id(0);
  int x = a[i];
  float y = b[i];
  o[i] = max(min(x, 100), -100) + (x > 0 ? x : -x) + abs(x - 7) + mad24(x, x, 3) + mul24(x, 5);
  f[i] = y > 0.0f ? y : 0.25f * y;
  f[i + 1] = clamp(y, -1.0f, 1.0f) + copysign(2.0f, y) + fmax(y, -4.0f);
}

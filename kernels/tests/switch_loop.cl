#include "common.h"
__kernel void switch_loop(__global float *out, __global const int *op, __global const float *a, int n) {
  size_t i = get_global_id(0);
  float x = a[i];
  for (int k = 0; k < n; ++k) {
    switch (op[k]) {
    case 0: x = x + 1.0f; break;
    case 1: x = x * 2.0f; break;
    case 2: x = x - a[k]; break;
    default: x = -x; break;
    }
    if (x > 1000.0f) break;
  }
  out[i] = x;
}

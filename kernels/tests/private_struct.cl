#include "common.h"
typedef struct { float v[20]; int n; } acc_t;
__kernel void private_struct(__global float *out, __global const float *a, int sel) {
  acc_t s;
  size_t i = get_global_id(0);
  s.n = sel & 15;
  for (int k = 0; k < 20; ++k) s.v[k] = a[i * 20 + k];
  float t = 0;
  for (int k = 0; k < s.n; ++k) t += s.v[(k * 7 + sel) % 20];
  out[i] = t;
}

#include "common.h"
#define T 16
__kernel void matmul_tiled(__global float *c, __global const float *a, __global const float *b, int n) {
  __local float as[T][T], bs[T][T];
  int r = get_global_id(1), col = get_global_id(0), lr = get_local_id(1), lc = get_local_id(0);
  float acc = 0.0f;
  for (int t = 0; t < n / T; ++t) {
    as[lr][lc] = a[r * n + t * T + lc];
    bs[lr][lc] = b[(t * T + lr) * n + col];
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = 0; k < T; ++k) acc = fma(as[lr][k], bs[k][lc], acc);
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  c[r * n + col] = acc;
}

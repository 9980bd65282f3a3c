#include "common.h"
__kernel void int_arith(__global int *out, __global const int *a, __global const int *b, int k) {
  size_t i = get_global_id(0);
  int x = a[i], y = b[i];
  out[i] = (x + y) * k - (x >> 3) + (y << 2) ^ (x | y) & ~k;
}

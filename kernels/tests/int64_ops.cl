#include "common.h"
__kernel void int64_ops(__global long *out, __global const long *a, long k) {
  size_t i = get_global_id(0);
  long x = a[i];
  out[i] = x * k + (x >> 7) - (x << 3) + (long)(x < k) + (x / 3);
}

#include "common.h"
__kernel void bitops(__global uint *out, __global const uint *a) {
  size_t i = get_global_id(0);
  uint x = a[i];
  out[4 * i + 0] = popcount(x);
  out[4 * i + 1] = clz(x);
  out[4 * i + 2] = rotate(x, 5u);
  out[4 * i + 3] = (x & 0xff00ff00u) >> 8 | __builtin_bitreverse32(x);
}

#include "common.h"
__kernel void mul_hi_wide(__global uint *o, __global ulong *w, __global const uint *a, __global const uint *b) {
  size_t i = get_global_id(0);
  o[i] = mul_hi(a[i], b[i]) + mad_hi(a[i], b[i], 7u) + add_sat(a[i], b[i]);
  w[i] = (ulong)a[i] * (ulong)b[i] + hadd(a[i], b[i]);
}

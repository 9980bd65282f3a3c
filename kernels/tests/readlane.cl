#include "common.h"
__kernel void readlane(__global int *out, __global const int *a) {
  size_t i = get_global_id(0);
  int v = a[i];
  int f = __builtin_amdgcn_readfirstlane(v);
  int r = __builtin_amdgcn_readlane(v, 5);
  int r2 = __builtin_amdgcn_readlane(v, f & 31);
  out[i] = f + r + r2;
}

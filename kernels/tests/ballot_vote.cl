#include "common.h"
__kernel void ballot_vote(__global uint *out, __global const int *a) {
  size_t i = get_global_id(0);
  int v = a[i];
  uint lo = __builtin_amdgcn_mbcnt_lo(~0u, 0u);
  uint x = (uint)__builtin_amdgcn_ds_bpermute(0, v > 0) + lo;
  out[i] = x + __builtin_amdgcn_readfirstlane(v) * (lo == 0);
}

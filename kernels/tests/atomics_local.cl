#include "common.h"
__kernel void atomics_local(__global int *out, __global const int *a) {
  __local int hist[16];
  size_t l = get_local_id(0);
  if (l < 16) hist[l] = 0;
  barrier(CLK_LOCAL_MEM_FENCE);
  atomic_add(&hist[a[get_global_id(0)] & 15], 1);
  atomic_min(&hist[0], a[get_global_id(0)]);
  barrier(CLK_LOCAL_MEM_FENCE);
  if (l < 16) out[get_group_id(0) * 16 + l] = hist[l];
}

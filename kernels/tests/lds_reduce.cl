#include "common.h"
__kernel void lds_reduce(__global float *out, __global const float *a) {
  __local float s[256];
  size_t l = get_local_id(0);
  s[l] = a[get_global_id(0)];
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint st = get_local_size(0) / 2; st > 0; st >>= 1) {
    if (l < st) s[l] += s[l + st];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (l == 0) out[get_group_id(0)] = s[0];
}

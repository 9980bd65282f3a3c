#include "common.h"
__kernel void barriers_fences(__global int *out, __global volatile int *flag) {
  __local int s[64];
  size_t l = get_local_id(0);
  s[l & 63] = (int)l;
  barrier(3);
  __builtin_amdgcn_fence(__ATOMIC_RELEASE, "agent");
  out[get_global_id(0)] = s[(l + 1) & 63] + flag[0];
  __builtin_amdgcn_s_sleep(2);
  __builtin_amdgcn_s_barrier();
}

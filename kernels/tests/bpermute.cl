#include "common.h"
__kernel void bpermute(__global int *out, __global const int *a) {
  size_t i = get_global_id(0);
  int v = a[i];
  out[i] = __builtin_amdgcn_ds_bpermute((int)((i + 1) & 31) * 4, v) + __builtin_amdgcn_ds_permute((int)((i * 3) & 31) * 4, v);
  out[i + 4096] = __builtin_amdgcn_ds_swizzle(v, 0x041f);
}

#include "common.h"
__kernel void dpp_mov(__global int *out, __global const int *a) {
  size_t i = get_global_id(0);
  int v = a[i];
  int s = v;
  s += __builtin_amdgcn_update_dpp(s, s, 0x111, 0xf, 0xf, false);
  s += __builtin_amdgcn_mov_dpp(s, 0x112, 0xf, 0xf, true);
  s += __builtin_amdgcn_update_dpp(0, s, 0x1b, 0xf, 0xf, false);
  s += __builtin_amdgcn_update_dpp(0, s, 0x141, 0xa, 0x5, true);
  s += __builtin_amdgcn_update_dpp(v, s, 0x140, 0xf, 0xf, false);
  out[i] = s;
}

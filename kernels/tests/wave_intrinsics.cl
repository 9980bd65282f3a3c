#include "common.h"
__kernel void wave_intrinsics(__global uint *out, __global const uint *a) {
  size_t i = get_global_id(0);
  uint v = a[i];
  out[i] = __builtin_amdgcn_ubfe(v, 3, 7) + __builtin_amdgcn_sbfe((int)v, 1, 9) + __builtin_amdgcn_alignbit(v, v + 1, 9) + __builtin_amdgcn_lerp(v, v * 3, 5) + __builtin_amdgcn_sad_u8(v, 17, 9) + (uint)__builtin_amdgcn_s_getreg(0x1801) ;
}

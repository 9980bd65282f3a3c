#include "common.h"
__kernel void dpp_float(__global float *out, __global const float *a) {
  size_t i = get_global_id(0);
  float v = a[i];
  float w = as_float(__builtin_amdgcn_update_dpp(0, as_int(v), 0x101, 0xf, 0xf, false));
  float z = as_float(__builtin_amdgcn_update_dpp(0, as_int(v), 0x121, 0xf, 0xf, true));
  out[i] = v + w * z;
}

#include "common.h"
__kernel void lds_transpose(__global float *out, __global const float *in, uint w, uint h) {
  __local float tile[16][17];
  uint x = get_global_id(0), y = get_global_id(1);
  uint lx = get_local_id(0), ly = get_local_id(1);
  tile[ly][lx] = in[y * w + x];
  barrier(CLK_LOCAL_MEM_FENCE);
  uint ox = get_group_id(1) * 16 + lx, oy = get_group_id(0) * 16 + ly;
  out[oy * h + ox] = tile[lx][ly];
}

#include "common.h"
__kernel void lds_dynamic(__global float2 *out, __global const float2 *a, __local float2 *tmp) {
  size_t l = get_local_id(0);
  tmp[l] = a[get_global_id(0)];
  barrier(CLK_LOCAL_MEM_FENCE);
  out[get_global_id(0)] = tmp[(l + 1) % get_local_size(0)] + tmp[l ^ 1];
}

#include "common.h"
__kernel void grid3d(__global uint *out) {
  uint x = get_global_id(0), y = get_global_id(1), z = get_global_id(2);
  uint w = get_global_size(0), h = get_global_size(1);
  out[(z * h + y) * w + x] = get_group_id(2) * 1000000 + get_local_id(1) * 1000 + get_local_id(0) + get_num_groups(2) + get_local_size(2) + get_global_offset(0);
}

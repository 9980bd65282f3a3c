#include "common.h"
__kernel void private_array(__global int *out, __global const int *a, int sel) {
  int tmp[64];
  size_t i = get_global_id(0);
  for (int k = 0; k < 64; ++k) tmp[k] = a[i + k] * k;
  out[i] = tmp[sel & 63] + tmp[(sel + (int)i) & 63];
}

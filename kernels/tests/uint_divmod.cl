#include "common.h"
__kernel void uint_divmod(__global uint *q, __global uint *r, __global const uint *a, uint d) {
  size_t i = get_global_id(0);
  q[i] = a[i] / d;
  r[i] = a[i] % (d + 3);
}

#include "common.h"
__kernel void atomics_global(__global int *ctr, __global uint *bits, __global int *mx, __global const int *a) {
  size_t i = get_global_id(0);
  int old = atomic_add(ctr, a[i]);
  atomic_or(bits, 1u << (i & 31));
  atomic_max(mx, a[i]);
  atomic_xchg(ctr + 1 + (old & 3), (int)i);
  atomic_cmpxchg(ctr + 8, 0, (int)i);
}

// Tier 4: c = a + b (built twice: wave32 and wave64).
#include "common.h"
__kernel void vadd(__global const float *a, __global const float *b, __global float *c, uint n) {
  uint i = GID_X();
  if (i < n) c[i] = a[i] + b[i];
}

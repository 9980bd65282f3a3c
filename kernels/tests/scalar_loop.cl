#include "common.h"
__kernel void scalar_loop(__global int *out, int n, int m) {
  int s = 0;
  for (int k = 0; k < n; ++k) s = s * 31 + (k ^ m) - (k >> 2);
  out[get_global_id(0)] = s + (n > 5 ? m : -m);
}

#include "common.h"
__kernel void control_flow(__global int *out, __global const int *a, int n) {
  size_t i = get_global_id(0);
  int v = a[i], acc = 0;
  if (v > 10) {
    for (int k = 0; k < n; ++k) acc += k * v;
  } else if (v < -5) {
    while (v < 100) { v = v * -2 + 1; acc ^= v; }
  } else {
    acc = -v;
  }
  out[i] = acc;
}

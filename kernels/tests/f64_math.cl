#include "common.h"
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void f64_math(__global double *out, __global const double *a, __global const double *b) {
  size_t i = get_global_id(0);
  double x = a[i], y = b[i];
  out[i] = fma(x, y, 1.0) + x * 0.5 - y + fmax(x, y);
}

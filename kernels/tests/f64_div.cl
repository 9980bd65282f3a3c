#include "common.h"
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void f64_div(__global double *out, __global const double *a, __global const double *b) {
  size_t i = get_global_id(0);
  out[i] = a[i] / b[i] + sqrt(a[i]);
}

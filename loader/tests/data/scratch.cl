// A private array indexed by a runtime value: forces private (scratch) memory.
#include "ocl.h"
__kernel void private_array(__global const int *idx, __global int *out, int n) {
    int buf[128];
    for (int i = 0; i < 128; i++) buf[i] = idx[i] * n;
    out[global_id(0)] = buf[idx[global_id(0)] & 127];
}

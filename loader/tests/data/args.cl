// Kernel arguments of every kind the loader must lay out.
#include "ocl.h"
typedef struct { float a; int b; double c; char d; } params_t;

__kernel void saxpy(float a, __global const float *x, __global float *y, uint n) {
    uint i = global_id(0);
    if (i < n) y[i] = a * x[i] + y[i];
}

__kernel void mixed(__global int *out, __constant int *table, params_t p, char c, short s,
                    long l, double d, __local float *dyn_lds) {
    uint l0 = lid(0);
    dyn_lds[l0] = (float)table[l0 & 3] + p.a + (float)p.b + (float)p.c + (float)p.d;
    local_barrier();
    out[global_id(0)] = (int)dyn_lds[(l0 + 1) % lsize(0)] + c + s + (int)l + (int)d;
}

__kernel void static_lds(__global float *out) {
    __local float tile[256];
    uint l0 = lid(0);
    tile[l0] = (float)l0;
    local_barrier();
    out[global_id(0)] = tile[255 - l0];
}

// Uses 3-D ids, the implicit-argument block (global offset, work dim), the dispatch packet
// pointer and the queue pointer, so its descriptor enables those user SGPRs.
__kernel void grid3d(__global uint *out) {
    const __constant uint *hsa_packet = (const __constant uint *)__builtin_amdgcn_dispatch_ptr();
    const __constant char *implicit = (const __constant char *)__builtin_amdgcn_implicitarg_ptr();
    ulong goff_x = *(const __constant ulong *)(implicit + 40);
    ushort dims = *(const __constant ushort *)(implicit + 64);
    uint i = global_id(0) + gsize(0) * (global_id(1) + gsize(1) * global_id(2));
    out[i] = gid(0) + gid(1) * 7 + gid(2) * 13 + lid(1) + lid(2) + (uint)goff_x + dims
           + hsa_packet[3] + (uint)(ulong)__builtin_amdgcn_queue_ptr();
}

// A pointer table in constant memory: the linker emits R_AMDGPU_RELATIVE64 dynamic
// relocations for it, which the loader applies at the load address.
__constant int lut_a[4] = {1, 2, 3, 4};
__constant int lut_b[4] = {10, 20, 30, 40};
__constant const __constant int *luts[2] = {lut_a, lut_b};

__kernel void lookup(__global int *out, uint sel) {
    out[global_id(0)] = luts[sel & 1][lid(0) & 3];
}

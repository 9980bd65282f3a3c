// Greedy sampling on the device, two passes. Ties resolve to the lowest index (as the CPU
// argmax); NaNs are skipped.
// argmax_partial: workgroup g scans x[g*chunk, umin(n, (g+1)*chunk)), writes part_val[g],
// part_idx[g] (-inf / 0xffffffff for an empty range). grid = ceil(n / chunk).
// argmax_final: one workgroup reduces n_parts partials into out_idx[0] (and out_val[0]).
#include "rocless.h"

static inline void better(float v, uint i, float* bv, uint* bi) {
    if (v > *bv || (v == *bv && i < *bi)) { *bv = v; *bi = i; }
}

static inline void block_argmax(float bv, uint bi, __local float* lv, __local uint* li) {
    uint t = TID();
    lv[t] = bv;
    li[t] = bi;
    BARRIER();
    for (uint s = WG / 2; s > 0; s >>= 1) {
        if (t < s) {
            float v = lv[t], o = lv[t + s];
            uint iv = li[t], io = li[t + s];
            if (o > v || (o == v && io < iv)) { lv[t] = o; li[t] = io; }
        }
        BARRIER();
    }
}

KERNEL void argmax_partial(const __global float* x, uint n, uint chunk, __global float* part_val,
                           __global uint* part_idx) {
    __local float lv[WG];
    __local uint li[WG];
    uint start = GID_X() * chunk;
    uint end = umin(n, start + chunk);
    float bv = NEG_INF;
    uint bi = 0xffffffffu;
    for (uint i = start + TID(); i < end; i += WG) better(x[i], i, &bv, &bi);
    block_argmax(bv, bi, lv, li);
    if (TID() == 0) { part_val[GID_X()] = lv[0]; part_idx[GID_X()] = li[0]; }
}

KERNEL void argmax_final(const __global float* part_val, const __global uint* part_idx, uint n_parts,
                         __global uint* out_idx, __global float* out_val) {
    __local float lv[WG];
    __local uint li[WG];
    float bv = NEG_INF;
    uint bi = 0xffffffffu;
    for (uint i = TID(); i < n_parts; i += WG) better(part_val[i], part_idx[i], &bv, &bi);
    block_argmax(bv, bi, lv, li);
    if (TID() == 0) { out_idx[0] = li[0]; out_val[0] = lv[0]; }
}

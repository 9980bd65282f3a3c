// Rotary position embedding, in place on x[n_heads][head_dim] (f32), first n_rot dims of
// each head. Pair i (0 <= i < n_rot/2) rotates by angle theta_i(pos): normal mode (llama,
// ggml GGML_ROPE_TYPE_NORMAL) pairs (2i, 2i+1); NEOX mode (gemma, GGML_ROPE_TYPE_NEOX)
// pairs (i, i + n_rot/2). The host supplies the angles' cosines and sines,
// cs[pos][i] = (cos, sin) (engine::model::ops::rope_table, the CPU reference's own values),
// so both engines rotate identically. One work-item per pair:
// grid = ceil(n_heads * n_rot/2 / 64).
#include "rocless.h"

// x0 c - x1 s and x0 s + x1 c with each product rounded, as the CPU computes them.
#pragma OPENCL FP_CONTRACT OFF

KERNEL void rope(__global float* x, uint n_heads, uint head_dim, uint n_rot, uint pos,
                 const __global float* cs, uint neox) {
    uint half_rot = n_rot / 2;
    uint g = GID_X() * WG + TID();
    if (g >= n_heads * half_rot) return;
    uint h = g / half_rot, i = g % half_rot;
    const __global float* a = cs + ((ulong)pos * half_rot + i) * 2;
    float c = a[0], s = a[1];
    uint i0 = neox ? i : 2 * i;
    uint i1 = neox ? i + half_rot : 2 * i + 1;
    __global float* xh = x + (ulong)h * head_dim;
    float x0 = xh[i0], x1 = xh[i1];
    xh[i0] = x0 * c - x1 * s;
    xh[i1] = x0 * s + x1 * c;
}

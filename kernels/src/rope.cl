// Rotary position embedding, in place on x[n_heads][head_dim] (f32), first n_rot dims of
// each head. Pair i (0 <= i < n_rot/2) rotates by theta = pos * freq_base^(-2i/n_rot):
// normal mode (llama, ggml GGML_ROPE_TYPE_NORMAL) pairs (2i, 2i+1); NEOX mode (gemma,
// GGML_ROPE_TYPE_NEOX) pairs (i, i + n_rot/2). One work-item per pair:
// grid = ceil(n_heads * n_rot/2 / 64).
#include "rocless.h"

KERNEL void rope(__global float* x, uint n_heads, uint head_dim, uint n_rot, uint pos,
                 float freq_base, uint neox) {
    uint half_rot = n_rot / 2;
    uint g = GID_X() * WG + TID();
    if (g >= n_heads * half_rot) return;
    uint h = g / half_rot, i = g % half_rot;
    float freq = __builtin_amdgcn_exp2f(-(float)(2 * i) / (float)n_rot * __builtin_amdgcn_logf(freq_base));
    // v_sin/v_cos take revolutions and are only accurate for small inputs: reduce first.
    float rev = (float)pos * freq * 0.15915494309189535f;
    rev = rev - __builtin_floorf(rev);
    float c = __builtin_amdgcn_cosf(rev), s = __builtin_amdgcn_sinf(rev);
    uint i0 = neox ? i : 2 * i;
    uint i1 = neox ? i + half_rot : 2 * i + 1;
    __global float* xh = x + (ulong)h * head_dim;
    float x0 = xh[i0], x1 = xh[i1];
    xh[i0] = x0 * c - x1 * s;
    xh[i1] = x0 * s + x1 * c;
}

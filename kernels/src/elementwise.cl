// Elementwise kernels, one work-item per element: grid = ceil(n / 64).
#include "rocless.h"

#define ELEM_INDEX()                      \
    uint i = GID_X() * WG + TID();        \
    if (i >= n) return;

// out = silu(gate) * up (llama FFN). out may alias gate or up.
KERNEL void glu_silu(const __global float* gate, const __global float* up, __global float* out, uint n) {
    ELEM_INDEX()
    float g = gate[i];
    out[i] = g / (1.0f + fexp(-g)) * up[i];
}

// out = gelu_tanh(gate) * up (gemma FFN, ggml_gelu tanh approximation).
KERNEL void glu_gelu_tanh(const __global float* gate, const __global float* up, __global float* out, uint n) {
    ELEM_INDEX()
    float g = gate[i];
    float t = ftanh(0.7978845608028654f * g * (1.0f + 0.044715f * g * g));
    out[i] = 0.5f * g * (1.0f + t) * up[i];
}

// out = a + b (residual add). out may alias a or b.
KERNEL void add_f32(const __global float* a, const __global float* b, __global float* out, uint n) {
    ELEM_INDEX()
    out[i] = a[i] + b[i];
}

// x = x * s.
KERNEL void scale_f32(__global float* x, uint n, float s) {
    ELEM_INDEX()
    x[i] *= s;
}

// Logit soft-capping (gemma 2): x = cap * tanh(x / cap).
KERNEL void softcap(__global float* x, uint n, float cap) {
    ELEM_INDEX()
    x[i] = cap * ftanh(x[i] / cap);
}

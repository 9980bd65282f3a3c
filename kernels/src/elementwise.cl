// Elementwise kernels, one work-item per element: grid = ceil(n / 64).
#include "rocless.h"
#include "expf.h"

#define ELEM_INDEX()                      \
    uint i = GID_X() * WG + TID();        \
    if (i >= n) return;

// out = silu(gate) * up (llama FFN) as the CPU reference computes it: g / (1 + exp(-g)) with
// glibc's expf (expf.h; `tab` = kernels::EXPF_TABLE) and an IEEE division (kernels/build.sh
// builds this file with -cl-fp32-correctly-rounded-divide-sqrt). out may alias gate or up.
KERNEL void glu_silu(const __global float* gate, const __global float* up, const __global ulong* tab,
                     __global float* out, uint n) {
    ELEM_INDEX()
    float g = gate[i];
    out[i] = g / (1.0f + expf_glibc(-g, tab)) * up[i];
}

// ggml's CPU GELU passes inputs beyond +-GELU_LIMIT through (x) or to 0 without the table.
#define GELU_LIMIT 10.0f

// out = gelu(gate) * up (gemma FFN) as ggml's CPU backend and the CPU reference engine
// compute GELU (GGML_GELU_FP16 in ggml-cpu/vec.h; engine::model::ops::gelu_ggml): gate <=
// -10 gives 0, gate >= 10 passes through, otherwise table[f16 bits of gate], where `table`
// (65536 floats, built by the host from the CPU function) holds the f16-rounded GELU-tanh of
// every half. A lookup makes it bit-identical to the CPU. out may alias gate or up.
KERNEL void glu_gelu_table(const __global float* gate, const __global float* up, const __global float* table,
                           __global float* out, uint n) {
    ELEM_INDEX()
    float g = gate[i];
    float a = g <= -GELU_LIMIT ? 0.0f : g >= GELU_LIMIT ? g : table[__builtin_astype((half)g, ushort)];
    out[i] = a * up[i];
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

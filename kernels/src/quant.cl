// Activation quantization for the integer GEMV kernels (gemv.cl), bit-identical to the CPU
// reference engine (engine/src/quant/q8.rs, after ggml-org/llama.cpp ggml-quants.c
// quantize_row_q8_1_ref / quantize_row_q8_K_ref), so the GPU and the CPU multiply the same
// integers. Layouts (n values, one buffer, byte offsets):
//   Q8  (blocks of 32, nb = n/32; serves Q8_0 and Q8_1 weights):
//       qs char[n] @0 | d float[nb] @n | s float[nb] @n+4nb
//       d = f16(amax/127), s = f16(d_unrounded * sum of the block's qs).
//   Q8K (blocks of 256, nb = n/256): qs char[n] @0 | d float[nb] @n | bsums short[16nb] @n+4nb
//
// Built with -cl-fp32-correctly-rounded-divide-sqrt (kernels/build.sh): OpenCL lets `a / b`
// be off by 2.5 ulp and clang-19 then emits v_rcp_f32 + v_mul_f32; the CPU divides exactly.
// No FP contraction: every product is rounded on its own, as in the Rust code.
//
// quantize_q8:  grid = ceil(nb / 2): one wave32 per block, one value per lane.
// quantize_q8k: grid = nb: one 64-item workgroup per block, 4 consecutive values per item.
#pragma OPENCL FP_CONTRACT OFF
#include "rocless.h"

// Largest quant magnitude of Q8_0/Q8_1/Q8_K (ggml: amax / 127, -127 / max, min(127)).
#define Q8_MAX 127

// ggml_fp32_to_fp16 then back (round to nearest even; v_cvt_f16_f32 in the default mode).
static inline float round_f16(float f) { return (float)(half)f; }

static inline int wave_sum_i(int v) {
    uint lane = TID() & (WAVE - 1);
    for (uint off = WAVE / 2; off > 0; off >>= 1)
        v += __builtin_amdgcn_ds_bpermute((int)((lane ^ off) << 2), v);
    return v;
}

static inline uint wave_min_u(uint v) {
    uint lane = TID() & (WAVE - 1);
    for (uint off = WAVE / 2; off > 0; off >>= 1) {
        uint o = (uint)__builtin_amdgcn_ds_bpermute((int)((lane ^ off) << 2), (int)v);
        v = o < v ? o : v;
    }
    return v;
}

KERNEL void quantize_q8(const __global float* x, __global uchar* out, uint n) {
    uint nb = n / 32;
    uint b = GID_X() * (WG / WAVE) + TID() / WAVE;
    if (b >= nb) return; // b is uniform across the wave: the butterflies below stay whole
    uint l = TID() & (WAVE - 1);
    float v = x[b * 32 + l];
    float amax = wave_max(__builtin_fabsf(v));
    float d = amax / (float)Q8_MAX;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    // roundf: half away from zero (llvm.round, an exact sequence on gfx10).
    int r = (int)__builtin_roundf(v * id);
    out[b * 32 + l] = (uchar)r;
    int sum = wave_sum_i(r);
    if (l == 0) {
        __global float* dp = (__global float*)(out + n);
        dp[b] = round_f16(d);
        dp[nb + b] = round_f16((float)sum * d);
    }
}

// Values per work-item in quantize_q8k, and per bsum.
#define Q8K_PER_ITEM 4
#define Q8K_BSUM 16

KERNEL void quantize_q8k(const __global float* x, __global uchar* out, uint n) {
    __local float tmp[2];
    __local uint tmpi[2];
    uint nb = n / 256;
    uint b = GID_X();
    uint t = TID();
    float4 v = ((const __global float4*)(x + b * 256))[t];
    // The first value of largest magnitude (strictly greater wins, as the CPU loop).
    float a = __builtin_fabsf(v.x);
    a = __builtin_fmaxf(a, __builtin_fabsf(v.y));
    a = __builtin_fmaxf(a, __builtin_fabsf(v.z));
    a = __builtin_fmaxf(a, __builtin_fabsf(v.w));
    float amax = block_max(a, tmp);
    uint first = __builtin_fabsf(v.x) == amax   ? 0
                 : __builtin_fabsf(v.y) == amax ? 1
                 : __builtin_fabsf(v.z) == amax ? 2
                 : __builtin_fabsf(v.w) == amax ? 3
                                                : Q8K_PER_ITEM;
    uint idx = first < Q8K_PER_ITEM ? t * Q8K_PER_ITEM + first : 0xffffffffu;
    idx = wave_min_u(idx);
    if ((t & (WAVE - 1)) == 0) tmpi[t / WAVE] = idx;
    BARRIER();
    idx = tmpi[0] < tmpi[1] ? tmpi[0] : tmpi[1];
    __global float* dp = (__global float*)(out + n);
    __global short* bsums = (__global short*)(dp + nb) + b * (256 / Q8K_BSUM);
    int q0 = 0, q1 = 0, q2 = 0, q3 = 0;
    float iscale = 0.0f;
    if (amax != 0.0f) {
        iscale = -(float)Q8_MAX / x[b * 256 + idx];
        // nearest_int: round half to even; never above 127.
        q0 = (int)__builtin_rintf(iscale * v.x);
        q1 = (int)__builtin_rintf(iscale * v.y);
        q2 = (int)__builtin_rintf(iscale * v.z);
        q3 = (int)__builtin_rintf(iscale * v.w);
        q0 = q0 < Q8_MAX ? q0 : Q8_MAX;
        q1 = q1 < Q8_MAX ? q1 : Q8_MAX;
        q2 = q2 < Q8_MAX ? q2 : Q8_MAX;
        q3 = q3 < Q8_MAX ? q3 : Q8_MAX;
    }
    ((__global uint*)(out + b * 256))[t] =
        (uint)(q0 & 255) | ((uint)(q1 & 255) << 8) | ((uint)(q2 & 255) << 16) | ((uint)(q3 & 255) << 24);
    // bsums: the 4 items of each 16 values (lanes 4j..4j+3 of the wave).
    int s = q0 + q1 + q2 + q3;
    uint lane = t & (WAVE - 1);
    s += __builtin_amdgcn_ds_bpermute((int)((lane ^ 1) << 2), s);
    s += __builtin_amdgcn_ds_bpermute((int)((lane ^ 2) << 2), s);
    if ((t & (Q8K_BSUM / Q8K_PER_ITEM - 1)) == 0) bsums[t / (Q8K_BSUM / Q8K_PER_ITEM)] = (short)s;
    if (t == 0) dp[b] = amax != 0.0f ? 1.0f / iscale : 0.0f;
}

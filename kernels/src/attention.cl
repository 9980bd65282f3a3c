// Decode attention: one query token (all heads) against an f32 KV cache.
// q: [n_head][head_dim]; k, v: [position][n_kv_head][head_dim]; out: [n_head][head_dim].
// GQA: query head h reads kv head h / (n_head / n_kv_head). Positions attended:
// [lo, kv_len) with lo = window ? max(0, kv_len - window) : 0 (sliding window).
// The arithmetic is the CPU reference's (engine/src/model/forward.rs, after llama.cpp with
// its default F16 KV cache, non-flash path), bit for bit: q is scaled by q_scale and rounded
// through f16; K and V are rounded through f16 where they are read (the cache holds f32;
// rounding is idempotent, so a cache filled by the CPU engine reads the same);
// score = (sum over d in order of q[d] k[d]) * score_scale; softmax: m = max score,
// e = exp(score - m) with glibc's expf (expf.h, `tab` = kernels::EXPF_TABLE), sum of e in
// f64, inv = (float)(1 / sum), weight = f16(e * inv); out[d] = sum over positions in order
// of weight * v[d]. The weights need the final max and sum, so every head makes three passes
// over its positions in chunks of 64 (any length fits in fixed LDS): max, sum, weighted V.
// Limits: head_dim <= 256 and head_dim % 4 == 0.
//
// attn_decode:       grid [n_head, 1], writes out.
// Split-K (long contexts): split s of a head covers [lo + s*split_len, ...) (maybe empty):
// attn_max_split:    grid [n_head, n_split], maxes[h*n_split + s] = the split's max score
//                    (-inf when empty).
// attn_sum_split:    grid [n_head, n_split], sums[h*n_split + s] = the split's sum of
//                    exp(score - m), m the head's max (double).
// attn_decode_split: grid [n_head, n_split], part[(h*n_split + s)*head_dim ...] = the split's
//                    share of the output (normalised weights).
// attn_combine:      grid [n_head, 1], out = the sum of the n_split parts of each head, in
//                    split order (a split covers its positions in order, so only the
//                    grouping of the sum over positions differs from the CPU's).
#include "rocless.h"
#include "expf.h"

// The dot products and the weighted sum over V add in the CPU's order, each product
// rounded on its own (no fused multiply-adds), so they are the CPU's bit for bit.
#pragma OPENCL FP_CONTRACT OFF

#define MAX_HD 256
#define PER_ITEM (MAX_HD / WG)

// ggml_fp32_to_fp16 then back (round to nearest even).
static inline float round_f16(float f) { return (float)(half)f; }

// Loads the head's query into LDS, scaled and rounded as the CPU does.
static inline void load_q(const __global float* q, uint head_dim, float q_scale, __local float* qs) {
    for (uint d = TID(); d < head_dim; d += WG) qs[d] = round_f16(q[GID_X() * head_dim + d] * q_scale);
    BARRIER();
}

// score_scale * q.k for position pos (f16-rounded K), or -inf past the end.
static inline float score(const __global float* k, const __local float* qs, uint pos, uint end,
                          uint stride, uint kv_off, uint head_dim, float score_scale) {
    if (pos >= end) return NEG_INF;
    const __global float4* kr = (const __global float4*)(k + (ulong)pos * stride + kv_off);
    // engine::model::ops::dot_lanes: element i adds into lane i % 8, the lanes then pair up
    // as ((0 + 4) + (2 + 6)) + ((1 + 5) + (3 + 7)).
    float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f, a4 = 0.0f, a5 = 0.0f, a6 = 0.0f, a7 = 0.0f;
    uint d = 0;
    for (; d + 2 <= head_dim / 4; d += 2) {
        float4 lo = kr[d], hi = kr[d + 1];
        a0 += round_f16(lo.x) * qs[4 * d];
        a1 += round_f16(lo.y) * qs[4 * d + 1];
        a2 += round_f16(lo.z) * qs[4 * d + 2];
        a3 += round_f16(lo.w) * qs[4 * d + 3];
        a4 += round_f16(hi.x) * qs[4 * d + 4];
        a5 += round_f16(hi.y) * qs[4 * d + 5];
        a6 += round_f16(hi.z) * qs[4 * d + 6];
        a7 += round_f16(hi.w) * qs[4 * d + 7];
    }
    if (d < head_dim / 4) { // head_dim % 8 == 4: the tail lands in lanes 0..3
        float4 lo = kr[d];
        a0 += round_f16(lo.x) * qs[4 * d];
        a1 += round_f16(lo.y) * qs[4 * d + 1];
        a2 += round_f16(lo.z) * qs[4 * d + 2];
        a3 += round_f16(lo.w) * qs[4 * d + 3];
    }
    float s = ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7));
    return s * score_scale;
}

// Which KV head query head GID_X() reads, as an offset into a cache row.
static inline uint kv_offset(uint n_head, uint n_kv_head, uint head_dim) {
    return GID_X() / (n_head / n_kv_head) * head_dim;
}

// Max score over [start, end) (-inf when empty): exact in any order.
static inline float max_score(const __global float* k, uint n_head, uint n_kv_head, uint head_dim, uint start,
                              uint end, float score_scale, const __local float* qs, __local float* tmp) {
    uint stride = n_kv_head * head_dim, kv_off = kv_offset(n_head, n_kv_head, head_dim);
    float m = NEG_INF;
    for (uint base = start; base < end; base += WG)
        m = __builtin_fmaxf(m, block_max(score(k, qs, base + TID(), end, stride, kv_off, head_dim, score_scale), tmp));
    return m;
}

// Sum over [start, end) of exp(score - m), in f64 (every item gets it). The f64 sum of f32
// terms is exact to ~1e-16, so its f32 reciprocal matches the CPU's sequential sum.
static inline double sum_exp(const __global float* k, const __global ulong* tab, uint n_head, uint n_kv_head,
                             uint head_dim, uint start, uint end, float score_scale, float m,
                             const __local float* qs, __local double* tmpd) {
    uint stride = n_kv_head * head_dim, kv_off = kv_offset(n_head, n_kv_head, head_dim);
    double sum = 0.0;
    for (uint base = start; base < end; base += WG) {
        uint pos = base + TID();
        float sc = score(k, qs, pos, end, stride, kv_off, head_dim, score_scale);
        if (pos < end) sum += (double)expf_glibc(sc - m, tab);
    }
    sum = wave_sum_d(sum);
    if ((TID() & (WAVE - 1)) == 0) tmpd[TID() / WAVE] = sum;
    BARRIER();
    sum = tmpd[0] + tmpd[1];
    BARRIER();
    return sum;
}

// acc[j] = sum over [start, end) in order of f16(exp(score - m) * inv) * f16(v[d]) for
// d = TID() + j * WG.
static inline void weighted_v(const __global float* k, const __global float* v, const __global ulong* tab,
                              uint n_head, uint n_kv_head, uint head_dim, uint start, uint end, float score_scale,
                              float m, float inv, const __local float* qs, __local float* ps, float acc[PER_ITEM]) {
    uint t = TID();
    uint stride = n_kv_head * head_dim, kv_off = kv_offset(n_head, n_kv_head, head_dim);
    for (uint j = 0; j < PER_ITEM; j++) acc[j] = 0.0f;
    for (uint base = start; base < end; base += WG) {
        uint pos = base + t;
        float sc = score(k, qs, pos, end, stride, kv_off, head_dim, score_scale);
        ps[t] = pos < end ? round_f16(expf_glibc(sc - m, tab) * inv) : 0.0f;
        BARRIER();
        uint cnt = umin((uint)WG, end - base);
        for (uint j = 0; j < PER_ITEM; j++) {
            uint d = t + j * WG;
            if (d < head_dim) {
                const __global float* vc = v + (ulong)base * stride + kv_off + d;
                float a = acc[j];
                for (uint c = 0; c < cnt; c++) a += ps[c] * round_f16(vc[(ulong)c * stride]);
                acc[j] = a;
            }
        }
        BARRIER();
    }
}

static inline uint window_lo(uint kv_len, uint window) {
    return (window != 0 && kv_len > window) ? kv_len - window : 0;
}

KERNEL void attn_decode(const __global float* q, const __global float* k, const __global float* v,
                        const __global ulong* tab, __global float* out, uint n_head, uint n_kv_head,
                        uint head_dim, uint kv_len, uint window, float q_scale, float score_scale) {
    __local float qs[MAX_HD], ps[WG], tmp[2];
    __local double tmpd[2];
    uint lo = window_lo(kv_len, window);
    load_q(q, head_dim, q_scale, qs);
    float m = max_score(k, n_head, n_kv_head, head_dim, lo, kv_len, score_scale, qs, tmp);
    double sum = sum_exp(k, tab, n_head, n_kv_head, head_dim, lo, kv_len, score_scale, m, qs, tmpd);
    float inv = (float)(1.0 / sum);
    float acc[PER_ITEM];
    weighted_v(k, v, tab, n_head, n_kv_head, head_dim, lo, kv_len, score_scale, m, inv, qs, ps, acc);
    for (uint j = 0; j < PER_ITEM; j++) {
        uint d = TID() + j * WG;
        if (d < head_dim) out[GID_X() * head_dim + d] = acc[j];
    }
}

// The positions [start, end) of split GID_Y().
static inline void split_range(uint kv_len, uint window, uint split_len, uint* start, uint* end) {
    uint s = window_lo(kv_len, window) + GID_Y() * split_len;
    *start = umin(s, kv_len);
    *end = umin(kv_len, s + split_len);
}

// The head's max score from its splits'.
static inline float head_max(const __global float* maxes, uint n_split) {
    const __global float* mh = maxes + (ulong)GID_X() * n_split;
    float m = NEG_INF;
    for (uint s = 0; s < n_split; s++) m = __builtin_fmaxf(m, mh[s]);
    return m;
}

KERNEL void attn_max_split(const __global float* q, const __global float* k, __global float* maxes,
                           uint n_head, uint n_kv_head, uint head_dim, uint kv_len, uint window,
                           float q_scale, float score_scale, uint split_len, uint n_split) {
    __local float qs[MAX_HD], tmp[2];
    uint start, end;
    split_range(kv_len, window, split_len, &start, &end);
    load_q(q, head_dim, q_scale, qs);
    float m = max_score(k, n_head, n_kv_head, head_dim, start, end, score_scale, qs, tmp);
    if (TID() == 0) maxes[GID_X() * n_split + GID_Y()] = m;
}

KERNEL void attn_sum_split(const __global float* q, const __global float* k, const __global ulong* tab,
                           const __global float* maxes, __global double* sums, uint n_head, uint n_kv_head,
                           uint head_dim, uint kv_len, uint window, float q_scale, float score_scale,
                           uint split_len, uint n_split) {
    __local float qs[MAX_HD];
    __local double tmpd[2];
    uint start, end;
    split_range(kv_len, window, split_len, &start, &end);
    float m = head_max(maxes, n_split);
    load_q(q, head_dim, q_scale, qs);
    double sum = sum_exp(k, tab, n_head, n_kv_head, head_dim, start, end, score_scale, m, qs, tmpd);
    if (TID() == 0) sums[GID_X() * n_split + GID_Y()] = sum;
}

KERNEL void attn_decode_split(const __global float* q, const __global float* k, const __global float* v,
                              const __global ulong* tab, const __global float* maxes,
                              const __global double* sums, __global float* part, uint n_head,
                              uint n_kv_head, uint head_dim, uint kv_len, uint window, float q_scale,
                              float score_scale, uint split_len, uint n_split) {
    __local float qs[MAX_HD], ps[WG];
    uint start, end;
    split_range(kv_len, window, split_len, &start, &end);
    float m = head_max(maxes, n_split);
    double sum = 0.0;
    for (uint s = 0; s < n_split; s++) sum += sums[GID_X() * n_split + s];
    float inv = (float)(1.0 / sum);
    load_q(q, head_dim, q_scale, qs);
    float acc[PER_ITEM];
    weighted_v(k, v, tab, n_head, n_kv_head, head_dim, start, end, score_scale, m, inv, qs, ps, acc);
    __global float* pr = part + (ulong)(GID_X() * n_split + GID_Y()) * head_dim;
    for (uint j = 0; j < PER_ITEM; j++) {
        uint d = TID() + j * WG;
        if (d < head_dim) pr[d] = acc[j];
    }
}

KERNEL void attn_combine(const __global float* part, __global float* out, uint head_dim, uint n_split) {
    const __global float* ph = part + (ulong)GID_X() * n_split * head_dim;
    for (uint d = TID(); d < head_dim; d += WG) {
        float a = 0.0f;
        for (uint s = 0; s < n_split; s++) a += ph[s * head_dim + d];
        out[GID_X() * head_dim + d] = a;
    }
}

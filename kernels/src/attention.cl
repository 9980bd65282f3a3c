// Decode attention: one query token (all heads) against an f32 KV cache.
// q: [n_head][head_dim]; k, v: [position][n_kv_head][head_dim]; out: [n_head][head_dim].
// GQA: query head h reads kv head h / (n_head / n_kv_head). Positions attended:
// [lo, kv_len) with lo = window ? max(0, kv_len - window) : 0 (sliding window).
// score = scale * q.k; softmax is computed online in chunks of 64 positions (running max m,
// running sum l, rescaled accumulator), so any length fits in fixed LDS.
// Limits: head_dim <= 256 and head_dim % 4 == 0.
//
// attn_decode:       grid [n_head, 1],       writes out.
// attn_decode_split: grid [n_head, n_split], split s covers [lo + s*split_len, ...) and
//                    writes part[(h*n_split + s)*(head_dim+2) ...] = m, l, acc[head_dim]
//                    (unnormalised; empty splits write m = -inf, l = 0).
// attn_combine:      grid [n_head, 1], merges the n_split partials of each head into out.
#include "rocless.h"

#define MAX_HD 256
#define PER_ITEM (MAX_HD / WG)

static inline void attend(const __global float* q, const __global float* k, const __global float* v,
                          uint n_head, uint n_kv_head, uint head_dim, uint start, uint end, float scale,
                          float* m_out, float* l_out, float acc[PER_ITEM], __local float* qs,
                          __local float* ps, __local float* tmp) {
    uint t = TID();
    uint h = GID_X();
    uint kvh = h / (n_head / n_kv_head);
    uint stride = n_kv_head * head_dim;
    for (uint d = t; d < head_dim; d += WG) qs[d] = q[h * head_dim + d] * scale;
    BARRIER();
    float m = NEG_INF, l = 0.0f;
    for (uint j = 0; j < PER_ITEM; j++) acc[j] = 0.0f;
    for (uint base = start; base < end; base += WG) {
        uint pos = base + t;
        float sc = NEG_INF;
        if (pos < end) {
            const __global float4* kr = (const __global float4*)(k + (ulong)pos * stride + kvh * head_dim);
            float s = 0.0f;
            for (uint d = 0; d < head_dim / 4; d++) {
                float4 kk = kr[d];
                s += kk.x * qs[4 * d] + kk.y * qs[4 * d + 1] + kk.z * qs[4 * d + 2] + kk.w * qs[4 * d + 3];
            }
            sc = s;
        }
        float m_new = __builtin_fmaxf(m, block_max(sc, tmp));
        float p = pos < end ? fexp(sc - m_new) : 0.0f;
        float corr = fexp(m - m_new); // m = -inf on the first chunk: 0
        l = l * corr + block_sum(p, tmp);
        ps[t] = p;
        BARRIER();
        uint cnt = umin((uint)WG, end - base);
        for (uint j = 0; j < PER_ITEM; j++) {
            uint d = t + j * WG;
            if (d < head_dim) {
                const __global float* vc = v + (ulong)base * stride + kvh * head_dim + d;
                float a = acc[j] * corr;
                for (uint c = 0; c < cnt; c++) a += ps[c] * vc[(ulong)c * stride];
                acc[j] = a;
            }
        }
        BARRIER();
        m = m_new;
    }
    *m_out = m;
    *l_out = l;
}

static inline uint window_lo(uint kv_len, uint window) {
    return (window != 0 && kv_len > window) ? kv_len - window : 0;
}

KERNEL void attn_decode(const __global float* q, const __global float* k, const __global float* v,
                        __global float* out, uint n_head, uint n_kv_head, uint head_dim, uint kv_len,
                        uint window, float scale) {
    __local float qs[MAX_HD], ps[WG], tmp[2];
    float m, l, acc[PER_ITEM];
    attend(q, k, v, n_head, n_kv_head, head_dim, window_lo(kv_len, window), kv_len, scale, &m, &l, acc, qs, ps, tmp);
    float inv = l > 0.0f ? 1.0f / l : 0.0f;
    for (uint j = 0; j < PER_ITEM; j++) {
        uint d = TID() + j * WG;
        if (d < head_dim) out[GID_X() * head_dim + d] = acc[j] * inv;
    }
}

KERNEL void attn_decode_split(const __global float* q, const __global float* k, const __global float* v,
                              __global float* part, uint n_head, uint n_kv_head, uint head_dim,
                              uint kv_len, uint window, float scale, uint split_len, uint n_split) {
    uint lo = window_lo(kv_len, window);
    uint start = lo + GID_Y() * split_len;
    uint end = umin(kv_len, start + split_len);
    if (start > kv_len) start = kv_len;
    __local float qs[MAX_HD], ps[WG], tmp[2];
    float m, l, acc[PER_ITEM];
    attend(q, k, v, n_head, n_kv_head, head_dim, start, end, scale, &m, &l, acc, qs, ps, tmp);
    __global float* pr = part + (ulong)(GID_X() * n_split + GID_Y()) * (head_dim + 2);
    if (TID() == 0) { pr[0] = m; pr[1] = l; }
    for (uint j = 0; j < PER_ITEM; j++) {
        uint d = TID() + j * WG;
        if (d < head_dim) pr[2 + d] = acc[j];
    }
}

KERNEL void attn_combine(const __global float* part, __global float* out, uint head_dim, uint n_split) {
    const __global float* ph = part + (ulong)GID_X() * n_split * (head_dim + 2);
    float mx = NEG_INF;
    for (uint s = 0; s < n_split; s++) mx = __builtin_fmaxf(mx, ph[s * (head_dim + 2)]);
    float l = 0.0f;
    for (uint s = 0; s < n_split; s++) {
        float ms = ph[s * (head_dim + 2)];
        if (ms != NEG_INF) l += ph[s * (head_dim + 2) + 1] * fexp(ms - mx);
    }
    float inv = l > 0.0f ? 1.0f / l : 0.0f;
    for (uint d = TID(); d < head_dim; d += WG) {
        float a = 0.0f;
        for (uint s = 0; s < n_split; s++) {
            float ms = ph[s * (head_dim + 2)];
            if (ms != NEG_INF) a += ph[s * (head_dim + 2) + 2 + d] * fexp(ms - mx);
        }
        out[GID_X() * head_dim + d] = a * inv;
    }
}

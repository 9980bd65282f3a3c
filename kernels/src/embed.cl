// Embedding lookup: out[t][c] = dequant(W[ids[t]])[c] * scale, W in ggml block layout
// (ggml-common.h, see gemv.cl). One work-item per value: grid [ceil(cols / 64), n_tokens].
// The token id is read from device memory so a device argmax can feed the next token.
#include "rocless.h"

static inline uint ub(const __global uchar* p, uint i) { return p[i]; }

#define GET_ROWS(NAME, ROW_BYTES, ...)                                                       \
    KERNEL void NAME(const __global uchar* w, const __global uint* ids, __global float* out,  \
                     uint cols, float scale) {                                               \
        uint c = GID_X() * WG + TID();                                                       \
        if (c >= cols) return;                                                               \
        const __global uchar* r = w + (ulong)ids[GID_Y()] * (ROW_BYTES);                     \
        float val;                                                                           \
        __VA_ARGS__ \
        out[(ulong)GID_Y() * cols + c] = val * scale;                                        \
    }

static inline float hat(const __global uchar* p) { return h2f(*(const __global ushort*)p); }

GET_ROWS(get_rows_f32, cols * 4, { val = ((const __global float*)r)[c]; })
GET_ROWS(get_rows_f16, cols * 2, { val = hat(r + 2 * c); })

GET_ROWS(get_rows_q4_0, cols / 32 * 18, {
    const __global uchar* b = r + (c / 32) * 18;
    uint j = c % 32;
    uint q = j < 16 ? ub(b, 2 + j) & 15 : ub(b, 2 + j - 16) >> 4;
    val = hat(b) * ((float)q - 8.0f);
})

GET_ROWS(get_rows_q4_1, cols / 32 * 20, {
    const __global uchar* b = r + (c / 32) * 20;
    uint j = c % 32;
    uint q = j < 16 ? ub(b, 4 + j) & 15 : ub(b, 4 + j - 16) >> 4;
    val = hat(b) * (float)q + hat(b + 2);
})

GET_ROWS(get_rows_q5_0, cols / 32 * 22, {
    const __global uchar* b = r + (c / 32) * 22;
    uint j = c % 32;
    uint qh = ub(b, 2) | (ub(b, 3) << 8) | (ub(b, 4) << 16) | (ub(b, 5) << 24);
    uint q = j < 16 ? ub(b, 6 + j) & 15 : ub(b, 6 + j - 16) >> 4;
    q |= ((qh >> j) & 1) << 4;
    val = hat(b) * ((float)q - 16.0f);
})

GET_ROWS(get_rows_q8_0, cols / 32 * 34, {
    const __global uchar* b = r + (c / 32) * 34;
    val = hat(b) * (float)(char)ub(b, 2 + c % 32);
})

GET_ROWS(get_rows_q4_k, cols / 256 * 144, {
    const __global uchar* b = r + (c / 256) * 144;
    uint j = c % 256, sub = j / 32, l = j % 32;
    const __global uchar* sc = b + 4;
    uint s, m;
    if (sub < 4) {
        s = ub(sc, sub) & 63;
        m = ub(sc, sub + 4) & 63;
    } else {
        s = (ub(sc, sub + 4) & 15) | ((ub(sc, sub - 4) >> 6) << 4);
        m = (ub(sc, sub + 4) >> 4) | ((ub(sc, sub) >> 6) << 4);
    }
    uint q = (ub(b, 16 + (sub / 2) * 32 + l) >> (4 * (sub & 1))) & 15;
    val = hat(b) * (float)s * (float)q - hat(b + 2) * (float)m;
})

GET_ROWS(get_rows_q6_k, cols / 256 * 210, {
    const __global uchar* b = r + (c / 256) * 210;
    uint j = c % 256, n = j / 128, k = (j % 128) / 32, l = j % 32;
    uint lo = (ub(b, 64 * n + 32 * (k & 1) + l) >> (4 * (k >> 1))) & 15;
    uint hi = (ub(b, 128 + 32 * n + l) >> (2 * k)) & 3;
    int q = (int)(lo | (hi << 4)) - 32;
    val = hat(b + 208) * (float)(char)ub(b, 192 + 8 * n + 2 * k + l / 16) * (float)q;
})

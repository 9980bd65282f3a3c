// y[r] = sum_c W[r][c] * x[c]: matrix-vector product for decoding.
// W is row-major, each row `cols` values stored as ggml blocks (layouts exactly as
// ggml-org/llama.cpp ggml/src/ggml-common.h: block_q4_0, block_q4_1, block_q5_0, block_q8_0,
// block_q4_K, block_q6_K; F16 = IEEE half, F32), rows packed back to back
// (row stride = cols / QK * sizeof(block)). x and y are f32.
// `group` lanes (1, 2, 4, 8, 16 or 32) share one row, so a wave32 computes 32 / group rows
// and a 64-item workgroup 64 / group: grid = ceil(rows / (64 / group)) workgroups. The
// lanes of a group walk the row's work units (32-value blocks or K-quant sub-blocks; F16/F32:
// single values) with stride `group` and sum with a ds_bpermute butterfly inside the group.
// The dispatcher picks the largest group that divides the units per row (kernels::gemv_group)
// so every lane does the same number of units: a 640-column row (20 blocks) takes group 4
// and 5 blocks per lane, where one wave per row left 12 of 32 lanes idle.
// Requirements: 32-value blocks: cols % 32 == 0; K-quants: cols % 256 == 0; F16/F32: any
// cols; w 4-byte aligned.
#include "rocless.h"

// `lane`: index inside the row's group; `live`: the row exists (dead lanes keep 0 and
// still take part in the butterfly). Loops run `for (u = lane; live && u < n; u += group)`.
#define ROW_SETUP(BYTES_PER_ROW)                                               \
    uint wl = TID() & (WAVE - 1);                                              \
    uint lane = wl & (group - 1);                                              \
    uint gsh = __builtin_ctz(group); /* group is a power of two */             \
    uint row = ((GID_X() * 2 + TID() / WAVE) << (5 - gsh)) + (wl >> gsh);      \
    bool live = row < rows;                                                    \
    const __global uchar* rp = w + (ulong)(live ? row : 0) * (BYTES_PER_ROW);  \
    float acc = 0.0f;

#define ROW_FINISH()                                                                  \
    for (uint off = group >> 1; off > 0; off >>= 1)                                   \
        acc += AS_F(__builtin_amdgcn_ds_bpermute((int)((wl ^ off) << 2), AS_I(acc))); \
    if (live && lane == 0) y[row] = acc;

// Sum of x[0..n) (n multiple of 4, x 16-byte aligned).
static inline float sum4(const __global float* x, uint n) {
    float s = 0.0f;
    for (uint i = 0; i < n; i += 4) {
        float4 v = *(const __global float4*)(x + i);
        s += (v.x + v.y) + (v.z + v.w);
    }
    return s;
}

// block_q4_0 (18 B): ggml_half d; uint8_t qs[16]; x[j] = ((qs[j] & 15) - 8) * d,
// x[j + 16] = ((qs[j] >> 4) - 8) * d.
KERNEL void gemv_q4_0(const __global uchar* w, const __global float* x, __global float* y,
                      uint rows, uint cols, uint group) {
    uint nb = cols / 32;
    ROW_SETUP(nb * 18)
    for (uint b = lane; live && b < nb; b += group) {
        const __global ushort* p = (const __global ushort*)(rp + b * 18);
        const __global float* xb = x + b * 32;
        float s = 0.0f;
        for (uint i = 0; i < 8; i++) {
            uint u = p[1 + i];
            s += (float)(u & 15) * xb[2 * i] + (float)((u >> 8) & 15) * xb[2 * i + 1] +
                 (float)((u >> 4) & 15) * xb[2 * i + 16] + (float)((u >> 12) & 15) * xb[2 * i + 17];
        }
        acc += h2f(p[0]) * (s - 8.0f * sum4(xb, 32));
    }
    ROW_FINISH()
}

// block_q4_1 (20 B): ggml_half d, m; uint8_t qs[16]; x = q * d + m.
KERNEL void gemv_q4_1(const __global uchar* w, const __global float* x, __global float* y,
                      uint rows, uint cols, uint group) {
    uint nb = cols / 32;
    ROW_SETUP(nb * 20)
    for (uint b = lane; live && b < nb; b += group) {
        const __global uint* p = (const __global uint*)(rp + b * 20);
        const __global float* xb = x + b * 32;
        float s = 0.0f;
        for (uint i = 0; i < 4; i++) {
            uint u = p[1 + i];
            for (uint k = 0; k < 4; k++) {
                uint q = u >> (8 * k);
                s += (float)(q & 15) * xb[4 * i + k] + (float)((q >> 4) & 15) * xb[4 * i + k + 16];
            }
        }
        uint dm = p[0];
        acc += h2f((ushort)dm) * s + h2f((ushort)(dm >> 16)) * sum4(xb, 32);
    }
    ROW_FINISH()
}

// block_q5_0 (22 B): ggml_half d; uint8_t qh[4]; uint8_t qs[16];
// x[j] = ((qs[j] & 15 | bit j of qh << 4) - 16) * d, x[j+16] uses qs[j] >> 4 and bit j+16.
KERNEL void gemv_q5_0(const __global uchar* w, const __global float* x, __global float* y,
                      uint rows, uint cols, uint group) {
    uint nb = cols / 32;
    ROW_SETUP(nb * 22)
    for (uint b = lane; live && b < nb; b += group) {
        const __global ushort* p = (const __global ushort*)(rp + b * 22);
        const __global float* xb = x + b * 32;
        uint qh = (uint)p[1] | ((uint)p[2] << 16);
        float s = 0.0f;
        for (uint i = 0; i < 8; i++) {
            uint u = p[3 + i];
            uint j = 2 * i;
            uint q0 = (u & 15) | (((qh >> j) & 1) << 4);
            uint q1 = ((u >> 8) & 15) | (((qh >> (j + 1)) & 1) << 4);
            uint q2 = ((u >> 4) & 15) | (((qh >> (j + 16)) & 1) << 4);
            uint q3 = ((u >> 12) & 15) | (((qh >> (j + 17)) & 1) << 4);
            s += (float)q0 * xb[j] + (float)q1 * xb[j + 1] + (float)q2 * xb[j + 16] + (float)q3 * xb[j + 17];
        }
        acc += h2f(p[0]) * (s - 16.0f * sum4(xb, 32));
    }
    ROW_FINISH()
}

// block_q8_0 (34 B): ggml_half d; int8_t qs[32]; x = qs * d.
// qs starts 2 bytes into the block, so its dword loads are 2 mod 4: the amdgpu kernel
// runs every VMID with SH_MEM_CONFIG.ALIGNMENT_MODE = UNALIGNED (gfx_v10_0.c
// DEFAULT_SH_MEM_CONFIG), where unaligned global loads are legal. One dword = 4 weights
// converted with byte-select SDWA (I8F), no shifts.
KERNEL void gemv_q8_0(const __global uchar* w, const __global float* x, __global float* y,
                      uint rows, uint cols, uint group) {
    uint nb = cols / 32;
    ROW_SETUP(nb * 34)
    for (uint b = lane; live && b < nb; b += group) {
        const __global uchar* bp = rp + b * 34;
        const __global uint* q = (const __global uint*)(bp + 2);
        const __global float4* xb = (const __global float4*)(x + b * 32);
        float s = 0.0f;
        for (uint i = 0; i < 8; i++) {
            uint u = q[i];
            float4 xv = xb[i];
            s = __builtin_fmaf(I8F(u, 0), xv.x, s);
            s = __builtin_fmaf(I8F(u, 1), xv.y, s);
            s = __builtin_fmaf(I8F(u, 2), xv.z, s);
            s = __builtin_fmaf(I8F(u, 3), xv.w, s);
        }
        acc = __builtin_fmaf(h2f(*(const __global ushort*)bp), s, acc);
    }
    ROW_FINISH()
}

// block_q4_K (144 B): ggml_half d, dmin; uint8_t scales[12]; uint8_t qs[128].
// Sub-block s (0..7) of 32 values: qs[(s/2)*32 + l] low nibble (s even) or high nibble;
// (sc, m) = get_scale_min_k4(s, scales); x = d * sc * q - dmin * m.
static inline uint kbyte(const __global uint* p, uint i) { return (p[i >> 2] >> (8 * (i & 3))) & 255; }

KERNEL void gemv_q4_k(const __global uchar* w, const __global float* x, __global float* y,
                      uint rows, uint cols, uint group) {
    uint nb = cols / 256;
    ROW_SETUP(nb * 144)
    for (uint t = lane; live && t < nb * 8; t += group) {
        uint b = t >> 3, sub = t & 7;
        const __global uint* p = (const __global uint*)(rp + b * 144);
        const __global uint* sc = p + 1;
        uint scale, mn;
        if (sub < 4) {
            scale = kbyte(sc, sub) & 63;
            mn = kbyte(sc, sub + 4) & 63;
        } else {
            scale = (kbyte(sc, sub + 4) & 15) | ((kbyte(sc, sub - 4) >> 6) << 4);
            mn = (kbyte(sc, sub + 4) >> 4) | ((kbyte(sc, sub) >> 6) << 4);
        }
        const __global uint* q = p + 4 + (sub >> 1) * 8;
        uint sh = (sub & 1) * 4;
        const __global float* xb = x + b * 256 + sub * 32;
        float s = 0.0f, xsum = 0.0f;
        for (uint i = 0; i < 8; i++) {
            uint u = q[i] >> sh;
            float4 xv = *(const __global float4*)(xb + 4 * i);
            s += (float)(u & 15) * xv.x + (float)((u >> 8) & 15) * xv.y + (float)((u >> 16) & 15) * xv.z +
                 (float)((u >> 24) & 15) * xv.w;
            xsum += (xv.x + xv.y) + (xv.z + xv.w);
        }
        uint dm = p[0];
        acc += h2f((ushort)dm) * (float)scale * s - h2f((ushort)(dm >> 16)) * (float)mn * xsum;
    }
    ROW_FINISH()
}

// block_q6_K (210 B): uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; ggml_half d.
// Sub-block s = 4n + k (n half, k quarter): value l (0..31) at y[128n + 32k + l] is
// q = ((ql[64n + 32(k&1) + l] >> 4(k>>1)) & 15) | (((qh[32n + l] >> 2k) & 3) << 4),
// x = d * scales[8n + 2k + l/16] * (q - 32).
KERNEL void gemv_q6_k(const __global uchar* w, const __global float* x, __global float* y,
                      uint rows, uint cols, uint group) {
    uint nb = cols / 256;
    ROW_SETUP(nb * 210)
    for (uint t = lane; live && t < nb * 8; t += group) {
        uint b = t >> 3, sub = t & 7;
        uint n = sub >> 2, k = sub & 3;
        const __global uchar* blk = rp + b * 210;
        const __global ushort* ql = (const __global ushort*)(blk + 64 * n + 32 * (k & 1));
        const __global ushort* qh = (const __global ushort*)(blk + 128 + 32 * n);
        const __global float* xb = x + b * 256 + sub * 32;
        uint lsh = 4 * (k >> 1), hsh = 2 * k;
        float s0 = 0.0f, s1 = 0.0f;
        for (uint i = 0; i < 16; i++) {
            uint a = ql[i] >> lsh, h = qh[i] >> hsh;
            float v = (float)((int)((a & 15) | ((h & 3) << 4)) - 32) * xb[2 * i] +
                      (float)((int)(((a >> 8) & 15) | (((h >> 8) & 3) << 4)) - 32) * xb[2 * i + 1];
            if (i < 8) s0 += v; else s1 += v;
        }
        const __global ushort* scp = (const __global ushort*)(blk + 192 + 8 * n + 2 * k);
        uint scw = scp[0];
        float d = h2f(((const __global ushort*)(blk + 208))[0]);
        acc += d * ((float)(char)(scw & 255) * s0 + (float)(char)(scw >> 8) * s1);
    }
    ROW_FINISH()
}

KERNEL void gemv_f16(const __global uchar* w, const __global float* x, __global float* y,
                     uint rows, uint cols, uint group) {
    ROW_SETUP(cols * 2)
    const __global ushort* p = (const __global ushort*)rp;
    for (uint c = lane; live && c < cols; c += group) acc += h2f(p[c]) * x[c];
    ROW_FINISH()
}

KERNEL void gemv_f32(const __global uchar* w, const __global float* x, __global float* y,
                     uint rows, uint cols, uint group) {
    ROW_SETUP(cols * 4)
    const __global float* p = (const __global float*)rp;
    for (uint c = lane; live && c < cols; c += group) acc += p[c] * x[c];
    ROW_FINISH()
}

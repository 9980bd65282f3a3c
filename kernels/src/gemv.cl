// y[r] = sum_c W[r][c] * x[c]: matrix-vector product for decoding.
// W is row-major, each row `cols` values stored as ggml blocks (layouts exactly as
// ggml-org/llama.cpp ggml/src/ggml-common.h: block_q4_0, block_q4_1, block_q5_0, block_q8_0,
// block_q4_K, block_q6_K; F16 = IEEE half, F32), rows packed back to back
// (row stride = cols / QK * sizeof(block)). y is f32; x is f32 for F16/F32 weights and
// otherwise the activation quantized by quant.cl (Q8 for the 32-value formats, Q8K for the
// K-quants), as the CPU engine does (engine/src/quant/mod.rs act_kind).
// F16/F32: `group` lanes (1, 2, 4, 8, 16 or 32) share one row, so a wave32 computes 32 / group rows
// and a 64-item workgroup 64 / group: grid = ceil(rows / (64 / group)) workgroups. The
// lanes of a group walk the row's work units (32-value blocks or K-quant sub-blocks; F16/F32:
// single values) with stride `group` and sum with a ds_bpermute butterfly inside the group.
// The dispatcher picks the largest group that divides the units per row (kernels::gemv_group)
// so every lane does the same number of units: a 640-column row (20 blocks) takes group 4
// and 5 blocks per lane, where one wave per row left 12 of 32 lanes idle.
// The quantized formats always use 8 lanes per row (see below; their `group` argument is
// kernels::GEMV_QUANT_GROUP, grid kernels::gemv_quant_grid).
// Requirements: 32-value blocks: cols % 32 == 0; K-quants: cols % 256 == 0; F16/F32: any
// cols; w 4-byte aligned.
#include "rocless.h"

// Each block's float value is formed exactly as the CPU forms it (no fused multiply-adds).
#pragma OPENCL FP_CONTRACT OFF

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

// Quantized activations (quant.cl layouts). The quantized kernels reproduce the CPU
// reference's arithmetic (engine/src/quant/dot.rs, after ggml's ggml_vec_dot_*_q8_*) in the
// same order, so a row's result is bit-identical to the CPU's: exact integer dot products per
// block (or K-quant sub-block), scaled and summed in the same float operations. That fixes
// the lane sharing to group = 8 lanes per row (kernels::GEMV_QUANT_GROUP):
// 32-value blocks: the CPU keeps 8 float accumulators, accumulator k of which sums over the blocks
//   in order l_b[k] * (d_w d_x) with l_b[k] = Σ w_j x_j over j in 4k..4k+4 (dot32_lanes:
//   what AVX2's maddubs + madd leave in lane k);
//   the row is (((facc[0] + facc[1]) + ...) + facc[7]) + Σ_b m_w s_x (Q4_1). Lane k of the
//   row's group is the CPU's accumulator k.
// K-quants: lane i takes sub-block i of every block; the block's integer sums meet in lane 0,
//   which accumulates (d_w d_x) isum - (dmin_w d_x) mins (Q6_K: (d_w d_x) isum) over the
//   blocks in order.
#define Q8_D(xq, cols) ((const __global float*)((xq) + (cols)))
#define Q8_S(xq, cols) (Q8_D(xq, cols) + (cols) / 32)
#define Q8K_BSUMS(xq, cols) ((const __global short*)(Q8_D(xq, cols) + (cols) / 256))

// Byte k of u as a signed / unsigned integer; nibble k (0..7) of u.
#define SB(u, k) ((int)(char)((u) >> (8 * (k))))
#define NIB(u, k) ((int)(((u) >> (4 * (k))) & 15))

// Lanes per row of the quantized kernels (the CPU's 8 accumulators / 8 sub-blocks).
#define QGROUP 8

// Sum over the 8 lanes of a row (integers: exact in any order).
static inline int sum8_i(int v, uint wl) {
    for (uint off = 1; off < QGROUP; off <<= 1) v += __builtin_amdgcn_ds_bpermute((int)((wl ^ off) << 2), v);
    return v;
}

// The row's result from the 8 accumulators, summed in the CPU's order (lane 0 of the group
// gets it): 0 + facc[0] + facc[1] + ... + facc[7], as Rust's `iter().sum::<f32>()`.
static inline float ordered_sum8(float facc, uint wl) {
    uint base = wl & ~(uint)(QGROUP - 1);
    float s = 0.0f;
    for (uint k = 0; k < QGROUP; k++) s += AS_F(__builtin_amdgcn_ds_bpermute((int)((base + k) << 2), AS_I(facc)));
    return s;
}

// The 32-value formats: lane k of an 8-lane group is the CPU's accumulator k for QROWS
// rows at once, so the group loads the activation pairs of a block once for all its rows.
// Rows past the end repeat the last row (nothing stored).
#define QROWS 4

#define QROW_SETUP(BYTES_PER_ROW)                                                      \
    uint wl = TID() & (WAVE - 1);                                                      \
    uint k = wl & (QGROUP - 1);                                                        \
    uint row0 = (GID_X() * (WG / QGROUP) + TID() / QGROUP) * QROWS;                    \
    const __global uchar* rp[QROWS];                                                   \
    float facc[QROWS], extra[QROWS];                                                   \
    for (uint r = 0; r < QROWS; r++) {                                                 \
        rp[r] = w + (ulong)umin(row0 + r, rows - 1) * (BYTES_PER_ROW);                 \
        facc[r] = 0.0f;                                                                \
        extra[r] = 0.0f;                                                               \
    }                                                                                  \
    bool live = row0 < rows;

// Every lane of the wave takes part in the gathers (dead rows included).
#define QROW_FINISH()                                                                  \
    for (uint r = 0; r < QROWS; r++) {                                                 \
        float total = ordered_sum8(facc[r], wl) + extra[r];                            \
        if (k == 0 && row0 + r < rows) y[row0 + r] = total;                            \
    }

// The activation values x[4k..4k+4) of block b (one dword).
#define XQUAD(xq, b, k) uint xv = ((const __global uint*)((xq) + (b) * 32))[k];

// l = w0 x[4k] + w1 x[4k+1] + w2 x[4k+2] + w3 x[4k+3].
#define LANE_DOT(w0, w1, w2, w3) ((w0) * SB(xv, 0) + (w1) * SB(xv, 1) + (w2) * SB(xv, 2) + (w3) * SB(xv, 3))

// The four quant bytes qs[4(k & 3) ..] behind a ushort pointer `qs` to the block's qs, in one
// dword load even where qs is only 2-byte aligned (Q4_0, Q5_0): the amdgpu kernel runs every
// VMID with SH_MEM_CONFIG.ALIGNMENT_MODE = UNALIGNED (gfx_v10_0.c DEFAULT_SH_MEM_CONFIG), so
// unaligned global loads are legal. And the nibble of value 4k + i: low nibbles are values
// 0..15, high ones 16..31.
#define QS4(qs, k) (((const __global uint*)(qs))[(k) & 3])
#define QNIB(q, k, i) ((int)(((q) >> (8 * (i) + 4 * ((k) >> 2))) & 15))

// block_q4_0 (18 B): ggml_half d; uint8_t qs[16]; w[j] = (qs[j] & 15) - 8,
// w[j + 16] = (qs[j] >> 4) - 8.
KERNEL void gemv_q4_0(const __global uchar* w, const __global uchar* xq, __global float* y,
                      uint rows, uint cols, uint group) {
    uint nb = cols / 32;
    QROW_SETUP(nb * 18)
    const __global float* xd = Q8_D(xq, cols);
    for (uint b = 0; live && b < nb; b++) {
        XQUAD(xq, b, k)
        float xdb = xd[b];
        for (uint r = 0; r < QROWS; r++) {
            const __global ushort* bp = (const __global ushort*)(rp[r] + b * 18);
            uint q = QS4(bp + 1, k);
            int l = LANE_DOT(QNIB(q, k, 0) - 8, QNIB(q, k, 1) - 8, QNIB(q, k, 2) - 8, QNIB(q, k, 3) - 8);
            facc[r] += (float)l * (h2f(bp[0]) * xdb);
        }
    }
    QROW_FINISH()
}

// block_q4_1 (20 B): ggml_half d, m; uint8_t qs[16]; x = q * d + m: the CPU adds
// Σ_b m_w s_x after the accumulators.
KERNEL void gemv_q4_1(const __global uchar* w, const __global uchar* xq, __global float* y,
                      uint rows, uint cols, uint group) {
    uint nb = cols / 32;
    QROW_SETUP(nb * 20)
    const __global float* xd = Q8_D(xq, cols);
    const __global float* xs = Q8_S(xq, cols);
    for (uint b = 0; live && b < nb; b++) {
        XQUAD(xq, b, k)
        float xdb = xd[b], xsb = xs[b];
        for (uint r = 0; r < QROWS; r++) {
            const __global ushort* bp = (const __global ushort*)(rp[r] + b * 20);
            uint q = QS4(bp + 2, k);
            int l = LANE_DOT(QNIB(q, k, 0), QNIB(q, k, 1), QNIB(q, k, 2), QNIB(q, k, 3));
            facc[r] += (float)l * (h2f(bp[0]) * xdb);
            extra[r] += h2f(bp[1]) * xsb;
        }
    }
    QROW_FINISH()
}

// block_q5_0 (22 B): ggml_half d; uint8_t qh[4]; uint8_t qs[16];
// w[j] = (qs[j] & 15 | bit j of qh << 4) - 16, w[j+16] uses qs[j] >> 4 and bit j+16.
KERNEL void gemv_q5_0(const __global uchar* w, const __global uchar* xq, __global float* y,
                      uint rows, uint cols, uint group) {
    uint nb = cols / 32;
    QROW_SETUP(nb * 22)
    const __global float* xd = Q8_D(xq, cols);
    for (uint b = 0; live && b < nb; b++) {
        XQUAD(xq, b, k)
        float xdb = xd[b];
        for (uint r = 0; r < QROWS; r++) {
            const __global ushort* bp = (const __global ushort*)(rp[r] + b * 22);
            uint qh = (uint)bp[1] | ((uint)bp[2] << 16);
            uint q = QS4(bp + 3, k);
            uint hb = qh >> (4 * k); // the high bits of values 4k..4k+4
            int l = LANE_DOT((QNIB(q, k, 0) | (int)((hb & 1) << 4)) - 16, (QNIB(q, k, 1) | (int)(((hb >> 1) & 1) << 4)) - 16,
                             (QNIB(q, k, 2) | (int)(((hb >> 2) & 1) << 4)) - 16, (QNIB(q, k, 3) | (int)(((hb >> 3) & 1) << 4)) - 16);
            facc[r] += (float)l * (h2f(bp[0]) * xdb);
        }
    }
    QROW_FINISH()
}

// block_q8_0 (34 B): ggml_half d; int8_t qs[32].
KERNEL void gemv_q8_0(const __global uchar* w, const __global uchar* xq, __global float* y,
                      uint rows, uint cols, uint group) {
    uint nb = cols / 32;
    QROW_SETUP(nb * 34)
    const __global float* xd = Q8_D(xq, cols);
    for (uint b = 0; live && b < nb; b++) {
        XQUAD(xq, b, k)
        float xdb = xd[b];
        for (uint r = 0; r < QROWS; r++) {
            const __global ushort* bp = (const __global ushort*)(rp[r] + b * 34);
            uint q = ((const __global uint*)(bp + 1))[k]; // qs[4k..4k+4), unaligned as QS4
            int l = LANE_DOT(SB(q, 0), SB(q, 1), SB(q, 2), SB(q, 3));
            facc[r] += (float)l * (h2f(bp[0]) * xdb);
        }
    }
    QROW_FINISH()
}

// gemv_q8_0 for tall matrices (the output projection: 49152 or 262144 rows): one lane per
// row holds the CPU's 8 accumulators itself, so a block's 32 weights come in 8 dword loads
// and the activation block, the same for every lane, in scalar loads — about 3 wave
// instructions per row and block where the 8-lane form needs 7. Same operations in the same
// order as gemv_q8_0 (bit-identical rows); only worth it when rows fill the device
// (kernels::GEMV_LANE_PER_ROW_MIN_ROWS). grid = ceil(rows / 64); `group` is unused.
KERNEL void gemv_q8_0_tall(const __global uchar* restrict w, const __global uchar* restrict xq,
                           __global float* restrict y, uint rows, uint cols, uint group) {
    uint nb = cols / 32;
    uint row = GID_X() * WG + TID();
    if (row >= rows) return;
    const __global uchar* rp = w + (ulong)row * (nb * 34);
    const __global float* xd = Q8_D(xq, cols);
    float facc[QGROUP];
    for (uint k = 0; k < QGROUP; k++) facc[k] = 0.0f;
    for (uint b = 0; b < nb; b++) {
        const __global uchar* bp = rp + b * 34;
        const __global uint* q = (const __global uint*)(bp + 2);
        const __global uint* xb = (const __global uint*)(xq + b * 32);
        uint wv[8], xv[8];
        for (uint i = 0; i < 8; i++) {
            wv[i] = q[i];
            xv[i] = xb[i];
        }
        float scale = h2f(*(const __global ushort*)bp) * xd[b];
        // Accumulator k: values 4k..4k+4, i.e. dword k of the weights and of the activation.
        for (uint k = 0; k < QGROUP; k++) {
            uint a = wv[k], c = xv[k];
            int l = SB(a, 0) * SB(c, 0) + SB(a, 1) * SB(c, 1) + SB(a, 2) * SB(c, 2) + SB(a, 3) * SB(c, 3);
            facc[k] += (float)l * scale;
        }
    }
    float total = 0.0f;
    for (uint k = 0; k < QGROUP; k++) total += facc[k];
    y[row] = total;
}

// block_q4_K (144 B): ggml_half d, dmin; uint8_t scales[12]; uint8_t qs[128].
// Sub-block s (0..7) of 32 values: qs[(s/2)*32 + l] low nibble (s even) or high nibble;
// (sc, m) = get_scale_min_k4(s, scales). Per block: isum = Σ_s sc_s Σ q x,
// mins = Σ_s m_s (bsums[2s] + bsums[2s+1]); y += (d d_x) isum - (dmin d_x) mins.
// Lane i of the row's 8 takes sub-block i of every block (group = 8).
static inline uint kbyte(const __global uint* p, uint i) { return (p[i >> 2] >> (8 * (i & 3))) & 255; }

KERNEL void gemv_q4_k(const __global uchar* w, const __global uchar* xq, __global float* y,
                      uint rows, uint cols, uint group) {
    group = QGROUP; // the CPU's block order: one 8-lane group per row
    uint nb = cols / 256;
    ROW_SETUP(nb * 144)
    const __global float* xd = Q8_D(xq, cols);
    const __global short* bsums = Q8K_BSUMS(xq, cols);
    uint sub = lane & 7;
    uint sh = (sub & 1) * 4;
    for (uint t = lane; live && t < nb * 8; t += group) {
        uint b = t >> 3;
        const __global uint* p = (const __global uint*)(rp + b * 144);
        const __global uint* sc = p + 1;
        int scale, mn;
        if (sub < 4) {
            scale = kbyte(sc, sub) & 63;
            mn = kbyte(sc, sub + 4) & 63;
        } else {
            scale = (kbyte(sc, sub + 4) & 15) | ((kbyte(sc, sub - 4) >> 6) << 4);
            mn = (kbyte(sc, sub + 4) >> 4) | ((kbyte(sc, sub) >> 6) << 4);
        }
        const __global uint* q = p + 4 + (sub >> 1) * 8;
        const __global uint* xb = (const __global uint*)(xq + b * 256 + sub * 32);
        int s = 0;
        for (uint i = 0; i < 8; i++) {
            uint u = q[i] >> sh, v = xb[i];
            s += NIB(u, 0) * SB(v, 0) + NIB(u, 2) * SB(v, 1) + NIB(u, 4) * SB(v, 2) + NIB(u, 6) * SB(v, 3);
        }
        const __global short* bs = bsums + b * 16 + 2 * sub;
        int isum = sum8_i(scale * s, wl);
        int mins = sum8_i(mn * ((int)bs[0] + (int)bs[1]), wl);
        if (sub == 0) {
            uint dm = p[0];
            float d = h2f((ushort)dm) * xd[b];
            float dmin = h2f((ushort)(dm >> 16)) * xd[b];
            acc += d * (float)isum - dmin * (float)mins;
        }
    }
    ROW_FINISH()
}

// block_q6_K (210 B): uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; ggml_half d.
// Sub-block s = 4n + k (n half, k quarter): value l (0..31) at y[128n + 32k + l] is
// q = ((ql[64n + 32(k&1) + l] >> 4(k>>1)) & 15) | (((qh[32n + l] >> 2k) & 3) << 4),
// w = q - 32, with scale scales[8n + 2k + l/16]. Per 16 values Σ (q - 32) x =
// Σ q x - 32 bsum; per block y += (d d_x) Σ_j scales[j] Σ_16 w x. Lane i of the row's 8
// takes sub-block i of every block (group = 8, see gemv_q4_k).
KERNEL void gemv_q6_k(const __global uchar* w, const __global uchar* xq, __global float* y,
                      uint rows, uint cols, uint group) {
    group = QGROUP; // the CPU's block order: one 8-lane group per row
    uint nb = cols / 256;
    ROW_SETUP(nb * 210)
    const __global float* xd = Q8_D(xq, cols);
    const __global short* bsums = Q8K_BSUMS(xq, cols);
    uint sub = lane & 7;
    uint n = sub >> 2, k = sub & 3;
    uint lsh = 4 * (k >> 1), hsh = 2 * k;
    for (uint t = lane; live && t < nb * 8; t += group) {
        uint b = t >> 3;
        const __global uchar* blk = rp + b * 210;
        const __global uint* ql = (const __global uint*)(blk + 64 * n + 32 * (k & 1));
        const __global uint* qh = (const __global uint*)(blk + 128 + 32 * n);
        const __global uint* xb = (const __global uint*)(xq + b * 256 + sub * 32);
        int s0 = 0, s1 = 0;
        for (uint i = 0; i < 8; i++) {
            uint a = (ql[i] >> lsh) & 0x0f0f0f0fu, h = ((qh[i] >> hsh) & 0x03030303u) << 4;
            uint q = a | h, v = xb[i];
            int p = (int)(q & 255) * SB(v, 0) + (int)((q >> 8) & 255) * SB(v, 1) +
                    (int)((q >> 16) & 255) * SB(v, 2) + (int)(q >> 24) * SB(v, 3);
            if (i < 4) s0 += p; else s1 += p;
        }
        const __global short* bs = bsums + b * 16 + 2 * sub;
        s0 -= 32 * (int)bs[0];
        s1 -= 32 * (int)bs[1];
        const __global char* scp = (const __global char*)(blk + 192 + 8 * n + 2 * k);
        int isum = sum8_i((int)scp[0] * s0 + (int)scp[1] * s1, wl);
        if (sub == 0) acc += (h2f(*(const __global ushort*)(blk + 208)) * xd[b]) * (float)isum;
    }
    ROW_FINISH()
}

// F16 / F32 weights multiply the f32 activation (the CPU's act_kind F32).
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

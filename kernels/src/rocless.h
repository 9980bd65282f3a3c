// Shared helpers for the rocless kernels (OpenCL C, clang-19, -nogpulib: no OpenCL
// library, only clang builtins). Every kernel runs with a fixed workgroup of WG = 64
// work-items = two wave32 waves (reqd_work_group_size), so the dispatcher's block is
// always [64, 1, 1].
#pragma OPENCL EXTENSION cl_khr_fp16 : enable

#define WG 64
#define WAVE 32
#define KERNEL __kernel __attribute__((reqd_work_group_size(WG, 1, 1)))

#define TID() ((uint)__builtin_amdgcn_workitem_id_x())
#define GID_X() ((uint)__builtin_amdgcn_workgroup_id_x())
#define GID_Y() ((uint)__builtin_amdgcn_workgroup_id_y())

// LDS barrier: release our LDS writes, wait for the whole workgroup, acquire theirs.
#define BARRIER()                                              \
    do {                                                       \
        __builtin_amdgcn_fence(__ATOMIC_RELEASE, "workgroup"); \
        __builtin_amdgcn_s_barrier();                          \
        __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "workgroup"); \
    } while (0)

#define AS_F(x) __builtin_astype((x), float)
#define AS_I(x) __builtin_astype((x), int)
#define NEG_INF (-__builtin_inff())

// The empty asm keeps LLVM from folding a later negation into the conversion's source
// modifier (`v_cvt_f32_f16_sdwa v0, -v0 src0_sel:WORD_1`): the sim's wave executor ignored
// neg/abs on v_cvt_f32_f16 when this was written (findings/gpu-kernels.md). Costs nothing:
// the negation moves into the consuming FMA.
static inline float h2f(ushort h) {
    float f = (float)__builtin_astype(h, half);
    __asm__("" : "+v"(f));
    return f;
}

static inline float fexp(float x) { return __builtin_amdgcn_exp2f(x * 1.4426950408889634f); }

// tanh via exp: saturates correctly to +-1 (exp overflow to inf gives 2/inf = 0).
static inline float ftanh(float x) { return 1.0f - 2.0f / (fexp(2.0f * x) + 1.0f); }

// Butterfly sum / max over one wave32 with ds_bpermute (all 32 lanes must be active).
static inline float wave_sum(float v) {
    uint lane = TID() & (WAVE - 1);
    for (uint off = WAVE / 2; off > 0; off >>= 1)
        v += AS_F(__builtin_amdgcn_ds_bpermute((int)((lane ^ off) << 2), AS_I(v)));
    return v;
}
static inline float wave_max(float v) {
    uint lane = TID() & (WAVE - 1);
    for (uint off = WAVE / 2; off > 0; off >>= 1)
        v = __builtin_fmaxf(v, AS_F(__builtin_amdgcn_ds_bpermute((int)((lane ^ off) << 2), AS_I(v))));
    return v;
}

// The same butterfly sum in f64 (the CPU's f64 sums: ggml_float), two dwords per lane.
static inline double wave_sum_d(double v) {
    uint lane = TID() & (WAVE - 1);
    for (uint off = WAVE / 2; off > 0; off >>= 1) {
        int2 b = __builtin_astype(v, int2);
        int addr = (int)((lane ^ off) << 2);
        b.x = __builtin_amdgcn_ds_bpermute(addr, b.x);
        b.y = __builtin_amdgcn_ds_bpermute(addr, b.y);
        v += __builtin_astype(b, double);
    }
    return v;
}

// Sum / max over the 64-item workgroup; every item gets the result. `tmp`: 2 floats of LDS.
static inline float block_sum(float v, __local float* tmp) {
    v = wave_sum(v);
    if ((TID() & (WAVE - 1)) == 0) tmp[TID() / WAVE] = v;
    BARRIER();
    float r = tmp[0] + tmp[1];
    BARRIER();
    return r;
}
static inline float block_max(float v, __local float* tmp) {
    v = wave_max(v);
    if ((TID() & (WAVE - 1)) == 0) tmp[TID() / WAVE] = v;
    BARRIER();
    float r = __builtin_fmaxf(tmp[0], tmp[1]);
    BARRIER();
    return r;
}

// (min() is only declared without the OpenCL library.)
static inline uint umin(uint a, uint b) { return a < b ? a : b; }

// expf exactly as glibc computes it (sysdeps/ieee754/flt-32/e_expf.c, from ARM's
// optimized-routines; musl has the same code), which is what the CPU reference engine's
// f32::exp calls on Linux: x*N/ln2 = k + r, exp(x) = 2^(k/N) * p(r) in double precision,
// N = 32, 2^(i/N) from a 32-entry table (`tab`: kernels::EXPF_TABLE, passed by the host as
// a buffer so the code object needs no data relocations). The f32 result does not depend on
// whether the double operations are fused (checked against glibc on 3.2e8 inputs), so the
// GPU's exp equals the CPU's bit for bit, and silu / softmax weights with it.
#pragma OPENCL EXTENSION cl_khr_fp64 : enable

#define EXPF_N 32
// 1/ln2 * N, the rounding shift 1.5 * 2^52, and the polynomial coefficients
// 0x1.c6af84b912394p-5 / N^3, 0x1.ebfce50fac4f3p-3 / N^2, 0x1.62e42ff0c52d6p-1 / N.
#define EXPF_INVLN2N (0x1.71547652b82fep+0 * EXPF_N)
#define EXPF_SHIFT 0x1.8p+52
#define EXPF_C0 (0x1.c6af84b912394p-5 / EXPF_N / EXPF_N / EXPF_N)
#define EXPF_C1 (0x1.ebfce50fac4f3p-3 / EXPF_N / EXPF_N)
#define EXPF_C2 (0x1.62e42ff0c52d6p-1 / EXPF_N)
// Beyond these exp overflows to +inf (x > ln(2^128)) or underflows to 0 (x < ln(2^-150)).
#define EXPF_OVERFLOW 0x1.62e42ep6f
#define EXPF_UNDERFLOW (-0x1.9fe368p6f)
// The table index bits shifted into the exponent field: 52 - log2(N).
#define EXPF_TAB_SHIFT 47

static inline float expf_glibc(float x, const __global ulong* tab) {
    if (__builtin_isnan(x)) return x + x;
    if (x > EXPF_OVERFLOW) return __builtin_inff();
    if (x < EXPF_UNDERFLOW) return 0.0f;
    double z = EXPF_INVLN2N * (double)x;
    double kd = z + EXPF_SHIFT;
    ulong ki = __builtin_astype(kd, ulong);
    kd -= EXPF_SHIFT;
    double r = z - kd;
    ulong t = tab[ki % EXPF_N] + (ki << EXPF_TAB_SHIFT);
    double s = __builtin_astype(t, double);
    double p = EXPF_C0 * r + EXPF_C1;
    double r2 = r * r;
    double y = EXPF_C2 * r + 1.0;
    y = p * r2 + y;
    return (float)(y * s);
}

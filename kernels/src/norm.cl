// RMSNorm: out[r][i] = x[r][i] / sqrt(mean_i(x[r]^2) + eps) * (w[i] + (add_one ? 1 : 0)).
// add_one = 1 is Gemma's (1 + w) convention for checkpoints that store w - 1 (the GGUF
// converter usually folds the +1 in already; then pass 0). One workgroup per row:
// grid = rows. Also used per head (q/k norm) with rows = heads, n = head_dim.
// out may alias x.
// The arithmetic is the CPU reference's (engine::model::ops::rms_norm): f32 squares summed
// in f64, the mean rounded to f32, scale = 1 / sqrt(mean + eps) with IEEE division and
// square root (kernels/build.sh builds this file with -cl-fp32-correctly-rounded-divide-sqrt),
// out = (x * scale) * w without fused multiply-adds. Only the order of the f64 sum differs,
// which moves the f32 mean only when it lies within ~1e-16 of a rounding boundary.
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL FP_CONTRACT OFF
#include "rocless.h"

KERNEL void rms_norm(const __global float* x, const __global float* w, __global float* out,
                     uint n, float eps, uint add_one) {
    __local double tmp[WG / WAVE];
    const __global float* xr = x + (ulong)GID_X() * n;
    __global float* orow = out + (ulong)GID_X() * n;
    double ss = 0.0;
    for (uint i = TID(); i < n; i += WG) {
        float sq = xr[i] * xr[i];
        ss += (double)sq;
    }
    ss = wave_sum_d(ss);
    if ((TID() & (WAVE - 1)) == 0) tmp[TID() / WAVE] = ss;
    BARRIER();
    ss = tmp[0] + tmp[1];
    float mean = (float)(ss / (double)n);
    float scale = 1.0f / __builtin_sqrtf(mean + eps);
    float one = add_one ? 1.0f : 0.0f;
    for (uint i = TID(); i < n; i += WG) orow[i] = xr[i] * scale * (w[i] + one);
}

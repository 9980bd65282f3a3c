// RMSNorm: out[r][i] = x[r][i] / sqrt(mean_i(x[r]^2) + eps) * (w[i] + (add_one ? 1 : 0)).
// add_one = 1 is Gemma's (1 + w) convention for checkpoints that store w - 1 (the GGUF
// converter usually folds the +1 in already; then pass 0). One workgroup per row:
// grid = rows. Also used per head (q/k norm) with rows = heads, n = head_dim.
// out may alias x.
#include "rocless.h"

KERNEL void rms_norm(const __global float* x, const __global float* w, __global float* out,
                     uint n, float eps, uint add_one) {
    __local float tmp[2];
    const __global float* xr = x + (ulong)GID_X() * n;
    __global float* orow = out + (ulong)GID_X() * n;
    float ss = 0.0f;
    for (uint i = TID(); i < n; i += WG) ss += xr[i] * xr[i];
    ss = block_sum(ss, tmp);
    float inv = __builtin_amdgcn_rsqf(ss / (float)n + eps);
    float one = add_one ? 1.0f : 0.0f;
    for (uint i = TID(); i < n; i += WG) orow[i] = xr[i] * inv * (w[i] + one);
}

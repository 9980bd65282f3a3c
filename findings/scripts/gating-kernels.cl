#pragma OPENCL EXTENSION cl_khr_fp16 : enable
typedef half half2_ __attribute__((ext_vector_type(2)));
typedef char char4_ __attribute__((ext_vector_type(4)));
__kernel void dot_f16(__global const half2_ *a, __global const half2_ *b, __global float *o, int n) {
  int i = get_global_id(0); float acc = 0.f;
  for (int k = 0; k < n; k++) acc += (float)a[i*n+k].x*(float)b[k].x + (float)a[i*n+k].y*(float)b[k].y;
  o[i] = acc;
}
__kernel void dot_i8(__global const int *a, __global const int *b, __global int *o, int n) {
  int i = get_global_id(0); int acc = 0;
  for (int k = 0; k < n; k++) { int x=a[i*n+k], y=b[k];
    for (int j=0;j<4;j++) acc += (char)(x>>(8*j)) * (char)(y>>(8*j)); }
  o[i] = acc;
}
__kernel void gemv_f32(__global const float *a, __global const float *x, __global float *y, int n) {
  __local float red[256]; int r = get_group_id(0), t = get_local_id(0); float acc = 0.f;
  for (int k = t; k < n; k += 256) acc = fma(a[r*n+k], x[k], acc);
  red[t] = acc; barrier(CLK_LOCAL_MEM_FENCE);
  for (int s = 128; s > 0; s >>= 1) { if (t < s) red[t] += red[t+s]; barrier(CLK_LOCAL_MEM_FENCE); }
  if (t == 0) y[r] = red[0];
}
__kernel void softmax(__global float *x, int n) { int i=get_global_id(0); x[i] = exp(x[i]) / (1.0f + exp(x[i])); }

// Minimal OpenCL work-item / math / atomic helpers on top of clang builtins:
// there is no OpenCL device library (-nogpulib), so each kernel includes this.
#ifndef ROCLESS_COMMON_H
#define ROCLESS_COMMON_H
#define INL static inline __attribute__((always_inline, overloadable))
typedef struct {
  uint block_count[3];
  ushort group_size[3];
} implicit_args_t;
static inline __constant implicit_args_t *iargs(void) {
  return (__constant implicit_args_t *)__builtin_amdgcn_implicitarg_ptr();
}
INL size_t get_local_id(uint d) {
  return d == 0 ? __builtin_amdgcn_workitem_id_x() : d == 1 ? __builtin_amdgcn_workitem_id_y() : __builtin_amdgcn_workitem_id_z();
}
INL size_t get_group_id(uint d) {
  return d == 0 ? __builtin_amdgcn_workgroup_id_x() : d == 1 ? __builtin_amdgcn_workgroup_id_y() : __builtin_amdgcn_workgroup_id_z();
}
INL size_t get_local_size(uint d) { return iargs()->group_size[d]; }
INL size_t get_num_groups(uint d) { return iargs()->block_count[d]; }
INL size_t get_global_size(uint d) { return get_num_groups(d) * get_local_size(d); }
INL size_t get_global_id(uint d) { return get_group_id(d) * get_local_size(d) + get_local_id(d); }
INL size_t get_global_offset(uint d) {
  return ((__constant ulong *)__builtin_amdgcn_implicitarg_ptr())[5 + d];
}
#define CLK_LOCAL_MEM_FENCE 1
#define CLK_GLOBAL_MEM_FENCE 2
INL void barrier(int flags) {
  __builtin_amdgcn_fence(__ATOMIC_RELEASE, "workgroup");
  __builtin_amdgcn_s_barrier();
  __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "workgroup");
}
#define atomic_add(p, v) __atomic_fetch_add((p), (v), __ATOMIC_RELAXED)
#define atomic_or(p, v) __atomic_fetch_or((p), (v), __ATOMIC_RELAXED)
#define atomic_max(p, v) __atomic_fetch_max((p), (v), __ATOMIC_RELAXED)
#define atomic_min(p, v) __atomic_fetch_min((p), (v), __ATOMIC_RELAXED)
#define atomic_xchg(p, v) __atomic_exchange_n((p), (v), __ATOMIC_RELAXED)
INL int atomic_cmpxchg(volatile __global int *p, int cmp, int v) {
  __atomic_compare_exchange_n(p, &cmp, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
  return cmp;
}
INL float fabs(float x) { return __builtin_fabsf(x); }
INL float sqrt(float x) { return __builtin_sqrtf(x); }
INL double sqrt(double x) { return __builtin_sqrt(x); }
INL float fma(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
INL double fma(double a, double b, double c) { return __builtin_fma(a, b, c); }
INL float floor(float x) { return __builtin_floorf(x); }
INL float fmin(float a, float b) { return __builtin_fminf(a, b); }
INL float fmax(float a, float b) { return __builtin_fmaxf(a, b); }
INL double fmax(double a, double b) { return __builtin_fmax(a, b); }
INL float copysign(float a, float b) { return __builtin_copysignf(a, b); }
INL float clamp(float x, float lo, float hi) { return __builtin_fminf(__builtin_fmaxf(x, lo), hi); }
INL int max(int a, int b) { return a > b ? a : b; }
INL int min(int a, int b) { return a < b ? a : b; }
INL uint abs(int a) { return a < 0 ? -(uint)a : (uint)a; }
INL uint popcount(uint x) { return __builtin_popcount(x); }
INL uint clz(uint x) { return x ? __builtin_clz(x) : 32; }
INL uint rotate(uint x, uint n) { return (x << (n & 31)) | (x >> ((32 - n) & 31)); }
INL uint mul_hi(uint a, uint b) { return (uint)(((ulong)a * b) >> 32); }
INL uint mad_hi(uint a, uint b, uint c) { return mul_hi(a, b) + c; }
INL uint add_sat(uint a, uint b) { uint s = a + b; return s < a ? 0xffffffffu : s; }
INL uint hadd(uint a, uint b) { return (a >> 1) + (b >> 1) + (a & b & 1); }
INL int mad24(int a, int b, int c) { return ((a << 8) >> 8) * ((b << 8) >> 8) + c; }
INL int mul24(int a, int b) { return ((a << 8) >> 8) * ((b << 8) >> 8); }
#endif

// Work-item helpers on clang builtins: there is no OpenCL library (-nogpulib).
#ifndef PROBES_COMMON_H
#define PROBES_COMMON_H
#define LID_X() __builtin_amdgcn_workitem_id_x()
#define LID_Y() __builtin_amdgcn_workitem_id_y()
#define WGID_X() __builtin_amdgcn_workgroup_id_x()
#define WGID_Y() __builtin_amdgcn_workgroup_id_y()
#define WGSIZE_X() __builtin_amdgcn_workgroup_size_x()
#define WGSIZE_Y() __builtin_amdgcn_workgroup_size_y()
#define GID_X() (WGID_X() * WGSIZE_X() + LID_X())
#define BARRIER()                                   \
  do {                                              \
    __builtin_amdgcn_fence(__ATOMIC_RELEASE, "workgroup"); \
    __builtin_amdgcn_s_barrier();                   \
    __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "workgroup"); \
  } while (0)
#endif

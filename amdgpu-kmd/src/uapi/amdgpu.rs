//! amdgpu items from `amdgpu_drm.h` (libdrm 2.4.114). Items marked "newer"
//! come from the current kernel header, `torvalds/linux`
//! `include/uapi/drm/amdgpu_drm.h` @ 0030595c3e8b (the ABI test reports them
//! as "not in this header" when the installed header lacks them).

use super::drm::DRM_COMMAND_BASE;

abi_consts! { AMDGPU_CMD_CONSTS, false, u32;
    DRM_AMDGPU_GEM_CREATE = 0x00, DRM_AMDGPU_GEM_MMAP = 0x01, DRM_AMDGPU_CTX = 0x02,
    DRM_AMDGPU_BO_LIST = 0x03, DRM_AMDGPU_CS = 0x04, DRM_AMDGPU_INFO = 0x05,
    DRM_AMDGPU_GEM_METADATA = 0x06, DRM_AMDGPU_GEM_WAIT_IDLE = 0x07, DRM_AMDGPU_GEM_VA = 0x08,
    DRM_AMDGPU_WAIT_CS = 0x09, DRM_AMDGPU_GEM_OP = 0x10, DRM_AMDGPU_GEM_USERPTR = 0x11,
    DRM_AMDGPU_WAIT_FENCES = 0x12, DRM_AMDGPU_VM = 0x13, DRM_AMDGPU_FENCE_TO_HANDLE = 0x14,
    DRM_AMDGPU_SCHED = 0x15,
}

abi_consts! { AMDGPU_U32_CONSTS, false, u32;
    // GEM domains
    AMDGPU_GEM_DOMAIN_CPU = 0x1, AMDGPU_GEM_DOMAIN_GTT = 0x2, AMDGPU_GEM_DOMAIN_VRAM = 0x4,
    AMDGPU_GEM_DOMAIN_GDS = 0x8, AMDGPU_GEM_DOMAIN_GWS = 0x10, AMDGPU_GEM_DOMAIN_OA = 0x20,
    // GEM create flags
    AMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED = 1 << 0, AMDGPU_GEM_CREATE_NO_CPU_ACCESS = 1 << 1,
    AMDGPU_GEM_CREATE_CPU_GTT_USWC = 1 << 2, AMDGPU_GEM_CREATE_VRAM_CLEARED = 1 << 3,
    AMDGPU_GEM_CREATE_VRAM_CONTIGUOUS = 1 << 5, AMDGPU_GEM_CREATE_VM_ALWAYS_VALID = 1 << 6,
    AMDGPU_GEM_CREATE_EXPLICIT_SYNC = 1 << 7, AMDGPU_GEM_CREATE_CP_MQD_GFX9 = 1 << 8,
    AMDGPU_GEM_CREATE_VRAM_WIPE_ON_RELEASE = 1 << 9, AMDGPU_GEM_CREATE_ENCRYPTED = 1 << 10,
    AMDGPU_GEM_CREATE_PREEMPTIBLE = 1 << 11,
    // BO list ops
    AMDGPU_BO_LIST_OP_CREATE = 0, AMDGPU_BO_LIST_OP_DESTROY = 1, AMDGPU_BO_LIST_OP_UPDATE = 2,
    // CTX ops, reset status, query2 flags
    AMDGPU_CTX_OP_ALLOC_CTX = 1, AMDGPU_CTX_OP_FREE_CTX = 2, AMDGPU_CTX_OP_QUERY_STATE = 3,
    AMDGPU_CTX_OP_QUERY_STATE2 = 4, AMDGPU_CTX_OP_GET_STABLE_PSTATE = 5,
    AMDGPU_CTX_OP_SET_STABLE_PSTATE = 6,
    AMDGPU_CTX_NO_RESET = 0, AMDGPU_CTX_GUILTY_RESET = 1, AMDGPU_CTX_INNOCENT_RESET = 2,
    AMDGPU_CTX_UNKNOWN_RESET = 3,
    AMDGPU_CTX_QUERY2_FLAGS_RESET = 1 << 0, AMDGPU_CTX_QUERY2_FLAGS_VRAMLOST = 1 << 1,
    AMDGPU_CTX_QUERY2_FLAGS_GUILTY = 1 << 2, AMDGPU_CTX_QUERY2_FLAGS_RAS_CE = 1 << 3,
    AMDGPU_CTX_QUERY2_FLAGS_RAS_UE = 1 << 4,
    AMDGPU_CTX_STABLE_PSTATE_FLAGS_MASK = 0xf, AMDGPU_CTX_STABLE_PSTATE_NONE = 0,
    AMDGPU_CTX_STABLE_PSTATE_STANDARD = 1, AMDGPU_CTX_STABLE_PSTATE_MIN_SCLK = 2,
    AMDGPU_CTX_STABLE_PSTATE_MIN_MCLK = 3, AMDGPU_CTX_STABLE_PSTATE_PEAK = 4,
    // VM ops
    AMDGPU_VM_OP_RESERVE_VMID = 1, AMDGPU_VM_OP_UNRESERVE_VMID = 2,
    // SCHED ops
    AMDGPU_SCHED_OP_PROCESS_PRIORITY_OVERRIDE = 1, AMDGPU_SCHED_OP_CONTEXT_PRIORITY_OVERRIDE = 2,
    // USERPTR flags
    AMDGPU_GEM_USERPTR_READONLY = 1 << 0, AMDGPU_GEM_USERPTR_ANONONLY = 1 << 1,
    AMDGPU_GEM_USERPTR_VALIDATE = 1 << 2, AMDGPU_GEM_USERPTR_REGISTER = 1 << 3,
    // GEM metadata ops
    AMDGPU_GEM_METADATA_OP_SET_METADATA = 1, AMDGPU_GEM_METADATA_OP_GET_METADATA = 2,
    // GEM op
    AMDGPU_GEM_OP_GET_GEM_CREATE_INFO = 0, AMDGPU_GEM_OP_SET_PLACEMENT = 1,
    // VA ops and page flags
    AMDGPU_VA_OP_MAP = 1, AMDGPU_VA_OP_UNMAP = 2, AMDGPU_VA_OP_CLEAR = 3, AMDGPU_VA_OP_REPLACE = 4,
    AMDGPU_VM_DELAY_UPDATE = 1 << 0, AMDGPU_VM_PAGE_READABLE = 1 << 1,
    AMDGPU_VM_PAGE_WRITEABLE = 1 << 2, AMDGPU_VM_PAGE_EXECUTABLE = 1 << 3,
    AMDGPU_VM_PAGE_PRT = 1 << 4, AMDGPU_VM_MTYPE_MASK = 0xf << 5,
    AMDGPU_VM_MTYPE_DEFAULT = 0, AMDGPU_VM_MTYPE_NC = 1 << 5, AMDGPU_VM_MTYPE_WC = 2 << 5,
    AMDGPU_VM_MTYPE_CC = 3 << 5, AMDGPU_VM_MTYPE_UC = 4 << 5, AMDGPU_VM_MTYPE_RW = 5 << 5,
    // HW IP types
    AMDGPU_HW_IP_GFX = 0, AMDGPU_HW_IP_COMPUTE = 1, AMDGPU_HW_IP_DMA = 2, AMDGPU_HW_IP_UVD = 3,
    AMDGPU_HW_IP_VCE = 4, AMDGPU_HW_IP_UVD_ENC = 5, AMDGPU_HW_IP_VCN_DEC = 6,
    AMDGPU_HW_IP_VCN_ENC = 7, AMDGPU_HW_IP_VCN_JPEG = 8, AMDGPU_HW_IP_NUM = 9,
    AMDGPU_HW_IP_INSTANCE_MAX_COUNT = 1,
    // CS chunks
    AMDGPU_CHUNK_ID_IB = 0x01, AMDGPU_CHUNK_ID_FENCE = 0x02, AMDGPU_CHUNK_ID_DEPENDENCIES = 0x03,
    AMDGPU_CHUNK_ID_SYNCOBJ_IN = 0x04, AMDGPU_CHUNK_ID_SYNCOBJ_OUT = 0x05,
    AMDGPU_CHUNK_ID_BO_HANDLES = 0x06, AMDGPU_CHUNK_ID_SCHEDULED_DEPENDENCIES = 0x07,
    AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT = 0x08, AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL = 0x09,
    // IB flags
    AMDGPU_IB_FLAG_CE = 1 << 0, AMDGPU_IB_FLAG_PREAMBLE = 1 << 1, AMDGPU_IB_FLAG_PREEMPT = 1 << 2,
    AMDGPU_IB_FLAG_TC_WB_NOT_INVALIDATE = 1 << 3, AMDGPU_IB_FLAG_RESET_GDS_MAX_WAVE_ID = 1 << 4,
    AMDGPU_IB_FLAGS_SECURE = 1 << 5, AMDGPU_IB_FLAG_EMIT_MEM_SYNC = 1 << 6,
    // FENCE_TO_HANDLE
    AMDGPU_FENCE_TO_HANDLE_GET_SYNCOBJ = 0, AMDGPU_FENCE_TO_HANDLE_GET_SYNCOBJ_FD = 1,
    AMDGPU_FENCE_TO_HANDLE_GET_SYNC_FILE_FD = 2,
    // INFO queries
    AMDGPU_INFO_ACCEL_WORKING = 0x00, AMDGPU_INFO_CRTC_FROM_ID = 0x01,
    AMDGPU_INFO_HW_IP_INFO = 0x02, AMDGPU_INFO_HW_IP_COUNT = 0x03, AMDGPU_INFO_TIMESTAMP = 0x05,
    AMDGPU_INFO_FW_VERSION = 0x0e,
    AMDGPU_INFO_FW_VCE = 0x1, AMDGPU_INFO_FW_UVD = 0x2, AMDGPU_INFO_FW_GMC = 0x03,
    AMDGPU_INFO_FW_GFX_ME = 0x04, AMDGPU_INFO_FW_GFX_PFP = 0x05, AMDGPU_INFO_FW_GFX_CE = 0x06,
    AMDGPU_INFO_FW_GFX_RLC = 0x07, AMDGPU_INFO_FW_GFX_MEC = 0x08, AMDGPU_INFO_FW_SMC = 0x0a,
    AMDGPU_INFO_FW_SDMA = 0x0b, AMDGPU_INFO_FW_SOS = 0x0c, AMDGPU_INFO_FW_ASD = 0x0d,
    AMDGPU_INFO_FW_VCN = 0x0e, AMDGPU_INFO_FW_GFX_RLC_RESTORE_LIST_CNTL = 0x0f,
    AMDGPU_INFO_FW_GFX_RLC_RESTORE_LIST_GPM_MEM = 0x10,
    AMDGPU_INFO_FW_GFX_RLC_RESTORE_LIST_SRM_MEM = 0x11, AMDGPU_INFO_FW_DMCU = 0x12,
    AMDGPU_INFO_FW_TA = 0x13, AMDGPU_INFO_FW_DMCUB = 0x14, AMDGPU_INFO_FW_TOC = 0x15,
    AMDGPU_INFO_NUM_BYTES_MOVED = 0x0f, AMDGPU_INFO_VRAM_USAGE = 0x10,
    AMDGPU_INFO_GTT_USAGE = 0x11, AMDGPU_INFO_GDS_CONFIG = 0x13, AMDGPU_INFO_VRAM_GTT = 0x14,
    AMDGPU_INFO_READ_MMR_REG = 0x15, AMDGPU_INFO_DEV_INFO = 0x16,
    AMDGPU_INFO_VIS_VRAM_USAGE = 0x17, AMDGPU_INFO_NUM_EVICTIONS = 0x18,
    AMDGPU_INFO_MEMORY = 0x19, AMDGPU_INFO_VCE_CLOCK_TABLE = 0x1A, AMDGPU_INFO_VBIOS = 0x1B,
    AMDGPU_INFO_VBIOS_SIZE = 0x1, AMDGPU_INFO_VBIOS_IMAGE = 0x2, AMDGPU_INFO_VBIOS_INFO = 0x3,
    AMDGPU_INFO_NUM_HANDLES = 0x1C, AMDGPU_INFO_SENSOR = 0x1D,
    AMDGPU_INFO_SENSOR_GFX_SCLK = 0x1, AMDGPU_INFO_SENSOR_GFX_MCLK = 0x2,
    AMDGPU_INFO_SENSOR_GPU_TEMP = 0x3, AMDGPU_INFO_SENSOR_GPU_LOAD = 0x4,
    AMDGPU_INFO_SENSOR_GPU_AVG_POWER = 0x5, AMDGPU_INFO_SENSOR_VDDNB = 0x6,
    AMDGPU_INFO_SENSOR_VDDGFX = 0x7, AMDGPU_INFO_SENSOR_STABLE_PSTATE_GFX_SCLK = 0x8,
    AMDGPU_INFO_SENSOR_STABLE_PSTATE_GFX_MCLK = 0x9,
    AMDGPU_INFO_NUM_VRAM_CPU_PAGE_FAULTS = 0x1E, AMDGPU_INFO_VRAM_LOST_COUNTER = 0x1F,
    AMDGPU_INFO_RAS_ENABLED_FEATURES = 0x20, AMDGPU_INFO_VIDEO_CAPS = 0x21,
    AMDGPU_INFO_MMR_SE_INDEX_SHIFT = 0, AMDGPU_INFO_MMR_SE_INDEX_MASK = 0xff,
    AMDGPU_INFO_MMR_SH_INDEX_SHIFT = 8, AMDGPU_INFO_MMR_SH_INDEX_MASK = 0xff,
    // DEV_INFO ids_flags
    AMDGPU_IDS_FLAGS_FUSION = 0x1, AMDGPU_IDS_FLAGS_PREEMPTION = 0x2, AMDGPU_IDS_FLAGS_TMZ = 0x4,
    // VRAM types
    AMDGPU_VRAM_TYPE_UNKNOWN = 0, AMDGPU_VRAM_TYPE_GDDR1 = 1, AMDGPU_VRAM_TYPE_DDR2 = 2,
    AMDGPU_VRAM_TYPE_GDDR3 = 3, AMDGPU_VRAM_TYPE_GDDR4 = 4, AMDGPU_VRAM_TYPE_GDDR5 = 5,
    AMDGPU_VRAM_TYPE_HBM = 6, AMDGPU_VRAM_TYPE_DDR3 = 7, AMDGPU_VRAM_TYPE_DDR4 = 8,
    AMDGPU_VRAM_TYPE_GDDR6 = 9, AMDGPU_VRAM_TYPE_DDR5 = 10,
    // families
    AMDGPU_FAMILY_UNKNOWN = 0, AMDGPU_FAMILY_SI = 110, AMDGPU_FAMILY_CI = 120,
    AMDGPU_FAMILY_KV = 125, AMDGPU_FAMILY_VI = 130, AMDGPU_FAMILY_CZ = 135,
    AMDGPU_FAMILY_AI = 141, AMDGPU_FAMILY_RV = 142, AMDGPU_FAMILY_NV = 143,
    AMDGPU_FAMILY_VGH = 144, AMDGPU_FAMILY_YC = 146,
}

abi_consts! { AMDGPU_I32_CONSTS, false, i32;
    AMDGPU_CTX_PRIORITY_UNSET = -2048, AMDGPU_CTX_PRIORITY_VERY_LOW = -1023,
    AMDGPU_CTX_PRIORITY_LOW = -512, AMDGPU_CTX_PRIORITY_NORMAL = 0,
    AMDGPU_CTX_PRIORITY_HIGH = 512, AMDGPU_CTX_PRIORITY_VERY_HIGH = 1023,
}

abi_consts! { AMDGPU_NEWER_CONSTS, true, u32;
    /// Doorbell domain (newer).
    AMDGPU_GEM_DOMAIN_DOORBELL = 0x40,
    AMDGPU_GEM_CREATE_DISCARDABLE = 1 << 12, AMDGPU_GEM_CREATE_COHERENT = 1 << 13,
    AMDGPU_GEM_CREATE_UNCACHED = 1 << 14, AMDGPU_GEM_CREATE_EXT_COHERENT = 1 << 15,
    AMDGPU_CTX_QUERY2_FLAGS_RESET_IN_PROGRESS = 1 << 5,
    AMDGPU_INFO_FW_CAP = 0x16, AMDGPU_INFO_FW_GFX_RLCP = 0x17, AMDGPU_INFO_FW_GFX_RLCV = 0x18,
    AMDGPU_INFO_FW_MES_KIQ = 0x19, AMDGPU_INFO_FW_MES = 0x1a, AMDGPU_INFO_FW_IMU = 0x1b,
    AMDGPU_INFO_FW_VPE = 0x1c,
    AMDGPU_INFO_SENSOR_PEAK_PSTATE_GFX_SCLK = 0xa, AMDGPU_INFO_SENSOR_PEAK_PSTATE_GFX_MCLK = 0xb,
    AMDGPU_INFO_SENSOR_GPU_INPUT_POWER = 0xc,
    AMDGPU_INFO_MAX_IBS = 0x22, AMDGPU_INFO_GPUVM_FAULT = 0x23,
    AMDGPU_VRAM_TYPE_LPDDR4 = 11, AMDGPU_VRAM_TYPE_LPDDR5 = 12,
    AMDGPU_FAMILY_GC_11_0_0 = 145, AMDGPU_FAMILY_GC_11_0_1 = 148,
    AMDGPU_FAMILY_GC_10_3_6 = 149, AMDGPU_FAMILY_GC_10_3_7 = 151,
    AMDGPU_FAMILY_GC_11_5_0 = 150, AMDGPU_FAMILY_GC_12_0_0 = 152,
}

/// Every `AMDGPU_INFO_FW_*` id with a short name, in id order (what
/// `rocless info` prints). Ids above `AMDGPU_INFO_FW_TOC` are newer.
pub const FW_IDS: &[(u32, &str)] = &[
    (AMDGPU_INFO_FW_VCE, "VCE"),
    (AMDGPU_INFO_FW_UVD, "UVD"),
    (AMDGPU_INFO_FW_GMC, "GMC"),
    (AMDGPU_INFO_FW_GFX_ME, "ME"),
    (AMDGPU_INFO_FW_GFX_PFP, "PFP"),
    (AMDGPU_INFO_FW_GFX_CE, "CE"),
    (AMDGPU_INFO_FW_GFX_RLC, "RLC"),
    (AMDGPU_INFO_FW_GFX_MEC, "MEC"),
    (AMDGPU_INFO_FW_SMC, "SMC"),
    (AMDGPU_INFO_FW_SDMA, "SDMA"),
    (AMDGPU_INFO_FW_SOS, "SOS"),
    (AMDGPU_INFO_FW_ASD, "ASD"),
    (AMDGPU_INFO_FW_VCN, "VCN"),
    (AMDGPU_INFO_FW_GFX_RLC_RESTORE_LIST_CNTL, "RLC_SRLC"),
    (AMDGPU_INFO_FW_GFX_RLC_RESTORE_LIST_GPM_MEM, "RLC_SRLG"),
    (AMDGPU_INFO_FW_GFX_RLC_RESTORE_LIST_SRM_MEM, "RLC_SRLS"),
    (AMDGPU_INFO_FW_DMCU, "DMCU"),
    (AMDGPU_INFO_FW_TA, "TA"),
    (AMDGPU_INFO_FW_DMCUB, "DMCUB"),
    (AMDGPU_INFO_FW_TOC, "TOC"),
    (AMDGPU_INFO_FW_CAP, "CAP"),
    (AMDGPU_INFO_FW_GFX_RLCP, "RLCP"),
    (AMDGPU_INFO_FW_GFX_RLCV, "RLCV"),
    (AMDGPU_INFO_FW_MES_KIQ, "MES_KIQ"),
    (AMDGPU_INFO_FW_MES, "MES"),
    (AMDGPU_INFO_FW_IMU, "IMU"),
    (AMDGPU_INFO_FW_VPE, "VPE"),
];

abi_structs! { AMDGPU_STRUCTS;
    /// `struct drm_amdgpu_gem_create_in`.
    DrmAmdgpuGemCreateIn = "struct drm_amdgpu_gem_create_in" {
        bo_size: u64, alignment: u64, domains: u64, domain_flags: u64,
    }
    /// `struct drm_amdgpu_gem_create_out`.
    DrmAmdgpuGemCreateOut = "struct drm_amdgpu_gem_create_out" { handle: u32, _pad: u32 }
    /// `struct drm_amdgpu_bo_list_in`.
    DrmAmdgpuBoListIn = "struct drm_amdgpu_bo_list_in" {
        operation: u32, list_handle: u32, bo_number: u32, bo_info_size: u32, bo_info_ptr: u64,
    }
    /// `struct drm_amdgpu_bo_list_entry` (also the BO_HANDLES chunk element).
    DrmAmdgpuBoListEntry = "struct drm_amdgpu_bo_list_entry" { bo_handle: u32, bo_priority: u32 }
    /// `struct drm_amdgpu_bo_list_out`.
    DrmAmdgpuBoListOut = "struct drm_amdgpu_bo_list_out" { list_handle: u32, _pad: u32 }
    /// `struct drm_amdgpu_ctx_in`.
    DrmAmdgpuCtxIn = "struct drm_amdgpu_ctx_in" { op: u32, flags: u32, ctx_id: u32, priority: i32 }
    /// `drm_amdgpu_ctx_out.alloc`.
    DrmAmdgpuCtxOutAlloc = "__typeof__(((union drm_amdgpu_ctx_out *)0)->alloc)" { ctx_id: u32, _pad: u32 }
    /// `drm_amdgpu_ctx_out.state` (QUERY_STATE; QUERY_STATE2 puts flags in `flags`).
    DrmAmdgpuCtxOutState = "__typeof__(((union drm_amdgpu_ctx_out *)0)->state)" {
        flags: u64, hangs: u32, reset_status: u32,
    }
    /// `drm_amdgpu_ctx_out.pstate`.
    DrmAmdgpuCtxOutPstate = "__typeof__(((union drm_amdgpu_ctx_out *)0)->pstate)" { flags: u32, _pad: u32 }
    /// `struct drm_amdgpu_vm_in`.
    DrmAmdgpuVmIn = "struct drm_amdgpu_vm_in" { op: u32, flags: u32 }
    /// `struct drm_amdgpu_vm_out`.
    DrmAmdgpuVmOut = "struct drm_amdgpu_vm_out" { flags: u64 }
    /// `struct drm_amdgpu_sched_in`.
    DrmAmdgpuSchedIn = "struct drm_amdgpu_sched_in" { op: u32, fd: u32, priority: i32, ctx_id: u32 }
    /// `struct drm_amdgpu_gem_userptr`.
    DrmAmdgpuGemUserptr = "struct drm_amdgpu_gem_userptr" { addr: u64, size: u64, flags: u32, handle: u32 }
    /// `drm_amdgpu_gem_metadata.data`.
    DrmAmdgpuGemMetadataData = "__typeof__(((struct drm_amdgpu_gem_metadata *)0)->data)" {
        flags: u64, tiling_info: u64, data_size_bytes: u32, data: [u32; 64], _pad_tail: u32 => pad,
    }
    /// `struct drm_amdgpu_gem_metadata`.
    DrmAmdgpuGemMetadata = "struct drm_amdgpu_gem_metadata" {
        handle: u32, op: u32, data: DrmAmdgpuGemMetadataData,
    }
    /// `struct drm_amdgpu_gem_mmap_in`.
    DrmAmdgpuGemMmapIn = "struct drm_amdgpu_gem_mmap_in" { handle: u32, _pad: u32 }
    /// `struct drm_amdgpu_gem_mmap_out`: the fake offset to pass to `mmap(2)`.
    DrmAmdgpuGemMmapOut = "struct drm_amdgpu_gem_mmap_out" { addr_ptr: u64 }
    /// `struct drm_amdgpu_gem_wait_idle_in`.
    DrmAmdgpuGemWaitIdleIn = "struct drm_amdgpu_gem_wait_idle_in" { handle: u32, flags: u32, timeout: u64 }
    /// `struct drm_amdgpu_gem_wait_idle_out`.
    DrmAmdgpuGemWaitIdleOut = "struct drm_amdgpu_gem_wait_idle_out" { status: u32, domain: u32 }
    /// `struct drm_amdgpu_wait_cs_in`. `timeout` is absolute ns (CLOCK_MONOTONIC).
    DrmAmdgpuWaitCsIn = "struct drm_amdgpu_wait_cs_in" {
        handle: u64, timeout: u64, ip_type: u32, ip_instance: u32, ring: u32, ctx_id: u32,
    }
    /// `struct drm_amdgpu_wait_cs_out`: 1 = still busy (timeout), 0 = done.
    DrmAmdgpuWaitCsOut = "struct drm_amdgpu_wait_cs_out" { status: u64 }
    /// `struct drm_amdgpu_fence`.
    DrmAmdgpuFence = "struct drm_amdgpu_fence" {
        ctx_id: u32, ip_type: u32, ip_instance: u32, ring: u32, seq_no: u64,
    }
    /// `struct drm_amdgpu_wait_fences_in`.
    DrmAmdgpuWaitFencesIn = "struct drm_amdgpu_wait_fences_in" {
        fences: u64, fence_count: u32, wait_all: u32, timeout_ns: u64,
    }
    /// `struct drm_amdgpu_wait_fences_out`.
    DrmAmdgpuWaitFencesOut = "struct drm_amdgpu_wait_fences_out" { status: u32, first_signaled: u32 }
    /// `struct drm_amdgpu_gem_op`.
    DrmAmdgpuGemOp = "struct drm_amdgpu_gem_op" { handle: u32, op: u32, value: u64 }
    /// `struct drm_amdgpu_gem_va`.
    DrmAmdgpuGemVa = "struct drm_amdgpu_gem_va" {
        handle: u32, _pad: u32, operation: u32, flags: u32, va_address: u64, offset_in_bo: u64,
        map_size: u64,
    }
    /// `struct drm_amdgpu_cs_chunk`.
    DrmAmdgpuCsChunk = "struct drm_amdgpu_cs_chunk" { chunk_id: u32, length_dw: u32, chunk_data: u64 }
    /// `struct drm_amdgpu_cs_in`.
    DrmAmdgpuCsIn = "struct drm_amdgpu_cs_in" {
        ctx_id: u32, bo_list_handle: u32, num_chunks: u32, flags: u32, chunks: u64,
    }
    /// `struct drm_amdgpu_cs_out`: the fence sequence number.
    DrmAmdgpuCsOut = "struct drm_amdgpu_cs_out" { handle: u64 }
    /// `struct drm_amdgpu_cs_chunk_ib`.
    DrmAmdgpuCsChunkIb = "struct drm_amdgpu_cs_chunk_ib" {
        _pad: u32, flags: u32, va_start: u64, ib_bytes: u32, ip_type: u32, ip_instance: u32, ring: u32,
    }
    /// `struct drm_amdgpu_cs_chunk_dep`.
    DrmAmdgpuCsChunkDep = "struct drm_amdgpu_cs_chunk_dep" {
        ip_type: u32, ip_instance: u32, ring: u32, ctx_id: u32, handle: u64,
    }
    /// `struct drm_amdgpu_cs_chunk_fence`.
    DrmAmdgpuCsChunkFence = "struct drm_amdgpu_cs_chunk_fence" { handle: u32, offset: u32 }
    /// `struct drm_amdgpu_cs_chunk_sem` (SYNCOBJ_IN / SYNCOBJ_OUT element).
    DrmAmdgpuCsChunkSem = "struct drm_amdgpu_cs_chunk_sem" { handle: u32 }
    /// `struct drm_amdgpu_cs_chunk_syncobj` (timeline chunks).
    DrmAmdgpuCsChunkSyncobj = "struct drm_amdgpu_cs_chunk_syncobj" { handle: u32, flags: u32, point: u64 }
    /// `drm_amdgpu_fence_to_handle.in`.
    DrmAmdgpuFenceToHandleIn = "__typeof__(((union drm_amdgpu_fence_to_handle *)0)->in)" {
        fence: DrmAmdgpuFence, what: u32, pad: u32,
    }
    /// `drm_amdgpu_fence_to_handle.out`.
    DrmAmdgpuFenceToHandleOut = "__typeof__(((union drm_amdgpu_fence_to_handle *)0)->out)" { handle: u32 }
    /// `struct drm_amdgpu_query_fw`.
    DrmAmdgpuQueryFw = "struct drm_amdgpu_query_fw" { fw_type: u32, ip_instance: u32, index: u32, _pad: u32 }
    /// `drm_amdgpu_info.mode_crtc`.
    DrmAmdgpuInfoModeCrtc = "__typeof__(((struct drm_amdgpu_info *)0)->mode_crtc)" { id: u32, _pad: u32 }
    /// `drm_amdgpu_info.query_hw_ip`.
    DrmAmdgpuInfoQueryHwIp = "__typeof__(((struct drm_amdgpu_info *)0)->query_hw_ip)" {
        type_: u32 => "type", ip_instance: u32,
    }
    /// `drm_amdgpu_info.read_mmr_reg`.
    DrmAmdgpuInfoReadMmrReg = "__typeof__(((struct drm_amdgpu_info *)0)->read_mmr_reg)" {
        dword_offset: u32, count: u32, instance: u32, flags: u32,
    }
    /// `drm_amdgpu_info.vbios_info`.
    DrmAmdgpuInfoVbiosInfo = "__typeof__(((struct drm_amdgpu_info *)0)->vbios_info)" { type_: u32 => "type", offset: u32 }
    /// `drm_amdgpu_info.sensor_info`.
    DrmAmdgpuInfoSensorInfo = "__typeof__(((struct drm_amdgpu_info *)0)->sensor_info)" { type_: u32 => "type" }
    /// `struct drm_amdgpu_info`. `query_args` is the anonymous union
    /// (`query_hw_ip`, `read_mmr_reg`, `query_fw`, …); set it with the
    /// `with_*` helpers.
    DrmAmdgpuInfo = "struct drm_amdgpu_info" {
        return_pointer: u64, return_size: u32, query: u32, query_args: [u32; 4] => "read_mmr_reg",
    }
    /// `struct drm_amdgpu_info_gds`.
    DrmAmdgpuInfoGds = "struct drm_amdgpu_info_gds" {
        gds_gfx_partition_size: u32, compute_partition_size: u32, gds_total_size: u32,
        gws_per_gfx_partition: u32, gws_per_compute_partition: u32, oa_per_gfx_partition: u32,
        oa_per_compute_partition: u32, _pad: u32,
    }
    /// `struct drm_amdgpu_info_vram_gtt`.
    DrmAmdgpuInfoVramGtt = "struct drm_amdgpu_info_vram_gtt" {
        vram_size: u64, vram_cpu_accessible_size: u64, gtt_size: u64,
    }
    /// `struct drm_amdgpu_heap_info`.
    DrmAmdgpuHeapInfo = "struct drm_amdgpu_heap_info" {
        total_heap_size: u64, usable_heap_size: u64, heap_usage: u64, max_allocation: u64,
    }
    /// `struct drm_amdgpu_memory_info`.
    DrmAmdgpuMemoryInfo = "struct drm_amdgpu_memory_info" {
        vram: DrmAmdgpuHeapInfo, cpu_accessible_vram: DrmAmdgpuHeapInfo, gtt: DrmAmdgpuHeapInfo,
    }
    /// `struct drm_amdgpu_info_firmware`.
    DrmAmdgpuInfoFirmware = "struct drm_amdgpu_info_firmware" { ver: u32, feature: u32 }
    /// `struct drm_amdgpu_info_vbios`.
    DrmAmdgpuInfoVbios = "struct drm_amdgpu_info_vbios" {
        name: [u8; 64], vbios_pn: [u8; 64], version: u32, pad: u32, vbios_ver_str: [u8; 32],
        date: [u8; 32],
    }
    /// `struct drm_amdgpu_info_device` with the fields of the current kernel
    /// header appended (the kernel copies `min(return_size, sizeof)`, so an
    /// older kernel leaves them zero). `pcie_gen` / `pcie_num_lanes` are
    /// `_pad` / `_pad1` in libdrm 2.4.114.
    DrmAmdgpuInfoDevice = "struct drm_amdgpu_info_device" {
        device_id: u32, chip_rev: u32, external_rev: u32, pci_rev: u32, family: u32,
        num_shader_engines: u32, num_shader_arrays_per_engine: u32,
        /// In kHz.
        gpu_counter_freq: u32,
        /// In kHz.
        max_engine_clock: u64,
        /// In kHz.
        max_memory_clock: u64,
        cu_active_number: u32, cu_ao_mask: u32, cu_bitmap: [[u32; 4]; 4],
        enabled_rb_pipes_mask: u32, num_rb_pipes: u32, num_hw_gfx_contexts: u32,
        pcie_gen: u32 => "_pad",
        ids_flags: u64, virtual_address_offset: u64, virtual_address_max: u64,
        virtual_address_alignment: u32, pte_fragment_size: u32, gart_page_size: u32,
        ce_ram_size: u32, vram_type: u32, vram_bit_width: u32, vce_harvest_config: u32,
        gc_double_offchip_lds_buf: u32, prim_buf_gpu_addr: u64, pos_buf_gpu_addr: u64,
        cntl_sb_buf_gpu_addr: u64, param_buf_gpu_addr: u64, prim_buf_size: u32,
        pos_buf_size: u32, cntl_sb_buf_size: u32, param_buf_size: u32, wave_front_size: u32,
        num_shader_visible_vgprs: u32, num_cu_per_sh: u32, num_tcc_blocks: u32,
        gs_vgt_table_depth: u32, gs_prim_buffer_depth: u32, max_gs_waves_per_vgt: u32,
        pcie_num_lanes: u32 => "_pad1",
        cu_ao_bitmap: [[u32; 4]; 4], high_va_offset: u64, high_va_max: u64,
        pa_sc_tile_steering_override: u32, _pad_tso: u32 => pad, tcc_disabled_mask: u64,
        min_engine_clock: u64 => new, min_memory_clock: u64 => new,
        tcp_cache_size: u32 => new, num_sqc_per_wgp: u32 => new,
        sqc_data_cache_size: u32 => new, sqc_inst_cache_size: u32 => new,
        gl1c_cache_size: u32 => new, gl2c_cache_size: u32 => new, mall_size: u64 => new,
        enabled_rb_pipes_mask_hi: u32 => new, shadow_size: u32 => new,
        shadow_alignment: u32 => new, csa_size: u32 => new, csa_alignment: u32 => new,
        userq_ip_mask: u32 => new, pad: u32 => new, _pad_tail: u32 => pad,
    }
    /// `struct drm_amdgpu_info_hw_ip`; `ip_discovery_version` is `_pad` in
    /// libdrm 2.4.114, `userq_num_slots` is newer.
    DrmAmdgpuInfoHwIp = "struct drm_amdgpu_info_hw_ip" {
        hw_ip_version_major: u32, hw_ip_version_minor: u32, capabilities_flags: u64,
        ib_start_alignment: u32, ib_size_alignment: u32, available_rings: u32,
        ip_discovery_version: u32 => "_pad", userq_num_slots: u32 => new, _pad_tail: u32 => pad,
    }
    /// `struct drm_amdgpu_info_num_handles`.
    DrmAmdgpuInfoNumHandles = "struct drm_amdgpu_info_num_handles" {
        uvd_max_handles: u32, uvd_used_handles: u32,
    }
}

abi_unions! { AMDGPU_UNIONS;
    /// `union drm_amdgpu_gem_create`.
    DrmAmdgpuGemCreate = "union drm_amdgpu_gem_create", [u64; 4] {
        input / from_input: DrmAmdgpuGemCreateIn => "in",
        output / from_output: DrmAmdgpuGemCreateOut => "out",
    }
    /// `union drm_amdgpu_bo_list`.
    DrmAmdgpuBoList = "union drm_amdgpu_bo_list", [u64; 3] {
        input / from_input: DrmAmdgpuBoListIn => "in",
        output / from_output: DrmAmdgpuBoListOut => "out",
    }
    /// `union drm_amdgpu_ctx_out`.
    DrmAmdgpuCtxOut = "union drm_amdgpu_ctx_out", [u64; 2] {
        alloc / from_alloc: DrmAmdgpuCtxOutAlloc => "alloc",
        state / from_state: DrmAmdgpuCtxOutState => "state",
        pstate / from_pstate: DrmAmdgpuCtxOutPstate => "pstate",
    }
    /// `union drm_amdgpu_ctx`.
    DrmAmdgpuCtx = "union drm_amdgpu_ctx", [u64; 2] {
        input / from_input: DrmAmdgpuCtxIn => "in",
        output / from_output: DrmAmdgpuCtxOut => "out",
    }
    /// `union drm_amdgpu_vm`.
    DrmAmdgpuVm = "union drm_amdgpu_vm", [u64; 1] {
        input / from_input: DrmAmdgpuVmIn => "in",
        output / from_output: DrmAmdgpuVmOut => "out",
    }
    /// `union drm_amdgpu_sched`.
    DrmAmdgpuSched = "union drm_amdgpu_sched", [u32; 4] {
        input / from_input: DrmAmdgpuSchedIn => "in",
    }
    /// `union drm_amdgpu_gem_mmap`.
    DrmAmdgpuGemMmap = "union drm_amdgpu_gem_mmap", [u64; 1] {
        input / from_input: DrmAmdgpuGemMmapIn => "in",
        output / from_output: DrmAmdgpuGemMmapOut => "out",
    }
    /// `union drm_amdgpu_gem_wait_idle`.
    DrmAmdgpuGemWaitIdle = "union drm_amdgpu_gem_wait_idle", [u64; 2] {
        input / from_input: DrmAmdgpuGemWaitIdleIn => "in",
        output / from_output: DrmAmdgpuGemWaitIdleOut => "out",
    }
    /// `union drm_amdgpu_wait_cs`.
    DrmAmdgpuWaitCs = "union drm_amdgpu_wait_cs", [u64; 4] {
        input / from_input: DrmAmdgpuWaitCsIn => "in",
        output / from_output: DrmAmdgpuWaitCsOut => "out",
    }
    /// `union drm_amdgpu_wait_fences`.
    DrmAmdgpuWaitFences = "union drm_amdgpu_wait_fences", [u64; 3] {
        input / from_input: DrmAmdgpuWaitFencesIn => "in",
        output / from_output: DrmAmdgpuWaitFencesOut => "out",
    }
    /// `union drm_amdgpu_cs`.
    DrmAmdgpuCs = "union drm_amdgpu_cs", [u64; 3] {
        input / from_input: DrmAmdgpuCsIn => "in",
        output / from_output: DrmAmdgpuCsOut => "out",
    }
    /// `union drm_amdgpu_fence_to_handle`.
    DrmAmdgpuFenceToHandle = "union drm_amdgpu_fence_to_handle", [u64; 4] {
        input / from_input: DrmAmdgpuFenceToHandleIn => "in",
        output / from_output: DrmAmdgpuFenceToHandleOut => "out",
    }
    /// `struct drm_amdgpu_cs_chunk_data` (an anonymous union inside a struct).
    DrmAmdgpuCsChunkData = "struct drm_amdgpu_cs_chunk_data", [u64; 4] {
        ib_data / from_ib_data: DrmAmdgpuCsChunkIb => "ib_data",
        fence_data / from_fence_data: DrmAmdgpuCsChunkFence => "fence_data",
    }
}

impl DrmAmdgpuInfo {
    /// An INFO request for `query` writing at most `return_size` bytes to
    /// `return_pointer`.
    pub fn new(query: u32, return_pointer: u64, return_size: u32) -> Self {
        Self {
            return_pointer,
            return_size,
            query,
            query_args: [0; 4],
        }
    }
    fn with_args<T: bytemuck::Pod>(mut self, args: T) -> Self {
        let mut raw = [0u8; 16];
        raw[..core::mem::size_of::<T>()].copy_from_slice(bytemuck::bytes_of(&args));
        self.query_args = bytemuck::cast(raw);
        self
    }
    fn args<T: bytemuck::Pod>(&self) -> T {
        let raw: [u8; 16] = bytemuck::cast(self.query_args);
        bytemuck::pod_read_unaligned(&raw[..core::mem::size_of::<T>()])
    }
    /// Sets the `query_hw_ip` member.
    pub fn with_query_hw_ip(self, a: DrmAmdgpuInfoQueryHwIp) -> Self {
        self.with_args(a)
    }
    /// Sets the `read_mmr_reg` member.
    pub fn with_read_mmr_reg(self, a: DrmAmdgpuInfoReadMmrReg) -> Self {
        self.with_args(a)
    }
    /// Sets the `query_fw` member.
    pub fn with_query_fw(self, a: DrmAmdgpuQueryFw) -> Self {
        self.with_args(a)
    }
    /// Sets the `vbios_info` member.
    pub fn with_vbios_info(self, a: DrmAmdgpuInfoVbiosInfo) -> Self {
        self.with_args(a)
    }
    /// Sets the `sensor_info` member.
    pub fn with_sensor_info(self, a: DrmAmdgpuInfoSensorInfo) -> Self {
        self.with_args(a)
    }
    /// Reads the `query_hw_ip` member.
    pub fn query_hw_ip(&self) -> DrmAmdgpuInfoQueryHwIp {
        self.args()
    }
    /// Reads the `read_mmr_reg` member.
    pub fn read_mmr_reg(&self) -> DrmAmdgpuInfoReadMmrReg {
        self.args()
    }
    /// Reads the `query_fw` member.
    pub fn query_fw(&self) -> DrmAmdgpuQueryFw {
        self.args()
    }
    /// Reads the `vbios_info` member.
    pub fn vbios_info(&self) -> DrmAmdgpuInfoVbiosInfo {
        self.args()
    }
    /// Reads the `sensor_info` member.
    pub fn sensor_info(&self) -> DrmAmdgpuInfoSensorInfo {
        self.args()
    }
}

/// `DRM_COMMAND_BASE + nr`, as the header's `DRM_IOCTL_AMDGPU_*` macros do.
pub const fn amdgpu_nr(cmd: u32) -> u32 {
    DRM_COMMAND_BASE + cmd
}

abi_ioctls! { AMDGPU_IOCTLS;
    DRM_IOCTL_AMDGPU_GEM_CREATE = IOC_READ_WRITE(amdgpu_nr(DRM_AMDGPU_GEM_CREATE), DrmAmdgpuGemCreate),
    DRM_IOCTL_AMDGPU_GEM_MMAP = IOC_READ_WRITE(amdgpu_nr(DRM_AMDGPU_GEM_MMAP), DrmAmdgpuGemMmap),
    DRM_IOCTL_AMDGPU_CTX = IOC_READ_WRITE(amdgpu_nr(DRM_AMDGPU_CTX), DrmAmdgpuCtx),
    DRM_IOCTL_AMDGPU_BO_LIST = IOC_READ_WRITE(amdgpu_nr(DRM_AMDGPU_BO_LIST), DrmAmdgpuBoList),
    DRM_IOCTL_AMDGPU_CS = IOC_READ_WRITE(amdgpu_nr(DRM_AMDGPU_CS), DrmAmdgpuCs),
    DRM_IOCTL_AMDGPU_INFO = IOC_WRITE(amdgpu_nr(DRM_AMDGPU_INFO), DrmAmdgpuInfo),
    DRM_IOCTL_AMDGPU_GEM_METADATA = IOC_READ_WRITE(amdgpu_nr(DRM_AMDGPU_GEM_METADATA), DrmAmdgpuGemMetadata),
    DRM_IOCTL_AMDGPU_GEM_WAIT_IDLE = IOC_READ_WRITE(amdgpu_nr(DRM_AMDGPU_GEM_WAIT_IDLE), DrmAmdgpuGemWaitIdle),
    DRM_IOCTL_AMDGPU_GEM_VA = IOC_WRITE(amdgpu_nr(DRM_AMDGPU_GEM_VA), DrmAmdgpuGemVa),
    DRM_IOCTL_AMDGPU_WAIT_CS = IOC_READ_WRITE(amdgpu_nr(DRM_AMDGPU_WAIT_CS), DrmAmdgpuWaitCs),
    DRM_IOCTL_AMDGPU_GEM_OP = IOC_READ_WRITE(amdgpu_nr(DRM_AMDGPU_GEM_OP), DrmAmdgpuGemOp),
    DRM_IOCTL_AMDGPU_GEM_USERPTR = IOC_READ_WRITE(amdgpu_nr(DRM_AMDGPU_GEM_USERPTR), DrmAmdgpuGemUserptr),
    DRM_IOCTL_AMDGPU_WAIT_FENCES = IOC_READ_WRITE(amdgpu_nr(DRM_AMDGPU_WAIT_FENCES), DrmAmdgpuWaitFences),
    DRM_IOCTL_AMDGPU_VM = IOC_READ_WRITE(amdgpu_nr(DRM_AMDGPU_VM), DrmAmdgpuVm),
    DRM_IOCTL_AMDGPU_FENCE_TO_HANDLE = IOC_READ_WRITE(amdgpu_nr(DRM_AMDGPU_FENCE_TO_HANDLE), DrmAmdgpuFenceToHandle),
    DRM_IOCTL_AMDGPU_SCHED = IOC_WRITE(amdgpu_nr(DRM_AMDGPU_SCHED), DrmAmdgpuSched),
}

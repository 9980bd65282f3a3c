//! Initial wave state a kernel descriptor asks for: which user SGPRs the dispatcher must
//! load (through COMPUTE_USER_DATA_0..15), which system SGPRs and VGPRs the hardware adds.
//!
//! Order and sizes: AMDGPUUsage "Initial Kernel Execution State" (SGPR register initial
//! state order table), LLVM `SIMachineFunctionInfo::addPrivateSegmentBuffer` ...
//! `addPrivateSegmentSize` (user SGPRs are allocated in exactly this order). See
//! `firmware-notes/kernarg-and-user-sgprs.md` for how each value reaches the wave.

use crate::descriptor::KernelDescriptor;
use crate::error::{Error, Result};
use serde::Serialize;

/// Number of COMPUTE_USER_DATA_* registers on gfx10 (USER_DATA_0..15).
pub const MAX_USER_SGPRS: u32 = 16;

/// What a user SGPR block holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UserSgprKind {
    /// 4 dwords: buffer resource (V#) of the wave's scratch.
    PrivateSegmentBuffer,
    /// 2 dwords: address of the 64-byte AQL dispatch packet.
    DispatchPtr,
    /// 2 dwords: address of the AQL queue (amd_queue_t).
    QueuePtr,
    /// 2 dwords: address of the kernarg segment.
    KernargSegmentPtr,
    /// 2 dwords: 64-bit dispatch id.
    DispatchId,
    /// 2 dwords: scratch backing-memory address for FLAT_SCRATCH setup.
    FlatScratchInit,
    /// 1 dword: scratch bytes per work-item.
    PrivateSegmentSize,
    /// Kernarg dwords preloaded into SGPRs (gfx90a/gfx940 kernarg preload).
    PreloadedKernarg,
}

impl UserSgprKind {
    /// Short description for listings.
    pub fn meaning(self) -> &'static str {
        match self {
            UserSgprKind::PrivateSegmentBuffer => "private segment buffer V# (scratch resource)",
            UserSgprKind::DispatchPtr => "dispatch packet pointer (hsa_kernel_dispatch_packet_t)",
            UserSgprKind::QueuePtr => "queue pointer (amd_queue_t)",
            UserSgprKind::KernargSegmentPtr => "kernarg segment pointer",
            UserSgprKind::DispatchId => "dispatch id (64-bit)",
            UserSgprKind::FlatScratchInit => "flat scratch init (scratch base address)",
            UserSgprKind::PrivateSegmentSize => "private segment size per work-item",
            UserSgprKind::PreloadedKernarg => "preloaded kernarg dwords",
        }
    }
}

/// One block of user SGPRs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UserSgpr {
    /// First SGPR (= USER_DATA register index).
    pub index: u32,
    /// Number of dwords.
    pub dwords: u32,
    /// Contents.
    pub kind: UserSgprKind,
}

/// SGPRs the hardware (SPI) writes after the user SGPRs, and the work-item id VGPRs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SgprLayout {
    /// User SGPR blocks in order.
    pub user: Vec<UserSgpr>,
    /// RSRC2.USER_SGPR (may exceed the sum of the blocks).
    pub user_sgpr_count: u32,
    /// System SGPRs: (sgpr index, meaning).
    pub system: Vec<(u32, &'static str)>,
    /// Work-item id VGPRs: (vgpr index, meaning).
    pub vgprs: Vec<(u32, &'static str)>,
}

/// Derives the SGPR/VGPR layout from the descriptor's enable bits. Errors if the enabled
/// blocks need more SGPRs than RSRC2.USER_SGPR provides or than USER_DATA registers exist.
pub fn sgpr_layout(d: &KernelDescriptor, kernel: &str) -> Result<SgprLayout> {
    let blocks = [
        (
            d.enable_sgpr_private_segment_buffer,
            4,
            UserSgprKind::PrivateSegmentBuffer,
        ),
        (d.enable_sgpr_dispatch_ptr, 2, UserSgprKind::DispatchPtr),
        (d.enable_sgpr_queue_ptr, 2, UserSgprKind::QueuePtr),
        (
            d.enable_sgpr_kernarg_segment_ptr,
            2,
            UserSgprKind::KernargSegmentPtr,
        ),
        (d.enable_sgpr_dispatch_id, 2, UserSgprKind::DispatchId),
        (
            d.enable_sgpr_flat_scratch_init,
            2,
            UserSgprKind::FlatScratchInit,
        ),
        (
            d.enable_sgpr_private_segment_size,
            1,
            UserSgprKind::PrivateSegmentSize,
        ),
        (
            d.kernarg_preload_length > 0,
            d.kernarg_preload_length,
            UserSgprKind::PreloadedKernarg,
        ),
    ];
    let mut user = Vec::new();
    let mut next = 0u32;
    for (on, dwords, kind) in blocks {
        if on {
            user.push(UserSgpr {
                index: next,
                dwords,
                kind,
            });
            next += dwords;
        }
    }
    let derr = |detail: String| Error::Descriptor {
        kernel: kernel.to_string(),
        detail,
    };
    if next > d.user_sgpr_count {
        return Err(derr(format!(
            "enabled user SGPRs need {next} but RSRC2.USER_SGPR is {}",
            d.user_sgpr_count
        )));
    }
    if d.user_sgpr_count > MAX_USER_SGPRS {
        return Err(derr(format!(
            "RSRC2.USER_SGPR {} exceeds the {MAX_USER_SGPRS} USER_DATA registers",
            d.user_sgpr_count
        )));
    }
    let mut system = Vec::new();
    let mut s = d.user_sgpr_count;
    let sys = [
        (d.tgid_x_en, "workgroup id x"),
        (d.tgid_y_en, "workgroup id y"),
        (d.tgid_z_en, "workgroup id z"),
        (d.tg_size_en, "workgroup info"),
        (d.scratch_en, "private segment wave byte offset"),
    ];
    for (on, what) in sys {
        if on {
            system.push((s, what));
            s += 1;
        }
    }
    let vgprs = ["work-item id x", "work-item id y", "work-item id z"]
        .iter()
        .take(d.tidig_comp_cnt.min(2) as usize + 1)
        .enumerate()
        .map(|(i, w)| (i as u32, *w))
        .collect();
    Ok(SgprLayout {
        user,
        user_sgpr_count: d.user_sgpr_count,
        system,
        vgprs,
    })
}

/// Values for the user SGPR blocks. Unset pointers are 0 (a kernel that dereferences a
/// null dispatch/queue pointer faults visibly instead of reading garbage).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserSgprValues {
    /// Scratch buffer resource (4 dwords, built by the dispatcher for its scratch BO).
    pub private_segment_buffer: [u32; 4],
    /// GPU address of the AQL dispatch packet (see [`crate::aql::dispatch_packet`]).
    pub dispatch_ptr: u64,
    /// GPU address of an amd_queue_t.
    pub queue_ptr: u64,
    /// GPU address of the kernarg segment.
    pub kernarg_ptr: u64,
    /// Dispatch id.
    pub dispatch_id: u64,
    /// Scratch backing memory address for FLAT_SCRATCH.
    pub flat_scratch_init: u64,
    /// Scratch bytes per work-item.
    pub private_segment_size: u32,
    /// Kernarg bytes (for preloaded kernarg dwords).
    pub kernarg: Vec<u8>,
}

impl SgprLayout {
    /// The USER_DATA_0.. dwords (length RSRC2.USER_SGPR) for these values.
    pub fn user_data(&self, v: &UserSgprValues) -> Vec<u32> {
        let mut out = vec![0u32; self.user_sgpr_count as usize];
        let lo = |x: u64| x as u32;
        let hi = |x: u64| (x >> 32) as u32;
        for b in &self.user {
            let words: Vec<u32> = match b.kind {
                UserSgprKind::PrivateSegmentBuffer => v.private_segment_buffer.to_vec(),
                UserSgprKind::DispatchPtr => vec![lo(v.dispatch_ptr), hi(v.dispatch_ptr)],
                UserSgprKind::QueuePtr => vec![lo(v.queue_ptr), hi(v.queue_ptr)],
                UserSgprKind::KernargSegmentPtr => vec![lo(v.kernarg_ptr), hi(v.kernarg_ptr)],
                UserSgprKind::DispatchId => vec![lo(v.dispatch_id), hi(v.dispatch_id)],
                UserSgprKind::FlatScratchInit => {
                    vec![lo(v.flat_scratch_init), hi(v.flat_scratch_init)]
                }
                UserSgprKind::PrivateSegmentSize => vec![v.private_segment_size],
                UserSgprKind::PreloadedKernarg => (0..b.dwords)
                    .map(|i| {
                        let at = (i as usize) * 4;
                        let mut w = [0u8; 4];
                        for (j, byte) in w.iter_mut().enumerate() {
                            *byte = v.kernarg.get(at + j).copied().unwrap_or(0);
                        }
                        u32::from_le_bytes(w)
                    })
                    .collect(),
            };
            for (i, w) in words.into_iter().enumerate() {
                if let Some(slot) = out.get_mut(b.index as usize + i) {
                    *slot = w;
                }
            }
        }
        out
    }
}

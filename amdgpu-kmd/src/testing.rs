//! Test doubles for the ioctl boundary: [`RecordingDriver`] records every
//! request with the exact argument bytes sent and replies from a script
//! (one-shot expectations first, then per-request handlers). Known requests
//! go through the same user-pointer check as `RealDriver` first.

use crate::driver::{CpuMapping, Driver, Errno, UserMem};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// A reply: may rewrite the argument bytes and read/write user memory.
pub type Responder = Box<dyn FnMut(&mut [u8], &mut UserMem<'_>) -> Result<(), Errno> + Send>;

/// One recorded ioctl.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// Request number.
    pub request: u64,
    /// Argument bytes as sent (before the reply changed them).
    pub arg: Vec<u8>,
}

#[derive(Default)]
struct State {
    calls: Vec<Call>,
    script: VecDeque<(u64, Responder)>,
    handlers: HashMap<u64, Responder>,
    mmaps: Vec<(u64, usize)>,
    unexpected: Vec<String>,
}

/// A fake kernel that records what it is sent. Cloning shares the state, so a
/// test keeps one clone while a `Device` owns another.
#[derive(Clone, Default)]
pub struct RecordingDriver {
    state: Arc<Mutex<State>>,
}

impl RecordingDriver {
    /// An empty fake: every ioctl fails with `ENOTTY` until scripted.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked inside a responder poisons the lock; the state
        // is still meaningful for the assertion that follows.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next call must be `request`; `reply` answers it (once).
    pub fn expect(
        &self,
        request: u64,
        reply: impl FnMut(&mut [u8], &mut UserMem<'_>) -> Result<(), Errno> + Send + 'static,
    ) -> &Self {
        self.lock().script.push_back((request, Box::new(reply)));
        self
    }

    /// Answers every unscripted `request` with `reply`.
    pub fn on(
        &self,
        request: u64,
        reply: impl FnMut(&mut [u8], &mut UserMem<'_>) -> Result<(), Errno> + Send + 'static,
    ) -> &Self {
        self.lock().handlers.insert(request, Box::new(reply));
        self
    }

    /// Answers every unscripted `request` with success, leaving bytes as sent.
    pub fn ok(&self, request: u64) -> &Self {
        self.on(request, |_, _| Ok(()))
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// Calls with this request number.
    pub fn calls_of(&self, request: u64) -> Vec<Vec<u8>> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.request == request)
            .map(|c| c.arg.clone())
            .collect()
    }

    /// `(offset, len)` of every mmap.
    pub fn mmaps(&self) -> Vec<(u64, usize)> {
        self.lock().mmaps.clone()
    }

    /// Descriptions of calls that matched neither script nor handler, and
    /// scripted expectations that were never consumed.
    pub fn problems(&self) -> Vec<String> {
        let s = self.lock();
        let mut p = s.unexpected.clone();
        p.extend(
            s.script
                .iter()
                .map(|(r, _)| format!("expected request {r:#x} never came")),
        );
        p
    }
}

impl Driver for RecordingDriver {
    fn ioctl(&self, request: u64, arg: &mut [u8], user: &mut UserMem<'_>) -> Result<(), Errno> {
        let mut s = self.lock();
        s.calls.push(Call {
            request,
            arg: arg.to_vec(),
        });
        // Same pointer discipline as RealDriver: a Device-API call that
        // forgot to register a buffer fails here, not first on hardware.
        if crate::uapi::ioctl_by_request(request).is_some() {
            if let Err(e) = crate::pointers::check_user_pointers(request, arg, user) {
                s.unexpected.push(format!(
                    "request {request:#x}: user pointer check failed: {e:?}"
                ));
                return Err(e);
            }
        }
        if let Some((want, _)) = s.script.front() {
            if *want == request {
                let (_, mut reply) = s.script.pop_front().expect("front exists");
                drop(s);
                return reply(arg, user);
            }
            let msg = format!("got request {request:#x}, script expected {want:#x}");
            s.unexpected.push(msg);
            return Err(Errno::EINVAL);
        }
        match s.handlers.get_mut(&request) {
            Some(h) => h(arg, user),
            None => {
                s.unexpected.push(format!("unhandled request {request:#x}"));
                Err(Errno::ENOTTY)
            }
        }
    }

    fn mmap(&self, offset: u64, len: usize) -> Result<Box<dyn CpuMapping>, Errno> {
        self.lock().mmaps.push((offset, len));
        Ok(Box::new(VecMapping::new(len)))
    }

    fn node(&self) -> String {
        "recording:0".into()
    }
}

/// A mapping backed by plain memory.
#[derive(Debug)]
pub struct VecMapping {
    bytes: Mutex<Vec<u8>>,
}

impl VecMapping {
    /// `len` zero bytes.
    pub fn new(len: usize) -> Self {
        Self {
            bytes: Mutex::new(vec![0; len]),
        }
    }
}

impl CpuMapping for VecMapping {
    fn len(&self) -> usize {
        self.bytes.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
    fn read(&self, offset: usize, out: &mut [u8]) -> Result<(), Errno> {
        let b = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        let src = offset
            .checked_add(out.len())
            .and_then(|end| b.get(offset..end))
            .ok_or(Errno::EFAULT)?;
        out.copy_from_slice(src);
        Ok(())
    }
    fn write(&self, offset: usize, data: &[u8]) -> Result<(), Errno> {
        let mut b = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        let dst = offset
            .checked_add(data.len())
            .and_then(|end| b.get_mut(offset..end))
            .ok_or(Errno::EFAULT)?;
        dst.copy_from_slice(data);
        Ok(())
    }
}

use crate::uapi::*;
use bytemuck::Pod;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// DEV_INFO of an RX 5700 XT (Navi 10, gfx1010) as amdgpu reports it:
/// figures from the kernel's gfx_v10_0.c / nv.c defaults for Navi 10
/// (40 CUs in 2 SEs x 2 SAs, wave64-capable, 1905 MHz boost, 875 MHz
/// memory clock, 47-bit VA window from 2 MiB).
pub fn navi10_dev_info() -> DrmAmdgpuInfoDevice {
    DrmAmdgpuInfoDevice {
        device_id: 0x731F,
        chip_rev: 0,
        external_rev: 0x01,
        pci_rev: 0xC1,
        family: AMDGPU_FAMILY_NV,
        num_shader_engines: 2,
        num_shader_arrays_per_engine: 2,
        gpu_counter_freq: 100_000,
        max_engine_clock: 1_905_000,
        max_memory_clock: 875_000,
        cu_active_number: 40,
        cu_bitmap: [[0x3ff, 0x3ff, 0, 0], [0x3ff, 0x3ff, 0, 0], [0; 4], [0; 4]],
        enabled_rb_pipes_mask: 0xffff,
        num_rb_pipes: 16,
        num_hw_gfx_contexts: 8,
        virtual_address_offset: 0x20_0000,
        virtual_address_max: 0x7fff_ffe0_0000,
        virtual_address_alignment: 4096,
        pte_fragment_size: 2 << 20,
        gart_page_size: 4096,
        vram_type: AMDGPU_VRAM_TYPE_GDDR6,
        vram_bit_width: 256,
        wave_front_size: 64,
        num_shader_visible_vgprs: 256,
        num_cu_per_sh: 10,
        num_tcc_blocks: 16,
        high_va_offset: 0xffff_8000_0000_0000,
        high_va_max: 0xffff_ffff_ffe0_0000,
        ..Default::default()
    }
}

fn read_arg<T: Pod>(arg: &[u8]) -> T {
    bytemuck::pod_read_unaligned(&arg[..core::mem::size_of::<T>()])
}

fn write_arg<T: Pod>(arg: &mut [u8], v: &T) {
    arg[..core::mem::size_of::<T>()].copy_from_slice(bytemuck::bytes_of(v));
}

/// Writes `v` (truncated to `return_size`, as the kernel's `min()` copy
/// does) to the INFO request's return pointer.
pub fn info_reply<T: Pod>(arg: &[u8], user: &mut UserMem<'_>, v: &T) -> Result<(), Errno> {
    let req: DrmAmdgpuInfo = read_arg(arg);
    let b = bytemuck::bytes_of(v);
    let n = b.len().min(req.return_size as usize);
    user.write(req.return_pointer, &b[..n])
}

/// A scripted amdgpu that answers every ioctl the Device API uses with
/// plausible Navi 10 values (handles and sequence numbers count up from 1).
/// Tests add `expect(..)` entries to inject errors.
pub fn fake_amdgpu() -> RecordingDriver {
    let d = RecordingDriver::new();
    let next_handle = Arc::new(AtomicU32::new(1));
    let next_ctx = Arc::new(AtomicU32::new(1));
    let next_seq = Arc::new(AtomicU64::new(1));
    d.on(DRM_IOCTL_AMDGPU_INFO, |arg, user| {
        let req: DrmAmdgpuInfo = read_arg(arg);
        match req.query {
            AMDGPU_INFO_DEV_INFO => info_reply(arg, user, &navi10_dev_info()),
            AMDGPU_INFO_ACCEL_WORKING => info_reply(arg, user, &1u32),
            AMDGPU_INFO_VRAM_USAGE => info_reply(arg, user, &(512u64 << 20)),
            AMDGPU_INFO_GTT_USAGE => info_reply(arg, user, &(64u64 << 20)),
            AMDGPU_INFO_VIS_VRAM_USAGE => info_reply(arg, user, &(100u64 << 20)),
            AMDGPU_INFO_TIMESTAMP => info_reply(arg, user, &123_456_789u64),
            AMDGPU_INFO_VRAM_GTT => info_reply(
                arg,
                user,
                &DrmAmdgpuInfoVramGtt {
                    vram_size: 8 << 30,
                    vram_cpu_accessible_size: 256 << 20,
                    gtt_size: 16 << 30,
                },
            ),
            AMDGPU_INFO_MEMORY => {
                let heap = |t: u64, u: u64| DrmAmdgpuHeapInfo {
                    total_heap_size: t,
                    usable_heap_size: t - (64 << 20),
                    heap_usage: u,
                    max_allocation: t / 4 * 3,
                };
                info_reply(
                    arg,
                    user,
                    &DrmAmdgpuMemoryInfo {
                        vram: heap(8 << 30, 512 << 20),
                        cpu_accessible_vram: heap(256 << 20, 100 << 20),
                        gtt: heap(16 << 30, 64 << 20),
                    },
                )
            }
            AMDGPU_INFO_FW_VERSION => {
                let q = req.query_fw();
                if q.fw_type > AMDGPU_INFO_FW_TOC
                    || q.fw_type == AMDGPU_INFO_FW_VCE
                    || q.fw_type == AMDGPU_INFO_FW_UVD
                {
                    return Err(Errno::EINVAL);
                }
                info_reply(
                    arg,
                    user,
                    &DrmAmdgpuInfoFirmware {
                        ver: 0x100 * q.fw_type + q.index,
                        feature: q.fw_type,
                    },
                )
            }
            AMDGPU_INFO_SENSOR => match req.sensor_info().type_ {
                AMDGPU_INFO_SENSOR_GFX_SCLK => info_reply(arg, user, &800u32),
                AMDGPU_INFO_SENSOR_GFX_MCLK => info_reply(arg, user, &875u32),
                AMDGPU_INFO_SENSOR_GPU_TEMP => info_reply(arg, user, &45_000u32),
                AMDGPU_INFO_SENSOR_GPU_LOAD => info_reply(arg, user, &3u32),
                AMDGPU_INFO_SENSOR_GPU_AVG_POWER => info_reply(arg, user, &9u32),
                _ => Err(Errno::ENOENT),
            },
            AMDGPU_INFO_HW_IP_INFO => info_reply(
                arg,
                user,
                &DrmAmdgpuInfoHwIp {
                    hw_ip_version_major: 10,
                    hw_ip_version_minor: 1,
                    ib_start_alignment: 32,
                    ib_size_alignment: 32,
                    available_rings: 0xf,
                    ..Default::default()
                },
            ),
            AMDGPU_INFO_HW_IP_COUNT => info_reply(arg, user, &1u32),
            AMDGPU_INFO_VBIOS => {
                let mut v = DrmAmdgpuInfoVbios::default();
                v.name[..12].copy_from_slice(b"NAVI10 D1820");
                v.vbios_pn[..16].copy_from_slice(b"113-D1820201-101");
                v.vbios_ver_str[..11].copy_from_slice(b"017.001.000");
                v.date[..16].copy_from_slice(b"2019/06/12 02:00");
                info_reply(arg, user, &v)
            }
            _ => Err(Errno::EINVAL),
        }
    });
    d.on(DRM_IOCTL_VERSION, |arg, user| {
        let mut v: DrmVersion = read_arg(arg);
        let (name, date, desc) = (
            b"amdgpu".as_slice(),
            b"20150101".as_slice(),
            b"AMD GPU".as_slice(),
        );
        for (ptr, len, s) in [
            (v.name, v.name_len, name),
            (v.date, v.date_len, date),
            (v.desc, v.desc_len, desc),
        ] {
            if ptr != 0 {
                user.write(ptr, &s[..s.len().min(len as usize)])?;
            }
        }
        (v.version_major, v.version_minor, v.version_patchlevel) = (3, 57, 0);
        (v.name_len, v.date_len, v.desc_len) =
            (name.len() as u64, date.len() as u64, desc.len() as u64);
        write_arg(arg, &v);
        Ok(())
    });
    let h = next_handle.clone();
    d.on(DRM_IOCTL_AMDGPU_GEM_CREATE, move |arg, _| {
        let u: DrmAmdgpuGemCreate = read_arg(arg);
        if u.input().bo_size == 0 {
            return Err(Errno::EINVAL);
        }
        write_arg(
            arg,
            &DrmAmdgpuGemCreate::from_output(DrmAmdgpuGemCreateOut {
                handle: h.fetch_add(1, Ordering::Relaxed),
                _pad: 0,
            }),
        );
        Ok(())
    });
    d.on(DRM_IOCTL_AMDGPU_GEM_MMAP, |arg, _| {
        let u: DrmAmdgpuGemMmap = read_arg(arg);
        let off = u64::from(u.input().handle) << 32;
        write_arg(
            arg,
            &DrmAmdgpuGemMmap::from_output(DrmAmdgpuGemMmapOut { addr_ptr: off }),
        );
        Ok(())
    });
    d.ok(DRM_IOCTL_AMDGPU_GEM_VA)
        .ok(DRM_IOCTL_GEM_CLOSE)
        .ok(DRM_IOCTL_SYNCOBJ_DESTROY);
    d.ok(DRM_IOCTL_SYNCOBJ_SIGNAL)
        .ok(DRM_IOCTL_SYNCOBJ_RESET)
        .ok(DRM_IOCTL_SYNCOBJ_WAIT)
        .ok(DRM_IOCTL_AMDGPU_VM);
    d.on(DRM_IOCTL_AMDGPU_GEM_WAIT_IDLE, |arg, _| {
        write_arg(
            arg,
            &DrmAmdgpuGemWaitIdle::from_output(DrmAmdgpuGemWaitIdleOut {
                status: 0,
                domain: AMDGPU_GEM_DOMAIN_VRAM,
            }),
        );
        Ok(())
    });
    let c = next_ctx;
    d.on(DRM_IOCTL_AMDGPU_CTX, move |arg, _| {
        let u: DrmAmdgpuCtx = read_arg(arg);
        let out = match u.input().op {
            AMDGPU_CTX_OP_ALLOC_CTX => DrmAmdgpuCtxOut::from_alloc(DrmAmdgpuCtxOutAlloc {
                ctx_id: c.fetch_add(1, Ordering::Relaxed),
                _pad: 0,
            }),
            AMDGPU_CTX_OP_FREE_CTX => DrmAmdgpuCtxOut::default(),
            AMDGPU_CTX_OP_QUERY_STATE | AMDGPU_CTX_OP_QUERY_STATE2 => {
                DrmAmdgpuCtxOut::from_state(DrmAmdgpuCtxOutState::default())
            }
            _ => return Err(Errno::EINVAL),
        };
        write_arg(arg, &DrmAmdgpuCtx::from_output(out));
        Ok(())
    });
    let s = next_seq;
    d.on(DRM_IOCTL_AMDGPU_CS, move |arg, _| {
        write_arg(
            arg,
            &DrmAmdgpuCs::from_output(DrmAmdgpuCsOut {
                handle: s.fetch_add(1, Ordering::Relaxed),
            }),
        );
        Ok(())
    });
    d.on(DRM_IOCTL_AMDGPU_WAIT_CS, |arg, _| {
        write_arg(
            arg,
            &DrmAmdgpuWaitCs::from_output(DrmAmdgpuWaitCsOut { status: 0 }),
        );
        Ok(())
    });
    d.on(DRM_IOCTL_AMDGPU_WAIT_FENCES, |arg, _| {
        write_arg(
            arg,
            &DrmAmdgpuWaitFences::from_output(DrmAmdgpuWaitFencesOut {
                status: 1,
                first_signaled: 0,
            }),
        );
        Ok(())
    });
    let h2 = next_handle;
    d.on(DRM_IOCTL_SYNCOBJ_CREATE, move |arg, _| {
        let mut v: DrmSyncobjCreate = read_arg(arg);
        v.handle = h2.fetch_add(1, Ordering::Relaxed);
        write_arg(arg, &v);
        Ok(())
    });
    d.on(DRM_IOCTL_AMDGPU_BO_LIST, |arg, _| {
        let u: DrmAmdgpuBoList = read_arg(arg);
        if u.input().operation == AMDGPU_BO_LIST_OP_CREATE {
            write_arg(
                arg,
                &DrmAmdgpuBoList::from_output(DrmAmdgpuBoListOut {
                    list_handle: 77,
                    _pad: 0,
                }),
            );
        }
        Ok(())
    });
    d.on(DRM_IOCTL_AMDGPU_FENCE_TO_HANDLE, |arg, _| {
        write_arg(
            arg,
            &DrmAmdgpuFenceToHandle::from_output(DrmAmdgpuFenceToHandleOut { handle: 99 }),
        );
        Ok(())
    });
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_then_handlers() {
        let d = RecordingDriver::new();
        d.expect(1, |a, _| {
            a[0] = 9;
            Ok(())
        });
        d.ok(2);
        let mut a = [1u8, 2];
        d.ioctl(1, &mut a, &mut UserMem::new()).unwrap();
        assert_eq!(a, [9, 2]);
        d.ioctl(2, &mut a, &mut UserMem::new()).unwrap();
        assert_eq!(d.ioctl(3, &mut a, &mut UserMem::new()), Err(Errno::ENOTTY));
        assert_eq!(
            d.calls()[0],
            Call {
                request: 1,
                arg: vec![1, 2]
            }
        );
        assert_eq!(d.calls_of(2), vec![vec![9, 2]]);
        assert_eq!(d.problems(), vec!["unhandled request 0x3".to_string()]);
        let m = d.mmap(0x1000, 4).unwrap();
        m.write(1, &[5]).unwrap();
        assert_eq!(m.write(4, &[5]), Err(Errno::EFAULT));
        assert_eq!(d.mmaps(), vec![(0x1000, 4)]);
    }
}

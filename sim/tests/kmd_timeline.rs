//! Timeline syncobjs on the fake kernel through the real Device API and raw
//! ioctls: TIMELINE_SIGNAL / QUERY / TIMELINE_WAIT / TRANSFER and the CS
//! SYNCOBJ_TIMELINE_WAIT / _SIGNAL chunks, with drm_syncobj.c's and
//! amdgpu_cs.c's errnos.

mod kmd_support;
use kmd_support::{dev, errno, raw_with};

use std::time::{Duration, Instant};

use amdgpu_kmd::uapi::*;
use amdgpu_kmd::{
    Bo, BoFlags, Context, Device, Domains, Errno, Ib, Submit, SyncPoint, Syncobj, UserMem, VmFlags,
};
use pm4::op;

const ALL: u32 = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL;
const SUBMIT: u32 = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
const AVAIL: u32 = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE;
const SHORT: Duration = Duration::from_millis(5);
const LONG: Duration = Duration::from_secs(5);

fn gtt(d: &Device) -> (Bo, u64) {
    let bo = d.create_bo(0x1000, Domains::GTT, BoFlags::empty()).unwrap();
    let va = bo.map_gpu(VmFlags::RWX).unwrap();
    (bo, va)
}

fn pkt(ib: &mut Vec<u32>, opcode: u8, body: &[u32]) {
    ib.push(op::pkt3(opcode, body.len(), false));
    ib.extend_from_slice(body);
}

/// A device with one context, a data BO and an IB BO.
struct Rig {
    d: Device,
    ctx: Context,
    data: Bo,
    dva: u64,
    ib: Bo,
    iva: u64,
}

impl Rig {
    fn new() -> Self {
        let d = dev();
        let ctx = d.create_context(0).unwrap();
        let (data, dva) = gtt(&d);
        let (ib, iva) = gtt(&d);
        // IB at 0: WRITE_DATA 0x55 to data+8. IB at 0x400: WAIT_REG_MEM
        // until data[0] == 7, then WRITE_DATA 0x66 to data+12.
        let mut a = Vec::new();
        pkt(
            &mut a,
            op::WRITE_DATA,
            &[
                op::WRITE_DATA_DW1::DST_SEL.set(5),
                (dva + 8) as u32,
                ((dva + 8) >> 32) as u32,
                0x55,
            ],
        );
        ib.write(0, bytemuck::cast_slice(&a)).unwrap();
        let mut b = Vec::new();
        pkt(
            &mut b,
            op::WAIT_REG_MEM,
            &[
                3 | 1 << 4,
                dva as u32,
                (dva >> 32) as u32,
                7,
                0xffff_ffff,
                4,
            ],
        );
        pkt(
            &mut b,
            op::WRITE_DATA,
            &[
                op::WRITE_DATA_DW1::DST_SEL.set(5),
                (dva + 12) as u32,
                ((dva + 12) >> 32) as u32,
                0x66,
            ],
        );
        ib.write(0x400, bytemuck::cast_slice(&b)).unwrap();
        Rig {
            d,
            ctx,
            data,
            dva,
            ib,
            iva,
        }
    }

    fn write_ib(&self) -> [Ib; 1] {
        [Ib::new(self.iva, 5 * 4)]
    }

    fn blocking_ib(&self) -> [Ib; 1] {
        [Ib::new(self.iva + 0x400, 12 * 4)]
    }

    fn release(&self) {
        self.data.write(0, &7u32.to_le_bytes()).unwrap();
    }

    fn word(&self, off: u64) -> u32 {
        u32::from_le_bytes(self.data.read_vec(off, 4).unwrap().try_into().unwrap())
    }

    /// Submits `ibs`, signalling `signal` and waiting for `wait`.
    fn submit(
        &self,
        ibs: &[Ib],
        wait: &[SyncPoint<'_>],
        signal: &[SyncPoint<'_>],
    ) -> amdgpu_kmd::Result<amdgpu_kmd::Fence> {
        let bos = [&self.data, &self.ib];
        let mut s = Submit::compute(ibs, &bos);
        s.timeline_wait = wait;
        s.timeline_signal = signal;
        self.ctx.submit(&s)
    }
}

fn wait(
    d: &Device,
    pts: &[(&Syncobj, u64)],
    flags: u32,
    t: Duration,
) -> amdgpu_kmd::Result<Option<u32>> {
    let v: Vec<SyncPoint<'_>> = pts.iter().map(|(s, p)| SyncPoint::new(s, *p)).collect();
    d.timeline_wait(&v, flags, t)
}

#[test]
fn cap_signal_query_and_wait() {
    let d = dev();
    let cap = raw_with(
        &d,
        DRM_IOCTL_GET_CAP,
        DrmGetCap {
            capability: DRM_CAP_SYNCOBJ_TIMELINE.into(),
            value: 7,
        },
        &mut UserMem::new(),
    )
    .unwrap();
    assert_eq!(cap.value, 1);
    let t = d.create_syncobj(false).unwrap();
    assert_eq!((t.query(false).unwrap(), t.query(true).unwrap()), (0, 0));
    // Empty syncobj: EINVAL without WAIT_FOR_SUBMIT / WAIT_AVAILABLE.
    assert_eq!(errno(wait(&d, &[(&t, 1)], 0, SHORT)), Errno::EINVAL);
    t.timeline_signal(1).unwrap();
    t.timeline_signal(3).unwrap();
    assert_eq!((t.query(false).unwrap(), t.query(true).unwrap()), (3, 3));
    // Point 2 lies between 1 and 3: resolved to node 3, signalled.
    assert_eq!(wait(&d, &[(&t, 2)], 0, SHORT).unwrap(), Some(0));
    assert_eq!(wait(&d, &[(&t, 0)], ALL, Duration::ZERO).unwrap(), Some(0));
    // Point 4 is not submitted: EINVAL, or a wait that times out (ETIME).
    assert_eq!(errno(wait(&d, &[(&t, 4)], 0, SHORT)), Errno::EINVAL);
    assert_eq!(wait(&d, &[(&t, 4)], SUBMIT, SHORT).unwrap(), None);
    assert_eq!(wait(&d, &[(&t, 4)], AVAIL, SHORT).unwrap(), None);
    // Any: the first done entry; WAIT_ALL with the pending one times out.
    assert_eq!(
        wait(&d, &[(&t, 4), (&t, 3)], SUBMIT, SHORT).unwrap(),
        Some(1)
    );
    assert_eq!(
        wait(&d, &[(&t, 3), (&t, 4)], SUBMIT | ALL, SHORT).unwrap(),
        None
    );
    // WAIT_FOR_SUBMIT picks up a point signalled while it sleeps.
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(30));
            t.timeline_signal(4).unwrap();
        });
        let t0 = Instant::now();
        assert_eq!(wait(&d, &[(&t, 4)], SUBMIT, LONG).unwrap(), Some(0));
        assert!(t0.elapsed() < LONG);
    });
    // A point not after the last one: a new chain context, seqno kept at
    // the maximum; everything is signalled, so QUERY still says 4.
    t.timeline_signal(2).unwrap();
    assert_eq!((t.query(false).unwrap(), t.query(true).unwrap()), (4, 4));
    // TIMELINE_SIGNAL at point 0 still adds a chain node (add_point).
    let z = d.create_syncobj(false).unwrap();
    z.timeline_signal(0).unwrap();
    assert!(z.wait(Duration::ZERO, false).unwrap());
    assert_eq!(z.query(true).unwrap(), 0);
}

#[test]
fn pending_points_first_signaled_and_unordered_query() {
    let r = Rig::new();
    let d = &r.d;
    let t = d.create_syncobj(false).unwrap();
    t.timeline_signal(3).unwrap();
    // A blocked job signals point 5; a stub point 6 goes on top.
    let f = r
        .submit(&r.blocking_ib(), &[], &[SyncPoint::new(&t, 5)])
        .unwrap();
    t.timeline_signal(6).unwrap();
    assert_eq!((t.query(false).unwrap(), t.query(true).unwrap()), (3, 6));
    // Point 6 needs 5 too (dma_fence_chain); it is available though.
    assert_eq!(wait(d, &[(&t, 6)], 0, SHORT).unwrap(), None);
    assert_eq!(wait(d, &[(&t, 6)], AVAIL, SHORT).unwrap(), Some(0));
    assert_eq!(wait(d, &[(&t, 6), (&t, 3)], 0, SHORT).unwrap(), Some(1));
    assert_eq!(wait(d, &[(&t, 3), (&t, 6)], ALL, SHORT).unwrap(), None);
    let timeout = DrmSyncobjTimelineWait {
        count_handles: 1,
        ..Default::default()
    };
    let handles = [t.handle()];
    let points = [5u64];
    let mut user = UserMem::new();
    let arg = DrmSyncobjTimelineWait {
        handles: user.input(bytemuck::cast_slice(&handles)),
        points: user.input(bytemuck::cast_slice(&points)),
        ..timeout
    };
    // timeout_nsec 0 polls once: ETIME.
    assert_eq!(
        raw_with(d, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, arg, &mut user).err(),
        Some(Errno::ETIME)
    );
    // A second timeline: a blocked job at 10, then a stub at 7 (unordered):
    // QUERY stops at the context change and reports 0 (the kernel's
    // "unorder point" case), LAST_SUBMITTED the head's 10.
    let u = d.create_syncobj(false).unwrap();
    let g = r
        .submit(&r.blocking_ib(), &[], &[SyncPoint::new(&u, 10)])
        .unwrap();
    u.timeline_signal(7).unwrap();
    assert_eq!((u.query(false).unwrap(), u.query(true).unwrap()), (0, 10));
    // WAIT_ALL: entry 1 (point 3) was done on entry, so first_signaled = 1;
    // with nothing done on entry it stays ~0.
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(30));
            r.release();
        });
        assert_eq!(wait(d, &[(&t, 6), (&t, 3)], ALL, LONG).unwrap(), Some(1));
    });
    assert!(f.wait(LONG).unwrap() && g.wait(LONG).unwrap());
    assert_eq!(r.word(12), 0x66);
    assert_eq!(t.query(false).unwrap(), 6);
    assert_eq!(u.query(false).unwrap(), 10);
    let v = d.create_syncobj(false).unwrap();
    r.data.write(0, &0u32.to_le_bytes()).unwrap();
    let h = r
        .submit(&r.blocking_ib(), &[], &[SyncPoint::new(&v, 1)])
        .unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(30));
            r.release();
        });
        assert_eq!(
            wait(d, &[(&v, 1), (&v, 1)], ALL, LONG).unwrap(),
            Some(u32::MAX)
        );
    });
    assert!(h.wait(LONG).unwrap());
    let _ = r.dva;
}

#[test]
fn transfer_binary_and_timeline() {
    let r = Rig::new();
    let d = &r.d;
    let b = d.create_syncobj(true).unwrap();
    let t = d.create_syncobj(false).unwrap();
    // binary → timeline point 1.
    t.transfer_from(1, &b, 0, 0).unwrap();
    assert_eq!(t.query(false).unwrap(), 1);
    // timeline point 1 → binary (dst_point 0 replaces the fence).
    let b2 = d.create_syncobj(false).unwrap();
    b2.transfer_from(0, &t, 1, 0).unwrap();
    assert!(b2.wait(Duration::ZERO, false).unwrap());
    // A pending point moves along with its fence.
    let f = r
        .submit(&r.blocking_ib(), &[], &[SyncPoint::new(&t, 2)])
        .unwrap();
    let b3 = d.create_syncobj(false).unwrap();
    b3.transfer_from(0, &t, 2, 0).unwrap();
    let t2 = d.create_syncobj(false).unwrap();
    t2.transfer_from(9, &t, 2, 0).unwrap();
    assert!(!b3.wait(SHORT, false).unwrap());
    assert_eq!((t2.query(false).unwrap(), t2.query(true).unwrap()), (0, 9));
    r.release();
    assert!(f.wait(LONG).unwrap());
    assert!(b3.wait(LONG, false).unwrap());
    assert_eq!(t2.query(false).unwrap(), 9);
    // Missing source point: EINVAL; WAIT_FOR_SUBMIT waits for it.
    assert_eq!(errno(b3.transfer_from(0, &t, 5, 0)), Errno::EINVAL);
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(30));
            t.timeline_signal(5).unwrap();
        });
        b3.transfer_from(3, &t, 5, SUBMIT).unwrap();
    });
    assert_eq!(b3.query(true).unwrap(), 3);
    // A binary fence has no point 1.
    let b4 = d.create_syncobj(true).unwrap();
    assert_eq!(errno(t2.transfer_from(10, &b4, 1, 0)), Errno::EINVAL);
    // drm_syncobj_transfer_ioctl checks pad only; other flag bits are
    // ignored; unknown handles are ENOENT (dst first).
    let tr = |src, dst, flags, pad| {
        raw_with(
            d,
            DRM_IOCTL_SYNCOBJ_TRANSFER,
            DrmSyncobjTransfer {
                src_handle: src,
                dst_handle: dst,
                src_point: 0,
                dst_point: 1,
                flags,
                pad,
            },
            &mut UserMem::new(),
        )
        .err()
    };
    assert_eq!(tr(b.handle(), t2.handle(), 0, 1), Some(Errno::EINVAL));
    assert_eq!(tr(b.handle(), t2.handle(), 1 << 7, 0), None);
    assert_eq!(tr(999, 998, 0, 0), Some(Errno::ENOENT));
    assert_eq!(tr(999, t2.handle(), 0, 0), Some(Errno::ENOENT));
}

#[test]
fn cs_waits_on_one_point_and_signals_another() {
    let r = Rig::new();
    let d = &r.d;
    let t = d.create_syncobj(false).unwrap();
    t.timeline_signal(1).unwrap();
    let f = r
        .submit(
            &r.write_ib(),
            &[SyncPoint::new(&t, 1)],
            &[SyncPoint::new(&t, 2)],
        )
        .unwrap();
    assert_eq!(wait(d, &[(&t, 2)], 0, LONG).unwrap(), Some(0));
    assert!(f.wait(LONG).unwrap());
    assert_eq!(r.word(8), 0x55);
    assert_eq!(t.query(false).unwrap(), 2);
    // Point 0 in a TIMELINE_SIGNAL chunk replaces the fence (binary).
    let b = d.create_syncobj(false).unwrap();
    r.submit(&r.write_ib(), &[], &[SyncPoint::new(&b, 0)])
        .unwrap();
    assert!(b.wait(LONG, false).unwrap());
    assert_eq!(b.query(true).unwrap(), 0);
    // Waiting on a point not submitted: EINVAL; unknown handle: ENOENT.
    assert_eq!(
        errno(r.submit(&r.write_ib(), &[SyncPoint::new(&t, 3)], &[])),
        Errno::EINVAL
    );
    // WAIT_FOR_SUBMIT: the CS sleeps until point 3 appears.
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(30));
            t.timeline_signal(3).unwrap();
        });
        let w = [SyncPoint {
            syncobj: &t,
            point: 3,
            flags: SUBMIT,
        }];
        let f = r
            .submit(&r.write_ib(), &w, &[SyncPoint::new(&t, 4)])
            .unwrap();
        assert!(f.wait(LONG).unwrap());
    });
    assert_eq!(t.query(false).unwrap(), 4);
    // SYNCOBJ_OUT plus TIMELINE_SIGNAL: the second post-dependency chunk
    // is EINVAL (amdgpu_cs_p2_syncobj_timeline_signal).
    let bos = [&r.data, &r.ib];
    let ibs = r.write_ib();
    let outs = [&b];
    let sig = [SyncPoint::new(&t, 9)];
    let mut s = Submit::compute(&ibs, &bos);
    s.syncobj_out = &outs;
    s.timeline_signal = &sig;
    assert_eq!(errno(r.ctx.submit(&s)), Errno::EINVAL);
    assert_eq!(t.query(true).unwrap(), 4);
}

/// One CS through the raw ioctl: an IB chunk plus `extra` chunks.
fn raw_cs(r: &Rig, extra: &[(u32, &[u8])]) -> Result<u64, Errno> {
    let ib = [DrmAmdgpuCsChunkIb {
        _pad: 0,
        flags: 0,
        va_start: r.iva,
        ib_bytes: 5 * 4,
        ip_type: AMDGPU_HW_IP_COMPUTE,
        ip_instance: 0,
        ring: 0,
    }];
    let mut user = UserMem::new();
    let mut chunks = vec![DrmAmdgpuCsChunk {
        chunk_id: AMDGPU_CHUNK_ID_IB,
        length_dw: (core::mem::size_of::<DrmAmdgpuCsChunkIb>() / 4) as u32,
        chunk_data: user.input(bytemuck::cast_slice(&ib)),
    }];
    for (id, data) in extra {
        chunks.push(DrmAmdgpuCsChunk {
            chunk_id: *id,
            length_dw: (data.len() / 4) as u32,
            chunk_data: user.input(data),
        });
    }
    let ptrs: Vec<u64> = chunks
        .iter()
        .map(|c| user.input(bytemuck::bytes_of(c)))
        .collect();
    let arg = DrmAmdgpuCs::from_input(DrmAmdgpuCsIn {
        ctx_id: r.ctx.id(),
        bo_list_handle: 0,
        num_chunks: ptrs.len() as u32,
        flags: 0,
        chunks: user.input(bytemuck::cast_slice(&ptrs)),
    });
    let d = &r.d;
    raw_with(d, DRM_IOCTL_AMDGPU_CS, arg, &mut user).map(|a| a.output().handle)
}

#[test]
fn timeline_chunk_sizes_and_handles() {
    let r = Rig::new();
    let d = &r.d;
    let t = d.create_syncobj(false).unwrap();
    let entry = |h: u32, point: u64| {
        bytemuck::bytes_of(&DrmAmdgpuCsChunkSyncobj {
            handle: h,
            flags: 0,
            point,
        })
        .to_vec()
    };
    // length_dw * 4 / 16 entries: 12 bytes hold none, so even an unknown
    // handle passes; a trailing partial entry is ignored.
    let bad = entry(999, 1);
    assert!(raw_cs(&r, &[(AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT, &bad[..12])]).is_ok());
    assert!(raw_cs(&r, &[(AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL, &bad[..12])]).is_ok());
    assert!(raw_cs(&r, &[(AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT, &[])]).is_ok());
    let mut one_and_a_half = entry(t.handle(), 0);
    one_and_a_half.extend_from_slice(&bad[..8]);
    // Point 0 of an empty syncobj: no fence → EINVAL.
    assert_eq!(
        raw_cs(
            &r,
            &[(AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT, &one_and_a_half)]
        ),
        Err(Errno::EINVAL)
    );
    t.timeline_signal(2).unwrap();
    assert!(raw_cs(
        &r,
        &[(AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT, &one_and_a_half)]
    )
    .is_ok());
    // Unknown syncobj: wait ENOENT (drm_syncobj_find_fence), signal EINVAL.
    assert_eq!(
        raw_cs(&r, &[(AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT, &bad)]),
        Err(Errno::ENOENT)
    );
    assert_eq!(
        raw_cs(&r, &[(AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL, &bad)]),
        Err(Errno::EINVAL)
    );
    // Two post-dependency chunks, even an empty first one: EINVAL.
    let sig = entry(t.handle(), 5);
    assert_eq!(
        raw_cs(
            &r,
            &[
                (AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL, &[]),
                (AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL, &sig),
            ]
        ),
        Err(Errno::EINVAL)
    );
    // Flags other than WAIT_FOR_SUBMIT are ignored in a wait entry.
    let mut odd = entry(t.handle(), 2);
    odd[4] = 0xf0;
    assert!(raw_cs(&r, &[(AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_WAIT, &odd)]).is_ok());
    assert!(raw_cs(&r, &[(AMDGPU_CHUNK_ID_SYNCOBJ_TIMELINE_SIGNAL, &sig)]).is_ok());
    assert_eq!(wait(d, &[(&t, 5)], 0, LONG).unwrap(), Some(0));
}

#[test]
fn ioctl_error_paths() {
    let d = dev();
    let t = d.create_syncobj(true).unwrap();
    let handles = [t.handle()];
    let unknown = [999u32];
    let points = [0u64];
    let tw = |hs: &[u32], count: u32, flags: u32| {
        let mut user = UserMem::new();
        let arg = DrmSyncobjTimelineWait {
            handles: user.input(bytemuck::cast_slice(hs)),
            points: user.input(bytemuck::cast_slice(&points)),
            timeout_nsec: 0,
            count_handles: count,
            flags,
            first_signaled: 0,
            pad: 0,
        };
        raw_with(&d, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, arg, &mut user).map(|a| a.first_signaled)
    };
    assert_eq!(tw(&handles, 1, 0), Ok(0));
    assert_eq!(tw(&handles, 1, 1 << 4), Err(Errno::EINVAL));
    assert_eq!(tw(&handles, 1, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE), Ok(0));
    assert_eq!(tw(&handles, 0, 0), Err(Errno::EINVAL));
    assert_eq!(tw(&unknown, 1, 0), Err(Errno::ENOENT));
    // Binary SYNCOBJ_WAIT: no WAIT_AVAILABLE; pad is not checked.
    let bw = |flags: u32, pad: u32| {
        let mut user = UserMem::new();
        let arg = DrmSyncobjWait {
            handles: user.input(bytemuck::cast_slice(&handles)),
            timeout_nsec: 0,
            count_handles: 1,
            flags,
            first_signaled: 0,
            pad,
        };
        raw_with(&d, DRM_IOCTL_SYNCOBJ_WAIT, arg, &mut user).map(|a| a.first_signaled)
    };
    assert_eq!(bw(AVAIL, 0), Err(Errno::EINVAL));
    assert_eq!(bw(0, 5), Ok(0));
    assert_eq!(bw(ALL, 0), Ok(0));
    // QUERY / TIMELINE_SIGNAL.
    let arr = |req: u64, hs: &[u32], count: u32, flags: u32| {
        let mut out = [0u64; 1];
        let mut user = UserMem::new();
        let h = user.input(bytemuck::cast_slice(hs));
        let p = user.output(bytemuck::cast_slice_mut(&mut out));
        let arg = DrmSyncobjTimelineArray {
            handles: h,
            points: p,
            count_handles: count,
            flags,
        };
        raw_with(&d, req, arg, &mut user).map(|_| ())
    };
    for req in [DRM_IOCTL_SYNCOBJ_QUERY, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL] {
        assert_eq!(arr(req, &handles, 1, 0), Ok(()));
        assert_eq!(arr(req, &handles, 0, 0), Err(Errno::EINVAL));
        assert_eq!(arr(req, &unknown, 1, 0), Err(Errno::ENOENT));
        assert_eq!(arr(req, &handles, 1, 2), Err(Errno::EINVAL));
    }
    assert_eq!(
        arr(
            DRM_IOCTL_SYNCOBJ_QUERY,
            &handles,
            1,
            DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED
        ),
        Ok(())
    );
    assert_eq!(
        arr(
            DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL,
            &handles,
            1,
            DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED
        ),
        Err(Errno::EINVAL)
    );
}

#[test]
fn user_fence_chunk_errors_follow_amdgpu_cs_p1_user_fence() {
    let r = Rig::new();
    let fence = |handle: u32, offset: u32| {
        bytemuck::bytes_of(&DrmAmdgpuCsChunkFence { handle, offset }).to_vec()
    };
    // An unknown BO handle is EINVAL (drm_gem_object_lookup NULL -> -EINVAL).
    assert_eq!(
        raw_cs(&r, &[(AMDGPU_CHUNK_ID_FENCE, &fence(999, 0))]),
        Err(Errno::EINVAL)
    );
    // The BO must be one page and the 8-byte fence inside it.
    let h = r.data.handle();
    assert_eq!(
        raw_cs(&r, &[(AMDGPU_CHUNK_ID_FENCE, &fence(h, 4092))]),
        Err(Errno::EINVAL)
    );
    assert!(raw_cs(&r, &[(AMDGPU_CHUNK_ID_FENCE, &fence(h, 4088))]).is_ok());
}

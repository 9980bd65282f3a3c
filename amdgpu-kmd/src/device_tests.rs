//! Device API tests against the recording fake: the exact bytes sent, the
//! order of releases, and error messages.

use crate::testing::{fake_amdgpu, info_reply, navi10_dev_info, RecordingDriver};
use crate::uapi::*;
use crate::*;
use bytemuck::pod_read_unaligned;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn dev() -> (Device, RecordingDriver) {
    let rec = fake_amdgpu();
    let d = Device::new(Box::new(rec.clone())).unwrap();
    (d, rec)
}

fn parse<T: bytemuck::Pod>(b: &[u8]) -> T {
    pod_read_unaligned(&b[..core::mem::size_of::<T>()])
}

#[test]
fn new_queries_dev_info_with_full_struct_size() {
    let (d, rec) = dev();
    let calls = rec.calls_of(DRM_IOCTL_AMDGPU_INFO);
    assert_eq!(calls.len(), 1);
    let req: DrmAmdgpuInfo = parse(&calls[0]);
    assert_eq!(req.query, AMDGPU_INFO_DEV_INFO);
    assert_eq!(
        req.return_size as usize,
        core::mem::size_of::<DrmAmdgpuInfoDevice>()
    );
    assert_ne!(req.return_pointer, 0);
    assert_eq!(req.query_args, [0; 4]);
    assert_eq!(d.dev_info().device_id, 0x731F);
    assert_eq!(d.gfx_target(), Some("gfx1010"));
    assert!(!d.is_apu());
    assert_eq!(d.va_window(), (0x20_0000, 0x7fff_ffe0_0000, 4096));
    assert_eq!(d.node(), "recording:0");
}

#[test]
fn empty_va_window_is_a_protocol_error() {
    let rec = RecordingDriver::new();
    rec.on(DRM_IOCTL_AMDGPU_INFO, |arg, user| {
        info_reply(arg, user, &DrmAmdgpuInfoDevice::default())
    });
    let e = Device::new(Box::new(rec)).unwrap_err().to_string();
    assert!(e.contains("empty VA window"), "{e}");
    let rec = RecordingDriver::new();
    rec.on(DRM_IOCTL_AMDGPU_INFO, |_, _| Err(Errno::EACCES));
    assert_eq!(
        Device::new(Box::new(rec)).unwrap_err().to_string(),
        "INFO DEV_INFO: EACCES"
    );
}

#[test]
fn bo_create_map_and_drop_order() {
    let (d, rec) = dev();
    let bo = d
        .create_bo(5000, Domains::VRAM, BoFlags::CPU_ACCESS_REQUIRED)
        .unwrap();
    assert_eq!(bo.size(), 8192);
    let c: DrmAmdgpuGemCreate = parse(&rec.calls_of(DRM_IOCTL_AMDGPU_GEM_CREATE)[0]);
    assert_eq!(
        c.input(),
        DrmAmdgpuGemCreateIn {
            bo_size: 8192,
            alignment: 4096,
            domains: 4,
            domain_flags: 1
        }
    );
    let va = bo.map_gpu(VmFlags::RWX).unwrap();
    assert_eq!(va % 8192, 0);
    assert!(va >= 0x20_0000);
    let m: DrmAmdgpuGemVa = parse(&rec.calls_of(DRM_IOCTL_AMDGPU_GEM_VA)[0]);
    assert_eq!(
        m,
        DrmAmdgpuGemVa {
            handle: bo.handle(),
            _pad: 0,
            operation: AMDGPU_VA_OP_MAP,
            flags: AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_WRITEABLE | AMDGPU_VM_PAGE_EXECUTABLE,
            va_address: va,
            offset_in_bo: 0,
            map_size: 8192
        }
    );
    assert!(bo.map_gpu(VmFlags::RWX).is_err()); // already mapped
    bo.remap_gpu(VmFlags::READABLE).unwrap();
    let r: DrmAmdgpuGemVa = parse(&rec.calls_of(DRM_IOCTL_AMDGPU_GEM_VA)[1]);
    assert_eq!(
        (r.operation, r.flags, r.va_address),
        (AMDGPU_VA_OP_REPLACE, AMDGPU_VM_PAGE_READABLE, va)
    );
    let handle = bo.handle();
    let n_before = rec.calls().len();
    drop(bo);
    let tail: Vec<_> = rec.calls()[n_before..].to_vec();
    assert_eq!(tail.len(), 2);
    assert_eq!(tail[0].request, DRM_IOCTL_AMDGPU_GEM_VA);
    let u: DrmAmdgpuGemVa = parse(&tail[0].arg);
    assert_eq!(
        (u.operation, u.va_address, u.map_size),
        (AMDGPU_VA_OP_UNMAP, va, 8192)
    );
    assert_eq!(tail[1].request, DRM_IOCTL_GEM_CLOSE);
    assert_eq!(
        parse::<DrmGemClose>(&tail[1].arg),
        DrmGemClose { handle, pad: 0 }
    );
    // The range went back to the allocator.
    let bo2 = d.create_bo(8192, Domains::GTT, BoFlags::empty()).unwrap();
    assert_eq!(bo2.map_gpu(VmFlags::RWX).unwrap(), va);
    assert!(rec.problems().is_empty(), "{:?}", rec.problems());
}

#[test]
fn gem_va_failure_names_ioctl_and_releases_range() {
    let (d, rec) = dev();
    let bo = d.create_bo(4096, Domains::VRAM, BoFlags::empty()).unwrap();
    rec.expect(DRM_IOCTL_AMDGPU_GEM_VA, |_, _| Err(Errno::EINVAL));
    let e = bo.map_gpu(VmFlags::RWX).unwrap_err();
    assert_eq!(e.to_string(), "GEM_VA map: EINVAL");
    assert!(matches!(
        e,
        Error::Kmd(KmdError {
            ioctl: "GEM_VA map",
            errno: Errno::EINVAL
        })
    ));
    assert_eq!(bo.gpu_va(), None);
    let va = bo.map_gpu(VmFlags::RWX).unwrap();
    assert_eq!(va, 0x20_0000); // the failed attempt's range was returned
    let e = d.create_bo(0, Domains::VRAM, BoFlags::empty()).unwrap_err();
    assert!(e.to_string().contains("bad BO size"));
}

#[test]
fn cpu_access_is_bounds_checked_and_maps_once() {
    let (d, rec) = dev();
    let bo = d.create_bo(4096, Domains::GTT, BoFlags::empty()).unwrap();
    bo.write(4090, &[1, 2, 3, 4, 5, 6]).unwrap();
    assert_eq!(bo.read_vec(4092, 4).unwrap(), vec![3, 4, 5, 6]);
    let e = bo.write(4095, &[0, 0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "BO {}: access of 2 bytes at offset 0xfff is outside its 4096 bytes",
            bo.handle()
        )
    );
    assert!(bo.read(u64::MAX, &mut [0]).is_err());
    assert_eq!(rec.mmaps(), vec![(u64::from(bo.handle()) << 32, 4096)]);
    assert_eq!(rec.calls_of(DRM_IOCTL_AMDGPU_GEM_MMAP).len(), 1);
    assert!(bo.wait_idle(Duration::from_secs(1)).unwrap());
}

#[test]
fn context_submit_builds_exact_chunks() {
    let (d, rec) = dev();
    let ctx = d.create_context(AMDGPU_CTX_PRIORITY_NORMAL).unwrap();
    let c: DrmAmdgpuCtx = parse(&rec.calls_of(DRM_IOCTL_AMDGPU_CTX)[0]);
    assert_eq!(
        c.input(),
        DrmAmdgpuCtxIn {
            op: AMDGPU_CTX_OP_ALLOC_CTX,
            flags: 0,
            ctx_id: 0,
            priority: 0
        }
    );
    let code = d.create_bo(4096, Domains::VRAM, BoFlags::empty()).unwrap();
    let ib_bo = d.create_bo(4096, Domains::GTT, BoFlags::empty()).unwrap();
    let ib_va = ib_bo.map_gpu(VmFlags::RWX).unwrap();
    let first = ctx
        .submit(&Submit::compute(&[Ib::new(ib_va, 64)], &[&code, &ib_bo]))
        .unwrap();
    assert_eq!(first.seq(), 1);

    // The second submission depends on the first and signals a syncobj;
    // decode what the kernel would see, pointer by pointer.
    let out = d.create_syncobj(false).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    rec.expect(DRM_IOCTL_AMDGPU_CS, move |arg, user| {
        let cs: DrmAmdgpuCs = parse(arg);
        let i = cs.input();
        let ptrs: Vec<u64> = words(user.read(i.chunks, 8 * i.num_chunks as usize)?);
        let mut v = s2.lock().unwrap();
        v.push(vec![
            u64::from(i.ctx_id),
            u64::from(i.bo_list_handle),
            u64::from(i.num_chunks),
        ]);
        for p in ptrs {
            let ch: DrmAmdgpuCsChunk = parse(user.read(p, 16)?);
            let data = user
                .read(ch.chunk_data, 4 * ch.length_dw as usize)?
                .to_vec();
            let mut row = vec![u64::from(ch.chunk_id), u64::from(ch.length_dw)];
            if ch.chunk_id == AMDGPU_CHUNK_ID_BO_HANDLES {
                let l: DrmAmdgpuBoListIn = parse(&data);
                let e: Vec<u32> = words(user.read(l.bo_info_ptr, 8 * l.bo_number as usize)?);
                row.extend([u64::from(l.bo_info_size)]);
                row.extend(e.iter().map(|&x| u64::from(x)));
            } else {
                let dw: Vec<u32> = words(&data);
                row.extend(dw.iter().map(|&x| u64::from(x)));
            }
            v.push(row);
        }
        let o = DrmAmdgpuCs::from_output(DrmAmdgpuCsOut { handle: 42 });
        arg.copy_from_slice(bytemuck::bytes_of(&o));
        Ok(())
    });
    let ibs = [Ib::new(ib_va, 64)];
    let bos = [&code];
    let s = Submit {
        deps: &[&first],
        syncobj_out: &[&out],
        ..Submit::compute(&ibs, &bos)
    };
    let f = ctx.submit(&s).unwrap();
    assert_eq!(f.seq(), 42);
    let v = seen.lock().unwrap().clone();
    let ctx_id = u64::from(ctx.id());
    let (lo, hi) = (ib_va & 0xffff_ffff, ib_va >> 32);
    assert_eq!(v[0], vec![ctx_id, 0, 4]);
    // IB: _pad, flags, va lo/hi, ib_bytes, ip_type, ip_instance, ring
    assert_eq!(
        v[1],
        vec![
            1,
            8,
            0,
            0,
            lo,
            hi,
            64,
            u64::from(AMDGPU_HW_IP_COMPUTE),
            0,
            0
        ]
    );
    // BO_HANDLES: length 6 dwords, entry size 8, (handle, priority)
    assert_eq!(v[2], vec![6, 6, 8, u64::from(code.handle()), 0]);
    // DEPENDENCIES: ip_type, instance, ring, ctx, seq lo/hi
    assert_eq!(v[3], vec![3, 6, 1, 0, 0, ctx_id, 1, 0]);
    // SYNCOBJ_OUT: one handle
    assert_eq!(v[4], vec![5, 1, u64::from(out.handle())]);

    assert!(f.wait(Duration::from_millis(10)).unwrap());
    let w: DrmAmdgpuWaitCs = parse(rec.calls_of(DRM_IOCTL_AMDGPU_WAIT_CS).last().unwrap());
    let wi = w.input();
    assert_eq!(
        (wi.handle, wi.ip_type, wi.ctx_id),
        (42, AMDGPU_HW_IP_COMPUTE, ctx.id())
    );
    assert!(wi.timeout > 0 && (wi.timeout as i64) > 0);
    // Busy at the timeout: status 1.
    rec.expect(DRM_IOCTL_AMDGPU_WAIT_CS, |arg, _| {
        arg.copy_from_slice(bytemuck::bytes_of(&DrmAmdgpuWaitCs::from_output(
            DrmAmdgpuWaitCsOut { status: 1 },
        )));
        Ok(())
    });
    assert!(!f.wait(Duration::ZERO).unwrap());
    // Infinite wait: timeout u64::MAX.
    f.wait(Duration::MAX).unwrap();
    let w: DrmAmdgpuWaitCs = parse(rec.calls_of(DRM_IOCTL_AMDGPU_WAIT_CS).last().unwrap());
    assert_eq!(w.input().timeout, u64::MAX);
    assert_eq!(
        d.wait_fences(&[&first, &f], true, Duration::from_secs(1))
            .unwrap(),
        Some(0)
    );
    assert!(rec.problems().is_empty(), "{:?}", rec.problems());
}

#[test]
fn guilty_context_and_submit_errors() {
    let (d, rec) = dev();
    let ctx = d.create_context(0).unwrap();
    rec.expect(DRM_IOCTL_AMDGPU_CTX, |arg, _| {
        let st = DrmAmdgpuCtxOutState {
            flags: u64::from(AMDGPU_CTX_QUERY2_FLAGS_RESET | AMDGPU_CTX_QUERY2_FLAGS_GUILTY),
            hangs: 0,
            reset_status: 0,
        };
        arg.copy_from_slice(bytemuck::bytes_of(&DrmAmdgpuCtx::from_output(
            DrmAmdgpuCtxOut::from_state(st),
        )));
        Ok(())
    });
    let st = ctx.query_state2().unwrap();
    assert!(st.guilty() && st.reset() && !st.vram_lost());
    let q: DrmAmdgpuCtx = parse(rec.calls_of(DRM_IOCTL_AMDGPU_CTX).last().unwrap());
    assert_eq!(
        q.input(),
        DrmAmdgpuCtxIn {
            op: AMDGPU_CTX_OP_QUERY_STATE2,
            flags: 0,
            ctx_id: ctx.id(),
            priority: 0
        }
    );
    rec.expect(DRM_IOCTL_AMDGPU_CS, |_, _| Err(Errno::ECANCELED));
    let e = ctx
        .submit(&Submit::compute(&[Ib::new(0x20_0000, 4)], &[]))
        .unwrap_err();
    assert_eq!(e.to_string(), "CS: ECANCELED");
    assert!(ctx.submit(&Submit::compute(&[], &[])).is_err());
    assert!(ctx
        .submit(&Submit::compute(&[Ib::new(0x20_0000, 6)], &[]))
        .is_err());
    // Freed exactly once, when the last clone (here: the only one) drops.
    let id = ctx.id();
    drop(ctx);
    let free: DrmAmdgpuCtx = parse(rec.calls_of(DRM_IOCTL_AMDGPU_CTX).last().unwrap());
    assert_eq!(
        free.input(),
        DrmAmdgpuCtxIn {
            op: AMDGPU_CTX_OP_FREE_CTX,
            flags: 0,
            ctx_id: id,
            priority: 0
        }
    );
}

#[test]
fn fence_keeps_context_alive() {
    let (d, rec) = dev();
    let ctx = d.create_context(0).unwrap();
    let f = ctx
        .submit(&Submit::compute(&[Ib::new(0x20_0000, 4)], &[]))
        .unwrap();
    drop(ctx);
    assert_eq!(rec.calls_of(DRM_IOCTL_AMDGPU_CTX).len(), 1); // not freed yet
    f.wait(Duration::from_secs(1)).unwrap();
    drop(f);
    assert_eq!(rec.calls_of(DRM_IOCTL_AMDGPU_CTX).len(), 2);
}

#[test]
fn bo_list_and_syncobj() {
    let (d, rec) = dev();
    let a = d.create_bo(4096, Domains::VRAM, BoFlags::empty()).unwrap();
    let list = d.create_bo_list(&[&a]).unwrap();
    assert_eq!(list.handle(), 77);
    let ctx = d.create_context(0).unwrap();
    ctx.submit(&Submit {
        bo_list: Some(&list),
        ..Submit::compute(&[Ib::new(0x20_0000, 4)], &[])
    })
    .unwrap();
    let cs: DrmAmdgpuCs = parse(rec.calls_of(DRM_IOCTL_AMDGPU_CS).last().unwrap());
    assert_eq!((cs.input().bo_list_handle, cs.input().num_chunks), (77, 1));
    assert!(ctx
        .submit(&Submit {
            bo_list: Some(&list),
            ..Submit::compute(&[Ib::new(0, 4)], &[&a])
        })
        .is_err());
    drop(list);
    let l: DrmAmdgpuBoList = parse(rec.calls_of(DRM_IOCTL_AMDGPU_BO_LIST).last().unwrap());
    assert_eq!(
        (l.input().operation, l.input().list_handle),
        (AMDGPU_BO_LIST_OP_DESTROY, 77)
    );

    let s = d.create_syncobj(true).unwrap();
    let c: DrmSyncobjCreate = parse(&rec.calls_of(DRM_IOCTL_SYNCOBJ_CREATE)[0]);
    assert_eq!(c.flags, DRM_SYNCOBJ_CREATE_SIGNALED);
    assert!(s.wait(Duration::from_secs(1), false).unwrap());
    rec.expect(DRM_IOCTL_SYNCOBJ_WAIT, |_, _| Err(Errno::ETIME));
    assert!(!s.wait(Duration::ZERO, true).unwrap());
    let w: DrmSyncobjWait = parse(rec.calls_of(DRM_IOCTL_SYNCOBJ_WAIT).last().unwrap());
    assert_eq!(
        (w.count_handles, w.flags),
        (
            1,
            DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT
        )
    );
    s.signal().unwrap();
    s.reset().unwrap();
    let h = s.handle();
    drop(s);
    let des: DrmSyncobjDestroy = parse(rec.calls_of(DRM_IOCTL_SYNCOBJ_DESTROY).last().unwrap());
    assert_eq!(des.handle, h);
    d.reserve_vmid().unwrap();
    let vm: DrmAmdgpuVm = parse(&rec.calls_of(DRM_IOCTL_AMDGPU_VM)[0]);
    assert_eq!(vm.input().op, AMDGPU_VM_OP_RESERVE_VMID);
}

#[test]
fn info_helpers() {
    let (d, rec) = dev();
    let i = d.info();
    assert!(i.accel_working().unwrap());
    assert_eq!(i.vram_gtt().unwrap().vram_size, 8 << 30);
    assert_eq!(i.memory().unwrap().gtt.total_heap_size, 16 << 30);
    assert_eq!(i.vram_usage().unwrap(), 512 << 20);
    assert_eq!(i.sensor(AMDGPU_INFO_SENSOR_GPU_TEMP).unwrap(), 45_000);
    assert_eq!(
        i.sensor(AMDGPU_INFO_SENSOR_VDDNB).unwrap_err().to_string(),
        "INFO SENSOR: ENOENT"
    );
    let mec2 = i.fw_version(AMDGPU_INFO_FW_GFX_MEC, 0, 1).unwrap();
    assert_eq!(mec2.ver, 0x801);
    let req: DrmAmdgpuInfo = parse(rec.calls_of(DRM_IOCTL_AMDGPU_INFO).last().unwrap());
    assert_eq!(req.query_args, [AMDGPU_INFO_FW_GFX_MEC, 0, 1, 0]);
    assert_eq!(req.return_size, 8);
    let fw = i.firmware();
    assert_eq!(fw.len(), FW_IDS.len() + 2);
    let vce = fw.iter().find(|f| f.name == "VCE").unwrap();
    assert_eq!(vce.errno.as_deref(), Some("EINVAL"));
    assert!(fw
        .iter()
        .any(|f| f.name == "MEC" && f.index == 1 && f.version == Some(0x801)));
    assert_eq!(i.timestamp().unwrap(), 123_456_789);
    assert_eq!(&i.vbios_info().unwrap().name[..6], b"NAVI10");
    assert_eq!(
        i.hw_ip_info(AMDGPU_HW_IP_COMPUTE, 0)
            .unwrap()
            .available_rings,
        0xf
    );
    let v = d.version().unwrap();
    assert_eq!((v.name.as_str(), v.major, v.minor), ("amdgpu", 3, 57));
    assert_eq!(
        i.read_mmr_reg(0, 0, MMR_INSTANCE_BROADCAST)
            .unwrap_err()
            .to_string(),
        "READ_MMR_REG: count 0 not in 1..=128"
    );
    assert_eq!(mmr_instance(1, 2), 0x0201);
    let _ = navi10_dev_info();
}

fn words<T: bytemuck::Pod>(b: &[u8]) -> Vec<T> {
    b.chunks_exact(core::mem::size_of::<T>())
        .map(pod_read_unaligned)
        .collect()
}

#[test]
fn api_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Device>();
    check::<Bo>();
    check::<Context>();
    check::<Fence>();
    check::<Syncobj>();
    check::<BoList>();
}

#[test]
fn metadata_roundtrip_bytes() {
    let (d, rec) = dev();
    let bo = d.create_bo(4096, Domains::VRAM, BoFlags::empty()).unwrap();
    rec.ok(DRM_IOCTL_AMDGPU_GEM_METADATA);
    bo.set_metadata(1, 0x55, &[7, 8]).unwrap();
    let md: DrmAmdgpuGemMetadata = parse(&rec.calls_of(DRM_IOCTL_AMDGPU_GEM_METADATA)[0]);
    assert_eq!(
        (md.handle, md.op),
        (bo.handle(), AMDGPU_GEM_METADATA_OP_SET_METADATA)
    );
    assert_eq!(
        (md.data.flags, md.data.tiling_info, md.data.data_size_bytes),
        (1, 0x55, 8)
    );
    assert_eq!(&md.data.data[..3], &[7, 8, 0]);
    assert!(bo.set_metadata(0, 0, &[0; 65]).is_err());
    let got = bo.metadata().unwrap(); // the fake echoes the request back
    assert_eq!(got.data_size_bytes, 0);
    let ci = rec.calls_of(DRM_IOCTL_AMDGPU_GEM_METADATA);
    let q: DrmAmdgpuGemMetadata = parse(&ci[1]);
    assert_eq!(q.op, AMDGPU_GEM_METADATA_OP_GET_METADATA);
}

#[test]
fn gem_op_create_info_writes_through_the_pointer() {
    let (d, rec) = dev();
    let mut bo = d
        .create_bo(4096, Domains::VRAM, BoFlags::VRAM_CLEARED)
        .unwrap();
    rec.expect(DRM_IOCTL_AMDGPU_GEM_OP, |arg, user| {
        let op: DrmAmdgpuGemOp = parse(arg);
        assert_eq!(op.op, AMDGPU_GEM_OP_GET_GEM_CREATE_INFO);
        let info = DrmAmdgpuGemCreateIn {
            bo_size: 4096,
            alignment: 4096,
            domains: 4,
            domain_flags: 8,
        };
        user.write(op.value, bytemuck::bytes_of(&info))
    });
    let ci = bo.create_info().unwrap();
    assert_eq!((ci.bo_size, ci.domains, ci.domain_flags), (4096, 4, 8));
    rec.expect(DRM_IOCTL_AMDGPU_GEM_OP, |arg, _| {
        let op: DrmAmdgpuGemOp = parse(arg);
        assert_eq!((op.op, op.value), (AMDGPU_GEM_OP_SET_PLACEMENT, 2));
        Ok(())
    });
    bo.set_placement(Domains::GTT).unwrap();
    assert_eq!(bo.domains(), Domains::GTT);
    // A pointer the caller did not register faults like copy_to_user would.
    rec.expect(DRM_IOCTL_AMDGPU_GEM_OP, |_, user| user.write(0x10, &[0; 8]));
    assert_eq!(
        bo.create_info().unwrap_err().to_string(),
        "GEM_OP get_create_info: EFAULT"
    );

    let ctx = d.create_context(0).unwrap();
    let f = ctx
        .submit(&Submit::compute(&[Ib::new(0x20_0000, 4)], &[]))
        .unwrap();
    d.wait_fences(&[&f], false, Duration::ZERO).unwrap();
    let w: DrmAmdgpuWaitFences = parse(rec.calls_of(DRM_IOCTL_AMDGPU_WAIT_FENCES).last().unwrap());
    assert_eq!((w.input().fence_count, w.input().wait_all), (1, 0));
    assert!(d.wait_fences(&[], true, Duration::ZERO).is_err());
    assert!(rec.problems().is_empty(), "{:?}", rec.problems());
}

#[test]
fn open_auto_reports_why_nothing_opened() {
    use crate::sysfs::{tests::fake_tree, Sysfs};
    let root = fake_tree(
        "auto-open",
        &[("renderD128", 0x1002, 0x731F, 0xC1, "amdgpu")],
    );
    let devdir = root.join("dev");
    std::fs::create_dir_all(&devdir).unwrap();
    // No device file: the open error names the path.
    let e = Device::open_auto_in(&Sysfs::with_roots(&root, &devdir))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("open ") && e.contains("renderD128"), "{e}");
    // A plain file in its place is not a DRM node: the DEV_INFO ioctl fails.
    std::fs::write(devdir.join("renderD128"), b"").unwrap();
    let e = Device::open_auto_in(&Sysfs::with_roots(&root, &devdir))
        .unwrap_err()
        .to_string();
    assert_eq!(e, "INFO DEV_INFO: ENOTTY");
    std::fs::remove_dir_all(&root).unwrap();
    let empty = fake_tree("auto-empty", &[]);
    let e = Device::open_auto_in(&Sysfs::with_roots(&empty, "/dev/dri"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("no AMD GPU render node found"), "{e}");
    std::fs::remove_dir_all(&empty).unwrap();
}

#[test]
fn timeline_syncobj_wrappers_send_the_kernel_structs() {
    let (d, rec) = dev();
    let a = d.create_syncobj(false).unwrap();
    let b = d.create_syncobj(false).unwrap();
    // TIMELINE_SIGNAL: one handle, one point, flags 0.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    rec.expect(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, move |arg, user| {
        let t: DrmSyncobjTimelineArray = parse(arg);
        let h: u32 = parse(user.read(t.handles, 4)?);
        let p: u64 = parse(user.read(t.points, 8)?);
        s.lock().unwrap().push((t.count_handles, t.flags, h, p));
        Ok(())
    });
    a.timeline_signal(9).unwrap();
    assert_eq!(seen.lock().unwrap()[0], (1, 0, a.handle(), 9));
    // QUERY writes the point back through `points`.
    rec.expect(DRM_IOCTL_SYNCOBJ_QUERY, |arg, user| {
        let t: DrmSyncobjTimelineArray = parse(arg);
        assert_eq!(t.flags, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED);
        user.write(t.points, &77u64.to_le_bytes())
    });
    assert_eq!(a.query(true).unwrap(), 77);
    // TRANSFER: src/dst handles and points as given, pad 0.
    rec.expect(DRM_IOCTL_SYNCOBJ_TRANSFER, |_, _| Ok(()));
    b.transfer_from(3, &a, 2, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT)
        .unwrap();
    let t: DrmSyncobjTransfer = parse(rec.calls_of(DRM_IOCTL_SYNCOBJ_TRANSFER).last().unwrap());
    assert_eq!(
        t,
        DrmSyncobjTransfer {
            src_handle: a.handle(),
            dst_handle: b.handle(),
            src_point: 2,
            dst_point: 3,
            flags: DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
            pad: 0,
        }
    );
    // TIMELINE_WAIT: first_signaled comes back; ETIME is `None`.
    rec.expect(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, |arg, user| {
        let mut w: DrmSyncobjTimelineWait = parse(arg);
        let p: Vec<u64> = words(user.read(w.points, 16)?);
        assert_eq!((w.count_handles, p), (2, vec![4, 5]));
        assert!(w.timeout_nsec > 0);
        w.first_signaled = 1;
        arg.copy_from_slice(bytemuck::bytes_of(&w));
        Ok(())
    });
    let pts = [SyncPoint::new(&a, 4), SyncPoint::new(&b, 5)];
    assert_eq!(
        d.timeline_wait(&pts, 0, Duration::from_secs(1)).unwrap(),
        Some(1)
    );
    rec.expect(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, |_, _| Err(Errno::ETIME));
    assert_eq!(d.timeline_wait(&pts, 0, Duration::ZERO).unwrap(), None);
}

//! The fake kernel through the real Device API: ioctl error paths, VA checks,
//! IB walking, fences, faults, timeouts and syncobjs.

mod kmd_support;
use kmd_support::{errno, raw};

use std::time::Duration;

use amdgpu_kmd::uapi::*;
use amdgpu_kmd::{Bo, BoFlags, Device, Domains, Errno, Ib, Submit, UserMem, VmFlags};
use pm4::op;
use sim::{SimConfig, SimDriver, SimHandle};

fn dev_with(cfg: SimConfig) -> (Device, SimHandle) {
    let d = SimDriver::new(cfg);
    let h = d.handle();
    (Device::new(Box::new(d)).unwrap(), h)
}

fn dev() -> (Device, SimHandle) {
    dev_with(SimConfig::default())
}

fn gtt(d: &Device, size: u64) -> (Bo, u64) {
    let bo = d.create_bo(size, Domains::GTT, BoFlags::empty()).unwrap();
    let va = bo.map_gpu(VmFlags::RWX).unwrap();
    (bo, va)
}

fn pkt(ib: &mut Vec<u32>, opcode: u8, body: &[u32]) {
    ib.push(op::pkt3(opcode, body.len(), false));
    ib.extend_from_slice(body);
}

fn write_data(ib: &mut Vec<u32>, va: u64, data: &[u32]) {
    let mut b = vec![
        op::WRITE_DATA_DW1::DST_SEL.set(5),
        va as u32,
        (va >> 32) as u32,
    ];
    b.extend_from_slice(data);
    pkt(ib, op::WRITE_DATA, &b);
}

fn release_mem(ib: &mut Vec<u32>, va: u64, value: u64) {
    pkt(
        ib,
        op::RELEASE_MEM,
        &[
            op::RELEASE_MEM_EVENT_CNTL::EVENT_TYPE.set(0x14)
                | op::RELEASE_MEM_EVENT_CNTL::EVENT_INDEX.set(5),
            op::RELEASE_MEM_DATA_CNTL::DATA_SEL.set(2),
            va as u32,
            (va >> 32) as u32,
            value as u32,
            (value >> 32) as u32,
            0,
        ],
    );
}

fn upload(bo: &Bo, off: u64, dw: &[u32]) {
    bo.write(off, bytemuck::cast_slice(dw)).unwrap();
}

fn read_u64(bo: &Bo, off: u64) -> u64 {
    let v = bo.read_vec(off, 8).unwrap();
    u64::from_le_bytes(v.try_into().unwrap())
}

#[test]
fn dev_info_is_navi10() {
    let (d, _) = dev();
    let i = d.dev_info();
    assert_eq!(
        (i.device_id, i.family, i.cu_active_number),
        (0x731F, 143, 40)
    );
    assert_eq!(i.pci_rev, 0xC1);
    assert_eq!(i.virtual_address_offset, 0x10000);
    let info = d.info();
    assert!(info.accel_working().unwrap());
    assert_eq!(info.vram_gtt().unwrap().vram_size, 8 << 30);
    assert!(!info.firmware().is_empty());
    assert!(info.fw_version(AMDGPU_INFO_FW_GFX_MEC, 0, 0).unwrap().ver > 0);
    let t0 = info.timestamp().unwrap();
    assert!(info.timestamp().unwrap() >= t0);
    let before = info.vram_usage().unwrap();
    let bo = d
        .create_bo(1 << 20, Domains::VRAM, BoFlags::empty())
        .unwrap();
    assert_eq!(info.vram_usage().unwrap(), before + (1 << 20));
    drop(bo);
    assert_eq!(info.vram_usage().unwrap(), before);
    // An unknown query is EINVAL; a bad return pointer EFAULT.
    let q = DrmAmdgpuInfo::new(0x7f, 0x1000, 8);
    assert_eq!(raw(&d, DRM_IOCTL_AMDGPU_INFO, q), Err(Errno::EINVAL));
    let q = DrmAmdgpuInfo::new(AMDGPU_INFO_DEV_INFO, 0x1000, 8);
    assert_eq!(raw(&d, DRM_IOCTL_AMDGPU_INFO, q), Err(Errno::EFAULT));
}

#[test]
fn vram_is_sparse_and_configurable() {
    let (d, h) = dev_with(SimConfig {
        vram_size: 1 << 30,
        ..SimConfig::default()
    });
    assert_eq!(d.info().vram_gtt().unwrap().vram_size, 1 << 30);
    let big = d
        .create_bo(900 << 20, Domains::VRAM, BoFlags::empty())
        .unwrap();
    big.write(800 << 20, &[1, 2, 3]).unwrap();
    assert!(h.resident_bytes() <= 128 << 10);
    // No overcommit: a second big BO does not fit.
    assert_eq!(
        errno(d.create_bo(200 << 20, Domains::VRAM, BoFlags::empty())),
        Errno::ENOMEM
    );
}

#[test]
fn gem_errors() {
    let (d, _) = dev();
    let close = |h| raw(&d, DRM_IOCTL_GEM_CLOSE, DrmGemClose { handle: h, pad: 0 });
    assert_eq!(close(77), Err(Errno::EINVAL));
    let create = |size, domains: u32, flags: u32| {
        raw(
            &d,
            DRM_IOCTL_AMDGPU_GEM_CREATE,
            DrmAmdgpuGemCreate::from_input(DrmAmdgpuGemCreateIn {
                bo_size: size,
                alignment: 4096,
                domains: domains.into(),
                domain_flags: flags.into(),
            }),
        )
    };
    assert_eq!(create(4096, 0x80, 0).err(), Some(Errno::EINVAL));
    assert_eq!(create(4096, 0, 0).err(), Some(Errno::EINVAL));
    assert_eq!(
        create(4096, AMDGPU_GEM_DOMAIN_GTT, 1 << 30).err(),
        Some(Errno::EINVAL)
    );
    assert_eq!(
        create(4096, AMDGPU_GEM_DOMAIN_VRAM, AMDGPU_GEM_CREATE_ENCRYPTED).err(),
        Some(Errno::EINVAL)
    );
    let h = create(100, AMDGPU_GEM_DOMAIN_GTT, 0)
        .unwrap()
        .output()
        .handle;
    assert_eq!(h, 1);
    let mm = |h| {
        raw(
            &d,
            DRM_IOCTL_AMDGPU_GEM_MMAP,
            DrmAmdgpuGemMmap::from_input(DrmAmdgpuGemMmapIn { handle: h, _pad: 0 }),
        )
    };
    assert_eq!(mm(9).err(), Some(Errno::ENOENT));
    let off = mm(h).unwrap().output().addr_ptr;
    assert!(d.driver().mmap(off, 4096).is_ok());
    assert_eq!(d.driver().mmap(off, 8192).err(), Some(Errno::EINVAL));
    assert_eq!(d.driver().mmap(off + 4096, 4096).err(), Some(Errno::EINVAL));
    let noacc = create(
        4096,
        AMDGPU_GEM_DOMAIN_VRAM,
        AMDGPU_GEM_CREATE_NO_CPU_ACCESS,
    )
    .unwrap();
    assert_eq!(mm(noacc.output().handle).err(), Some(Errno::EPERM));
    close(h).unwrap();
    assert_eq!(close(h), Err(Errno::EINVAL));
}

#[test]
fn va_checks() {
    let (d, _) = dev();
    let bo = d.create_bo(0x4000, Domains::GTT, BoFlags::empty()).unwrap();
    let va = |op: u32, addr: u64, off: u64, size: u64, handle: u32| {
        raw(
            &d,
            DRM_IOCTL_AMDGPU_GEM_VA,
            DrmAmdgpuGemVa {
                handle,
                _pad: 0,
                operation: op,
                flags: AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_WRITEABLE,
                va_address: addr,
                offset_in_bo: off,
                map_size: size,
            },
        )
        .map(|_| ())
    };
    let h = bo.handle();
    let base = 0x1_0000_0000u64;
    assert_eq!(
        va(AMDGPU_VA_OP_MAP, 0x1000, 0, 0x1000, h),
        Err(Errno::EINVAL)
    ); // reserved bottom
    assert_eq!(
        va(AMDGPU_VA_OP_MAP, base + 0x10, 0, 0x1000, h),
        Err(Errno::EINVAL)
    ); // alignment
    assert_eq!(va(AMDGPU_VA_OP_MAP, base, 0, 0x1001, h), Err(Errno::EINVAL));
    assert_eq!(
        va(AMDGPU_VA_OP_MAP, base, 0x1000, 0x4000, h),
        Err(Errno::EINVAL)
    ); // past the BO
    assert_eq!(
        va(AMDGPU_VA_OP_MAP, 0x0000_9000_0000_0000, 0, 0x1000, h),
        Err(Errno::EINVAL)
    ); // hole
    assert_eq!(
        va(AMDGPU_VA_OP_MAP, (1 << 48) - 0x1000, 0, 0x1000, h),
        Err(Errno::EINVAL)
    ); // top
    assert_eq!(
        va(AMDGPU_VA_OP_MAP, base, 0, 0x1000, 999),
        Err(Errno::ENOENT)
    );
    assert_eq!(va(9, base, 0, 0x1000, h), Err(Errno::EINVAL));
    va(AMDGPU_VA_OP_MAP, base, 0, 0x2000, h).unwrap();
    assert_eq!(
        va(AMDGPU_VA_OP_MAP, base + 0x1000, 0, 0x2000, h),
        Err(Errno::EINVAL)
    ); // overlap
    va(AMDGPU_VA_OP_MAP, base + 0x2000, 0x2000, 0x2000, h).unwrap(); // adjacent is fine
    assert_eq!(
        va(AMDGPU_VA_OP_UNMAP, base + 0x1000, 0, 0x1000, h),
        Err(Errno::ENOENT)
    );
    va(AMDGPU_VA_OP_UNMAP, base, 0, 0x2000, h).unwrap();
    va(AMDGPU_VA_OP_REPLACE, base + 0x3000, 0, 0x1000, h).unwrap();
    va(AMDGPU_VA_OP_CLEAR, base, 0, 0x10000, 0).unwrap();
    va(AMDGPU_VA_OP_MAP, base, 0, 0x4000, h).unwrap();
}

#[test]
fn write_data_and_release_mem_through_chained_and_nested_ibs() {
    let (d, h) = dev();
    let ctx = d.create_context(0).unwrap();
    let (data, dva) = gtt(&d, 0x1000);
    let (ibbo, iva) = gtt(&d, 0x4000);
    // IB A: WRITE_DATA, nested call to IB C, then chain to IB B.
    let (c_off, b_off) = (0x2000u64, 0x1000u64);
    let mut c = Vec::new();
    write_data(&mut c, dva + 8, &[0xCCCC]);
    let mut b = Vec::new();
    write_data(&mut b, dva + 16, &[0xBBBB, 0xBBBC]);
    release_mem(&mut b, dva + 0x100, 0x1234_5678_9abc);
    let mut a = Vec::new();
    write_data(&mut a, dva, &[0xAAAA]);
    pkt(&mut a, op::NOP, &[0; 3]);
    a.push(op::TYPE2_NOP);
    pkt(
        &mut a,
        op::INDIRECT_BUFFER,
        &[
            (iva + c_off) as u32,
            ((iva + c_off) >> 32) as u32,
            c.len() as u32 | 1 << 23,
        ],
    );
    pkt(
        &mut a,
        op::INDIRECT_BUFFER,
        &[
            (iva + b_off) as u32,
            ((iva + b_off) >> 32) as u32,
            b.len() as u32 | 1 << 20 | 1 << 23,
        ],
    );
    write_data(&mut a, dva + 24, &[0xDEAD]); // never runs: after the chain
    upload(&ibbo, 0, &a);
    upload(&ibbo, b_off, &b);
    upload(&ibbo, c_off, &c);
    let ibs = [Ib::new(iva, a.len() as u32 * 4)];
    let f = ctx.submit(&Submit::compute(&ibs, &[&data, &ibbo])).unwrap();
    assert_eq!(f.seq(), 1);
    assert!(f.wait(Duration::from_secs(5)).unwrap());
    let v = data.read_vec(0, 32).unwrap();
    let w: Vec<u32> = v
        .chunks(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(w, [0xAAAA, 0, 0xCCCC, 0, 0xBBBB, 0xBBBC, 0, 0]);
    assert_eq!(read_u64(&data, 0x100), 0x1234_5678_9abc);
    let r = h.last_job().unwrap();
    assert!(r.result.is_ok());
    assert_eq!(r.stats.release_mem, 1);
    assert!(!ctx.query_state2().unwrap().guilty());
}

#[test]
fn cs_error_paths() {
    let (d, _) = dev();
    let ctx = d.create_context(0).unwrap();
    let (ibbo, iva) = gtt(&d, 0x1000);
    upload(&ibbo, 0, &[op::pkt3(op::NOP, 1, false), 0]);
    // IB not mapped → EINVAL (amdgpu_cs_find_mapping).
    let ibs = [Ib::new(0x7000_0000, 8)];
    assert_eq!(
        errno(ctx.submit(&Submit::compute(&ibs, &[]))),
        Errno::EINVAL
    );
    // IB running off its mapping.
    let ibs = [Ib::new(iva + 0xff8, 16)];
    assert_eq!(
        errno(ctx.submit(&Submit::compute(&ibs, &[]))),
        Errno::EINVAL
    );
    // Bad ring / IP.
    let ibs = [Ib::new(iva, 8)];
    let mut s = Submit::compute(&ibs, &[]);
    s.ring = 9;
    assert_eq!(errno(ctx.submit(&s)), Errno::EINVAL);
    // Unknown context.
    let mut cs = DrmAmdgpuCs::from_input(DrmAmdgpuCsIn {
        ctx_id: 42,
        bo_list_handle: 0,
        num_chunks: 1,
        flags: 0,
        chunks: 0x10,
    });
    assert_eq!(
        d.driver().ioctl(
            DRM_IOCTL_AMDGPU_CS,
            bytemuck::bytes_of_mut(&mut cs),
            &mut UserMem::new()
        ),
        Err(Errno::EINVAL)
    );
    // Bad chunk array pointer → EFAULT.
    let mut cs = DrmAmdgpuCs::from_input(DrmAmdgpuCsIn {
        ctx_id: ctx.id(),
        bo_list_handle: 0,
        num_chunks: 1,
        flags: 0,
        chunks: 0x10,
    });
    assert_eq!(
        d.driver().ioctl(
            DRM_IOCTL_AMDGPU_CS,
            bytemuck::bytes_of_mut(&mut cs),
            &mut UserMem::new()
        ),
        Err(Errno::EFAULT)
    );
    // A chunk pointer that points nowhere → EFAULT.
    let ptrs = [0x20u64];
    let mut u = UserMem::new();
    let p = u.input(bytemuck::cast_slice(&ptrs));
    let mut cs = DrmAmdgpuCs::from_input(DrmAmdgpuCsIn {
        ctx_id: ctx.id(),
        bo_list_handle: 0,
        num_chunks: 1,
        flags: 0,
        chunks: p,
    });
    assert_eq!(
        d.driver()
            .ioctl(DRM_IOCTL_AMDGPU_CS, bytemuck::bytes_of_mut(&mut cs), &mut u),
        Err(Errno::EFAULT)
    );
    // Unknown BO list handle → ENOENT.
    let mut cs = DrmAmdgpuCs::from_input(DrmAmdgpuCsIn {
        ctx_id: ctx.id(),
        bo_list_handle: 0,
        num_chunks: 0,
        flags: 0,
        chunks: 0,
    });
    assert_eq!(
        d.driver().ioctl(
            DRM_IOCTL_AMDGPU_CS,
            bytemuck::bytes_of_mut(&mut cs),
            &mut UserMem::new()
        ),
        Err(Errno::EINVAL)
    );
    // WAIT_CS on a sequence never emitted → EINVAL.
    let ok = ctx
        .submit(&Submit::compute(&[Ib::new(iva, 8)], &[&ibbo]))
        .unwrap();
    assert!(ok.wait(Duration::ZERO).unwrap());
    let w = DrmAmdgpuWaitCs::from_input(DrmAmdgpuWaitCsIn {
        handle: 99,
        timeout: 0,
        ip_type: 1,
        ip_instance: 0,
        ring: 0,
        ctx_id: ctx.id(),
    });
    assert_eq!(
        raw(&d, DRM_IOCTL_AMDGPU_WAIT_CS, w).err(),
        Some(Errno::EINVAL)
    );
    // CTX free of an unknown id → EINVAL; bad priority → EINVAL.
    let c = DrmAmdgpuCtx::from_input(DrmAmdgpuCtxIn {
        op: AMDGPU_CTX_OP_FREE_CTX,
        flags: 0,
        ctx_id: 77,
        priority: 0,
    });
    assert_eq!(raw(&d, DRM_IOCTL_AMDGPU_CTX, c).err(), Some(Errno::EINVAL));
    let c = DrmAmdgpuCtx::from_input(DrmAmdgpuCtxIn {
        op: AMDGPU_CTX_OP_ALLOC_CTX,
        flags: 0,
        ctx_id: 0,
        priority: 5,
    });
    assert_eq!(raw(&d, DRM_IOCTL_AMDGPU_CTX, c).err(), Some(Errno::EINVAL));
}

#[test]
fn unknown_packet_hangs_and_context_becomes_guilty() {
    let (d, h) = dev();
    let ctx = d.create_context(0).unwrap();
    let other = d.create_context(0).unwrap();
    let (ibbo, iva) = gtt(&d, 0x1000);
    upload(&ibbo, 0, &[op::pkt3(0x7f, 1, false), 0]);
    let f = ctx
        .submit(&Submit::compute(&[Ib::new(iva, 8)], &[&ibbo]))
        .unwrap();
    assert_eq!(errno(f.wait(Duration::from_secs(1))), Errno::ETIME);
    let st = ctx.query_state2().unwrap();
    assert!(st.guilty() && st.reset());
    assert!(other.query_state2().unwrap().reset());
    assert!(!other.query_state2().unwrap().guilty());
    // Further submits on the guilty context: ECANCELED; the device stays usable.
    upload(&ibbo, 0x100, &[op::pkt3(op::NOP, 1, false), 0]);
    let ibs = [Ib::new(iva + 0x100, 8)];
    assert_eq!(
        errno(ctx.submit(&Submit::compute(&ibs, &[&ibbo]))),
        Errno::ECANCELED
    );
    let ok = other.submit(&Submit::compute(&ibs, &[&ibbo])).unwrap();
    assert!(ok.wait(Duration::from_secs(1)).unwrap());
    assert!(h
        .dmesg()
        .iter()
        .any(|l| l.contains("unknown PM4 opcode 0x7f")));
    assert_eq!(h.reset_count(), 1);
}

#[test]
fn vm_fault_names_the_address() {
    let (d, h) = dev();
    let ctx = d.create_context(0).unwrap();
    let (ibbo, iva) = gtt(&d, 0x1000);
    let mut a = Vec::new();
    write_data(&mut a, 0x5555_0000, &[1]);
    upload(&ibbo, 0, &a);
    let f = ctx
        .submit(&Submit::compute(
            &[Ib::new(iva, a.len() as u32 * 4)],
            &[&ibbo],
        ))
        .unwrap();
    assert_eq!(errno(f.wait(Duration::from_secs(1))), Errno::ETIME);
    assert!(ctx.query_state2().unwrap().guilty());
    let log = h.dmesg().join("\n");
    assert!(log.contains("page fault"), "{log}");
    assert!(log.contains("0x00005555") && log.contains("write"), "{log}");
    // INFO GPUVM_FAULT reports it too.
    let mut out = [0u8; 16];
    let mut u = UserMem::new();
    let p = u.output(&mut out);
    let mut q = DrmAmdgpuInfo::new(AMDGPU_INFO_GPUVM_FAULT, p, 16);
    d.driver()
        .ioctl(
            DRM_IOCTL_AMDGPU_INFO,
            bytemuck::bytes_of_mut(&mut q),
            &mut u,
        )
        .unwrap();
    drop(u);
    assert_eq!(
        u64::from_le_bytes(out[..8].try_into().unwrap()),
        0x5555_0000
    );
}

#[test]
fn wait_reg_mem_blocks_until_cpu_write_then_times_out_when_never_true() {
    let (d, h) = dev_with(SimConfig {
        job_timeout: Duration::from_millis(300),
        ..SimConfig::default()
    });
    let ctx = d.create_context(0).unwrap();
    let (data, dva) = gtt(&d, 0x1000);
    let (ibbo, iva) = gtt(&d, 0x1000);
    let mut a = Vec::new();
    // WAIT_REG_MEM mem, EQ, *dva == 7.
    pkt(
        &mut a,
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
    write_data(&mut a, dva + 4, &[0x99]);
    upload(&ibbo, 0, &a);
    let ibs = [Ib::new(iva, a.len() as u32 * 4)];
    let f = ctx.submit(&Submit::compute(&ibs, &[&data, &ibbo])).unwrap();
    assert!(!f.wait(Duration::from_millis(20)).unwrap()); // still busy: status 1
    data.write(0, &7u32.to_le_bytes()).unwrap();
    assert!(f.wait(Duration::from_secs(2)).unwrap());
    assert_eq!(data.read_vec(4, 4).unwrap(), 0x99u32.to_le_bytes());
    // Never true → the job timeout resets the GPU: ETIME, guilty.
    data.write(0, &0u32.to_le_bytes()).unwrap();
    let f = ctx.submit(&Submit::compute(&ibs, &[&data, &ibbo])).unwrap();
    assert_eq!(errno(f.wait(Duration::from_secs(5))), Errno::ETIME);
    assert!(ctx.query_state2().unwrap().guilty());
    assert!(h.dmesg().iter().any(|l| l.contains("WAIT_REG_MEM")));
    // The device stays usable.
    let c2 = d.create_context(0).unwrap();
    write_data(&mut Vec::new(), dva, &[0]);
    let mut b = Vec::new();
    write_data(&mut b, dva + 8, &[5]);
    upload(&ibbo, 0x400, &b);
    let f = c2
        .submit(&Submit::compute(
            &[Ib::new(iva + 0x400, b.len() as u32 * 4)],
            &[&data, &ibbo],
        ))
        .unwrap();
    assert!(f.wait(Duration::from_secs(1)).unwrap());
}

#[test]
fn ib_chain_loop_hits_the_packet_budget() {
    let (d, _) = dev_with(SimConfig {
        max_packets: 10_000,
        ..SimConfig::default()
    });
    let ctx = d.create_context(0).unwrap();
    let (ibbo, iva) = gtt(&d, 0x1000);
    let mut a = Vec::new();
    pkt(
        &mut a,
        op::INDIRECT_BUFFER,
        &[iva as u32, (iva >> 32) as u32, 4 | 1 << 20 | 1 << 23],
    );
    upload(&ibbo, 0, &a);
    let f = ctx
        .submit(&Submit::compute(&[Ib::new(iva, 16)], &[&ibbo]))
        .unwrap();
    assert_eq!(errno(f.wait(Duration::from_secs(1))), Errno::ETIME);
}

#[test]
fn syncobjs_and_fence_to_handle() {
    let (d, _) = dev();
    let ctx = d.create_context(0).unwrap();
    let (ibbo, iva) = gtt(&d, 0x1000);
    upload(&ibbo, 0, &[op::pkt3(op::NOP, 1, false), 0]);
    let s = d.create_syncobj(false).unwrap();
    // No fence yet: EINVAL unless WAIT_FOR_SUBMIT (which then times out).
    assert_eq!(errno(s.wait(Duration::ZERO, false)), Errno::EINVAL);
    assert!(!s.wait(Duration::from_millis(5), true).unwrap());
    let ibs = [Ib::new(iva, 8)];
    let bos = [&ibbo];
    let mut sub = Submit::compute(&ibs, &bos);
    let outs = [&s];
    sub.syncobj_out = &outs;
    let f = ctx.submit(&sub).unwrap();
    assert!(s.wait(Duration::from_secs(1), false).unwrap());
    let s2 = f.to_syncobj().unwrap();
    assert!(s2.wait(Duration::from_secs(1), false).unwrap());
    s.reset().unwrap();
    assert_eq!(errno(s.wait(Duration::ZERO, false)), Errno::EINVAL);
    s.signal().unwrap();
    assert!(s.wait(Duration::ZERO, false).unwrap());
    // SYNCOBJ_IN on a syncobj without fence → EINVAL.
    let empty = d.create_syncobj(false).unwrap();
    let ins = [&empty];
    let mut sub = Submit::compute(&ibs, &bos);
    sub.syncobj_in = &ins;
    assert_eq!(errno(ctx.submit(&sub)), Errno::EINVAL);
    let destroy = DrmSyncobjDestroy {
        handle: 999,
        pad: 0,
    };
    assert_eq!(
        raw(&d, DRM_IOCTL_SYNCOBJ_DESTROY, destroy).err(),
        Some(Errno::EINVAL)
    );
    // WAIT_FENCES any/all.
    let g = ctx.submit(&Submit::compute(&ibs, &[&ibbo])).unwrap();
    assert_eq!(
        d.wait_fences(&[&f, &g], true, Duration::from_secs(1))
            .unwrap(),
        Some(0)
    );
}

#[test]
fn injected_hang_and_refusal() {
    let (d, h) = dev();
    let ctx = d.create_context(0).unwrap();
    let (ibbo, iva) = gtt(&d, 0x1000);
    upload(&ibbo, 0, &[op::pkt3(op::NOP, 1, false), 0]);
    let ibs = [Ib::new(iva, 8)];
    h.configure(|c| c.refuse_cs = Some((Errno::ENOMEM, 1)));
    assert_eq!(
        errno(ctx.submit(&Submit::compute(&ibs, &[&ibbo]))),
        Errno::ENOMEM
    );
    h.configure(|c| c.inject_hangs = 1);
    let f = ctx.submit(&Submit::compute(&ibs, &[&ibbo])).unwrap();
    assert_eq!(errno(f.wait(Duration::from_secs(1))), Errno::ETIME);
    assert!(ctx.query_state2().unwrap().guilty());
}

#[test]
fn every_padding_length_runs_including_the_one_dword_nop_pad() {
    // Before padding the IB is 7..=14 dwords long, so pm4's pad_to(8) emits every pad
    // length 0..=7 — 1 is the header-only PKT3_NOP_PAD (NOP, count 0x3FFF) that the kernel
    // pads its rings with (gfx_v10_0.c `.nop`).
    let (d, h) = dev();
    let ctx = d.create_context(0).unwrap();
    let (data, dva) = gtt(&d, 0x1000);
    let (ibbo, iva) = gtt(&d, 0x1000);
    for extra in 0..8usize {
        let mut cs = pm4::CmdStream::new();
        let mut w = vec![0xF00D_0000 | extra as u32];
        w.extend(std::iter::repeat_n(0, extra));
        let mut ib = Vec::new();
        write_data(&mut ib, dva + 64 * extra as u64, &w);
        cs.extend(&ib);
        let before = cs.len_dw();
        cs.pad_to(8, 0);
        let pad = cs.len_dw() - before;
        assert_eq!(pad, (8 - before % 8) % 8);
        let dw = cs.as_slice().to_vec();
        upload(&ibbo, 0, &dw);
        let ibs = [Ib::new(iva, dw.len() as u32 * 4)];
        let f = ctx.submit(&Submit::compute(&ibs, &[&data, &ibbo])).unwrap();
        assert!(
            f.wait(Duration::from_secs(5)).unwrap(),
            "pad of {pad} dwords"
        );
        assert!(h.last_job().unwrap().result.is_ok(), "pad of {pad} dwords");
        let got = data.read_vec(64 * extra as u64, 4).unwrap();
        assert_eq!(
            u32::from_le_bytes(got.try_into().unwrap()),
            0xF00D_0000 | extra as u32
        );
    }
    assert!(!ctx.query_state2().unwrap().guilty());
}

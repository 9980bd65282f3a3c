//! Tests on a real AMD render node. They print a skip message and pass when
//! the machine has none (CI, this container); with a GPU they exercise every
//! Device path end to end: INFO, BO create/map/CPU access, VA, context,
//! a NOP submission on the compute ring, WAIT_CS, syncobjs.

use amdgpu_kmd::sysfs::Sysfs;
use amdgpu_kmd::uapi::*;
use amdgpu_kmd::*;
use std::time::Duration;

/// Type-3 NOP that occupies exactly one dword (count field 0x3FFF means "no
/// payload"); Mesa `sid.h` PKT3_NOP_PAD, used by radv to pad IBs.
const PKT3_NOP_PAD: u32 = 0xffff_1000;

fn device() -> Option<Device> {
    let node = match Sysfs::system().select_auto() {
        Ok(n) => n,
        Err(e) => {
            println!("skipped: {e}");
            return None;
        }
    };
    match Device::open(&node.dev_path) {
        Ok(d) => Some(d),
        Err(e) => {
            println!("skipped: cannot open {}: {e}", node.dev_path.display());
            None
        }
    }
}

#[test]
fn info_on_real_gpu() {
    let Some(dev) = device() else { return };
    let v = dev.version().unwrap();
    assert_eq!(v.name, "amdgpu");
    assert!(dev.info().accel_working().unwrap());
    let di = dev.dev_info();
    assert!(di.cu_active_number > 0);
    assert!(di.virtual_address_max > di.virtual_address_offset);
    let r = report::DeviceReport::gather(&dev);
    println!("{}", r.to_text());
    assert!(r
        .firmware
        .iter()
        .any(|f| f.name == "MEC" && f.version.is_some()));
    assert!(dev.info().timestamp().unwrap() > 0);
}

#[test]
fn nop_submission_on_real_gpu() {
    let Some(dev) = device() else { return };
    let data = dev
        .create_bo(64 << 10, Domains::VRAM, BoFlags::CPU_ACCESS_REQUIRED)
        .unwrap();
    data.write(100, b"rocless").unwrap();
    assert_eq!(data.read_vec(100, 7).unwrap(), b"rocless");
    data.map_gpu(VmFlags::RWX).unwrap();
    let ib = dev
        .create_bo(4096, Domains::GTT, BoFlags::CPU_GTT_USWC)
        .unwrap();
    let nops = [PKT3_NOP_PAD; 16];
    ib.write(0, bytemuck::cast_slice(&nops)).unwrap();
    let ib_va = ib.map_gpu(VmFlags::READABLE | VmFlags::EXECUTABLE).unwrap();
    let ctx = dev.create_context(AMDGPU_CTX_PRIORITY_NORMAL).unwrap();
    let out = dev.create_syncobj(false).unwrap();
    let ibs = [Ib::new(ib_va, 64)];
    let bos = [&data, &ib];
    let fence = ctx
        .submit(&Submit {
            syncobj_out: &[&out],
            ..Submit::compute(&ibs, &bos)
        })
        .unwrap();
    assert!(
        fence.wait(Duration::from_secs(5)).unwrap(),
        "NOP IB did not complete in 5 s"
    );
    assert!(out.wait(Duration::from_secs(1), true).unwrap());
    assert!(!ctx.query_state2().unwrap().guilty());
    assert_eq!(
        dev.wait_fences(&[&fence], true, Duration::from_secs(1))
            .unwrap(),
        Some(0)
    );
    // Bad VA: the kernel refuses, and the error names ioctl and errno.
    let e = ctx
        .submit(&Submit::compute(&[Ib::new(0x1000, 64)], &bos))
        .unwrap_err();
    println!("expected failure: {e}");
    assert!(e.to_string().starts_with("CS: "));
}

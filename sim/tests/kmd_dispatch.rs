//! Dispatches through the whole fake-kernel path: CS ioctl → CP → wave
//! executor, with shader VM faults and hung kernels.

mod kmd_support;
use kmd_support::errno;

mod exec_support;

use std::time::Duration;

use amdgpu_kmd::{Bo, BoFlags, Device, Domains, Errno, Ib, Submit, VmFlags};
use loader::{ArgValue, CodeObject, Dispatch, KernargBuilder, UserSgprValues};
use sim::exec::Budget;
use sim::{SimConfig, SimDriver, SimHandle};

const SRC: &str = "
__kernel void poke(__global uint *p) { p[LID(x)] = LID(x) + 7; }
__kernel void spin(__global volatile uint *p) { while (p[0] == 0) {} }
__kernel void mix(__global uint *p) {
    __local uint s[32];
    uint g = GID(x), l = LID(x);
    uint v = p[g] * 2654435761u + g;
    s[l] = v;
    BARRIER();
    p[g] = v ^ s[31 - l];
    if (l == 0) p[4096 + WGID(x)] = s[7] + s[13];
}
__kernel void count(__global uint *p) { __atomic_fetch_add(&p[0], GID(x) & 3, __ATOMIC_RELAXED); p[1 + GID(x)] = p[0]; }
";

struct Rig {
    dev: Device,
    h: SimHandle,
    co: Vec<u8>,
    keep: Vec<Bo>,
}

fn rig() -> Option<Rig> {
    rig_with(None)
}

fn rig_with(workers: Option<usize>) -> Option<Rig> {
    // Compile once: the helper's temp dir is per process + source, so
    // parallel tests compiling the same source would race.
    static CO: std::sync::OnceLock<Option<Vec<u8>>> = std::sync::OnceLock::new();
    let co = CO
        .get_or_init(|| exec_support::compile(SRC, "gfx1010", false))
        .clone()?;
    let cfg = SimConfig {
        budget: Budget {
            max_instructions: 200_000,
            max_time: Some(Duration::from_secs(20)),
            workers,
        },
        ..SimConfig::default()
    };
    let d = SimDriver::new(cfg);
    let h = d.handle();
    Some(Rig {
        dev: Device::new(Box::new(d)).unwrap(),
        h,
        co,
        keep: Vec::new(),
    })
}

impl Rig {
    fn bo(&mut self, size: u64) -> u64 {
        let bo = self
            .dev
            .create_bo(size, Domains::GTT, BoFlags::empty())
            .unwrap();
        let va = bo.map_gpu(VmFlags::RWX).unwrap();
        self.keep.push(bo);
        va
    }
    fn last(&self) -> &Bo {
        self.keep.last().unwrap()
    }

    /// Builds and submits one dispatch of `kernel` with pointer `arg`.
    fn submit(&mut self, ctx: &amdgpu_kmd::Context, kernel: &str, arg: u64) -> amdgpu_kmd::Fence {
        self.submit_grid(ctx, kernel, arg, 1)
    }

    /// [`Rig::submit`] over `groups` workgroups of 32.
    fn submit_grid(
        &mut self,
        ctx: &amdgpu_kmd::Context,
        kernel: &str,
        arg: u64,
        groups: u32,
    ) -> amdgpu_kmd::Fence {
        let co = CodeObject::parse(&self.co).unwrap();
        let k = co.kernel(kernel).unwrap();
        let code_va = self.bo(co.image_size());
        let img = co.load(code_va).unwrap();
        self.last().write(0, &img.bytes).unwrap();
        let mut kb = KernargBuilder::new(&k.metadata);
        kb.push(ArgValue::Pointer(arg)).unwrap();
        kb.dispatch(Dispatch::from_workgroups([groups, 1, 1], [32, 1, 1]).unwrap());
        let ka = kb.build().unwrap();
        let ka_va = self.bo(ka.bytes.len() as u64);
        self.last().write(0, &ka.bytes).unwrap();
        let user = loader::sgpr_layout(&k.descriptor, &k.name)
            .unwrap()
            .user_data(&UserSgprValues {
                kernarg_ptr: ka_va,
                kernarg: ka.bytes.clone(),
                ..Default::default()
            });
        let mut ib = pm4::IbBuilder::with_capacity(pm4::RecipeOptions::default(), 256).unwrap();
        ib.dispatch(&pm4::DispatchDesc {
            pgm_va: img.kernel(&k.name).unwrap().entry_address,
            rsrc1: k.descriptor.rsrc1,
            rsrc2: k.descriptor.rsrc2,
            rsrc3: k.descriptor.rsrc3,
            user_sgprs: user,
            grid: [groups, 1, 1],
            block: [32, 1, 1],
            wave32: k.descriptor.wave32,
            lds_bytes: ka.lds_bytes,
            scratch: None,
        })
        .unwrap();
        let bytes = ib.finish().to_bytes();
        let ib_va = self.bo(bytes.len() as u64);
        self.last().write(0, &bytes).unwrap();
        let ibs = [Ib::new(ib_va, bytes.len() as u32)];
        let bos: Vec<&Bo> = self.keep.iter().collect();
        ctx.submit(&Submit::compute(&ibs, &bos)).unwrap()
    }
}

#[test]
fn dispatch_writes_buffer_visible_through_cpu_mapping() {
    let Some(mut r) = rig() else { return };
    let ctx = r.dev.create_context(0).unwrap();
    let buf = r.bo(4096);
    let out_idx = r.keep.len() - 1;
    let f = r.submit(&ctx, "poke", buf);
    assert!(f.wait(Duration::from_secs(10)).unwrap());
    let v = r.keep[out_idx].read_vec(0, 128).unwrap();
    for i in 0..32u32 {
        let x = u32::from_le_bytes(v[i as usize * 4..i as usize * 4 + 4].try_into().unwrap());
        assert_eq!(x, i + 7);
    }
    let j = r.h.last_job().unwrap();
    assert_eq!(j.stats.dispatches.len(), 1);
    assert_eq!(j.stats.dispatches[0].waves, 1);
}

#[test]
fn shader_fault_fails_the_job_and_names_the_va() {
    let Some(mut r) = rig() else { return };
    let ctx = r.dev.create_context(0).unwrap();
    let f = r.submit(&ctx, "poke", 0x7777_0000);
    assert_eq!(errno(f.wait(Duration::from_secs(10))), Errno::ETIME);
    assert!(ctx.query_state2().unwrap().guilty());
    let log = r.h.dmesg().join("\n");
    assert!(log.contains("0x00007777") && log.contains("write"), "{log}");
    assert!(r
        .h
        .last_job()
        .unwrap()
        .result
        .unwrap_err()
        .contains("0x7777"));
}

#[test]
fn hung_kernel_times_out_and_device_stays_usable() {
    let Some(mut r) = rig() else { return };
    let ctx = r.dev.create_context(0).unwrap();
    let flag = r.bo(4096);
    let f = r.submit(&ctx, "spin", flag);
    assert_eq!(errno(f.wait(Duration::from_secs(10))), Errno::ETIME);
    let st = ctx.query_state2().unwrap();
    assert!(st.guilty() && st.reset());
    assert!(r.h.dmesg().iter().any(|l| l.contains("did not finish")));
    let ctx2 = r.dev.create_context(0).unwrap();
    let buf = r.bo(4096);
    let f = r.submit(&ctx2, "poke", buf);
    assert!(f.wait(Duration::from_secs(10)).unwrap());
}

/// Runs `kernel` over 128 workgroups with `workers` threads; returns the buffer and counters.
fn run_mix(kernel: &str, workers: usize) -> Option<(Vec<u8>, sim::exec::DispatchCounters)> {
    let mut r = rig_with(Some(workers))?;
    let ctx = r.dev.create_context(0).unwrap();
    let buf = r.bo(5 << 12);
    let idx = r.keep.len() - 1;
    let init: Vec<u8> = (0..5u32 << 10)
        .flat_map(|i| (i * 7 + 1).to_le_bytes())
        .collect();
    r.keep[idx].write(0, &init).unwrap();
    let f = r.submit_grid(&ctx, kernel, buf, 128);
    assert!(f.wait(Duration::from_secs(30)).unwrap());
    let j = r.h.last_job().unwrap();
    assert!(j.result.is_ok(), "{:?}", j.result);
    Some((
        r.keep[idx].read_vec(0, 5 << 12).unwrap(),
        j.stats.dispatches[0].clone(),
    ))
}

#[test]
fn workgroups_on_several_threads_give_the_same_memory_and_counters() {
    for kernel in ["mix", "count"] {
        let Some((one, c1)) = run_mix(kernel, 1) else {
            return;
        };
        for workers in [2, 3] {
            let (many, cn) = run_mix(kernel, workers).unwrap();
            assert!(
                one == many,
                "{kernel}: memory differs with {workers} workers"
            );
            assert_eq!(c1, cn, "{kernel}: counters differ with {workers} workers");
        }
        assert!(c1.global_dram_bytes_read > 0 && c1.workgroups == 128);
    }
}

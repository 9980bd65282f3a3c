//! End-to-end: every tier on the simulator, and each probe's failure mode by
//! configuring the simulator to refuse, hang or fault (SimConfig injection).

use amdgpu_kmd::Errno;
use probes::{run_tier, Status, Target};
use sim::SimConfig;
use std::path::PathBuf;

/// A fresh simulator target whose sysfs root is an empty temp dir (so tier
/// 0 does not depend on the machine running the test).
fn sim_target(tag: &str, cfg: SimConfig) -> Target {
    let d = sim::device::open_sim(cfg).expect("open sim");
    let mut t = Target::from_opened(d);
    t.sys_root = empty_dir(tag);
    t
}

fn empty_dir(tag: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("probes-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

#[test]
fn every_tier_passes_on_the_sim_and_tier0_skips_honestly() {
    let t = sim_target("all", SimConfig::default());
    let r0 = run_tier(0, &t);
    assert_eq!(r0.status, Status::Skip, "{r0:?}");
    assert_eq!(r0.detail, "skip: no amdgpu kernel module");
    for n in 1..=6 {
        let r = run_tier(n, &t);
        assert_eq!(r.status, Status::Pass, "tier {n}: {}", r.detail);
        assert_eq!(r.tier, n);
    }
}

#[test]
fn tier6_on_the_sim_is_labelled_simulated() {
    let t = sim_target("t6", SimConfig::default());
    let r = run_tier(6, &t);
    assert_eq!(r.status, Status::Pass, "{}", r.detail);
    assert!(
        r.detail.starts_with("simulated (not a GPU measurement)"),
        "{}",
        r.detail
    );
    assert_eq!(r.metrics["measured"], false);
    // No measured-rate keys on the sim: only sim_* counts and model_* figures.
    for k in r.metrics.keys() {
        assert!(!k.ends_with("_gbs") || k.starts_with("peak_"), "{k}");
        assert!(
            !k.ends_with("_gflops") || k.starts_with("peak_") || k.starts_with("model_"),
            "{k}"
        );
    }
    assert!(r.metrics["sim_copy_bytes_written"].as_u64().unwrap() > 0);
}

#[test]
fn refused_submission_fails_tier2_with_the_errno() {
    let cfg = SimConfig {
        refuse_cs: Some((Errno::ENOMEM, 1)),
        ..SimConfig::default()
    };
    let t = sim_target("refuse", cfg);
    let r = run_tier(2, &t);
    assert_eq!(r.status, Status::Fail);
    assert!(r.detail.starts_with("fail: CS submit"), "{}", r.detail);
    assert!(r.detail.contains("ENOMEM"), "{}", r.detail);
    // The injection is used up: the next run passes.
    assert_eq!(run_tier(2, &t).status, Status::Pass);
}

#[test]
fn hung_job_fails_tier2_and_tier3() {
    for n in [2, 3] {
        let cfg = SimConfig {
            inject_hangs: 1,
            ..SimConfig::default()
        };
        let t = sim_target("hang", cfg);
        let r = run_tier(n, &t);
        assert_eq!(r.status, Status::Fail, "tier {n}");
        assert!(
            r.detail.contains("ETIME") || r.detail.contains("ECANCELED"),
            "{}",
            r.detail
        );
        assert!(r.metrics.contains_key("sim_dmesg"), "{:?}", r.metrics);
    }
}

#[test]
fn vm_fault_fails_the_kernel_tiers() {
    for n in [3, 4, 5, 6] {
        let cfg = SimConfig {
            inject_fault: Some((0xdead_0000, 1)),
            ..SimConfig::default()
        };
        let t = sim_target("fault", cfg);
        let r = run_tier(n, &t);
        assert_eq!(r.status, Status::Fail, "tier {n}: {}", r.detail);
        let log = r.metrics["sim_dmesg"].to_string();
        assert!(log.contains("page fault") || log.contains("fault"), "{log}");
    }
}

#[test]
fn tier0_reads_a_module_tree() {
    let root = empty_dir("sysfs");
    let m = root.join("module/amdgpu/parameters");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(m.join("lockup_timeout"), "10000\n").unwrap();
    std::fs::write(m.join("ppfeaturemask"), "0xfff7bfff\n").unwrap();
    std::fs::write(root.join("module/amdgpu/srcversion"), "ABC123\n").unwrap();
    let mut t = sim_target("sysfs-dev", SimConfig::default());
    t.sys_root = root.clone();
    // Module loaded, but no class/drm: no render node → fail.
    let r = run_tier(0, &t);
    assert_eq!(r.status, Status::Fail, "{}", r.detail);
    let node = root.join("class/drm/renderD128/device");
    std::fs::create_dir_all(&node).unwrap();
    std::fs::write(node.join("vendor"), "0x1002\n").unwrap();
    std::fs::write(node.join("device"), "0x731f\n").unwrap();
    std::fs::write(node.join("revision"), "0xc1\n").unwrap();
    let r = run_tier(0, &t);
    assert_eq!(r.status, Status::Pass, "{}", r.detail);
    assert_eq!(r.metrics["parameters"]["lockup_timeout"], "10000");
    assert_eq!(r.metrics["parameter_count"], 2);
    assert_eq!(r.metrics["render_nodes"][0]["pci_id"], "1002:731f");
    assert!(r.detail.contains("ABC123"), "{}", r.detail);
}

#[test]
fn unopened_device_fails_every_device_tier() {
    let mut t = Target::open("/nonexistent/renderD999");
    assert!(t.open_error.is_some());
    t.sys_root = empty_dir("noopen");
    assert_eq!(run_tier(0, &t).status, Status::Skip);
    let r = run_tier(1, &t);
    assert_eq!(r.status, Status::Fail);
    assert!(r.detail.contains("/nonexistent/renderD999"), "{}", r.detail);
}

#[test]
fn a_copy_kernel_that_never_ends_fails_tier3_after_the_cp_copies_pass() {
    // The CP-only DMA_DATA / WRITE_DATA job runs no shader instructions; the copy kernel
    // then exceeds a tiny instruction budget, as a kernel that never ends would.
    let cfg = SimConfig {
        budget: sim::exec::Budget {
            max_instructions: 10,
            max_time: None,
            workers: None,
        },
        ..SimConfig::default()
    };
    let t = sim_target("t3budget", cfg);
    let r = run_tier(3, &t);
    assert_eq!(r.status, Status::Fail, "{}", r.detail);
    assert!(r.detail.contains("copy kernel"), "{}", r.detail);
    assert!(r.metrics.contains_key("sim_dmesg"), "{:?}", r.metrics);
}

//! The whole ladder on the simulator, through the real `harness` binary: tier 0
//! is an honest skip (no amdgpu module), tiers 1–6 pass, the JSON has the
//! DESIGN.md shape, and tier 6 is labelled as simulated.

use std::process::Command;

#[test]
fn harness_on_sim_passes_tiers_1_to_6() {
    let out = Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(["--device", "sim", "--json", "--keep-going"])
        .output()
        .expect("run harness");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "harness failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
    assert!(v["device"].is_string());
    let tiers = v["tiers"].as_array().expect("tiers array");
    assert_eq!(tiers.len(), 7);
    for (i, t) in tiers.iter().enumerate() {
        assert_eq!(t["tier"].as_u64(), Some(i as u64));
        assert!(t["name"].is_string() && t["detail"].is_string() && t["metrics"].is_object());
        let want = if i == 0 { "skip" } else { "pass" };
        assert_eq!(t["status"], want, "tier {i}: {}", t["detail"]);
    }
    assert!(tiers[6]["detail"].as_str().unwrap().contains("simulated"));
}

#[test]
fn bad_device_is_a_one_line_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(["--device", "/nonexistent/renderD999"])
        .output()
        .expect("run harness");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: ") && err.trim_end().lines().count() == 1,
        "{err}"
    );
}

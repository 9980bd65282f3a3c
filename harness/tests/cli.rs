//! The harness binary on the simulator: exit codes, JSON contract, reports,
//! stop-at-first-failure, and `diff`.

use std::process::Command;

fn harness(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tmp(tag: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("harness-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

#[test]
fn sim_run_passes_and_writes_reports() {
    let dir = tmp("run");
    let (code, out, err) = harness(&["--device", "sim", "--json", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}\n{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(j["device"].as_str().unwrap().contains("sim"));
    let tiers = j["tiers"].as_array().unwrap();
    assert_eq!(tiers.len(), 7);
    for (i, t) in tiers.iter().enumerate() {
        assert_eq!(t["tier"], i as u64);
        for k in ["name", "status", "detail", "metrics"] {
            assert!(t.get(k).is_some(), "tier {i} lacks {k}");
        }
        let want = if i == 0 { "skip" } else { "pass" };
        if std::path::Path::new("/sys/module/amdgpu").exists() && i == 0 {
            continue;
        }
        assert_eq!(t["status"], want, "tier {i}: {}", t["detail"]);
    }
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("| 4 | vector add | pass |"), "{md}");
    assert!(md.contains("**simulated**"));
    let again = std::fs::read_to_string(dir.join("report.json")).unwrap();
    let j2: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(j2["tiers"], j["tiers"]);
    let (code, out, _) = harness(&[
        "diff",
        dir.join("report.json").to_str().unwrap(),
        dir.join("report.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("no differences"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn usage_and_device_errors_exit_2_with_one_line() {
    for args in [
        &["--bogus"][..],
        &["--device", "/nonexistent/renderD999"],
        &["diff", "a.json"],
    ] {
        let (code, _, err) = harness(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.starts_with("error: "), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    let (code, _, err) = harness(&["diff", "/nonexistent/a.json", "/nonexistent/b.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/a.json"), "{err}");
}

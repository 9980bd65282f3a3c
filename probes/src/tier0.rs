//! Tier 0 — kernel driver: `/sys/module/amdgpu` present, its parameters and
//! version, AMD render nodes present.

use crate::{Metrics, ProbeResult, Target};
use amdgpu_kmd::sysfs::Sysfs;
use serde_json::json;
use std::path::Path;

const TIER: u8 = 0;

/// Reads a small sysfs text file, trimmed.
fn read_trim(p: &Path) -> Option<String> {
    std::fs::read_to_string(p)
        .ok()
        .map(|s| s.trim().to_string())
}

/// Every readable `parameters/*` of the module, sorted by name.
fn parameters(module: &Path) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    let Ok(rd) = std::fs::read_dir(module.join("parameters")) else {
        return out;
    };
    let mut entries: Vec<_> = rd.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        if let Some(v) = read_trim(&e.path()) {
            out.insert(e.file_name().to_string_lossy().into_owned(), json!(v));
        }
    }
    out
}

/// Runs tier 0 against `t.sys_root`.
pub fn run(t: &Target) -> ProbeResult {
    let module = t.sys_root.join("module/amdgpu");
    if !module.is_dir() {
        // No amdgpu driver: honest skip on the simulator, failure on hardware.
        return if t.device.is_none() || t.is_sim() {
            ProbeResult::skip(TIER, "no amdgpu kernel module")
        } else {
            ProbeResult::fail(
                TIER,
                format!(
                    "{} missing: amdgpu kernel module not loaded",
                    module.display()
                ),
            )
        };
    }
    let mut m = Metrics::new();
    // In-tree builds have no `version`; srcversion identifies the build.
    let version = read_trim(&module.join("version"));
    let srcversion = read_trim(&module.join("srcversion"));
    m.insert("module_version".into(), json!(version));
    m.insert("module_srcversion".into(), json!(srcversion));
    m.insert(
        "module_refcnt".into(),
        json!(read_trim(&module.join("refcnt"))),
    );
    let params = parameters(&module);
    m.insert("parameter_count".into(), json!(params.len()));
    m.insert("parameters".into(), serde_json::Value::Object(params));
    let sysfs = Sysfs::with_roots(&t.sys_root, "/dev/dri");
    let nodes = match sysfs.amd_nodes() {
        Ok(n) => n,
        Err(e) => return ProbeResult::fail_with(TIER, format!("render nodes: {e}"), m),
    };
    m.insert(
        "render_nodes".into(),
        json!(nodes
            .iter()
            .map(|n| json!({
                "path": n.dev_path.display().to_string(),
                "pci_id": format!("{:04x}:{:04x}", n.vendor, n.device),
                "revision": n.revision,
                "apu": n.apu,
            }))
            .collect::<Vec<_>>()),
    );
    if nodes.is_empty() {
        return ProbeResult::fail_with(TIER, "amdgpu loaded but no AMD render node", m);
    }
    let v = version.or(srcversion).unwrap_or_else(|| "in-tree".into());
    ProbeResult::pass(
        TIER,
        format!(
            "amdgpu module loaded ({v}), {} AMD render node(s)",
            nodes.len()
        ),
        m,
    )
}

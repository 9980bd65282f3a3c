//! Helpers shared by the CLI's end-to-end tests.

use std::path::PathBuf;

/// A model file from `$ROCLESS_MODELS` (default `models/` at the workspace
/// root), or None (with a note) when it is not installed.
pub fn model(name: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("ROCLESS_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models"));
    let p = dir.join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skip: {} not found (set ROCLESS_MODELS)", p.display());
        None
    }
}

//! Shared helpers of the loader's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// Directory of the committed test inputs.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Reads one committed code object.
pub fn read(name: &str) -> Vec<u8> {
    let p = data_dir().join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// All committed `.hsaco` files, sorted.
pub fn corpus() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(data_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".hsaco"))
        .collect();
    v.sort();
    v
}

/// Runs an LLVM tool on a corpus file; `None` (with a printed skip message) if the tool is
/// not installed.
pub fn llvm_tool(tool: &str, args: &[&str], file: &str) -> Option<String> {
    let out = Command::new(tool)
        .args(args)
        .arg(data_dir().join(file))
        .output();
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => panic!(
            "{tool} {args:?} {file} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(_) => {
            eprintln!("skipping: {tool} not installed (scripts/setup.sh installs llvm-19)");
            None
        }
    }
}

//! Oracle test: every kernel of `kernels/tests/*.cl`, built by clang-19 for
//! gfx1010/gfx1030 × wave32/wave64, disassembled by llvm-objdump-19 and by us:
//! every instruction line must be equal after collapsing whitespace and
//! dropping `//` comments. Skips (with a message) when LLVM 19 is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use isa::{decode_all, hsaco, Target};

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok()
}

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kernels/tests");
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .expect("kernels/tests exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cl"))
        .collect();
    v.sort();
    v
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses llvm-objdump -d output: address -> instruction text.
fn parse_objdump(out: &str) -> BTreeMap<u64, String> {
    let mut m = BTreeMap::new();
    for line in out.lines() {
        if !line.starts_with(char::is_whitespace) {
            continue;
        }
        let Some((text, comment)) = line.split_once("//") else {
            continue;
        };
        let Some((addr, _)) = comment.trim().split_once(':') else {
            continue;
        };
        if let Ok(a) = u64::from_str_radix(addr.trim(), 16) {
            m.insert(a, collapse(text));
        }
    }
    m
}

fn build(src: &Path, cpu: &str, wave64: bool, dir: &Path) -> PathBuf {
    let stem = src.file_stem().unwrap().to_string_lossy().to_string();
    let obj = dir.join(format!("{stem}.o"));
    let co = dir.join(format!("{stem}.hsaco"));
    let mut c = Command::new("clang-19");
    c.args(["-cl-std=CL2.0", "-target", "amdgcn-amd-amdhsa"])
        .arg(format!("-mcpu={cpu}"))
        .args(["-nogpulib", "-O3", "-c"])
        .arg(src)
        .arg("-o")
        .arg(&obj);
    if wave64 {
        c.arg("-mwavefrontsize64");
    }
    let o = c.output().expect("run clang-19");
    assert!(
        o.status.success(),
        "clang-19 failed on {}: {}",
        src.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    let o = Command::new("ld.lld-19")
        .args(["-shared"])
        .arg(&obj)
        .arg("-o")
        .arg(&co)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "ld.lld-19: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    co
}

#[test]
fn corpus_matches_llvm_objdump() {
    if !have("clang-19") || !have("llvm-objdump-19") || !have("ld.lld-19") {
        println!("SKIP: clang-19 / ld.lld-19 / llvm-objdump-19 not installed");
        return;
    }
    let tmp = std::env::temp_dir().join(format!("isa-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let files = corpus();
    assert!(files.len() >= 30, "corpus has {} kernels", files.len());
    let mut total = 0usize;
    let mut bad = Vec::new();
    for (cpu, target) in [("gfx1010", Target::Gfx1010), ("gfx1030", Target::Gfx1030)] {
        for wave64 in [false, true] {
            for src in &files {
                let co = build(src, cpu, wave64, &tmp);
                // llvm-objdump prints wave32 style unless told otherwise: compare
                // that (the CLI contract), and for wave64 builds also with
                // -mattr=+wavefrontsize64 against our wave64 printing.
                for print64 in [false, wave64] {
                    if print64 && !wave64 {
                        continue;
                    }
                    let mut cmd = Command::new("llvm-objdump-19");
                    cmd.args(["-d", &format!("--mcpu={cpu}")]);
                    if print64 {
                        cmd.arg("--mattr=+wavefrontsize64");
                    }
                    let o = cmd.arg(&co).output().unwrap();
                    let want = parse_objdump(&String::from_utf8_lossy(&o.stdout));
                    let data = std::fs::read(&co).unwrap();
                    let text = hsaco::read_text(&data).unwrap();
                    let ours: BTreeMap<u64, String> = decode_all(&text.bytes, target, print64)
                        .into_iter()
                        .map(|(off, r)| {
                            let t = match r {
                                Ok(i) => i.to_string(),
                                Err(_) => {
                                    let w = u32::from_le_bytes(
                                        text.bytes[off..off + 4].try_into().unwrap(),
                                    );
                                    format!(".long 0x{w:08x}")
                                }
                            };
                            (text.addr + off as u64, collapse(&t))
                        })
                        .collect();
                    for (a, w) in &want {
                        total += 1;
                        let got = ours
                            .get(a)
                            .map(String::as_str)
                            .unwrap_or("<no instruction at this address>");
                        if got != w {
                            bad.push(
                                format!(
                                    "{} {cpu} w{}: {a:x}: llvm `{w}` ours `{got}`",
                                    src.file_name().unwrap().to_string_lossy(),
                                    if wave64 { 64 } else { 32 }
                                ) + if print64 { " (printed wave64)" } else { "" },
                            );
                        }
                    }
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    println!("{} of {} lines equal", total - bad.len(), total);
    if !bad.is_empty() {
        for b in bad.iter().take(60) {
            println!("{b}");
        }
        panic!("{} of {} lines differ", bad.len(), total);
    }
}

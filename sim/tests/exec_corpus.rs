//! Coverage over the isa corpus (`kernels/tests/*.cl`): every kernel, compiled
//! for gfx1010 wave32, gfx1010 wave64 and gfx1030, must pre-decode into
//! instructions the executor implements.

mod exec_support;

use std::path::Path;
use std::process::Command;

use loader::CodeObject;
use sim::exec::{predecode, DispatchState, FlatMemory, Target};

fn build(cl: &Path, mcpu: &str, wave64: bool) -> Option<Vec<u8>> {
    let dir = std::env::temp_dir().join(format!("rocless-simexec-corpus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let stem = cl.file_stem()?.to_str()?;
    let obj = dir.join(format!("{stem}-{mcpu}-{wave64}.o"));
    let out = dir.join(format!("{stem}-{mcpu}-{wave64}.hsaco"));
    let mut c = Command::new("clang-19");
    c.args([
        "-cl-std=CL2.0",
        "-target",
        "amdgcn-amd-amdhsa",
        &format!("-mcpu={mcpu}"),
        "-nogpulib",
        "-O3",
        "-c",
    ]);
    c.arg("-I").arg(cl.parent()?);
    if wave64 {
        c.arg("-mwavefrontsize64");
    }
    let st = c.arg(cl).arg("-o").arg(&obj).output().ok()?;
    if !st.status.success() {
        eprintln!(
            "{}: clang failed for {mcpu}: {}",
            cl.display(),
            String::from_utf8_lossy(&st.stderr)
        );
        return None;
    }
    let st = Command::new("ld.lld-19")
        .arg("-shared")
        .arg(&obj)
        .arg("-o")
        .arg(&out)
        .status()
        .ok()?;
    if !st.success() {
        return None;
    }
    std::fs::read(&out).ok()
}

#[test]
fn corpus_kernels_use_only_implemented_instructions() {
    if Command::new("clang-19").arg("--version").output().is_err() {
        eprintln!("skipping: clang-19 not installed");
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kernels/tests");
    let Ok(rd) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: no corpus at {}", dir.display());
        return;
    };
    let mut files: Vec<_> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "cl"))
        .collect();
    files.sort();
    let mut missing: Vec<String> = Vec::new();
    let mut kernels = 0;
    for f in &files {
        for (mcpu, wave64, target) in [
            ("gfx1010", false, Target::Gfx1010),
            ("gfx1010", true, Target::Gfx1010),
            ("gfx1030", false, Target::Gfx1030),
        ] {
            let Some(h) = build(f, mcpu, wave64) else {
                continue;
            };
            let co = CodeObject::parse(&h).expect("parse");
            let img = co.load(0x1_0000_0000).expect("load");
            let mut mem = FlatMemory::new();
            mem.map(0x1_0000_0000, img.bytes.clone());
            for k in &img.kernels {
                let d = DispatchState {
                    pgm_va: k.entry_address,
                    wave32: !wave64,
                    target,
                    block: [64, 1, 1],
                    grid: [1, 1, 1],
                    ..Default::default()
                };
                let p = predecode(&d, &mut mem).expect("predecode");
                kernels += 1;
                for (off, text) in &p.unsupported {
                    missing.push(format!(
                        "{}:{}:{mcpu}{}: +0x{off:x} {text}",
                        f.file_name().unwrap().to_string_lossy(),
                        k.name,
                        if wave64 { "w64" } else { "" }
                    ));
                }
            }
        }
    }
    eprintln!("{kernels} kernel builds pre-decoded");
    assert!(
        missing.is_empty(),
        "unimplemented instructions:\n{}",
        missing.join("\n")
    );
}

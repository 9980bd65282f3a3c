//! `rocless launch` of a kernel with private arrays (scratch): the launcher allocates the
//! scratch buffer, programs COMPUTE_TMPRING_SIZE and passes the private-segment V#.
//! Needs clang-19 + ld.lld-19 (installed by scripts/setup.sh); skips without them.

use std::path::{Path, PathBuf};
use std::process::Command;

const SRC: &str = r#"
__kernel void priv(__global const uint *in, __global uint *out, uint n) {
    uint a[64];
    uint g = __builtin_amdgcn_workgroup_id_x() * 64 + __builtin_amdgcn_workitem_id_x();
    for (uint i = 0; i < 64; i++) a[i] = in[(g + i) % n] * (i + 1);
    uint s = 0;
    for (uint i = 0; i < 64; i++) s += a[(i * 7 + g) & 63] ^ i;
    out[g] = s;
}
"#;

fn compile(dir: &Path, wave64: bool) -> Option<PathBuf> {
    let cl = dir.join("priv.cl");
    std::fs::write(&cl, SRC).unwrap();
    let obj = dir.join("priv.o");
    let mut c = Command::new("clang-19");
    c.args([
        "-cl-std=CL2.0",
        "-target",
        "amdgcn-amd-amdhsa",
        "-mcpu=gfx1010",
        "-nogpulib",
    ]);
    c.args(["-O3", "-c"]).arg(&cl).arg("-o").arg(&obj);
    if wave64 {
        c.arg("-mwavefrontsize64");
    }
    match c.status() {
        Ok(s) if s.success() => {}
        _ => {
            eprintln!("skip: clang-19 not available");
            return None;
        }
    }
    let co = dir.join("priv.hsaco");
    let ok = Command::new("ld.lld-19")
        .arg("-shared")
        .arg(&obj)
        .arg("-o")
        .arg(&co)
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(co).or_else(|| {
        eprintln!("skip: ld.lld-19 not available");
        None
    })
}

fn expected(input: &[u32], groups: u32) -> Vec<u32> {
    let n = input.len() as u32;
    (0..groups * 64)
        .map(|g| {
            let a: Vec<u32> = (0..64)
                .map(|i| input[((g + i) % n) as usize].wrapping_mul(i + 1))
                .collect();
            (0..64u32).fold(0u32, |s, i| {
                s.wrapping_add(a[((i * 7 + g) & 63) as usize] ^ i)
            })
        })
        .collect()
}

#[test]
fn a_kernel_with_private_arrays_runs_through_launch_on_the_sim() {
    for wave64 in [false, true] {
        let dir = std::env::temp_dir().join(format!(
            "rocless-launch-scratch-{}-{wave64}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let Some(co) = compile(&dir, wave64) else {
            return;
        };
        let input: Vec<u32> = (0..300u32)
            .map(|i| i.wrapping_mul(2654435761) >> 7)
            .collect();
        let groups = 5u32;
        std::fs::write(
            dir.join("in.bin"),
            input
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect::<Vec<u8>>(),
        )
        .unwrap();
        let spec = serde_json::json!({
            "code_object": co.file_name().unwrap().to_str().unwrap(),
            "kernel": "priv",
            "grid": [groups, 1, 1],
            "block": [64, 1, 1],
            "args": [{"buffer": "in.bin"}, {"zeros": groups * 64 * 4}, {"u32": input.len()}],
        });
        std::fs::write(dir.join("spec.json"), spec.to_string()).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_rocless"))
            .args(["launch"])
            .arg(dir.join("spec.json"))
            .args(["--device", "sim", "--json", "--out"])
            .arg(dir.join("out"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "wave64={wave64}: {stderr}");
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("one JSON object on stdout");
        assert_eq!(v["status"], "ok", "{v}");
        assert!(
            v["counters"]["scratch_bytes_written"].as_u64().unwrap_or(0) > 0,
            "the kernel wrote scratch: {v}"
        );
        let bytes = std::fs::read(&co).unwrap();
        let k = loader::CodeObject::parse(&bytes).unwrap();
        let d = &k.kernel("priv").unwrap().descriptor;
        assert!(
            d.private_segment_fixed_size >= 256,
            "clang kept the private array in registers: {d:?}"
        );
        let got: Vec<u32> = std::fs::read(dir.join("out/arg1.bin"))
            .unwrap()
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(got, expected(&input, groups), "wave64={wave64}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn gfx1030_code_is_refused_on_the_simulated_navi10() {
    let dir = std::env::temp_dir().join(format!("rocless-launch-1030-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let co = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kernels/bin/gfx1030/elementwise.hsaco");
    std::fs::copy(&co, dir.join("k.hsaco")).unwrap();
    let spec = serde_json::json!({
        "code_object": "k.hsaco", "kernel": "add_f32", "grid": [1, 1, 1], "block": [64, 1, 1],
        "args": [{"zeros": 256}, {"zeros": 256}, {"zeros": 256}, {"u32": 64}],
    });
    std::fs::write(dir.join("spec.json"), spec.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rocless"))
        .arg("launch")
        .arg(dir.join("spec.json"))
        .args(["--device", "sim", "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("gfx1030"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

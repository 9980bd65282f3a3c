//! Oracle: real kernel descriptors from clang-19 / ld.lld-19 (gfx1010, wave32 and wave64)
//! checked against the recipe's assumptions — the user-SGPR layout we derive from
//! `kernel_code_properties` has exactly RSRC2.USER_SGPR entries, the descriptor's RSRC2.LDS_SIZE
//! is 0 (the runtime fills it from group_segment_fixed_size), wave32 is property bit 10, and
//! private segments set SCRATCH_EN. Skips with a message when the LLVM tools are absent.

use std::path::{Path, PathBuf};
use std::process::Command;

use pm4::dispatch::{user_sgprs_from_properties, UserSgprValues, PROPERTY_WAVEFRONT_SIZE32};
use pm4::regs::COMPUTE_PGM_RSRC2 as R2;
use pm4::{DispatchDesc, RecipeOptions, ScratchSetup};

const SRC: &str = r#"
__kernel void saxpy(float a, __global const float* x, __global float* y) { uint i = __builtin_amdgcn_workgroup_id_x() * 64 + __builtin_amdgcn_workitem_id_x(); y[i] = a * x[i] + y[i]; }
__kernel void lds(__global float* y) { __local float t[300]; uint l = __builtin_amdgcn_workitem_id_x(); t[l] = y[l]; __builtin_amdgcn_s_barrier(); y[l] = t[299 - l % 300]; }
__kernel void priv(__global float* y, int n) { volatile float p[64]; for (int i = 0; i < 64; i++) p[i] = y[i]; y[__builtin_amdgcn_workitem_id_x()] = p[n & 63]; }
__kernel void dptr(__global uint* y) { __constant uint* d = (__constant uint*)__builtin_amdgcn_dispatch_ptr(); y[0] = d[1]; }
"#;

struct Kd {
    group_segment: u32,
    private_segment: u32,
    rsrc1: u32,
    rsrc2: u32,
    rsrc3: u32,
    properties: u16,
}

fn tool(name: &str) -> Option<PathBuf> {
    let out = Command::new("which").arg(name).output().ok()?;
    out.status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Build the code object and read every `NAME.kd` (64 bytes) via llvm-readelf's symbol and
/// section tables.
fn build(dir: &Path, extra: &[&str]) -> Vec<(String, Kd)> {
    let cl = dir.join("k.cl");
    std::fs::write(&cl, SRC).unwrap();
    let o = dir.join("k.o");
    let hsaco = dir.join("k.hsaco");
    let mut c = Command::new("clang-19");
    c.args([
        "-cl-std=CL2.0",
        "-target",
        "amdgcn-amd-amdhsa",
        "-mcpu=gfx1010",
        "-nogpulib",
        "-O3",
        "-c",
    ]);
    c.args(extra).arg(&cl).arg("-o").arg(&o);
    run(&mut c);
    run(Command::new("ld.lld-19")
        .arg("-shared")
        .arg(&o)
        .arg("-o")
        .arg(&hsaco));
    let bytes = std::fs::read(&hsaco).unwrap();
    let sections = run(Command::new("llvm-readelf-19")
        .args(["-S", "--wide"])
        .arg(&hsaco));
    // [ 6] .rodata  PROGBITS  ADDR OFF SIZE ...
    let (addr, off) = sections
        .lines()
        .find(|l| l.contains(" .rodata "))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let i = f.iter().position(|w| *w == ".rodata").unwrap();
            (
                u64::from_str_radix(f[i + 2], 16).unwrap(),
                u64::from_str_radix(f[i + 3], 16).unwrap(),
            )
        })
        .expect(".rodata");
    let syms = run(Command::new("llvm-readelf-19")
        .args(["-s", "--wide"])
        .arg(&hsaco));
    let mut kds = Vec::new();
    for l in syms.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        let Some(name) = f.last().and_then(|n| n.strip_suffix(".kd")) else {
            continue;
        };
        if kds.iter().any(|(n, _)| n == name) {
            continue; // .symtab and .dynsym both list it
        }
        let value = u64::from_str_radix(f[1], 16).unwrap();
        let at = (value - addr + off) as usize;
        let d = &bytes[at..at + 64];
        let u32_at = |o: usize| u32::from_le_bytes(d[o..o + 4].try_into().unwrap());
        kds.push((
            name.to_string(),
            Kd {
                group_segment: u32_at(0),
                private_segment: u32_at(4),
                rsrc3: u32_at(44),
                rsrc1: u32_at(48),
                rsrc2: u32_at(52),
                properties: u16::from_le_bytes([d[56], d[57]]),
            },
        ));
    }
    kds
}

#[test]
fn llvm_descriptors_match_recipe_assumptions() {
    for t in ["clang-19", "ld.lld-19", "llvm-readelf-19"] {
        if tool(t).is_none() {
            println!("skip: {t} not found");
            return;
        }
    }
    let dir = std::env::temp_dir().join(format!("pm4_llvm_kd_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (extra, wave32) in [(&[][..], true), (&["-mwavefrontsize64"][..], false)] {
        let kds = build(&dir, extra);
        assert_eq!(
            kds.len(),
            4,
            "{:?}",
            kds.iter().map(|k| &k.0).collect::<Vec<_>>()
        );
        for (name, kd) in &kds {
            let ctx = format!(
                "{name} wave32={wave32}: props=0x{:x} rsrc2=0x{:x}",
                kd.properties, kd.rsrc2
            );
            assert_eq!(
                kd.properties & PROPERTY_WAVEFRONT_SIZE32 != 0,
                wave32,
                "{ctx}"
            );
            assert_eq!(
                R2::LDS_SIZE.get(kd.rsrc2),
                0,
                "{ctx}: runtime fills LDS_SIZE"
            );
            let values = UserSgprValues {
                kernarg_ptr: 0x7FFF_0020_0000,
                ..Default::default()
            };
            let user = user_sgprs_from_properties(kd.properties, &values);
            assert_eq!(user.len() as u32, R2::USER_SGPR.get(kd.rsrc2), "{ctx}");
            let d = DispatchDesc {
                pgm_va: 0x7FFF_0010_0000,
                rsrc1: kd.rsrc1,
                rsrc2: kd.rsrc2,
                rsrc3: kd.rsrc3,
                user_sgprs: user,
                grid: [4, 1, 1],
                block: [64, 1, 1],
                wave32,
                lds_bytes: kd.group_segment,
                scratch: (kd.private_segment > 0).then_some(ScratchSetup {
                    bytes_per_wave: kd.private_segment * if wave32 { 32 } else { 64 },
                    waves: 320,
                }),
            };
            let r = d
                .regs(&RecipeOptions::default())
                .unwrap_or_else(|e| panic!("{ctx}: {e}"));
            assert_eq!(
                R2::LDS_SIZE.get(r.rsrc2),
                kd.group_segment.div_ceil(512),
                "{ctx}"
            );
            match name.as_str() {
                "lds" => assert_eq!(kd.group_segment, 1200, "{ctx}"),
                "priv" => {
                    assert!(kd.private_segment >= 256, "{ctx}");
                    assert_eq!(R2::SCRATCH_EN.get(kd.rsrc2), 1, "{ctx}");
                    assert_ne!(kd.properties & 1, 0, "{ctx}: private segment buffer SGPRs");
                }
                "dptr" => assert_ne!(kd.properties & 2, 0, "{ctx}: dispatch ptr"),
                _ => {}
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

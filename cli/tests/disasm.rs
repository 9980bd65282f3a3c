//! `rocless disasm` against `llvm-objdump-19 -d` (DESIGN.md contract): every instruction line
//! of every committed gfx1010 kernel code object, compared after collapsing whitespace;
//! `--kernel` selects one symbol; bad inputs are one-line errors with exit 1.
//! Skips when llvm-objdump-19 is not installed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// address → text from llvm-objdump (the address is in the `// ADDR: WORDS` comment).
fn objdump(file: &Path) -> Option<BTreeMap<u64, String>> {
    let out = Command::new("llvm-objdump-19")
        .args(["-d", "--mcpu=gfx1010"])
        .arg(file)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "llvm-objdump-19 failed on {}",
        file.display()
    );
    let mut m = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
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
    Some(m)
}

/// address → text from `rocless disasm`.
fn ours(args: &[&str]) -> (i32, BTreeMap<u64, String>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rocless"))
        .arg("disasm")
        .args(args)
        .output()
        .unwrap();
    let mut m = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let (addr, text) = line.split_once('\t').expect("address<TAB>text");
        m.insert(
            u64::from_str_radix(addr, 16).expect("hex address"),
            collapse(text),
        );
    }
    (
        out.status.code().unwrap_or(-1),
        m,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn code_objects() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kernels/bin/gfx1010");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "hsaco"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_line_equals_llvm_objdump() {
    let mut lines = 0;
    for f in code_objects() {
        let Some(want) = objdump(&f) else {
            eprintln!("skip: llvm-objdump-19 not installed");
            return;
        };
        let (rc, got, err) = ours(&[f.to_str().unwrap()]);
        assert_eq!(rc, 0, "{}: {err}", f.display());
        assert_eq!(got.len(), want.len(), "{}: instruction count", f.display());
        for (a, w) in &want {
            assert_eq!(got.get(a), Some(w), "{} at {a:#x}", f.display());
        }
        lines += got.len();
    }
    assert!(lines > 1000, "only {lines} lines compared");
}

#[test]
fn kernel_option_selects_one_symbol() {
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kernels/bin/gfx1010/elementwise.hsaco");
    let (rc, all, _) = ours(&[f.to_str().unwrap()]);
    assert_eq!(rc, 0);
    let (rc, one, err) = ours(&[f.to_str().unwrap(), "--kernel", "add_f32"]);
    assert_eq!(rc, 0, "{err}");
    assert!(!one.is_empty() && one.len() < all.len());
    assert!(one.iter().all(|(a, t)| all.get(a) == Some(t)));
}

#[test]
fn bad_inputs_are_one_line_errors() {
    let garbage =
        std::env::temp_dir().join(format!("rocless-disasm-garbage-{}", std::process::id()));
    std::fs::write(&garbage, b"not an ELF file at all").unwrap();
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kernels/bin/gfx1010/norm.hsaco");
    for args in [
        vec![garbage.to_str().unwrap().to_string()],
        vec!["/nonexistent/x.hsaco".to_string()],
        vec![
            f.to_str().unwrap().to_string(),
            "--kernel".into(),
            "no_such_kernel".into(),
        ],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_rocless"))
            .arg("disasm")
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    let _ = std::fs::remove_file(garbage);
}

#[test]
fn raw_words_equal_llvm_mc() {
    // s_clause 0x2; s_load_dwordx4 …; v_mov_b32 v3, 0; s_waitcnt; and one invalid word.
    let words: [u32; 6] = [
        0xBFA10002, 0xF4080202, 0xFA000018, 0x7E060280, 0xBF8CC07F, 0xFFFFFFFF,
    ];
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let file = std::env::temp_dir().join(format!("rocless-disasm-raw-{}", std::process::id()));
    std::fs::write(&file, &bytes).unwrap();
    let input: String = bytes.iter().map(|b| format!("0x{b:02x} ")).collect();
    let mc = Command::new("llvm-mc-19")
        .args(["--disassemble", "-arch=amdgcn", "-mcpu=gfx1010"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut mc) = mc else {
        eprintln!("skip: llvm-mc-19 not installed");
        return;
    };
    use std::io::Write as _;
    mc.stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = mc.wait_with_output().unwrap();
    let want: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| collapse(l.split("//").next().unwrap_or("")))
        .filter(|l| !l.is_empty() && !l.starts_with('.'))
        .collect();
    let (rc, got, err) = ours(&["--raw", file.to_str().unwrap(), "--mcpu", "gfx1010"]);
    assert_eq!(rc, 0, "{err}");
    let texts: Vec<&String> = got.values().collect();
    assert_eq!(texts.len(), 5, "{got:?}");
    assert_eq!(
        texts[..4].iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        want[..4]
    );
    assert_eq!(texts[4], ".long 0xffffffff");
    let _ = std::fs::remove_file(file);
}

//! `rocless pm4 decode FILE [--json] [--gen GFX]` (DESIGN.md contract): one line per packet
//! with register fields; `--gen gfx1100` splits registers with the gfx11 layouts; bad input
//! is a one-line error naming the file, exit 1.

use std::path::PathBuf;
use std::process::{Command, Output};

use pm4::builder::CmdStream;
use pm4::regs::COMPUTE_TMPRING_SIZE;

fn rocless(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rocless"))
        .args(args)
        .output()
        .expect("run rocless")
}

/// An IB with one SET_SH_REG of COMPUTE_TMPRING_SIZE whose WAVESIZE (bits 12..) needs 15
/// bits: gfx10 reads 13 of them, gfx11 all 15.
fn tmpring_ib(name: &str) -> PathBuf {
    let mut s = CmdStream::new();
    let wavesize = 0x5001u32; // bit 14 set: beyond gfx10's 13-bit field
    s.set_sh_reg(COMPUTE_TMPRING_SIZE, (wavesize << 12) | 3)
        .unwrap();
    let path = std::env::temp_dir().join(format!("rocless-pm4-{}-{name}.ib", std::process::id()));
    std::fs::write(&path, s.to_bytes()).unwrap();
    path
}

#[test]
fn gen_selects_the_register_layout() {
    let ib = tmpring_ib("gen");
    let f = ib.to_str().unwrap();
    let text = |args: &[&str]| {
        let o = rocless(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    let gfx10 = text(&["pm4", "decode", f]);
    let gfx1010 = text(&["pm4", "decode", f, "--gen", "gfx1010"]);
    let gfx11 = text(&["pm4", "decode", f, "--gen", "gfx1100"]);
    assert!(
        gfx10.contains("SET_SH_REG") && gfx10.contains("COMPUTE_TMPRING_SIZE"),
        "{gfx10}"
    );
    assert_eq!(gfx10, gfx1010, "the default table is the gfx10 one");
    // 0x5001 in 15 bits; 0x1001 in gfx10's 13.
    assert!(
        gfx11.contains("WAVESIZE=20481") || gfx11.contains("WAVESIZE=0x5001"),
        "{gfx11}"
    );
    assert!(
        !gfx10.contains("20481") && !gfx10.contains("0x5001"),
        "{gfx10}"
    );

    let j = text(&["pm4", "decode", f, "--json", "--gen", "gfx1100"]);
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    let fields = &v["packets"][0]["regs"][0]["fields"];
    assert_eq!(fields["WAVESIZE"], 0x5001, "{j}");
    let j10 = text(&["pm4", "decode", f, "--json"]);
    let v10: serde_json::Value = serde_json::from_str(&j10).unwrap();
    assert_eq!(
        v10["packets"][0]["regs"][0]["fields"]["WAVESIZE"], 0x1001,
        "{j10}"
    );
    std::fs::remove_file(ib).ok();
}

#[test]
fn bad_input_is_a_one_line_error() {
    let ib = tmpring_ib("bad");
    let f = ib.to_str().unwrap();
    let o = rocless(&["pm4", "decode", f, "--gen", "gfx9000"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("gfx9000"));

    // A truncated packet: the header promises more dwords than the file has.
    let mut bytes = std::fs::read(&ib).unwrap();
    bytes.truncate(bytes.len() - 4);
    std::fs::write(&ib, &bytes).unwrap();
    let o = rocless(&["pm4", "decode", f]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(f), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let o = rocless(&["pm4", "decode", "/nonexistent/ib.bin"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/ib.bin"));
    std::fs::remove_file(ib).ok();
}

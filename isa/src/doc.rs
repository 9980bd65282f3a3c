//! `findings/isa-gfx10-diff.md`, generated from the instruction table so the document and
//! the decoder never disagree: `cargo run -q -p isa --example gfx10_diff >
//! findings/isa-gfx10-diff.md` (a test checks the committed file is current).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::{rows, TARGET_GFX1010, TARGET_GFX1011, TARGET_GFX1030};

/// Which targets a set of `targets` bits names.
fn target_set(bits: u8) -> String {
    let mut v = Vec::new();
    for (b, name) in [
        (TARGET_GFX1010, "gfx1010"),
        (TARGET_GFX1011, "gfx1011/gfx1012"),
        (TARGET_GFX1030, "gfx1030"),
    ] {
        if bits & b != 0 {
            v.push(name);
        }
    }
    v.join(" + ")
}

/// The whole markdown document.
pub fn gfx10_diff_markdown() -> String {
    // (encoding, mnemonic) → targets, and per-target counts.
    let mut forms: BTreeMap<(String, &'static str), u8> = BTreeMap::new();
    for r in rows() {
        *forms
            .entry((format!("{:?}", r.encoding), r.name))
            .or_default() |= r.targets;
    }
    let mut per_target = [0usize; 3];
    let mut per_encoding: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    let mut by_set: BTreeMap<u8, Vec<(String, &'static str)>> = BTreeMap::new();
    for ((enc, name), bits) in &forms {
        for (i, b) in [TARGET_GFX1010, TARGET_GFX1011, TARGET_GFX1030]
            .into_iter()
            .enumerate()
        {
            if bits & b != 0 {
                per_target[i] += 1;
                per_encoding.entry(enc.clone()).or_default()[i] += 1;
            }
        }
        by_set.entry(*bits).or_default().push((enc.clone(), *name));
    }
    let all = TARGET_GFX1010 | TARGET_GFX1011 | TARGET_GFX1030;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# gfx10 instruction differences: gfx1010, gfx1011/gfx1012, gfx1030\n"
    );
    let _ = writeln!(
        s,
        "Generated from the `isa` crate's instruction table (`isa::rows()`, itself probed from \
         `llvm-mc-19` per target by `isa/gen/probe.py`) by\n\
         `cargo run -q -p isa --example gfx10_diff > findings/isa-gfx10-diff.md`; \
         `isa/tests/gfx10_diff_doc.rs` fails when this file and the table disagree. \
         Do not edit by hand.\n"
    );
    let _ = writeln!(
        s,
        "Scope: the encodings the table covers (SOP*, SMEM, VOP1/2/3/3P/C with DPP/SDWA forms, \
         DS, MUBUF, MTBUF, MIMG (incl. NSA), VINTRP, EXP, FLAT/GLOBAL/SCRATCH). gfx1100 (RDNA3) is not in the table: \
         its encodings differ (VOPD, no SDWA, new waitcnt counters) and need their own \
         probe run.\n"
    );
    let _ = writeln!(s, "## Instruction forms per target\n");
    let _ = writeln!(s, "| encoding | gfx1010 | gfx1011/gfx1012 | gfx1030 |");
    let _ = writeln!(s, "|---|---|---|---|");
    for (enc, c) in &per_encoding {
        let _ = writeln!(s, "| {enc} | {} | {} | {} |", c[0], c[1], c[2]);
    }
    let _ = writeln!(
        s,
        "| **all** | **{}** | **{}** | **{}** |\n",
        per_target[0], per_target[1], per_target[2]
    );
    let _ = writeln!(
        s,
        "A form is one (encoding, mnemonic) pair; `v_add_f32` in VOP2 and in VOP3 counts twice. \
         {} forms exist on all three targets.\n",
        by_set.get(&all).map_or(0, Vec::len)
    );
    let _ = writeln!(s, "## Forms not on every target\n");
    for (bits, list) in &by_set {
        if *bits == all {
            continue;
        }
        let _ = writeln!(
            s,
            "### Only on {} ({} forms)\n",
            target_set(*bits),
            list.len()
        );
        let mut by_enc: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (enc, name) in list {
            by_enc.entry(enc.as_str()).or_default().push(name);
        }
        for (enc, names) in by_enc {
            let _ = writeln!(
                s,
                "- {enc}: {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let _ = writeln!(s);
    }
    let dots: Vec<&str> = forms
        .iter()
        .filter(|((_, n), b)| n.starts_with("v_dot") && *b & TARGET_GFX1010 == 0)
        .map(|((_, n), _)| *n)
        .collect();
    let _ = writeln!(s, "## What this means for our kernels\n");
    let _ =
        writeln!(
        s,
        "- gfx1010 (RX 5700 XT) has none of the {} dot-product forms ({}) that gfx1011/gfx1012 \
         and gfx1030 have (LLVM `GCNProcessors.td`: gfx1011/1012/1030 add `FeatureDot1Insts`, \
         `FeatureDot2Insts`, `FeatureDot5Insts`, `FeatureDot6Insts`; gfx1010 does not). \
         Quantized GEMV on gfx1010 therefore unpacks bytes with SDWA byte selects \
         (`v_cvt_f32_i32_sdwa … src0_sel:BYTE_n`, `v_cvt_f32_ubyteN`) and multiplies in f32 \
         (kernels/src/gemv.cl); a gfx1030 build may use `v_dot4_i32_i8` on int8 activations.",
        dots.len(),
        dots.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
    );
    let _ = writeln!(
        s,
        "- Code built for gfx1030 and run on gfx1010 (what `HSA_OVERRIDE_GFX_VERSION=10.3.0` \
         does) breaks at the first instruction from the two lists above that gfx1010 lacks: the \
         `v_dot*`, `v_fma(c)_legacy_f32`, `*_addtid` and `*_atomic_csub` encodings are not \
         Navi 10 instructions (an illegal-instruction trap at best) — findings/gating.md \
         measures which of them clang actually emits for real kernels.",
    );
    let _ = writeln!(
        s,
        "- The other direction matters too: gfx1030 dropped forms gfx1010 has — the DS \
         `*_src2_*` forms, scalar-memory stores and atomics (`s_store_*`, `s_atomic_*`, \
         `s_buffer_atomic_*`), and the unfused `v_mad_f32` / `v_mac_f32` / `v_madak_f32` / \
         `v_madmk_f32` family. gfx1010 code may contain the latter (clang emits them for an \
         unfused a*b+c), so the kernels are compiled once per target (kernels/build.sh) and \
         the loader picks the build matching the device; one OpenCL source serves all three.",
    );
    let _ = writeln!(
        s,
        "- Everything the rocless kernels compile to for gfx1010 is in the common set or the \
         gfx1010-only set: the sim's executor and the disassembler cover both \
         (findings/sim-exec.md, findings/isa-decoder.md)."
    );
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn gfx1010_lacks_the_dot_instructions() {
        let md = super::gfx10_diff_markdown();
        assert!(md.contains("### Only on gfx1011/gfx1012 + gfx1030"), "{md}");
        assert!(md.contains("`v_dot4_i32_i8`"));
        assert!(md.contains("### Only on gfx1010 + gfx1011/gfx1012"));
    }
}

//! Randomized differential test against `llvm-mc-19 --disassemble`:
//! table-derived words (every row's example encoding: must match 100 %),
//! mutated table words (bit flips, random fields) and random words with a
//! valid encoding prefix. Same text (whitespace-exact), or both invalid. Seeded, batched into a
//! few llvm-mc runs. Skips (with a message) when llvm-mc-19 is absent.

use std::io::Write;
use std::process::{Command, Stdio};

use isa::{decode, example_words, rows, Target};
use rand::{rngs::StdRng, Rng, SeedableRng};

const PAD: u32 = 0xBF80_0000; // s_nop 0
/// llvm-mc-19 aborts ("PLEASE submit a bug report") on some words (e.g. SDWA
/// with select 7): such items are not compared, only counted.
const CRASHED: &str = "<llvm-mc crashed or consumed the padding>";
const SENTINEL: u32 = 0xBF80_03FD; // s_nop 0x3fd

/// The instruction text without the leading tab and trailing comment;
/// whitespace inside is compared exactly (LLVM separates with single spaces,
/// except the double space after MIMG NSA sampler mnemonics).
fn collapse(s: &str) -> String {
    let s = s.split("//").next().unwrap_or("");
    let s = s.split(';').next().unwrap_or("");
    s.trim().replace('\t', " ")
}

/// LLVM's text for the first instruction of each item, `None` = invalid.
/// Batches of 4000; a batch whose sentinels got swallowed (an instruction
/// longer than its padding) is split until the offending item stands alone.
fn llvm(items: &[Vec<u32>], cpu: &str, wave64: bool) -> Vec<Option<String>> {
    let mut out = Vec::with_capacity(items.len());
    for chunk in items.chunks(4000) {
        out.extend(llvm_split(chunk, cpu, wave64));
    }
    out
}

fn llvm_split(items: &[Vec<u32>], cpu: &str, wave64: bool) -> Vec<Option<String>> {
    if let Some(v) = llvm_batch(items, cpu, wave64) {
        return v;
    }
    if items.len() == 1 {
        return vec![Some(CRASHED.into())];
    }
    let (a, b) = items.split_at(items.len() / 2);
    let mut v = llvm_split(a, cpu, wave64);
    v.extend(llvm_split(b, cpu, wave64));
    v
}

fn llvm_batch(items: &[Vec<u32>], cpu: &str, wave64: bool) -> Option<Vec<Option<String>>> {
    let mut text = String::new();
    let mut first_line = Vec::with_capacity(items.len());
    let mut line = 0usize;
    for it in items {
        let mut ws = it.clone();
        ws.extend([PAD, PAD, PAD, PAD, SENTINEL]);
        for (k, w) in ws.iter().enumerate() {
            line += 1;
            if k == 0 {
                first_line.push(line);
            }
            let b = w.to_le_bytes();
            text.push_str(&format!(
                "0x{:02x},0x{:02x},0x{:02x},0x{:02x}\n",
                b[0], b[1], b[2], b[3]
            ));
        }
    }
    let mut cmd = Command::new("llvm-mc-19");
    cmd.args(["-disassemble", "-arch=amdgcn", &format!("-mcpu={cpu}")]);
    if wave64 {
        cmd.arg("-mattr=+wavefrontsize64");
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn llvm-mc-19");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("PLEASE submit a bug report") {
        return None; // split until the crashing item stands alone
    }
    let mut bad = std::collections::HashSet::new();
    for l in stderr.lines() {
        if let Some(rest) = l.strip_prefix("<stdin>:") {
            if l.contains("warning") {
                if let Some(n) = rest.split(':').next().and_then(|n| n.parse::<usize>().ok()) {
                    bad.insert(n);
                }
            }
        }
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut groups: Vec<Vec<String>> = vec![Vec::new()];
    for l in stdout.lines() {
        let t = collapse(l);
        if t.is_empty() || t == ".text" {
            continue;
        }
        if t == "s_nop 0x3fd" {
            groups.push(Vec::new());
        } else {
            groups.last_mut().unwrap().push(t);
        }
    }
    if groups.len() != items.len() + 1 {
        return None;
    }
    Some(
        items
            .iter()
            .enumerate()
            .map(|(k, _)| {
                if bad.contains(&first_line[k]) {
                    None
                } else {
                    groups[k].first().cloned()
                }
            })
            .collect(),
    )
}

fn ours(item: &[u32], t: Target, wave64: bool) -> Option<String> {
    let mut b: Vec<u8> = item.iter().flat_map(|w| w.to_le_bytes()).collect();
    b.extend(PAD.to_le_bytes());
    b.extend(PAD.to_le_bytes());
    decode(&b, t, wave64).ok().map(|i| collapse(&i.to_string()))
}

/// Encoding family of a first dword (for the mismatch histogram).
fn family(w: u32) -> &'static str {
    if w >> 31 == 0 {
        return match w >> 25 {
            0x3F => "VOP1",
            0x3E => "VOPC",
            _ => "VOP2",
        };
    }
    if w >> 30 == 0b10 {
        return match w >> 23 {
            0x17D => "SOP1",
            0x17E => "SOPC",
            0x17F => "SOPP",
            _ if w >> 28 == 0xB => "SOPK",
            _ => "SOP2",
        };
    }
    match w >> 26 {
        0x35 => "VOP3",
        0x33 => "VOP3P",
        0x32 => "VINTRP",
        0x36 => "DS",
        0x37 => "FLAT",
        0x38 => "MUBUF",
        0x3A => "MTBUF",
        0x3C => "MIMG",
        0x3D => "SMEM",
        0x3E => "EXP",
        _ => "other",
    }
}

/// Mismatch category: encoding family, kind, and the mnemonic.
fn category(it: &[u32], llvm: &Option<String>, ours: &Option<String>) -> String {
    let mn = |s: &String| s.split_whitespace().next().unwrap_or("").to_string();
    let (kind, m) = match (llvm, ours) {
        (None, Some(o)) => ("llvm invalid, ours valid", mn(o)),
        (Some(l), None) => ("ours invalid, llvm valid", mn(l)),
        (Some(l), Some(_)) => ("text differs", mn(l)),
        (None, None) => ("?", String::new()),
    };
    format!("{:6} {kind}: {m}", family(it[0]))
}

fn rate(
    items: &[Vec<u32>],
    t: Target,
    cpu: &str,
    wave64: bool,
    label: &str,
    hist: &mut std::collections::HashMap<String, usize>,
) -> (usize, usize, Vec<String>) {
    let want = llvm(items, cpu, wave64);
    let mut ok = 0;
    let mut skipped = 0;
    let mut bad = Vec::new();
    for (it, w) in items.iter().zip(want) {
        if w.as_deref() == Some(CRASHED) {
            *hist
                .entry("(llvm-mc crashed: not compared)".into())
                .or_default() += 1;
            skipped += 1; // not a decoder mismatch; listed in the histogram
            continue;
        }
        let o = ours(it, t, wave64);
        if o != w {
            let c = category(it, &w, &o);
            if let Ok(path) = std::env::var("ISA_DIFF_DUMP") {
                // every mismatch, for analysis: category TAB words TAB llvm TAB ours
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .unwrap();
                let _ = writeln!(
                    f,
                    "{c}\t{cpu} w{}\t{:08x?}\t{:?}\t{:?}",
                    if wave64 { 64 } else { 32 },
                    it,
                    w,
                    o
                );
            }
            *hist.entry(c).or_default() += 1;
        }
        if o == w {
            ok += 1;
        } else if bad.len() < 40 {
            bad.push(format!(
                "{label} {cpu} {:08x?}: llvm {:?} ours {:?}",
                it, w, o
            ));
        }
    }
    (ok, skipped, bad)
}

const PREFIXES: [(u32, u32); 20] = [
    // (value, mask of fixed top bits)
    (0x8000_0000, 0xC000_0000), // SOP2 (incl. SOPK/SOP1/SOPC/SOPP space)
    (0xB000_0000, 0xF000_0000), // SOPK
    (0xBE80_0000, 0xFF80_0000), // SOP1
    (0xBF00_0000, 0xFF80_0000), // SOPC
    (0xBF80_0000, 0xFF80_0000), // SOPP
    (0x0000_0000, 0x8000_0000), // VOP2
    (0x7E00_0000, 0xFE00_0000), // VOP1
    (0x7C00_0000, 0xFE00_0000), // VOPC
    (0xD400_0000, 0xFC00_0000), // VOP3
    (0xCC00_0000, 0xFF00_0000), // VOP3P
    (0xD800_0000, 0xFC00_0000), // DS
    (0xDC00_0000, 0xFC00_0000), // FLAT/GLOBAL/SCRATCH
    (0xE000_0000, 0xFC00_0000), // MUBUF
    (0xF400_0000, 0xFC00_0000), // SMEM
    (0xE800_0000, 0xFC00_0000), // MTBUF
    (0xC800_0000, 0xFC00_0000), // VINTRP
    (0xF800_0000, 0xFC00_0000), // EXP
    (0xF000_0000, 0xFC00_0000), // MIMG
    (0xD400_0000, 0xFC00_0000), // VOP3 again (largest space)
    (0x0000_0000, 0x0000_0000), // anything
];

#[test]
fn differential_against_llvm_mc() {
    if Command::new("llvm-mc-19")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("SKIP: llvm-mc-19 not installed");
        return;
    }
    // ISA_DIFF_SEED overrides the seed (exploration); the floors below are for the default.
    let seed = std::env::var("ISA_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x15A_6F10);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut report = Vec::new();
    let mut hist = std::collections::HashMap::new();
    for (t, cpu, wave64) in [
        (Target::Gfx1010, "gfx1010", false),
        (Target::Gfx1010, "gfx1010", true),
        (Target::Gfx1030, "gfx1030", false),
        (Target::Gfx1030, "gfx1030", true),
        (Target::Gfx1011, "gfx1011", false),
    ] {
        // 1. Table words: every row's example encoding.
        let table: Vec<Vec<u32>> = rows()
            .iter()
            .filter(|r| r.targets & t.bit() != 0)
            .map(|r| {
                let mut w = example_words(r);
                w.resize(3, 0);
                w
            })
            .collect();
        let (ok, skipped, bad) = rate(&table, t, cpu, wave64, "table", &mut hist);
        for b in &bad {
            println!("{b}");
        }
        assert_eq!(ok + skipped, table.len(), "table words must match 100 %");
        // 2. Mutated table words, 3. random words with encoding prefixes.
        let n = if t == Target::Gfx1010 && !wave64 {
            60_000
        } else {
            20_000
        };
        let mut mutated = Vec::with_capacity(n);
        for _ in 0..n {
            let mut w = table[rng.gen_range(0..table.len())].clone();
            match rng.gen_range(0..3) {
                0 => {
                    for _ in 0..rng.gen_range(1..=3) {
                        let k = rng.gen_range(0..2);
                        w[k] ^= 1 << rng.gen_range(0..32);
                    }
                }
                1 => {
                    // random low bits of dword 0 (operand fields), keep the opcode
                    w[0] = (w[0] & 0xFFFF_0000) | (rng.gen::<u32>() & 0xFFFF);
                }
                _ => w[1] = rng.gen(),
            }
            w[2] = if rng.gen_bool(0.5) {
                rng.gen()
            } else {
                0x3F80_0000
            };
            mutated.push(w);
        }
        let mut random = Vec::with_capacity(n);
        for _ in 0..n {
            let (v, m) = PREFIXES[rng.gen_range(0..PREFIXES.len())];
            let w0 = v | (rng.gen::<u32>() & !m);
            random.push(vec![w0, rng.gen(), rng.gen()]);
        }
        for (label, items) in [("mutated", &mutated), ("random", &random)] {
            let (ok, skipped, bad) = rate(items, t, cpu, wave64, label, &mut hist);
            let n = items.len() - skipped;
            let pct = 100.0 * ok as f64 / n as f64;
            println!(
                "{cpu} wave{}: {label}: {ok}/{n} = {pct:.3} % ({skipped} llvm-mc crashes not compared)",
                if wave64 { 64 } else { 32 },
            );
            for b in bad.iter().take(15) {
                println!("  {b}");
            }
            report.push((label, pct));
        }
    }
    // Histogram of the remaining mismatches (all runs), largest first.
    let mut h: Vec<_> = hist.into_iter().collect();
    h.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let total: usize = h.iter().map(|x| x.1).sum();
    let mut fam = std::collections::HashMap::<String, usize>::new();
    for (k, n) in &h {
        *fam.entry(k.split(':').next().unwrap_or("").to_string())
            .or_default() += n;
    }
    let mut fam: Vec<_> = fam.into_iter().collect();
    fam.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("mismatches by encoding and kind ({total} mismatches):");
    for (k, n) in &fam {
        println!("  {n:6}  {k}");
    }
    println!("mismatch categories:");
    for (k, n) in h.iter().take(40) {
        println!("  {n:6}  {k}");
    }
    // Documented thresholds (findings/isa-decoder.md): what we reach today.
    for (label, pct) in report {
        let min = if label == "mutated" {
            MIN_MUTATED
        } else {
            MIN_RANDOM
        };
        assert!(pct >= min, "{label}: {pct:.2} % < {min} %");
    }
}

// Before the MTBUF/MIMG/EXP/VINTRP work and the fixes (findings/isa-decoder.md):
// 91.3-91.9 % mutated, 82.4-82.8 % random (92-93 % without the new prefixes).
// After: 100.000 % of both sets on all five runs with the default seed, and 0
// mismatches over seeds 0-5 (1.68 M words; llvm-mc crashes are not compared).
const MIN_MUTATED: f64 = 99.99;
const MIN_RANDOM: f64 = 99.99;

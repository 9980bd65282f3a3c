//! The committed code objects (built by tests/data/build.sh) parse, and what the loader
//! reads agrees with llvm-readelf-19 (metadata notes, symbols, relocations) and with
//! llvm-mc-19's encoding of hand-written `.amdhsa_*` directives.

mod common;

use common::{corpus, llvm_tool, read};
use loader::{CodeObject, CodeObjectVersion, FeatureSetting, Mach, ValueKind};
use std::collections::BTreeMap;

#[test]
fn every_corpus_file_parses() {
    let files = corpus();
    assert!(files.len() >= 9, "{files:?}");
    for f in files {
        let co = CodeObject::parse(&read(&f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(!co.kernels().is_empty(), "{f}");
        for k in co.kernels() {
            assert_eq!(k.entry_offset % 256, 0, "{f} {}", k.name);
            assert_eq!(k.descriptor.wave_size(), k.metadata.wavefront_size);
        }
    }
}

#[test]
fn header_versions_and_targets() {
    let cases = [
        ("args-gfx1010.hsaco", 5, "gfx1010", FeatureSetting::Any),
        ("args-gfx1010-cov4.hsaco", 4, "gfx1010", FeatureSetting::Any),
        ("args-gfx1010-cov6.hsaco", 6, "gfx1010", FeatureSetting::Any),
        (
            "args-gfx1030.hsaco",
            5,
            "gfx1030",
            FeatureSetting::Unsupported,
        ),
        (
            "args-gfx1100.hsaco",
            5,
            "gfx1100",
            FeatureSetting::Unsupported,
        ),
    ];
    for (f, ver, mach, xnack) in cases {
        let co = CodeObject::parse(&read(f)).unwrap();
        assert_eq!(co.version, CodeObjectVersion(ver), "{f}");
        assert_eq!(co.target.mach.name, mach, "{f}");
        assert_eq!(co.target.xnack, xnack, "{f}");
        assert_eq!(
            co.metadata.target.as_deref(),
            Some(format!("amdgcn-amd-amdhsa--{mach}").as_str())
        );
    }
    assert_eq!(
        CodeObject::parse(&read("args-gfx1010.hsaco"))
            .unwrap()
            .target
            .e_flags,
        0x133
    );
}

#[test]
fn target_check_refuses_other_mach_unless_forced() {
    let co = CodeObject::parse(&read("args-gfx1030.hsaco")).unwrap();
    let dev = Mach::from_name("gfx1010").unwrap();
    let e = co.check_device(&dev, false).unwrap_err().to_string();
    assert!(
        e.contains("code object is gfx1030, device is gfx1010"),
        "{e}"
    );
    co.check_device(&dev, true).unwrap();
    let own = CodeObject::parse(&read("args-gfx1010.hsaco")).unwrap();
    own.check_device(&dev, false).unwrap();
}

/// Minimal reader for the YAML that `llvm-readelf --notes` prints for AMDGPU metadata:
/// returns per kernel its scalar keys and, per argument, its keys.
type Fields = BTreeMap<String, String>;

fn readelf_kernels(yaml: &str) -> Vec<(Fields, Vec<Fields>)> {
    let mut kernels: Vec<(Fields, Vec<Fields>)> = Vec::new();
    let mut in_kernels = false;
    // readelf tags strings that YAML would read as booleans (`!str y`) and quotes others.
    let unquote = |v: &str| {
        v.trim()
            .trim_start_matches("!str ")
            .trim_matches('\'')
            .to_string()
    };
    for line in yaml.lines() {
        if line.starts_with("amdhsa.kernels:") {
            in_kernels = true;
            continue;
        }
        if !line.starts_with(' ') {
            in_kernels = false;
        }
        if !in_kernels {
            continue;
        }
        if let Some(rest) = line.strip_prefix("  - ") {
            kernels.push((Fields::new(), Vec::new()));
            let (k, v) = rest.split_once(':').unwrap();
            if !v.trim().is_empty() {
                kernels
                    .last_mut()
                    .unwrap()
                    .0
                    .insert(k.to_string(), unquote(v));
            }
        } else if let Some(rest) = line.strip_prefix("      - .") {
            let (k, v) = rest.split_once(':').unwrap();
            let mut f = Fields::new();
            f.insert(format!(".{k}"), unquote(v));
            kernels.last_mut().unwrap().1.push(f);
        } else if let Some(rest) = line.strip_prefix("        .") {
            let (k, v) = rest.split_once(':').unwrap();
            kernels
                .last_mut()
                .unwrap()
                .1
                .last_mut()
                .unwrap()
                .insert(format!(".{k}"), unquote(v));
        } else if let Some(rest) = line.strip_prefix("    .") {
            let (k, v) = rest.split_once(':').unwrap();
            if !v.trim().is_empty() {
                kernels
                    .last_mut()
                    .unwrap()
                    .0
                    .insert(format!(".{k}"), unquote(v));
            }
        }
    }
    kernels
}

#[test]
fn metadata_matches_llvm_readelf_notes() {
    let mut checked = 0;
    for f in corpus() {
        let Some(yaml) = llvm_tool("llvm-readelf-19", &["--notes"], &f) else {
            return;
        };
        let co = CodeObject::parse(&read(&f)).unwrap();
        let theirs = readelf_kernels(&yaml);
        assert_eq!(theirs.len(), co.metadata.kernels.len(), "{f}");
        for (k, (kf, args)) in co.metadata.kernels.iter().zip(&theirs) {
            let ours: Vec<(&str, String)> = vec![
                (".name", k.name.clone()),
                (".symbol", k.symbol.clone()),
                (".kernarg_segment_size", k.kernarg_segment_size.to_string()),
                (
                    ".kernarg_segment_align",
                    k.kernarg_segment_align.to_string(),
                ),
                (
                    ".group_segment_fixed_size",
                    k.group_segment_fixed_size.to_string(),
                ),
                (
                    ".private_segment_fixed_size",
                    k.private_segment_fixed_size.to_string(),
                ),
                (".wavefront_size", k.wavefront_size.to_string()),
                (".sgpr_count", k.sgpr_count.to_string()),
                (".vgpr_count", k.vgpr_count.to_string()),
                (".sgpr_spill_count", k.sgpr_spill_count.to_string()),
                (".vgpr_spill_count", k.vgpr_spill_count.to_string()),
                (
                    ".max_flat_workgroup_size",
                    k.max_flat_workgroup_size.to_string(),
                ),
            ];
            for (key, val) in ours {
                if let Some(t) = kf.get(key) {
                    assert_eq!(t, &val, "{f} {} {key}", k.name);
                } else {
                    assert!(
                        key == ".sgpr_spill_count" || key == ".vgpr_spill_count",
                        "{f}: readelf lacks {key}"
                    );
                }
            }
            if let Some(t) = kf.get(".uses_dynamic_stack") {
                assert_eq!(t, &k.uses_dynamic_stack.to_string());
            }
            if let Some(t) = kf.get(".workgroup_processor_mode") {
                assert_eq!(t == "1", k.workgroup_processor_mode.unwrap());
            }
            assert_eq!(args.len(), k.args.len(), "{f} {}", k.name);
            for (i, (a, t)) in k.args.iter().zip(args).enumerate() {
                let ctx = format!("{f} {} arg {i}", k.name);
                assert_eq!(t[".offset"], a.offset.to_string(), "{ctx}");
                assert_eq!(t[".size"], a.size.to_string(), "{ctx}");
                assert_eq!(t[".value_kind"], a.value_kind.as_str(), "{ctx}");
                assert_eq!(t.get(".address_space"), a.address_space.as_ref(), "{ctx}");
                assert_eq!(t.get(".type_name"), a.type_name.as_ref(), "{ctx}");
                assert_eq!(t.get(".name"), a.name.as_ref(), "{ctx}");
                assert_eq!(t.get(".access"), a.access.as_ref(), "{ctx}");
                assert_eq!(
                    t.get(".is_const").map(|s| s == "true").unwrap_or(false),
                    a.is_const,
                    "{ctx}"
                );
                assert_eq!(
                    t.get(".pointee_align"),
                    a.pointee_align.map(|p| p.to_string()).as_ref(),
                    "{ctx}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} kernels cross-checked");
}

#[test]
fn descriptor_and_code_addresses_match_llvm_readelf_symbols() {
    for f in corpus() {
        let Some(syms) = llvm_tool("llvm-readelf-19", &["--dyn-syms", "-W"], &f) else {
            return;
        };
        let co = CodeObject::parse(&read(&f)).unwrap();
        let addr = |name: &str| -> u64 {
            let line = syms
                .lines()
                .find(|l| l.split_whitespace().last() == Some(name))
                .unwrap_or_else(|| panic!("{f}: {name} not in readelf output"));
            u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
        };
        for k in co.kernels() {
            assert_eq!(
                k.desc_offset,
                addr(&format!("{}.kd", k.name)),
                "{f} {}",
                k.name
            );
            assert_eq!(k.entry_offset, addr(&k.name), "{f} {}", k.name);
        }
    }
}

#[test]
fn relocations_match_readelf_and_are_applied() {
    let f = "args-gfx1010.hsaco";
    let co = CodeObject::parse(&read(f)).unwrap();
    assert_eq!(co.relocs.len(), 2);
    if let Some(r) = llvm_tool("llvm-readelf-19", &["-r", "-W"], f) {
        let lines: Vec<&str> = r
            .lines()
            .filter(|l| l.contains("R_AMDGPU_RELATIVE64"))
            .collect();
        assert_eq!(lines.len(), co.relocs.len());
        for (line, rel) in lines.iter().zip(&co.relocs) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(u64::from_str_radix(cols[0], 16).unwrap(), rel.offset);
            assert_eq!(
                i64::from_str_radix(cols.last().unwrap(), 16).unwrap(),
                rel.addend
            );
            assert_eq!(rel.r_type, loader::image::R_AMDGPU_RELATIVE64);
        }
    }
    let base = 0x7f00_0000_0000u64;
    let img = co.load(base).unwrap();
    assert_eq!(img.bytes.len() as u64, co.image_size());
    for rel in &co.relocs {
        let at = rel.offset as usize;
        let v = u64::from_le_bytes(img.bytes[at..at + 8].try_into().unwrap());
        assert_eq!(v, base + rel.addend as u64);
    }
    // The pointer table points at the two lookup tables: lut_a = {1,2,3,4}, lut_b = {10,..}.
    let first = u64::from_le_bytes(
        img.bytes[co.relocs[0].offset as usize..][..8]
            .try_into()
            .unwrap(),
    );
    let lut = (first - base) as usize;
    assert_eq!(&img.bytes[lut..lut + 8], &[1, 0, 0, 0, 2, 0, 0, 0]);
    // Kernel addresses are absolute and the descriptor bytes sit there.
    let k = img.kernel("saxpy").unwrap();
    let ck = co.kernel("saxpy.kd").unwrap();
    assert_eq!(k.descriptor_address, base + ck.desc_offset);
    assert_eq!(k.entry_address, base + ck.entry_offset);
    let d = (k.descriptor_address - base) as usize;
    assert_eq!(
        &img.bytes[d + 48..d + 52],
        &ck.descriptor.rsrc1.to_le_bytes()
    );
    assert!(co
        .load(base + 0x100)
        .unwrap_err()
        .to_string()
        .contains("not aligned"));
}

#[test]
fn descriptor_fields_match_llvm_mc_directives() {
    // tests/data/directives.s sets these through .amdhsa_* directives.
    let co = CodeObject::parse(&read("directives-gfx1010.hsaco")).unwrap();
    let k = co.kernel("hand").unwrap();
    let d = &k.descriptor;
    assert_eq!(d.group_segment_fixed_size, 4096);
    assert_eq!(d.private_segment_fixed_size, 64);
    assert_eq!(d.kernarg_size, 16);
    assert_eq!(d.user_sgpr_count, 13);
    assert!(d.enable_sgpr_private_segment_buffer && d.enable_sgpr_dispatch_ptr);
    assert!(!d.enable_sgpr_queue_ptr);
    assert!(
        d.enable_sgpr_kernarg_segment_ptr
            && d.enable_sgpr_dispatch_id
            && d.enable_sgpr_flat_scratch_init
    );
    assert!(!d.enable_sgpr_private_segment_size);
    assert!(!d.wave32);
    assert!(d.scratch_en);
    assert!(d.tgid_x_en && !d.tgid_y_en && d.tgid_z_en && d.tg_size_en);
    assert_eq!(d.tidig_comp_cnt, 2);
    assert!(d.vgprs >= 37 && d.vgprs < 41, "{}", d.vgprs); // wave64 granule 4
    assert_eq!(d.vgpr_granules, 9);
    // FLOAT_MODE = round32 1 | round16_64 2 << 2 | denorm32 0 << 4 | denorm16_64 3 << 6.
    assert_eq!(d.float_mode, 1 | (2 << 2) | (3 << 6));
    assert!(!d.dx10_clamp && d.ieee_mode);
    assert!(!d.wgp_mode && d.mem_ordered && d.fwd_progress);
    // EXCP_EN: invalid (bit 0), div-by-zero (bit 2), int div-by-zero (bit 6).
    assert_eq!(d.excp_en, 0b100_0101);
    let fields = d.fields();
    let get = |n: &str| fields.iter().find(|f| f.1 == n).unwrap().2;
    assert_eq!(get("FP16_OVFL"), 1);
    assert_eq!(get("USER_SGPR"), 13);
    let layout = loader::sgpr_layout(d, &k.name).unwrap();
    let blocks: Vec<(u32, u32)> = layout.user.iter().map(|b| (b.index, b.dwords)).collect();
    assert_eq!(blocks, vec![(0, 4), (4, 2), (6, 2), (8, 2), (10, 2)]);
    let sys: Vec<u32> = layout.system.iter().map(|s| s.0).collect();
    assert_eq!(sys, vec![13, 14, 15, 16]); // tgid x, tgid z, tg info, scratch wave offset
    assert_eq!(layout.vgprs.len(), 3);
    let args: Vec<&str> = k
        .metadata
        .args
        .iter()
        .map(|a| a.name.as_deref().unwrap())
        .collect();
    assert_eq!(args, vec!["out", "count"]);
    assert_eq!(k.metadata.args[0].access.as_deref(), Some("write_only"));
}

#[test]
fn wave64_and_scratch_kernels() {
    let co = CodeObject::parse(&read("args-gfx1010-w64.hsaco")).unwrap();
    assert!(co
        .kernels()
        .iter()
        .all(|k| !k.descriptor.wave32 && k.metadata.wavefront_size == 64));
    let co = CodeObject::parse(&read("scratch-gfx1010.hsaco")).unwrap();
    let k = co.kernel("private_array").unwrap();
    assert!(k.metadata.private_segment_fixed_size > 0);
    assert!(k.descriptor.scratch_en);
    let layout = loader::sgpr_layout(&k.descriptor, &k.name).unwrap();
    assert!(layout
        .system
        .iter()
        .any(|s| s.1 == "private segment wave byte offset"));
    let co = CodeObject::parse(&read("scratch-gfx1030-w64.hsaco")).unwrap();
    assert_eq!(
        co.kernel("private_array").unwrap().descriptor.wave_size(),
        64
    );
}

#[test]
fn static_and_dynamic_lds_kernels() {
    let co = CodeObject::parse(&read("args-gfx1010.hsaco")).unwrap();
    assert_eq!(
        co.kernel("static_lds")
            .unwrap()
            .metadata
            .group_segment_fixed_size,
        1024
    );
    let mixed = co.kernel("mixed").unwrap();
    let lds = mixed
        .metadata
        .args
        .iter()
        .find(|a| a.value_kind == ValueKind::DynamicSharedPointer)
        .unwrap();
    assert_eq!(lds.address_space.as_deref(), Some("local"));
    assert_eq!(lds.pointee_align, Some(4));
}

#[test]
fn header_and_segments_match_llvm_readelf() {
    for f in corpus() {
        let Some(out) = llvm_tool("llvm-readelf-19", &["-h", "-l", "-W"], &f) else {
            return;
        };
        let co = CodeObject::parse(&read(&f)).unwrap();
        let field = |name: &str| {
            out.lines()
                .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_string()))
                .unwrap_or_else(|| panic!("{f}: no {name}"))
        };
        assert_eq!(field("ABI Version:"), (co.version.0 - 2).to_string(), "{f}");
        let flags = field("Flags:");
        assert!(
            flags.starts_with(&format!(
                "{:#x}, {}",
                co.target.e_flags, co.target.mach.name
            )),
            "{f}: {flags}"
        );
        let loads: Vec<Vec<u64>> = out
            .lines()
            .filter(|l| l.trim_start().starts_with("LOAD "))
            .map(|l| {
                l.split_whitespace()
                    .skip(1)
                    .take(5)
                    .map(|h| u64::from_str_radix(h.trim_start_matches("0x"), 16).unwrap())
                    .collect()
            })
            .collect();
        let ours: Vec<Vec<u64>> = co
            .segments
            .iter()
            .filter(|s| s.p_type == loader::elf::PT_LOAD)
            .map(|s| vec![s.offset, s.vaddr, s.vaddr, s.filesz, s.memsz])
            .collect();
        assert!(!loads.is_empty(), "{f}");
        assert_eq!(loads, ours, "{f}");
    }
}

#[test]
fn section_headers_are_not_needed() {
    // A loader works from program headers and .dynsym (via PT_DYNAMIC): an object with all
    // section headers removed must load to the same image.
    let src = common::data_dir().join("args-gfx1010.hsaco");
    let dst = std::env::temp_dir().join(format!("loader-nosec-{}.hsaco", std::process::id()));
    let status = std::process::Command::new("llvm-objcopy-19")
        .arg("--strip-sections")
        .arg(&src)
        .arg(&dst)
        .status();
    match status {
        Ok(s) if s.success() => {}
        _ => {
            eprintln!("skipping: llvm-objcopy-19 not available");
            return;
        }
    }
    let stripped = std::fs::read(&dst).unwrap();
    let _ = std::fs::remove_file(&dst);
    let a = CodeObject::parse(&read("args-gfx1010.hsaco")).unwrap();
    let b = CodeObject::parse(&stripped).unwrap();
    assert_eq!(a.kernels(), b.kernels());
    assert_eq!(a.relocs, b.relocs);
    let (ia, ib) = (a.load(0x10_0000).unwrap(), b.load(0x10_0000).unwrap());
    assert_eq!(ia.kernels, ib.kernels);
    // Headers differ (e_shoff, e_shnum); code, descriptors and relocated data must not.
    for k in a.kernels() {
        let code = k.entry_offset as usize..(k.entry_offset + k.code_size.unwrap()) as usize;
        assert!(ia.bytes[code.clone()] == ib.bytes[code], "{} code", k.name);
        let kd = k.desc_offset as usize..k.desc_offset as usize + 64;
        assert!(
            ia.bytes[kd.clone()] == ib.bytes[kd],
            "{} descriptor",
            k.name
        );
    }
    for r in &a.relocs {
        let at = r.offset as usize..r.offset as usize + 8;
        assert!(
            ia.bytes[at.clone()] == ib.bytes[at],
            "reloc at {:#x}",
            r.offset
        );
    }
}

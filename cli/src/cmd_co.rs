//! `rocless co inspect FILE [--json]`: kernels, argument tables, registers, LDS, scratch,
//! SGPR layout and an occupancy estimate of an AMDGPU code object.

use anyhow::Context;
use clap::{Args, Subcommand};
use loader::descriptor::Word;
use loader::{CodeObject, DeviceLimits, Kernel, Mach};
use serde_json::{json, Value};

#[derive(Subcommand)]
pub enum Cmd {
    /// Code-object tools
    #[command(name = "co", subcommand)]
    Co(CoCmd),
}

#[derive(Subcommand)]
pub enum CoCmd {
    /// Show kernels, arguments, registers, LDS, scratch and occupancy of a .hsaco
    Inspect(InspectArgs),
}

#[derive(Args)]
pub struct InspectArgs {
    /// Code object (.hsaco)
    file: std::path::PathBuf,
    /// Print one JSON object instead of text
    #[arg(long)]
    json: bool,
    /// Device processor for the target check and occupancy (default: the code object's)
    #[arg(long)]
    device: Option<String>,
    /// Inspect even if the code object is for another processor than --device
    #[arg(long)]
    force: bool,
    /// Only this kernel
    #[arg(long)]
    kernel: Option<String>,
    /// Work-items per workgroup for the occupancy estimate (default: max_flat_workgroup_size)
    #[arg(long, default_value_t = 0)]
    block: u32,
    /// Dynamic LDS bytes per workgroup for the occupancy estimate
    #[arg(long, default_value_t = 0)]
    dynamic_lds: u32,
}

pub fn run(cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Co(CoCmd::Inspect(a)) => inspect(a),
    }
}

fn inspect(a: InspectArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
    let co = CodeObject::parse(&bytes).with_context(|| format!("{}", a.file.display()))?;
    let device = match &a.device {
        Some(name) => {
            let m = Mach::from_name(name)?;
            co.check_device(&m, a.force)?;
            m
        }
        None => co.target.mach,
    };
    let kernels: Vec<&Kernel> = match &a.kernel {
        Some(name) => vec![co.kernel(name)?],
        None => co.kernels().iter().collect(),
    };
    let limits = DeviceLimits::for_mach(&device);
    if a.json {
        let ks: Vec<Value> = kernels
            .iter()
            .map(|k| kernel_json(k, limits.as_ref(), &a))
            .collect::<anyhow::Result<_>>()?;
        let out = json!({
            "file": a.file.display().to_string(),
            "code_object_version": co.version.0,
            "target": {
                "mach": co.target.mach.name,
                "target_id": co.target.target_id(),
                "e_flags": co.target.e_flags,
                "xnack": co.target.xnack,
                "sramecc": co.target.sramecc,
                "generic_version": co.target.generic_version,
            },
            "device": device.name,
            "metadata": {"version": co.metadata.version, "target": co.metadata.target, "printf": co.metadata.printf},
            "segments": co.segments.iter().filter(|s| s.p_type == loader::elf::PT_LOAD).collect::<Vec<_>>(),
            "relocations": co.relocs,
            "image_size": co.image_size(),
            "kernels": ks,
        });
        emit(&format!("{}\n", serde_json::to_string_pretty(&out)?))
    } else {
        emit(&print_text(&co, &kernels, &device, limits.as_ref(), &a)?)
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Appends one formatted line.
macro_rules! w {
    ($o:expr, $($t:tt)*) => {{
        $o.push_str(&format!($($t)*));
        $o.push('\n');
    }};
}

fn kernel_json(
    k: &Kernel,
    limits: Option<&DeviceLimits>,
    a: &InspectArgs,
) -> anyhow::Result<Value> {
    let layout = loader::sgpr_layout(&k.descriptor, &k.name)?;
    let mut fields = serde_json::Map::new();
    for (word, name, value) in k.descriptor.fields() {
        let w = fields.entry(word_name(word)).or_insert_with(|| json!({}));
        w[name] = json!(value);
    }
    Ok(json!({
        "name": k.name,
        "desc_offset": k.desc_offset,
        "entry_offset": k.entry_offset,
        "code_size": k.code_size,
        "wave_size": k.descriptor.wave_size(),
        "kernarg_size": k.metadata.kernarg_segment_size,
        "kernarg_align": k.metadata.kernarg_segment_align,
        "args": k.metadata.args,
        "registers": {
            "vgpr_count": k.metadata.vgpr_count,
            "vgprs_granulated": k.descriptor.vgprs,
            "sgpr_count": k.metadata.sgpr_count,
            "agpr_count": k.metadata.agpr_count,
            "vgpr_spill_count": k.metadata.vgpr_spill_count,
            "sgpr_spill_count": k.metadata.sgpr_spill_count,
        },
        "lds_bytes": k.metadata.group_segment_fixed_size,
        "scratch_bytes_per_workitem": k.metadata.private_segment_fixed_size,
        "uses_dynamic_stack": k.metadata.uses_dynamic_stack,
        "max_flat_workgroup_size": k.metadata.max_flat_workgroup_size,
        "descriptor": k.descriptor,
        "descriptor_fields": fields,
        "sgpr_layout": layout,
        "occupancy": limits.map(|l| loader::estimate_occupancy(k, l, a.block, a.dynamic_lds)),
    }))
}

fn word_name(w: Word) -> String {
    match w {
        Word::Rsrc1 => "COMPUTE_PGM_RSRC1",
        Word::Rsrc2 => "COMPUTE_PGM_RSRC2",
        Word::Rsrc3 => "COMPUTE_PGM_RSRC3",
        Word::Properties => "kernel_code_properties",
    }
    .to_string()
}

fn sgpr_range(first: u32, n: u32) -> String {
    if n == 1 {
        format!("s{first}")
    } else {
        format!("s[{}:{}]", first, first + n - 1)
    }
}

fn print_text(
    co: &CodeObject,
    kernels: &[&Kernel],
    device: &Mach,
    limits: Option<&DeviceLimits>,
    a: &InspectArgs,
) -> anyhow::Result<String> {
    let mut o = String::new();
    let t = &co.target;
    w!(o, "{}", a.file.display());
    w!(
        o,
        "  code object v{}  target {}  (e_flags {:#x}, xnack {}, sramecc {})",
        co.version.0,
        t.target_id(),
        t.e_flags,
        format!("{:?}", t.xnack).to_lowercase(),
        format!("{:?}", t.sramecc).to_lowercase()
    );
    w!(
        o,
        "  metadata amdhsa.version {:?}  amdhsa.target {}",
        co.metadata.version,
        co.metadata.target.as_deref().unwrap_or("-")
    );
    w!(
        o,
        "  image {:#x} bytes, {} PT_LOAD segments, {} dynamic relocations",
        co.image_size(),
        co.load_segments().count(),
        co.relocs.len()
    );
    for k in kernels {
        let m = &k.metadata;
        let d = &k.descriptor;
        o.push('\n');
        w!(o, "kernel {}", k.name);
        w!(
            o,
            "  descriptor {:#x}  entry {:#x}{}  wave{}",
            k.desc_offset,
            k.entry_offset,
            k.code_size
                .map(|s| format!(" ({s} bytes)"))
                .unwrap_or_default(),
            d.wave_size()
        );
        w!(
            o,
            "  kernarg {} bytes, align {}",
            m.kernarg_segment_size,
            m.kernarg_segment_align
        );
        w!(
            o,
            "  {:>3} {:>6} {:>4}  {:<26} {:<8} {:<10} {:<12} name",
            "#",
            "offset",
            "size",
            "value_kind",
            "space",
            "access",
            "type"
        );
        for (i, arg) in m.args.iter().enumerate() {
            w!(
                o,
                "  {:>3} {:>6} {:>4}  {:<26} {:<8} {:<10} {:<12} {}",
                i,
                arg.offset,
                arg.size,
                arg.value_kind.as_str(),
                arg.address_space.as_deref().unwrap_or("-"),
                arg.access.as_deref().unwrap_or("-"),
                arg.type_name.as_deref().unwrap_or("-"),
                arg.name.as_deref().unwrap_or("-")
            );
        }
        w!(
            o,
            "  registers: {} VGPRs (descriptor allocates {}), {} SGPRs, spills: {} VGPR / {} SGPR",
            m.vgpr_count,
            d.vgprs,
            m.sgpr_count,
            m.vgpr_spill_count,
            m.sgpr_spill_count
        );
        w!(
            o,
            "  LDS {} bytes static; scratch {} bytes/work-item; dynamic stack {}; max workgroup {}",
            m.group_segment_fixed_size,
            m.private_segment_fixed_size,
            if m.uses_dynamic_stack { "yes" } else { "no" },
            m.max_flat_workgroup_size
        );
        let layout = loader::sgpr_layout(d, &k.name)?;
        let mut sg: Vec<String> = layout
            .user
            .iter()
            .map(|b| format!("{} {}", sgpr_range(b.index, b.dwords), b.kind.meaning()))
            .collect();
        sg.extend(layout.system.iter().map(|(i, w)| format!("s{i} {w}")));
        w!(
            o,
            "  SGPRs (USER_SGPR {}): {}",
            layout.user_sgpr_count,
            sg.join("; ")
        );
        w!(
            o,
            "  VGPRs: {}",
            layout
                .vgprs
                .iter()
                .map(|(i, w)| format!("v{i} {w}"))
                .collect::<Vec<_>>()
                .join("; ")
        );
        w!(
            o,
            "  RSRC1 {:#010x}  RSRC2 {:#010x}  RSRC3 {:#010x}  properties {:#06x}",
            d.rsrc1,
            d.rsrc2,
            d.rsrc3,
            d.kernel_code_properties
        );
        for word in [Word::Rsrc1, Word::Rsrc2, Word::Rsrc3, Word::Properties] {
            let fs: Vec<String> = d
                .fields()
                .into_iter()
                .filter(|f| f.0 == word)
                .map(|f| format!("{}={}", f.1, f.2))
                .collect();
            w!(o, "    {}: {}", word_name(word), fs.join(" "));
        }
        match limits {
            Some(l) => {
                let occ = loader::estimate_occupancy(k, l, a.block, a.dynamic_lds);
                w!(o,
                    "  occupancy on {} (workgroup {} = {} waves, LDS {} B): {} waves/SIMD (VGPRs {}, SGPRs {}, LDS {}, slots {}), limited by {}",
                    occ.device, occ.workgroup_size, occ.waves_per_workgroup, occ.lds_per_workgroup, occ.waves_per_simd, occ.by_vgprs, occ.by_sgprs, occ.by_lds, occ.max_waves, occ.limited_by
                );
            }
            None => w!(o, "  occupancy: no model for {}", device.name),
        }
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../loader/tests/data")
            .join(name)
    }

    fn args(file: &str, device: Option<&str>, force: bool) -> InspectArgs {
        InspectArgs {
            file: data(file),
            json: false,
            device: device.map(str::to_string),
            force,
            kernel: None,
            block: 0,
            dynamic_lds: 0,
        }
    }

    #[test]
    fn text_lists_kernels_args_registers_and_occupancy() {
        let a = args("args-gfx1010.hsaco", None, false);
        let co = CodeObject::parse(&std::fs::read(&a.file).unwrap()).unwrap();
        let ks: Vec<&Kernel> = co.kernels().iter().collect();
        let lim = DeviceLimits::for_mach(&co.target.mach);
        let text = print_text(&co, &ks, &co.target.mach, lim.as_ref(), &a).unwrap();
        for want in [
            "kernel saxpy",
            "kernel mixed",
            "dynamic_shared_pointer",
            "hidden_block_count_x",
            "registers: 6 VGPRs",
            "LDS 1024 bytes static",
            "kernarg segment pointer",
            "occupancy on gfx1010",
            "COMPUTE_PGM_RSRC1: VGPRS=",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
        let k = co.kernel("grid3d").unwrap();
        let j = kernel_json(k, lim.as_ref(), &a).unwrap();
        assert_eq!(j["wave_size"], 32);
        assert_eq!(
            j["descriptor_fields"]["COMPUTE_PGM_RSRC2"]["TIDIG_COMP_CNT"],
            2
        );
        assert_eq!(j["occupancy"]["max_waves"], 20);
    }

    #[test]
    fn device_mismatch_is_refused_unless_forced() {
        let e = inspect(args("args-gfx1030.hsaco", Some("gfx1010"), false)).unwrap_err();
        assert!(format!("{e:#}").contains("code object is gfx1030, device is gfx1010"));
        let e = inspect(args("no-such-file.hsaco", None, false)).unwrap_err();
        assert!(format!("{e:#}").contains("no-such-file.hsaco"));
    }
}

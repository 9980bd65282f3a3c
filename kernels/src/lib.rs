//! kernels: the rocless GPU kernels, compiled from `kernels/src/*.cl` by `kernels/build.sh`
//! (clang-19, wave32) for gfx1010, gfx1030 and gfx1100, committed under `kernels/bin/` and
//! embedded here with `include_bytes!`. Look a kernel up by (target, name):
//!
//! ```
//! let k = kernels::find(kernels::Target::Gfx1010, "gemv_q4_k")?;
//! assert_eq!(k.file, "gemv");
//! assert!(k.code_object.starts_with(b"\x7fELF"));
//! # Ok::<(), kernels::Error>(())
//! ```
//!
//! Every kernel runs with a fixed workgroup of [`WORKGROUP_SIZE`] work-items (two wave32
//! waves, `reqd_work_group_size`); each kernel's grid and argument conventions are documented
//! at the top of its `.cl` file and in [`KERNEL_FILES`].

#![forbid(unsafe_code)]

use thiserror::Error;

/// Work-items per workgroup of every kernel (block = [64, 1, 1]).
pub const WORKGROUP_SIZE: u32 = 64;

/// Lanes of a wave32 that share one row in `gemv_f16` / `gemv_f32` (their `group` argument;
/// the quantized formats use [`GEMV_QUANT_GROUP`]): the largest power of two ≤ 32 that
/// divides the row's `units` (= cols), so every lane of the group does the same number of
/// units.
///
/// ```
/// assert_eq!(kernels::gemv_group(20), 4); // 20 columns: 5 per lane
/// assert_eq!(kernels::gemv_group(64), 32);
/// assert_eq!(kernels::gemv_group(9), 1);
/// ```
pub fn gemv_group(units: u32) -> u32 {
    if units == 0 {
        return 32;
    }
    1 << units.trailing_zeros().min(5)
}

/// Workgroups of a `gemv_*` dispatch over `rows` rows with `group` lanes per row.
pub fn gemv_grid(rows: u32, group: u32) -> u32 {
    rows.div_ceil(WORKGROUP_SIZE / group)
}

/// Values per block of the Q8 activation format (`quantize_q8`: Q8_0 / Q8_1 blocks).
pub const Q8_BLOCK: u32 = 32;
/// Values per block of the Q8K activation format (`quantize_q8k`).
pub const Q8K_BLOCK: u32 = 256;
/// Values per `bsums` entry of a Q8K block.
pub const Q8K_BSUM: u32 = 16;

/// Bytes of a Q8-quantized activation of `n` values (kernels/src/quant.cl layout): `n`
/// quants, then per 32-value block d (f32) and s (f32).
///
/// ```
/// assert_eq!(kernels::q8_act_bytes(64), 64 + 2 * 8);
/// ```
pub fn q8_act_bytes(n: u32) -> u64 {
    let nb = u64::from(n / Q8_BLOCK);
    u64::from(n) + nb * 2 * 4
}

/// Lanes per row of the quantized `gemv_*` kernels (their `group` argument must be this):
/// they add up a row in the CPU reference's order (engine::quant::dot: 8 float accumulators
/// for the 32-value formats, 8 sub-blocks per K-quant block), so the result is the CPU's bit
/// for bit.
pub const GEMV_QUANT_GROUP: u32 = 8;

/// Rows each 8-lane group of the 32-value-block `gemv_*` kernels computes (it loads the
/// activation once for all of them); the K-quant kernels compute one.
pub const GEMV_QUANT_ROWS: u32 = 4;

/// Rows from which a Q8_0 GEMV runs `gemv_q8_0_tall` (one lane per row; fewer instructions,
/// same bits): enough rows for 4 waves on each SIMD of a 40-CU RDNA card
/// (40 CUs × 2 SIMDs × 4 waves × 32 lanes), so one lane per row still fills the device.
pub const GEMV_LANE_PER_ROW_MIN_ROWS: u32 = 40 * 2 * 4 * 32;

/// Workgroups of a quantized `gemv_*` dispatch over `rows` rows of `block_values`-value
/// blocks (32: Q4_0/Q4_1/Q5_0/Q8_0; 256: K-quants).
///
/// ```
/// assert_eq!(kernels::gemv_quant_grid(576, 32), 18); // 32 rows per workgroup
/// assert_eq!(kernels::gemv_quant_grid(640, 256), 80); // 8 rows per workgroup
/// ```
pub fn gemv_quant_grid(rows: u32, block_values: u32) -> u32 {
    let groups = WORKGROUP_SIZE / GEMV_QUANT_GROUP;
    let rows_per_group = if block_values == Q8_BLOCK {
        GEMV_QUANT_ROWS
    } else {
        1
    };
    rows.div_ceil(groups * rows_per_group)
}

/// Bytes of a Q8K-quantized activation of `n` values: `n` quants, then per 256-value block
/// d (f32) and 16 bsums (i16).
pub fn q8k_act_bytes(n: u32) -> u64 {
    let nb = u64::from(n / Q8K_BLOCK);
    u64::from(n) + nb * (4 + u64::from(Q8K_BLOCK / Q8K_BSUM) * 2)
}

/// Workgroups of `quantize_q8` over `n` values (one wave32 per 32-value block).
pub fn quantize_q8_grid(n: u32) -> u32 {
    (n / Q8_BLOCK).div_ceil(WORKGROUP_SIZE / 32)
}

/// Workgroups of `quantize_q8k` over `n` values (one workgroup per 256-value block).
pub fn quantize_q8k_grid(n: u32) -> u32 {
    n / Q8K_BLOCK
}

/// The 2^(i/32) table of glibc's expf (`__exp2f_data.tab` in
/// sysdeps/ieee754/flt-32/e_exp2f_data.c, from ARM optimized-routines: the bits of
/// 2^(i/32) minus i << 47). `glu_silu` and the attention kernels take it as a buffer to
/// compute exp exactly as the CPU engine's `f32::exp` (kernels/src/expf.h).
pub const EXPF_TABLE: [u64; 32] = [
    0x3ff0000000000000,
    0x3fefd9b0d3158574,
    0x3fefb5586cf9890f,
    0x3fef9301d0125b51,
    0x3fef72b83c7d517b,
    0x3fef54873168b9aa,
    0x3fef387a6e756238,
    0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715,
    0x3feef1a7373aa9cb,
    0x3feedea64c123422,
    0x3feece086061892d,
    0x3feebfdad5362a27,
    0x3feeb42b569d4f82,
    0x3feeab07dd485429,
    0x3feea47eb03a5585,
    0x3feea09e667f3bcd,
    0x3fee9f75e8ec5f74,
    0x3feea11473eb0187,
    0x3feea589994cce13,
    0x3feeace5422aa0db,
    0x3feeb737b0cdc5e5,
    0x3feec49182a3f090,
    0x3feed503b23e255d,
    0x3feee89f995ad3ad,
    0x3feeff76f2fb5e47,
    0x3fef199bdd85529c,
    0x3fef3720dcef9069,
    0x3fef5818dcfba487,
    0x3fef7c97337b9b5f,
    0x3fefa4afa2a490da,
    0x3fefd0765b6e4540,
];

/// Largest head_dim the attention kernels accept (it must also be a multiple of 4).
pub const ATTN_MAX_HEAD_DIM: u32 = 256;

/// Extra bytes to allocate after a kernarg segment: the compiler's `s_load_dwordx4/x8`
/// kernarg loads may read past `.kernarg_segment_size` (findings/gpu-kernels.md).
pub const KERNARG_SLACK: u32 = 64;

/// A build target of the embedded code objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// RDNA1 (Navi 10, RX 5700 XT): no v_dot* instructions.
    Gfx1010,
    /// RDNA2 (Navi 21).
    Gfx1030,
    /// RDNA3 (Navi 31).
    Gfx1100,
}

/// Every target, in build order.
pub const TARGETS: [Target; 3] = [Target::Gfx1010, Target::Gfx1030, Target::Gfx1100];

impl Target {
    /// LLVM processor name.
    pub fn name(self) -> &'static str {
        match self {
            Target::Gfx1010 => "gfx1010",
            Target::Gfx1030 => "gfx1030",
            Target::Gfx1100 => "gfx1100",
        }
    }

    /// Exact target for an LLVM processor name (`gfx1010`, `gfx1030`, `gfx1100`).
    pub fn from_name(name: &str) -> Option<Target> {
        TARGETS.into_iter().find(|t| t.name() == name)
    }

    /// The code objects to run on a device with processor `name`. gfx1011/gfx1012 run the
    /// gfx1010 build (same ISA plus dot instructions); gfx103x the gfx1030 build and
    /// gfx110x the gfx1100 build (same instruction set within each family; LLVM marks
    /// them as distinct processors only for scheduling / register-file details).
    /// Other processors are refused: an object built for another generation may decode to
    /// different instructions (findings/gating.md).
    pub fn for_device(name: &str) -> Result<Target, Error> {
        let fam = |p: &str| name.len() == 7 && name.starts_with(p);
        if matches!(name, "gfx1010" | "gfx1011" | "gfx1012") {
            Ok(Target::Gfx1010)
        } else if fam("gfx103") {
            Ok(Target::Gfx1030)
        } else if fam("gfx110") {
            Ok(Target::Gfx1100)
        } else {
            Err(Error::UnsupportedTarget(name.to_string()))
        }
    }
}

/// One source file = one code object per target, and the kernels it defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelFile {
    /// File stem (`kernels/src/<file>.cl`, `kernels/bin/<target>/<file>.hsaco`).
    pub file: &'static str,
    /// Kernel symbols it defines.
    pub kernels: &'static [&'static str],
}

/// Every kernel file and its kernels (a test checks this against the code objects'
/// metadata).
pub const KERNEL_FILES: &[KernelFile] = &[
    KernelFile {
        file: "argmax",
        kernels: &["argmax_partial", "argmax_final"],
    },
    KernelFile {
        file: "attention",
        kernels: &[
            "attn_decode",
            "attn_max_split",
            "attn_sum_split",
            "attn_decode_split",
            "attn_combine",
        ],
    },
    KernelFile {
        file: "elementwise",
        kernels: &[
            "glu_silu",
            "glu_gelu_table",
            "add_f32",
            "scale_f32",
            "softcap",
        ],
    },
    KernelFile {
        file: "embed",
        kernels: &[
            "get_rows_f32",
            "get_rows_f16",
            "get_rows_q4_0",
            "get_rows_q4_1",
            "get_rows_q5_0",
            "get_rows_q8_0",
            "get_rows_q4_k",
            "get_rows_q6_k",
        ],
    },
    KernelFile {
        file: "gemv",
        kernels: &[
            "gemv_q4_0",
            "gemv_q4_1",
            "gemv_q5_0",
            "gemv_q8_0",
            "gemv_q8_0_tall",
            "gemv_q4_k",
            "gemv_q6_k",
            "gemv_f16",
            "gemv_f32",
        ],
    },
    KernelFile {
        file: "norm",
        kernels: &["rms_norm"],
    },
    KernelFile {
        file: "quant",
        kernels: &["quantize_q8", "quantize_q8k"],
    },
    KernelFile {
        file: "rope",
        kernels: &["rope"],
    },
];

macro_rules! embed {
    ($($target:literal => [$($file:literal),*]),*) => {
        fn bytes(target: Target, file: &str) -> Option<&'static [u8]> {
            match (target.name(), file) {
                $($(($target, $file) => Some(include_bytes!(concat!("../bin/", $target, "/", $file, ".hsaco")).as_slice()),)*)*
                _ => None,
            }
        }
    };
}

embed! {
    "gfx1010" => ["argmax", "attention", "elementwise", "embed", "gemv", "norm", "quant", "rope"],
    "gfx1030" => ["argmax", "attention", "elementwise", "embed", "gemv", "norm", "quant", "rope"],
    "gfx1100" => ["argmax", "attention", "elementwise", "embed", "gemv", "norm", "quant", "rope"]
}

/// A kernel located in an embedded code object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelRef {
    /// Kernel symbol name (without `.kd`).
    pub name: &'static str,
    /// File stem of the code object holding it.
    pub file: &'static str,
    /// Target the code object was built for.
    pub target: Target,
    /// The whole `.hsaco` (ELF) bytes.
    pub code_object: &'static [u8],
}

/// Lookup errors.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum Error {
    /// No kernel of that name exists.
    #[error("no kernel named `{0}` in the embedded rocless kernels")]
    UnknownKernel(String),
    /// No build for that device processor.
    #[error("no rocless kernel build for processor `{0}` (built: gfx1010, gfx1030, gfx1100)")]
    UnsupportedTarget(String),
}

/// The embedded code object `file` for `target`.
pub fn code_object(target: Target, file: &str) -> Option<&'static [u8]> {
    bytes(target, file)
}

/// Finds kernel `name` (with or without `.kd`) in the code objects built for `target`.
pub fn find(target: Target, name: &str) -> Result<KernelRef, Error> {
    let base = name.strip_suffix(".kd").unwrap_or(name);
    for f in KERNEL_FILES {
        if let Some(k) = f.kernels.iter().find(|k| **k == base) {
            let code_object =
                bytes(target, f.file).ok_or_else(|| Error::UnknownKernel(name.to_string()))?;
            return Ok(KernelRef {
                name: k,
                file: f.file,
                target,
                code_object,
            });
        }
    }
    Err(Error::UnknownKernel(name.to_string()))
}

/// Every kernel name.
pub fn kernel_names() -> impl Iterator<Item = &'static str> {
    KERNEL_FILES.iter().flat_map(|f| f.kernels.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_kernel_is_in_its_code_object() {
        for t in TARGETS {
            for name in kernel_names() {
                let k = find(t, name).unwrap();
                let co = loader::CodeObject::parse(k.code_object).unwrap();
                assert_eq!(co.target.mach.name, t.name(), "{name}");
                let kern = co.kernel(name).unwrap();
                assert_eq!(kern.metadata.wavefront_size, 32, "{name} {}", t.name());
                assert_eq!(
                    kern.metadata.reqd_workgroup_size.as_deref(),
                    Some(&[WORKGROUP_SIZE as u64, 1, 1][..]),
                    "{name}"
                );
            }
            // and nothing unlisted
            for f in KERNEL_FILES {
                let co = loader::CodeObject::parse(code_object(t, f.file).unwrap()).unwrap();
                let mut names: Vec<_> = co.kernels().iter().map(|k| k.name.as_str()).collect();
                names.sort();
                let mut want = f.kernels.to_vec();
                want.sort();
                assert_eq!(names, want, "{}", f.file);
            }
        }
    }

    #[test]
    fn every_source_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stems: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| {
                let p = e.unwrap().path();
                (p.extension()? == "cl")
                    .then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
            })
            .collect();
        stems.sort();
        let listed: Vec<&str> = KERNEL_FILES.iter().map(|f| f.file).collect();
        assert_eq!(
            stems, listed,
            "kernels/src/*.cl vs KERNEL_FILES (and the embed! list)"
        );
        for t in TARGETS {
            for f in &listed {
                assert!(
                    code_object(t, f).is_some(),
                    "{f} not embedded for {}",
                    t.name()
                );
            }
        }
    }

    #[test]
    fn lookup_errors_and_device_mapping() {
        assert_eq!(find(Target::Gfx1030, "gemv_q6_k.kd").unwrap().file, "gemv");
        assert!(matches!(
            find(Target::Gfx1010, "nope"),
            Err(Error::UnknownKernel(_))
        ));
        assert_eq!(Target::for_device("gfx1012").unwrap(), Target::Gfx1010);
        assert_eq!(Target::for_device("gfx1031").unwrap(), Target::Gfx1030);
        assert_eq!(Target::for_device("gfx1101").unwrap(), Target::Gfx1100);
        assert!(Target::for_device("gfx906").is_err());
        assert!(Target::for_device("gfx10300").is_err());
        assert_eq!(Target::from_name("gfx1100"), Some(Target::Gfx1100));
    }

    /// Per-kernel resources; `cargo test -p kernels resource_table -- --nocapture` prints
    /// the markdown table recorded in findings/gpu-kernels.md.
    #[test]
    fn resource_table() {
        let mut out = String::from(
            "| target | kernel | VGPRs | SGPRs | LDS B | kernarg B | code B | waves/SIMD (limit) |\n|---|---|---|---|---|---|---|---|\n",
        );
        for t in TARGETS {
            let mach = loader::Mach::from_name(t.name()).unwrap();
            let dev = loader::DeviceLimits::for_mach(&mach).unwrap();
            for name in kernel_names() {
                let co = loader::CodeObject::parse(find(t, name).unwrap().code_object).unwrap();
                let k = co.kernel(name).unwrap();
                let m = &k.metadata;
                let occ = loader::estimate_occupancy(k, &dev, WORKGROUP_SIZE, 0);
                assert!(occ.waves_per_simd >= 4, "{name} {}: {occ:?}", t.name());
                out += &format!(
                    "| {} | {name} | {} | {} | {} | {} | {} | {} ({}) |\n",
                    t.name(),
                    m.vgpr_count,
                    m.sgpr_count,
                    m.group_segment_fixed_size,
                    m.kernarg_segment_size,
                    k.code_size.unwrap_or(0),
                    occ.waves_per_simd,
                    occ.limited_by
                );
            }
        }
        println!("{out}");
    }

    #[test]
    fn hot_kernels_use_no_scratch_and_fit_occupancy() {
        for t in TARGETS {
            for name in kernel_names() {
                let k = find(t, name).unwrap();
                let co = loader::CodeObject::parse(k.code_object).unwrap();
                let m = &co.kernel(name).unwrap().metadata;
                assert_eq!(
                    m.private_segment_fixed_size,
                    0,
                    "{name} {} uses scratch",
                    t.name()
                );
                assert_eq!(m.vgpr_spill_count + m.sgpr_spill_count, 0, "{name} spills");
                assert!(
                    m.group_segment_fixed_size <= 2048,
                    "{name} LDS {}",
                    m.group_segment_fixed_size
                );
            }
        }
    }
}

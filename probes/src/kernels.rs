//! The probe kernels: OpenCL C in `probes/kernels/*.cl`, built for gfx1010
//! by `probes/kernels/build.sh` (whose `--check` mode proves the committed
//! bytes match the sources) and embedded here.

/// `vadd` compiled for wave32.
pub const VADD_W32: &[u8] = include_bytes!("../kernels/vadd_w32.hsaco");
/// `vadd` compiled with `-mwavefrontsize64`.
pub const VADD_W64: &[u8] = include_bytes!("../kernels/vadd_w64.hsaco");
/// `matmul`: 16×16-tiled f32 matmul.
pub const MATMUL: &[u8] = include_bytes!("../kernels/matmul.hsaco");
/// `gemv_q8_0`.
pub const GEMV_Q8_0: &[u8] = include_bytes!("../kernels/gemv_q8_0.hsaco");
/// `gemv_q4_k`.
pub const GEMV_Q4_K: &[u8] = include_bytes!("../kernels/gemv_q4_k.hsaco");
/// `read_sum` and `copy`.
pub const BANDWIDTH: &[u8] = include_bytes!("../kernels/bandwidth.hsaco");
/// `fma_loop`.
pub const FLOPS: &[u8] = include_bytes!("../kernels/flops.hsaco");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kernel_parses_for_gfx1010_without_scratch() {
        let all: [(&[u8], &[&str], u32); 7] = [
            (VADD_W32, &["vadd"], 32),
            (VADD_W64, &["vadd"], 64),
            (MATMUL, &["matmul"], 32),
            (GEMV_Q8_0, &["gemv_q8_0"], 32),
            (GEMV_Q4_K, &["gemv_q4_k"], 32),
            (BANDWIDTH, &["read_sum", "copy"], 32),
            (FLOPS, &["fma_loop"], 32),
        ];
        let gfx1010 = loader::Mach::from_name("gfx1010").unwrap();
        for (bytes, names, wave) in all {
            let co = loader::CodeObject::parse(bytes).unwrap();
            co.check_device(&gfx1010, false).unwrap();
            for n in names {
                let k = co.kernel(n).unwrap();
                assert_eq!(k.descriptor.wave_size(), wave, "{n}");
                assert_eq!(k.descriptor.private_segment_fixed_size, 0, "{n}");
            }
        }
    }

    #[test]
    fn committed_hsaco_match_sources() {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/kernels/build.sh");
        if std::process::Command::new("clang-19")
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!("skipping: clang-19 not installed");
            return;
        }
        let out = std::process::Command::new("bash")
            .arg(script)
            .arg("--check")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

//! Theoretical peaks from DEV_INFO, computed the way Mesa's `ac_gpu_info.c`
//! does: memory bandwidth = effective memory clock × bus width, with the
//! effective clock = `max_memory_clock` × transfers per clock of the VRAM
//! type (`ac_memory_ops_per_clock`); FP32 = CUs × 64 lanes × 2 FLOP (FMA) ×
//! engine clock (an RDNA1 CU has two SIMD32s, 64 FP32 lanes).

use amdgpu_kmd::uapi::*;
use serde::Serialize;

/// FP32 lanes per compute unit on gfx10 (2 × SIMD32).
pub const FP32_LANES_PER_CU: u64 = 64;
/// FLOP per lane per clock with FMA.
pub const FLOP_PER_FMA: u64 = 2;

/// Peaks of one device.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Peaks {
    /// Active compute units.
    pub cus: u32,
    /// Max shader clock (MHz).
    pub engine_mhz: f64,
    /// Max memory clock as INFO reports it (MHz).
    pub memory_mhz: f64,
    /// Transfers per memory clock for the VRAM type.
    pub memory_ops_per_clock: u32,
    /// Bus width in bits.
    pub bus_bits: u32,
    /// VRAM type name.
    pub vram_type: &'static str,
    /// Peak DRAM bandwidth (GB/s, 1e9 bytes).
    pub bandwidth_gbs: f64,
    /// Peak FP32 throughput (GFLOP/s).
    pub fp32_gflops: f64,
}

/// `(name, transfers per clock)` of an `AMDGPU_VRAM_TYPE_*` (Mesa
/// `ac_memory_ops_per_clock`; unknown types count 1).
pub fn vram_type(t: u32) -> (&'static str, u32) {
    match t {
        AMDGPU_VRAM_TYPE_GDDR1 => ("GDDR1", 2),
        AMDGPU_VRAM_TYPE_DDR2 => ("DDR2", 2),
        AMDGPU_VRAM_TYPE_GDDR3 => ("GDDR3", 2),
        AMDGPU_VRAM_TYPE_GDDR4 => ("GDDR4", 2),
        AMDGPU_VRAM_TYPE_GDDR5 => ("GDDR5", 4),
        AMDGPU_VRAM_TYPE_HBM => ("HBM", 2),
        AMDGPU_VRAM_TYPE_DDR3 => ("DDR3", 2),
        AMDGPU_VRAM_TYPE_DDR4 => ("DDR4", 2),
        AMDGPU_VRAM_TYPE_GDDR6 => ("GDDR6", 16),
        AMDGPU_VRAM_TYPE_DDR5 => ("DDR5", 2),
        AMDGPU_VRAM_TYPE_LPDDR4 => ("LPDDR4", 2),
        AMDGPU_VRAM_TYPE_LPDDR5 => ("LPDDR5", 2),
        _ => ("unknown", 1),
    }
}

impl Peaks {
    /// From DEV_INFO (clocks in kHz).
    pub fn from_dev_info(d: &DrmAmdgpuInfoDevice) -> Self {
        let (name, ops) = vram_type(d.vram_type);
        let engine_mhz = d.max_engine_clock as f64 / 1000.0;
        let memory_mhz = d.max_memory_clock as f64 / 1000.0;
        let bandwidth_gbs =
            memory_mhz * 1e6 * f64::from(ops) * f64::from(d.vram_bit_width) / 8.0 / 1e9;
        let fp32_gflops =
            f64::from(d.cu_active_number) * (FP32_LANES_PER_CU * FLOP_PER_FMA) as f64 * engine_mhz
                / 1000.0;
        Self {
            cus: d.cu_active_number,
            engine_mhz,
            memory_mhz,
            memory_ops_per_clock: ops,
            bus_bits: d.vram_bit_width,
            vram_type: name,
            bandwidth_gbs,
            fp32_gflops,
        }
    }

    /// Roofline time (s) of a kernel moving `bytes` and doing `flops`: the
    /// slower of the memory and the compute bound.
    pub fn roofline_seconds(&self, bytes: f64, flops: f64) -> f64 {
        let mem = if self.bandwidth_gbs > 0.0 {
            bytes / (self.bandwidth_gbs * 1e9)
        } else {
            0.0
        };
        let alu = if self.fp32_gflops > 0.0 {
            flops / (self.fp32_gflops * 1e9)
        } else {
            0.0
        };
        mem.max(alu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rx5700xt_peaks() {
        // RX 5700 XT: 40 CUs, 1905 MHz boost, GDDR6 875 MHz (14 Gbps), 256-bit.
        let d = DrmAmdgpuInfoDevice {
            cu_active_number: 40,
            max_engine_clock: 1_905_000,
            max_memory_clock: 875_000,
            vram_type: AMDGPU_VRAM_TYPE_GDDR6,
            vram_bit_width: 256,
            ..bytemuck::Zeroable::zeroed()
        };
        let p = Peaks::from_dev_info(&d);
        assert!(
            (p.bandwidth_gbs - 448.0).abs() < 1e-9,
            "{}",
            p.bandwidth_gbs
        );
        assert!((p.fp32_gflops - 9753.6).abs() < 1e-6, "{}", p.fp32_gflops);
        assert_eq!(p.vram_type, "GDDR6");
        // 448 MB at 448 GB/s = 1 ms; compute-bound when flops dominate.
        assert!((p.roofline_seconds(448e6, 0.0) - 1e-3).abs() < 1e-12);
        assert!(p.roofline_seconds(0.0, 9753.6e9) > 0.999);
    }
}

//! The 64-byte AQL kernel dispatch packet (`hsa_kernel_dispatch_packet_t`, HSA Platform
//! System Architecture spec 2.9 / ROCr `hsa.h`). There is no AQL queue on this path, but a
//! kernel whose descriptor enables the dispatch-pointer SGPR reads its grid and workgroup
//! sizes from such a packet (COV4 `get_global_size`, `__builtin_amdgcn_dispatch_ptr`), so
//! the dispatcher writes one into memory and passes its address.

/// Offsets inside `hsa_kernel_dispatch_packet_t`.
pub mod offsets {
    /// `uint16_t header`.
    pub const HEADER: usize = 0;
    /// `uint16_t setup` (dimensions in bits 1:0).
    pub const SETUP: usize = 2;
    /// `uint16_t workgroup_size_x` (y at 6, z at 8).
    pub const WORKGROUP_SIZE_X: usize = 4;
    /// `uint32_t grid_size_x` (y at 16, z at 20), in work-items.
    pub const GRID_SIZE_X: usize = 12;
    /// `uint32_t private_segment_size`.
    pub const PRIVATE_SEGMENT_SIZE: usize = 24;
    /// `uint32_t group_segment_size`.
    pub const GROUP_SEGMENT_SIZE: usize = 28;
    /// `uint64_t kernel_object` (descriptor address).
    pub const KERNEL_OBJECT: usize = 32;
    /// `uint64_t kernarg_address`.
    pub const KERNARG_ADDRESS: usize = 40;
    /// `hsa_signal_t completion_signal`.
    pub const COMPLETION_SIGNAL: usize = 56;
}

/// `HSA_PACKET_TYPE_KERNEL_DISPATCH` in header bits 7:0.
pub const HSA_PACKET_TYPE_KERNEL_DISPATCH: u16 = 2;

/// Builds a dispatch packet. `grid` is in work-items, `block` in work-items per group.
pub fn dispatch_packet(
    dims: u16,
    block: [u16; 3],
    grid: [u32; 3],
    private_segment_size: u32,
    group_segment_size: u32,
    kernel_object: u64,
    kernarg_address: u64,
) -> [u8; 64] {
    let mut p = [0u8; 64];
    p[offsets::HEADER..][..2].copy_from_slice(&HSA_PACKET_TYPE_KERNEL_DISPATCH.to_le_bytes());
    p[offsets::SETUP..][..2].copy_from_slice(&(dims & 3).to_le_bytes());
    for i in 0..3 {
        p[offsets::WORKGROUP_SIZE_X + 2 * i..][..2].copy_from_slice(&block[i].to_le_bytes());
        p[offsets::GRID_SIZE_X + 4 * i..][..4].copy_from_slice(&grid[i].to_le_bytes());
    }
    p[offsets::PRIVATE_SEGMENT_SIZE..][..4].copy_from_slice(&private_segment_size.to_le_bytes());
    p[offsets::GROUP_SEGMENT_SIZE..][..4].copy_from_slice(&group_segment_size.to_le_bytes());
    p[offsets::KERNEL_OBJECT..][..8].copy_from_slice(&kernel_object.to_le_bytes());
    p[offsets::KERNARG_ADDRESS..][..8].copy_from_slice(&kernarg_address.to_le_bytes());
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_fields_land_at_hsa_offsets() {
        let p = dispatch_packet(
            3,
            [64, 2, 1],
            [1024, 4, 1],
            16,
            512,
            0xdead_0000,
            0xbeef_0000,
        );
        assert_eq!(u16::from_le_bytes([p[2], p[3]]), 3);
        assert_eq!(u16::from_le_bytes([p[6], p[7]]), 2);
        assert_eq!(u32::from_le_bytes(p[12..16].try_into().unwrap()), 1024);
        assert_eq!(u32::from_le_bytes(p[28..32].try_into().unwrap()), 512);
        assert_eq!(
            u64::from_le_bytes(p[40..48].try_into().unwrap()),
            0xbeef_0000
        );
    }
}

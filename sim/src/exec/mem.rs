//! The memory interface the executor uses for GPU virtual addresses.
//!
//! The fake kernel driver implements [`GpuMemory`] over its per-VM page table;
//! [`FlatMemory`] is a small region-list implementation for tests and benches.

/// A GPU virtual address that is not mapped (or not accessible the way asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemFault {
    /// The first faulting virtual address.
    pub va: u64,
    /// True when the faulting access was a write.
    pub write: bool,
}

/// Access to GPU virtual memory for one dispatch.
///
/// `read`/`write` are the only required methods. Accesses never straddle a
/// mapping boundary in a way the implementation must care about: it either
/// performs the whole access or returns the first faulting address.
pub trait GpuMemory {
    /// Reads `out.len()` bytes at `va`.
    fn read(&mut self, va: u64, out: &mut [u8]) -> Result<(), MemFault>;
    /// Writes `data` at `va`.
    fn write(&mut self, va: u64, data: &[u8]) -> Result<(), MemFault>;
    /// Fast path: a host slice for `len` bytes at `va` when the whole range is
    /// backed by one contiguous host buffer. `None` means "use read/write".
    fn host_slice(&mut self, va: u64, len: usize) -> Option<&mut [u8]> {
        let _ = (va, len);
        None
    }
}

/// A simple GPU memory: a list of non-overlapping host-backed regions.
#[derive(Debug, Default, Clone)]
pub struct FlatMemory {
    regions: Vec<(u64, Vec<u8>)>,
    last: usize,
}

impl FlatMemory {
    /// An empty address space.
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps `data` at `va` (regions must not overlap; later maps shadow nothing).
    pub fn map(&mut self, va: u64, data: Vec<u8>) {
        self.regions.push((va, data));
    }

    /// Maps `len` zero bytes at `va`.
    pub fn map_zeroed(&mut self, va: u64, len: usize) {
        self.map(va, vec![0; len]);
    }

    /// The bytes of the region that starts exactly at `va`.
    pub fn region(&self, va: u64) -> Option<&[u8]> {
        self.regions
            .iter()
            .find(|(b, _)| *b == va)
            .map(|(_, d)| d.as_slice())
    }

    /// Mutable bytes of the region that starts exactly at `va`.
    pub fn region_mut(&mut self, va: u64) -> Option<&mut Vec<u8>> {
        self.regions
            .iter_mut()
            .find(|(b, _)| *b == va)
            .map(|(_, d)| d)
    }

    fn find(&mut self, va: u64, len: usize) -> Option<(usize, usize)> {
        let fits = |(b, d): &(u64, Vec<u8>)| {
            va >= *b
                && va
                    .checked_add(len as u64)
                    .is_some_and(|e| e <= *b + d.len() as u64)
        };
        if let Some(r) = self.regions.get(self.last) {
            if fits(r) {
                return Some((self.last, (va - r.0) as usize));
            }
        }
        let i = self.regions.iter().position(fits)?;
        self.last = i;
        Some((i, (va - self.regions[i].0) as usize))
    }
}

impl GpuMemory for FlatMemory {
    fn read(&mut self, va: u64, out: &mut [u8]) -> Result<(), MemFault> {
        let (i, off) = self
            .find(va, out.len())
            .ok_or(MemFault { va, write: false })?;
        out.copy_from_slice(&self.regions[i].1[off..off + out.len()]);
        Ok(())
    }

    fn write(&mut self, va: u64, data: &[u8]) -> Result<(), MemFault> {
        let (i, off) = self
            .find(va, data.len())
            .ok_or(MemFault { va, write: true })?;
        self.regions[i].1[off..off + data.len()].copy_from_slice(data);
        Ok(())
    }

    fn host_slice(&mut self, va: u64, len: usize) -> Option<&mut [u8]> {
        let (i, off) = self.find(va, len)?;
        Some(&mut self.regions[i].1[off..off + len])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_memory_faults_outside_regions() {
        let mut m = FlatMemory::new();
        m.map_zeroed(0x1000, 16);
        m.write(0x1004, &[1, 2, 3, 4]).unwrap();
        let mut b = [0u8; 4];
        m.read(0x1004, &mut b).unwrap();
        assert_eq!(b, [1, 2, 3, 4]);
        assert_eq!(
            m.read(0x100e, &mut b),
            Err(MemFault {
                va: 0x100e,
                write: false
            })
        );
        assert_eq!(
            m.write(0x2000, &b),
            Err(MemFault {
                va: 0x2000,
                write: true
            })
        );
    }
}

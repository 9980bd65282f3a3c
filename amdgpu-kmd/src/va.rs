//! GPU virtual-address allocator for one VM: a first-fit free list inside
//! the window the kernel reports (DEV_INFO `virtual_address_offset` ..
//! `virtual_address_max`, granularity `virtual_address_alignment`), like
//! libdrm's `amdgpu_vamgr` (amdgpu/amdgpu_vamgr.c).

use std::collections::BTreeMap;

/// A free list of `[start, end)` ranges.
#[derive(Clone, Debug)]
pub struct VaAllocator {
    start: u64,
    end: u64,
    granule: u64,
    /// start -> end of each free range; ranges never touch (merged on free).
    free: BTreeMap<u64, u64>,
}

/// Why a range cannot be freed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadFree {
    /// Address given.
    pub addr: u64,
    /// Size given.
    pub size: u64,
}

impl VaAllocator {
    /// A window `[start, end)`; every address and size is a multiple of
    /// `granule` (a power of two, at least 4 KiB). `start` is rounded up and
    /// `end` down to it.
    pub fn new(start: u64, end: u64, granule: u64) -> Self {
        let granule = granule.max(4096).next_power_of_two();
        let start = start.div_ceil(granule).saturating_mul(granule);
        let end = end / granule * granule;
        let mut free = BTreeMap::new();
        if end > start {
            free.insert(start, end);
        }
        Self {
            start,
            end,
            granule,
            free,
        }
    }

    /// The window.
    pub fn window(&self) -> (u64, u64) {
        (self.start, self.end)
    }

    /// Allocation granularity.
    pub fn granule(&self) -> u64 {
        self.granule
    }

    /// Rounds `size` up to the granule (`None` on overflow or zero).
    pub fn round(&self, size: u64) -> Option<u64> {
        if size == 0 {
            return None;
        }
        size.checked_next_multiple_of(self.granule)
    }

    /// Lowest free address aligned to `align` (power of two; raised to the
    /// granule) with `size` bytes (rounded up to the granule) free after it.
    pub fn alloc(&mut self, size: u64, align: u64) -> Option<u64> {
        let size = self.round(size)?;
        let align = align.max(self.granule).checked_next_power_of_two()?;
        let (fstart, fend, addr) = self.free.iter().find_map(|(&s, &e)| {
            let a = s.checked_next_multiple_of(align)?;
            (a.checked_add(size)? <= e).then_some((s, e, a))
        })?;
        self.free.remove(&fstart);
        if fstart < addr {
            self.free.insert(fstart, addr);
        }
        if addr + size < fend {
            self.free.insert(addr + size, fend);
        }
        Some(addr)
    }

    /// Returns `[addr, addr + size)` (size rounded as in `alloc`). Fails when
    /// the range is outside the window or overlaps free space (double free).
    pub fn free(&mut self, addr: u64, size: u64) -> Result<(), BadFree> {
        let bad = BadFree { addr, size };
        let size = self.round(size).ok_or(bad)?;
        let end = addr.checked_add(size).ok_or(bad)?;
        if addr < self.start || end > self.end || !addr.is_multiple_of(self.granule) {
            return Err(bad);
        }
        // Overlap with the free range starting at or before addr, or after it.
        if let Some((_, &pe)) = self.free.range(..=addr).next_back() {
            if pe > addr {
                return Err(bad);
            }
        }
        if let Some((&ns, _)) = self.free.range(addr..).next() {
            if ns < end {
                return Err(bad);
            }
        }
        let mut new_start = addr;
        let mut new_end = end;
        if let Some((&ps, &pe)) = self.free.range(..addr).next_back() {
            if pe == addr {
                self.free.remove(&ps);
                new_start = ps;
            }
        }
        if let Some(&ne) = self.free.get(&end) {
            self.free.remove(&end);
            new_end = ne;
        }
        self.free.insert(new_start, new_end);
        Ok(())
    }

    /// Total free bytes.
    pub fn free_bytes(&self) -> u64 {
        self.free.iter().map(|(s, e)| e - s).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: u64 = 4096;

    #[test]
    fn window_is_rounded_to_the_granule() {
        let v = VaAllocator::new(0x20_0001, 0x40_0fff, G);
        assert_eq!(v.window(), (0x20_1000, 0x40_0000));
        assert_eq!(VaAllocator::new(0, 0, 3000).granule(), 4096);
    }

    #[test]
    fn alignment_and_first_fit() {
        let mut v = VaAllocator::new(0x1000, 0x100_0000, G);
        assert_eq!(v.alloc(1, 0), Some(0x1000)); // one page
        assert_eq!(v.alloc(0x1000, 0x10000), Some(0x10000)); // skips 0x2000..0x10000
        assert_eq!(v.alloc(0x3000, 0), Some(0x2000)); // fills the gap first-fit
        assert_eq!(v.alloc(0x20_0000, 0x20_0000), Some(0x20_0000));
        assert_eq!(v.alloc(0, 0), None);
        assert_eq!(v.alloc(u64::MAX, 0), None);
        assert_eq!(v.alloc(0x100_0000, 0), None); // larger than what is left
    }

    #[test]
    fn free_merges_and_detects_double_free() {
        let mut v = VaAllocator::new(0x1000, 0x10_1000, G);
        let total = v.free_bytes();
        let a = v.alloc(G, 0).unwrap();
        let b = v.alloc(2 * G, 0).unwrap();
        let c = v.alloc(G, 0).unwrap();
        assert_eq!((a, b, c), (0x1000, 0x2000, 0x4000));
        v.free(b, 2 * G).unwrap();
        assert_eq!(v.free(b, G), Err(BadFree { addr: b, size: G })); // double free
        assert_eq!(
            v.free(b + G, G),
            Err(BadFree {
                addr: b + G,
                size: G
            })
        );
        v.free(a, G).unwrap(); // merges with b's range
        assert_eq!(v.alloc(3 * G, 0), Some(a)); // the merged hole fits exactly
        v.free(a, 3 * G).unwrap();
        v.free(c, G).unwrap(); // merges both sides
        assert_eq!(v.free_bytes(), total);
        assert_eq!(v.alloc(total, 0), Some(0x1000));
        assert!(v.free(0, G).is_err()); // outside the window
        assert!(v.free(0x1800, G).is_err()); // misaligned
    }

    #[test]
    fn deterministic_stress_keeps_invariants() {
        // xorshift so the test is reproducible without a rand dependency.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut v = VaAllocator::new(0x10_0000, 0x1_0000_0000, G);
        let total = v.free_bytes();
        let mut live: Vec<(u64, u64)> = Vec::new();
        for _ in 0..2000 {
            if next() % 3 != 0 || live.is_empty() {
                let size = (next() % 64 + 1) * G;
                let align = G << (next() % 6);
                if let Some(a) = v.alloc(size, align) {
                    assert_eq!(a % align, 0);
                    for &(b, s) in &live {
                        assert!(a + size <= b || b + s <= a, "overlap");
                    }
                    live.push((a, size));
                }
            } else {
                let i = (next() as usize) % live.len();
                let (a, s) = live.swap_remove(i);
                v.free(a, s).unwrap();
            }
        }
        for (a, s) in live.drain(..) {
            v.free(a, s).unwrap();
        }
        assert_eq!(v.free_bytes(), total);
        assert_eq!(v.free.len(), 1);
    }
}

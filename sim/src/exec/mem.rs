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
    /// Read-only fast path: a host slice for `len` bytes at `va` (`None`: use `read`).
    fn read_slice(&mut self, va: u64, len: usize) -> Option<&[u8]> {
        self.host_slice(va, len).map(|s| &*s)
    }
    /// The readable host slice around `va`: `(first VA, bytes)` of the largest run of
    /// one host buffer that contains `va` (a backing chunk clipped to its mapping), for
    /// loads that gather many lanes. `None`: use `read_slice`/`read`.
    fn read_chunk(&mut self, va: u64) -> Option<(u64, &[u8])> {
        let _ = va;
        None
    }
    /// A view several threads can read at once, for running the workgroups of one
    /// dispatch in parallel ([`Overlay`]); `None` keeps the dispatch on one thread.
    fn shared(&self) -> Option<&dyn SharedRead> {
        None
    }
}

/// Read access to GPU memory that worker threads share during one dispatch.
pub trait SharedRead: Sync {
    /// Reads `out.len()` bytes at `va`.
    fn read_at(&self, va: u64, out: &mut [u8]) -> Result<(), MemFault>;
    /// A host slice for `[va, va + len)` when one host buffer backs it.
    fn slice_at(&self, va: u64, len: usize) -> Option<&[u8]>;
    /// `Ok` when `[va, va + len)` is mapped writable; the first faulting VA otherwise.
    fn check_write(&self, va: u64, len: usize) -> Result<(), MemFault>;
    /// As [`GpuMemory::read_chunk`].
    fn chunk_at(&self, va: u64) -> Option<(u64, &[u8])> {
        let _ = va;
        None
    }
}

const OPAGE: u64 = 4096;
/// log2 of the VA region size [`Overlay`] tracks written pages by.
const DIRTY_SHIFT: u32 = 16;

/// One copied-on-write page of an [`Overlay`] with the bytes written marked.
struct OverlayPage {
    data: Box<[u8; OPAGE as usize]>,
    dirty: [u64; (OPAGE / 64) as usize],
}

/// A worker's memory during a parallel dispatch: reads see the shared memory plus this
/// worker's own writes; writes stay here (copy-on-write 4 KiB pages, byte-exact dirty
/// masks) until [`Overlay::into_writes`] hands them back, to be applied in workgroup order.
pub struct Overlay<'a> {
    base: &'a dyn SharedRead,
    pages: std::collections::HashMap<u64, OverlayPage, super::counters::PageHash>,
    /// The 64 KiB VA regions holding written pages (a chunk outside them skips the pages).
    dirty: std::collections::HashSet<u64, super::counters::PageHash>,
}

impl<'a> Overlay<'a> {
    /// An empty overlay over `base`.
    pub fn new(base: &'a dyn SharedRead) -> Self {
        Self {
            base,
            pages: Default::default(),
            dirty: Default::default(),
        }
    }

    /// The written byte runs `(va, bytes)`, in address order.
    pub fn into_writes(self) -> Vec<(u64, Vec<u8>)> {
        let mut keys: Vec<u64> = self.pages.keys().copied().collect();
        keys.sort_unstable();
        let mut out: Vec<(u64, Vec<u8>)> = Vec::new();
        for k in keys {
            let p = &self.pages[&k];
            let mut i = 0usize;
            while i < OPAGE as usize {
                if p.dirty[i / 64] >> (i % 64) & 1 == 0 {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < OPAGE as usize && p.dirty[i / 64] >> (i % 64) & 1 != 0 {
                    i += 1;
                }
                let va = k * OPAGE + start as u64;
                match out.last_mut() {
                    Some((v, b)) if *v + b.len() as u64 == va => b.extend(&p.data[start..i]),
                    _ => out.push((va, p.data[start..i].to_vec())),
                }
            }
        }
        out
    }
}

impl GpuMemory for Overlay<'_> {
    fn read(&mut self, va: u64, out: &mut [u8]) -> Result<(), MemFault> {
        let mut done = 0usize;
        while done < out.len() {
            let cur = va.wrapping_add(done as u64);
            let (page, off) = (cur / OPAGE, (cur % OPAGE) as usize);
            let n = (OPAGE as usize - off).min(out.len() - done);
            match self.pages.get(&page) {
                Some(p) => out[done..done + n].copy_from_slice(&p.data[off..off + n]),
                None => self.base.read_at(cur, &mut out[done..done + n])?,
            }
            done += n;
        }
        Ok(())
    }

    fn write(&mut self, va: u64, data: &[u8]) -> Result<(), MemFault> {
        self.base.check_write(va, data.len())?;
        let mut done = 0usize;
        while done < data.len() {
            let cur = va.wrapping_add(done as u64);
            let (page, off) = (cur / OPAGE, (cur % OPAGE) as usize);
            let n = (OPAGE as usize - off).min(data.len() - done);
            let base = self.base;
            self.dirty.insert((page * OPAGE) >> DIRTY_SHIFT);
            let p = self.pages.entry(page).or_insert_with(|| {
                let mut data = Box::new([0u8; OPAGE as usize]);
                // Pages are mapped whole; a failed read leaves zeros (never read back).
                let _ = base.read_at(page * OPAGE, &mut data[..]);
                OverlayPage {
                    data,
                    dirty: [0; (OPAGE / 64) as usize],
                }
            });
            p.data[off..off + n].copy_from_slice(&data[done..done + n]);
            for i in off..off + n {
                p.dirty[i / 64] |= 1 << (i % 64);
            }
            done += n;
        }
        Ok(())
    }

    fn read_slice(&mut self, va: u64, len: usize) -> Option<&[u8]> {
        let end = va.checked_add(len as u64)?;
        let (first, last) = (va / OPAGE, (end.max(va + 1) - 1) / OPAGE);
        if first == last {
            if let Some(p) = self.pages.get(&first) {
                let off = (va % OPAGE) as usize;
                return Some(&p.data[off..off + len]);
            }
        }
        if (first..=last).any(|pg| self.pages.contains_key(&pg)) {
            return None;
        }
        self.base.slice_at(va, len)
    }

    fn read_chunk(&mut self, va: u64) -> Option<(u64, &[u8])> {
        let (start, bytes) = self.base.chunk_at(va)?;
        let end = start + bytes.len() as u64;
        let shadowed =
            (start >> DIRTY_SHIFT..=(end - 1) >> DIRTY_SHIFT).any(|r| self.dirty.contains(&r));
        if !shadowed {
            return Some((start, bytes));
        }
        // Some pages of the chunk were written by this worker: serve the run of unwritten
        // pages around `va` (small buffers written and read in one dispatch share regions).
        let page = va / OPAGE;
        if self.pages.contains_key(&page) {
            return None;
        }
        let (mut lo, mut hi) = (page, page + 1);
        while lo * OPAGE > start && !self.pages.contains_key(&(lo - 1)) {
            lo -= 1;
        }
        while hi * OPAGE < end && !self.pages.contains_key(&hi) {
            hi += 1;
        }
        let (a, b) = ((lo * OPAGE).max(start), (hi * OPAGE).min(end));
        Some((a, &bytes[(a - start) as usize..(b - start) as usize]))
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

    fn read_chunk(&mut self, va: u64) -> Option<(u64, &[u8])> {
        let (i, _) = self.find(va, 1)?;
        Some((self.regions[i].0, &self.regions[i].1))
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

    /// One 64 KiB host chunk at VA 0x10000 (bytes = low byte of the offset).
    struct OneChunk(Vec<u8>);
    impl SharedRead for OneChunk {
        fn read_at(&self, va: u64, out: &mut [u8]) -> Result<(), MemFault> {
            let o = va
                .checked_sub(0x10000)
                .ok_or(MemFault { va, write: false })? as usize;
            let s = self
                .0
                .get(o..o + out.len())
                .ok_or(MemFault { va, write: false })?;
            out.copy_from_slice(s);
            Ok(())
        }
        fn slice_at(&self, va: u64, len: usize) -> Option<&[u8]> {
            let o = va.checked_sub(0x10000)? as usize;
            self.0.get(o..o + len)
        }
        fn check_write(&self, va: u64, len: usize) -> Result<(), MemFault> {
            self.slice_at(va, len)
                .map(|_| ())
                .ok_or(MemFault { va, write: true })
        }
        fn chunk_at(&self, va: u64) -> Option<(u64, &[u8])> {
            self.slice_at(va, 1).map(|_| (0x10000, &self.0[..]))
        }
    }

    #[test]
    fn overlay_chunks_skip_pages_the_worker_wrote() {
        let base = OneChunk((0..0x10000u32).map(|i| i as u8).collect());
        let mut o = Overlay::new(&base);
        assert_eq!(
            o.read_chunk(0x12345).map(|(a, b)| (a, b.len())),
            Some((0x10000, 0x10000))
        );
        // Write one byte in page 5 (VA 0x15000..0x16000).
        o.write(0x15010, &[0xAA]).unwrap();
        // The written page is never served from the base chunk; its neighbours are, up to it.
        assert!(o.read_chunk(0x15800).is_none());
        assert_eq!(
            o.read_chunk(0x12345).map(|(a, b)| (a, b.len())),
            Some((0x10000, 0x5000))
        );
        let (a, b) = o.read_chunk(0x18000).unwrap();
        assert_eq!((a, b.len()), (0x16000, 0xA000));
        assert_eq!(b[0], 0x00); // VA 0x16000: offset 0x6000, low byte 0
        assert_eq!(b[0x123], 0x23);
        // Reads still see the write.
        let mut x = [0u8; 2];
        o.read(0x15010, &mut x).unwrap();
        assert_eq!(x, [0xAA, 0x11]);
    }
}

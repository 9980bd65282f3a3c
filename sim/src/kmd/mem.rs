//! Host-backed, sparse buffer storage and the per-VM GPU page table.
//!
//! A BO's bytes live in 64 KiB chunks allocated on first write (reads of an
//! untouched chunk return zeros), so an 8 GiB VRAM BO costs a chunk table,
//! not 8 GiB. CPU mappings and the GPU (through [`VmMem`]) see the same
//! chunks.

use std::collections::{BTreeMap, HashMap};

use crate::exec::counters::PageHash;
use crate::exec::mem::SharedRead;
use crate::exec::{GpuMemory, MemFault};

/// What an untouched chunk reads as (returned by [`SparseBuf::slice`]).
static ZERO_CHUNK: [u8; CHUNK] = [0; CHUNK];

/// Chunk size of the sparse backing store.
pub const CHUNK: usize = 64 * 1024;

/// One buffer object's bytes.
#[derive(Debug)]
pub struct SparseBuf {
    size: u64,
    chunks: Vec<Option<Box<[u8]>>>,
}

impl SparseBuf {
    /// An all-zero buffer of `size` bytes (nothing allocated yet).
    pub fn new(size: u64) -> Self {
        let n = size.div_ceil(CHUNK as u64) as usize;
        let mut chunks = Vec::new();
        chunks.resize_with(n, || None);
        Self { size, chunks }
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Bytes of host memory actually allocated.
    pub fn resident_bytes(&self) -> u64 {
        self.chunks.iter().filter(|c| c.is_some()).count() as u64 * CHUNK as u64
    }

    fn in_range(&self, off: u64, len: usize) -> bool {
        off.checked_add(len as u64).is_some_and(|e| e <= self.size)
    }

    /// Copies bytes out; `false` when out of range.
    pub fn read(&self, mut off: u64, out: &mut [u8]) -> bool {
        if !self.in_range(off, out.len()) {
            return false;
        }
        // The common GPU access: a few bytes inside one chunk (no memcpy call).
        let (ci, co) = ((off / CHUNK as u64) as usize, (off % CHUNK as u64) as usize);
        if out.len() <= 16 && co + out.len() <= CHUNK {
            match &self.chunks[ci] {
                Some(c) => {
                    for (o, i) in out.iter_mut().zip(&c[co..]) {
                        *o = *i;
                    }
                }
                None => out.fill(0),
            }
            return true;
        }
        let mut done = 0;
        while done < out.len() {
            let ci = (off / CHUNK as u64) as usize;
            let co = (off % CHUNK as u64) as usize;
            let n = (CHUNK - co).min(out.len() - done);
            match &self.chunks[ci] {
                Some(c) => out[done..done + n].copy_from_slice(&c[co..co + n]),
                None => out[done..done + n].fill(0),
            }
            done += n;
            off += n as u64;
        }
        true
    }

    fn chunk_mut(&mut self, ci: usize) -> &mut [u8] {
        self.chunks[ci].get_or_insert_with(|| vec![0u8; CHUNK].into_boxed_slice())
    }

    /// Copies bytes in; `false` when out of range.
    pub fn write(&mut self, mut off: u64, data: &[u8]) -> bool {
        if !self.in_range(off, data.len()) {
            return false;
        }
        let mut done = 0;
        while done < data.len() {
            let ci = (off / CHUNK as u64) as usize;
            let co = (off % CHUNK as u64) as usize;
            let n = (CHUNK - co).min(data.len() - done);
            self.chunk_mut(ci)[co..co + n].copy_from_slice(&data[done..done + n]);
            done += n;
            off += n as u64;
        }
        true
    }

    /// (chunk index, offset in it) when `[off, off+len)` lies inside one chunk.
    fn locate(&self, off: u64, len: usize) -> Option<(usize, usize)> {
        if !self.in_range(off, len) {
            return None;
        }
        let ci = (off / CHUNK as u64) as usize;
        let co = (off % CHUNK as u64) as usize;
        (co + len <= CHUNK).then_some((ci, co))
    }

    /// The chunk holding byte `off`: (offset of its first byte, its bytes, clipped to
    /// the buffer size; zeros if untouched).
    pub fn chunk(&self, off: u64) -> Option<(u64, &[u8])> {
        if off >= self.size {
            return None;
        }
        let ci = (off / CHUNK as u64) as usize;
        let first = ci as u64 * CHUNK as u64;
        let len = (self.size - first).min(CHUNK as u64) as usize;
        Some(match &self.chunks[ci] {
            Some(c) => (first, &c[..len]),
            None => (first, &ZERO_CHUNK[..len]),
        })
    }

    /// A host slice when `[off, off+len)` lies inside one chunk (zeros if untouched).
    pub fn slice(&self, off: u64, len: usize) -> Option<&[u8]> {
        let (ci, co) = self.locate(off, len)?;
        Some(match &self.chunks[ci] {
            Some(c) => &c[co..co + len],
            None => &ZERO_CHUNK[co..co + len],
        })
    }

    /// A mutable host slice when `[off, off+len)` lies inside one chunk.
    pub fn slice_mut(&mut self, off: u64, len: usize) -> Option<&mut [u8]> {
        let (ci, co) = self.locate(off, len)?;
        Some(&mut self.chunk_mut(ci)[co..co + len])
    }
}

/// Every live GEM object's storage, keyed by object id (not handle: CPU
/// mappings keep an object alive after its handle is closed, as in DRM).
#[derive(Debug, Default)]
pub struct Store {
    // Looked up on every GPU memory access: a one-multiply hasher, not SipHash.
    objs: HashMap<u64, (SparseBuf, usize), PageHash>,
}

impl Store {
    /// Adds an object with one reference.
    pub fn insert(&mut self, id: u64, size: u64) {
        self.objs.insert(id, (SparseBuf::new(size), 1));
    }
    /// Takes another reference.
    pub fn get_ref(&mut self, id: u64) {
        if let Some(o) = self.objs.get_mut(&id) {
            o.1 += 1;
        }
    }
    /// Drops a reference; frees the storage at zero.
    pub fn put(&mut self, id: u64) {
        if let Some(o) = self.objs.get_mut(&id) {
            o.1 -= 1;
            if o.1 == 0 {
                self.objs.remove(&id);
            }
        }
    }
    /// The object's bytes.
    pub fn buf(&self, id: u64) -> Option<&SparseBuf> {
        self.objs.get(&id).map(|o| &o.0)
    }
    /// The object's bytes, mutable.
    pub fn buf_mut(&mut self, id: u64) -> Option<&mut SparseBuf> {
        self.objs.get_mut(&id).map(|o| &mut o.0)
    }
    /// Host bytes allocated across all objects.
    pub fn resident_bytes(&self) -> u64 {
        self.objs.values().map(|o| o.0.resident_bytes()).sum()
    }
}

/// One VA mapping (`struct amdgpu_bo_va_mapping`: start, last, offset, flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapping {
    /// First VA.
    pub start: u64,
    /// One past the last VA.
    pub end: u64,
    /// GEM object id.
    pub obj: u64,
    /// Offset inside the BO.
    pub offset: u64,
    /// `AMDGPU_VM_PAGE_*` flags.
    pub flags: u32,
}

/// The GPU page table of one VM (one per DRM file, `amdgpu_vm`).
#[derive(Debug, Default)]
pub struct Vm {
    maps: BTreeMap<u64, Mapping>,
}

impl Vm {
    /// The mapping containing `va`.
    pub fn lookup(&self, va: u64) -> Option<&Mapping> {
        self.maps
            .range(..=va)
            .next_back()
            .map(|(_, m)| m)
            .filter(|m| va < m.end)
    }

    /// First mapping that overlaps `[start, end)`.
    pub fn overlapping(&self, start: u64, end: u64) -> Option<&Mapping> {
        if let Some(m) = self.lookup(start) {
            return Some(m);
        }
        self.maps.range(start..end).next().map(|(_, m)| m)
    }

    /// Inserts a mapping (caller checked for overlap).
    pub fn insert(&mut self, m: Mapping) {
        self.maps.insert(m.start, m);
    }

    /// Removes the mapping that starts exactly at `start` (AMDGPU_VA_OP_UNMAP).
    pub fn remove_at(&mut self, start: u64) -> Option<Mapping> {
        self.maps.remove(&start)
    }

    /// Removes every mapping of `obj`; returns how many.
    pub fn remove_obj(&mut self, obj: u64) -> usize {
        let before = self.maps.len();
        self.maps.retain(|_, m| m.obj != obj);
        before - self.maps.len()
    }

    /// Clears `[start, end)`, splitting mappings that straddle it
    /// (`amdgpu_vm_bo_clear_mappings`, used by CLEAR and REPLACE).
    pub fn clear_range(&mut self, start: u64, end: u64) {
        let hit: Vec<Mapping> = self
            .maps
            .values()
            .filter(|m| m.start < end && start < m.end)
            .copied()
            .collect();
        for m in hit {
            self.maps.remove(&m.start);
            if m.start < start {
                self.insert(Mapping { end: start, ..m });
            }
            if end < m.end {
                self.insert(Mapping {
                    start: end,
                    offset: m.offset + (end - m.start),
                    ..m
                });
            }
        }
    }

    /// Every mapping, by address.
    pub fn mappings(&self) -> impl Iterator<Item = &Mapping> {
        self.maps.values()
    }
}

/// The mapping of `va` through a one-entry cache, permission-checked for the access.
fn translate_cached(
    vm: &Vm,
    last: &mut Option<Mapping>,
    va: u64,
    write: bool,
) -> Result<Mapping, MemFault> {
    let m = match *last {
        Some(m) if va >= m.start && va < m.end => m,
        _ => {
            let m = *vm.lookup(va).ok_or(MemFault { va, write })?;
            *last = Some(m);
            m
        }
    };
    let need = if write {
        amdgpu_kmd::uapi::AMDGPU_VM_PAGE_WRITEABLE
    } else {
        amdgpu_kmd::uapi::AMDGPU_VM_PAGE_READABLE
    };
    if m.flags & need == 0 {
        return Err(MemFault { va, write });
    }
    Ok(m)
}

/// The GPU's view of memory during one job: page table + storage.
pub struct VmMem<'a> {
    /// The page table.
    pub vm: &'a Vm,
    /// The storage.
    pub store: &'a mut Store,
    last: Option<Mapping>,
}

impl<'a> VmMem<'a> {
    /// Binds a page table to the storage.
    pub fn new(vm: &'a Vm, store: &'a mut Store) -> Self {
        Self {
            vm,
            store,
            last: None,
        }
    }

    fn translate(&mut self, va: u64, write: bool) -> Result<Mapping, MemFault> {
        translate_cached(self.vm, &mut self.last, va, write)
    }

    /// Reads a little-endian dword.
    pub fn read_u32(&mut self, va: u64) -> Result<u32, MemFault> {
        let mut b = [0u8; 4];
        self.read(va, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Reads a little-endian qword.
    pub fn read_u64(&mut self, va: u64) -> Result<u64, MemFault> {
        let mut b = [0u8; 8];
        self.read(va, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }
}

impl GpuMemory for VmMem<'_> {
    fn read(&mut self, va: u64, out: &mut [u8]) -> Result<(), MemFault> {
        let (vm, last) = (self.vm, &mut self.last);
        copy_out(self.store, va, out, |cur| {
            translate_cached(vm, last, cur, false)
        })
    }

    fn write(&mut self, va: u64, data: &[u8]) -> Result<(), MemFault> {
        // Validate every page first so a faulting write leaves memory untouched.
        let mut done = 0usize;
        while done < data.len() {
            let cur = va.wrapping_add(done as u64);
            let m = self.translate(cur, true)?;
            done += ((m.end - cur) as usize).min(data.len() - done);
        }
        let mut done = 0usize;
        while done < data.len() {
            let cur = va.wrapping_add(done as u64);
            let m = self.translate(cur, true)?;
            let n = ((m.end - cur) as usize).min(data.len() - done);
            let fault = MemFault {
                va: cur,
                write: true,
            };
            let buf = self.store.buf_mut(m.obj).ok_or(fault)?;
            if !buf.write(m.offset + (cur - m.start), &data[done..done + n]) {
                return Err(fault);
            }
            done += n;
        }
        Ok(())
    }

    fn read_slice(&mut self, va: u64, len: usize) -> Option<&[u8]> {
        let m = self.translate(va, false).ok()?;
        if va.checked_add(len as u64)? > m.end {
            return None;
        }
        self.store.buf(m.obj)?.slice(m.offset + (va - m.start), len)
    }

    fn shared(&self) -> Option<&dyn SharedRead> {
        Some(self)
    }

    fn read_chunk(&mut self, va: u64) -> Option<(u64, &[u8])> {
        let m = self.translate(va, false).ok()?;
        chunk_in(self.store, &m, va)
    }

    fn host_slice(&mut self, va: u64, len: usize) -> Option<&mut [u8]> {
        // Writable mappings only: the executor may write through the slice.
        let m = self.translate(va, true).ok()?;
        if va.checked_add(len as u64)? > m.end {
            return None;
        }
        self.store
            .buf_mut(m.obj)?
            .slice_mut(m.offset + (va - m.start), len)
    }
}

impl VmMem<'_> {
    /// The mapping of `va` if it allows the access (no translation cache: shared use).
    fn lookup_for(&self, va: u64, write: bool) -> Result<Mapping, MemFault> {
        translate_cached(self.vm, &mut None, va, write)
    }
}

/// Copies `out.len()` bytes at `va` out of `store`, mapping by mapping (`lookup` finds
/// and permission-checks the mapping of an address).
/// The host bytes around `va` inside mapping `m`: one backing chunk, clipped to `m`.
fn chunk_in<'s>(store: &'s Store, m: &Mapping, va: u64) -> Option<(u64, &'s [u8])> {
    let off = m.offset + (va - m.start);
    let (first, bytes) = store.buf(m.obj)?.chunk(off)?;
    // VA of the chunk's first byte, then clip both ends to the mapping.
    let cva = va - (off - first);
    let skip = m.start.saturating_sub(cva);
    let start = cva + skip;
    let end = (cva + bytes.len() as u64).min(m.end);
    (end > va).then(|| (start, &bytes[skip as usize..(end - cva) as usize]))
}

fn copy_out(
    store: &Store,
    va: u64,
    out: &mut [u8],
    mut lookup: impl FnMut(u64) -> Result<Mapping, MemFault>,
) -> Result<(), MemFault> {
    let mut done = 0usize;
    while done < out.len() {
        let cur = va.wrapping_add(done as u64);
        let m = lookup(cur)?;
        let n = ((m.end - cur) as usize).min(out.len() - done);
        let fault = MemFault {
            va: cur,
            write: false,
        };
        let buf = store.buf(m.obj).ok_or(fault)?;
        if !buf.read(m.offset + (cur - m.start), &mut out[done..done + n]) {
            return Err(fault);
        }
        done += n;
    }
    Ok(())
}

impl SharedRead for VmMem<'_> {
    fn read_at(&self, va: u64, out: &mut [u8]) -> Result<(), MemFault> {
        copy_out(self.store, va, out, |cur| self.lookup_for(cur, false))
    }

    fn slice_at(&self, va: u64, len: usize) -> Option<&[u8]> {
        let m = self.lookup_for(va, false).ok()?;
        if va.checked_add(len as u64)? > m.end {
            return None;
        }
        self.store.buf(m.obj)?.slice(m.offset + (va - m.start), len)
    }

    fn chunk_at(&self, va: u64) -> Option<(u64, &[u8])> {
        let m = self.lookup_for(va, false).ok()?;
        chunk_in(self.store, &m, va)
    }

    fn check_write(&self, va: u64, len: usize) -> Result<(), MemFault> {
        let mut done = 0usize;
        while done < len {
            let cur = va.wrapping_add(done as u64);
            let m = self.lookup_for(cur, true)?;
            done += ((m.end - cur) as usize).min(len - done);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use amdgpu_kmd::uapi::{AMDGPU_VM_PAGE_READABLE as R, AMDGPU_VM_PAGE_WRITEABLE as W};

    #[test]
    fn sparse_buffer_is_lazy_and_zero() {
        let mut b = SparseBuf::new(8 << 30);
        assert_eq!(b.resident_bytes(), 0);
        let mut out = [1u8; 8];
        assert!(b.read(5 << 30, &mut out));
        assert_eq!(out, [0; 8]);
        // A write that straddles a chunk boundary touches two chunks.
        assert!(b.write(CHUNK as u64 - 2, &[1, 2, 3, 4]));
        assert_eq!(b.resident_bytes(), 2 * CHUNK as u64);
        assert!(b.read(CHUNK as u64 - 2, &mut out[..4]));
        assert_eq!(&out[..4], &[1, 2, 3, 4]);
        assert!(!b.write((8 << 30) - 2, &[0; 4]));
    }

    #[test]
    fn vm_translates_splits_and_faults() {
        let mut store = Store::default();
        store.insert(1, 0x2000);
        store.insert(2, 0x1000);
        let mut vm = Vm::default();
        vm.insert(Mapping {
            start: 0x10000,
            end: 0x11000,
            obj: 1,
            offset: 0x1000,
            flags: R | W,
        });
        vm.insert(Mapping {
            start: 0x11000,
            end: 0x12000,
            obj: 2,
            offset: 0,
            flags: R,
        });
        let mut mem = VmMem::new(&vm, &mut store);
        mem.write(0x10ffe, &[9, 9]).unwrap();
        let mut out = [0u8; 4];
        mem.read(0x10ffe, &mut out).unwrap(); // crosses into the second mapping
        assert_eq!(out, [9, 9, 0, 0]);
        assert_eq!(
            mem.write(0x10ffe, &[1, 2, 3, 4]),
            Err(MemFault {
                va: 0x11000,
                write: true
            })
        );
        assert_eq!(
            mem.read(0x12000, &mut out),
            Err(MemFault {
                va: 0x12000,
                write: false
            })
        );
        assert!(mem.host_slice(0x10000, 16).is_some());
        assert!(mem.host_slice(0x11000, 16).is_none()); // read-only
        let mut b = [0u8; 2];
        assert!(store.buf(1).unwrap().read(0x1ffe, &mut b));
        assert_eq!(b, [9, 9]);
    }

    #[test]
    fn clear_range_splits() {
        let mut vm = Vm::default();
        vm.insert(Mapping {
            start: 0x10000,
            end: 0x20000,
            obj: 1,
            offset: 0,
            flags: R,
        });
        vm.clear_range(0x14000, 0x15000);
        let v: Vec<_> = vm.mappings().map(|m| (m.start, m.end, m.offset)).collect();
        assert_eq!(v, vec![(0x10000, 0x14000, 0), (0x15000, 0x20000, 0x5000)]);
        assert!(vm.overlapping(0x14000, 0x15000).is_none());
        assert!(vm.overlapping(0x13000, 0x15000).is_some());
    }
}

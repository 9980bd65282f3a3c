//! A bounds-checked little-endian cursor whose errors carry the offset and
//! the name of the field being read.

use super::{GgufError, Result};

pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    pub(super) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(super) fn bytes(&mut self, n: u64, what: &str) -> Result<&'a [u8]> {
        if n > self.remaining() as u64 {
            return Err(GgufError::Truncated {
                offset: self.pos,
                need: n,
                len: self.buf.len(),
                what: what.to_string(),
            });
        }
        let s = &self.buf[self.pos..self.pos + n as usize];
        self.pos += n as usize;
        Ok(s)
    }

    pub(super) fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N as u64, what)?);
        Ok(a)
    }

    pub(super) fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }
    pub(super) fn u16(&mut self, what: &str) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }
    pub(super) fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    pub(super) fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// A GGUF string: u64 length then UTF-8 bytes.
    pub(super) fn string(&mut self, what: &str) -> Result<String> {
        let n = self.u64(what)?;
        let off = self.pos;
        let b = self.bytes(n, what)?;
        String::from_utf8(b.to_vec()).map_err(|_| GgufError::BadUtf8 {
            offset: off,
            what: what.to_string(),
        })
    }

    /// Rejects `count` items of at least `min_size` bytes each when the rest
    /// of the file cannot hold them (so a corrupt count cannot make us
    /// allocate gigabytes).
    pub(super) fn check_count(&self, count: u64, min_size: u64, what: &str) -> Result<()> {
        if count.saturating_mul(min_size) > self.remaining() as u64 {
            return Err(GgufError::CountTooLarge {
                offset: self.pos,
                count,
                remaining: self.remaining(),
                what: what.to_string(),
            });
        }
        Ok(())
    }
}

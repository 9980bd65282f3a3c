//! Which dispatches need a barrier before them: read-after-write, write-after-read and
//! write-after-write hazards on whole buffers since the last barrier.
//!
//! Dispatches between two barriers may run concurrently on hardware (the CP launches the
//! next DISPATCH_DIRECT while earlier waves still run), so a dispatch that touches a buffer an
//! earlier one in the same group writes — or writes one it reads — must wait for the group
//! to drain and for the caches to be invalidated (`IbBuilder::barrier`).

use std::collections::HashSet;

/// Buffers touched since the last barrier.
#[derive(Debug, Default, Clone)]
pub(crate) struct Hazards {
    read: HashSet<usize>,
    written: HashSet<usize>,
}

impl Hazards {
    /// True when a dispatch reading `reads` and writing `writes` must wait for the
    /// dispatches recorded since the last barrier.
    pub(crate) fn conflicts(&self, reads: &[usize], writes: &[usize]) -> bool {
        reads.iter().any(|b| self.written.contains(b))
            || writes
                .iter()
                .any(|b| self.written.contains(b) || self.read.contains(b))
    }

    /// Records a dispatch's accesses.
    pub(crate) fn record(&mut self, reads: &[usize], writes: &[usize]) {
        self.read.extend(reads);
        self.written.extend(writes);
    }

    /// A barrier was emitted: nothing is in flight any more.
    pub(crate) fn clear(&mut self) {
        self.read.clear();
        self.written.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn independent_reads_share_a_group_and_hazards_split_it() {
        let mut h = Hazards::default();
        // q = Wq·h, k = Wk·h: both read h and write different buffers.
        assert!(!h.conflicts(&[1, 2], &[10]));
        h.record(&[1, 2], &[10]);
        assert!(!h.conflicts(&[1, 3], &[11]));
        h.record(&[1, 3], &[11]);
        // RAW: reads q.
        assert!(h.conflicts(&[10], &[12]));
        // WAR: writes h, which the group reads.
        assert!(h.conflicts(&[], &[1]));
        // WAW.
        assert!(h.conflicts(&[], &[11]));
        h.clear();
        assert!(!h.conflicts(&[10, 11], &[1]));
    }
}

//! The linked symbol list and merge queue both merge tokenizers (SPM and BPE) work on
//! (llama.cpp `llm_symbol`, `llm_bigram_spm`, `llm_bigram_bpe` in `src/llama-vocab.cpp`).

use std::cmp::Ordering;

use super::unicode::len_utf8;

/// A live piece of the text: a byte range plus links to its neighbours (`n == 0` means
/// merged away).
#[derive(Clone, Copy)]
pub(super) struct Symbol {
    pub prev: Option<usize>,
    pub next: Option<usize>,
    pub start: usize,
    pub n: usize,
}

/// Appends one symbol per UTF-8 character of `bytes[offset..]`, linked to each other and
/// to the symbol already last in `symbols` (a truncated character stays one symbol).
pub(super) fn push_chars(symbols: &mut Vec<Symbol>, bytes: &[u8], mut offset: usize) {
    while offset < bytes.len() {
        let n = len_utf8(bytes[offset]).min(bytes.len() - offset);
        let index = symbols.len();
        symbols.push(Symbol {
            prev: index.checked_sub(1),
            next: if offset + n == bytes.len() {
                None
            } else {
                Some(index + 1)
            },
            start: offset,
            n,
        });
        offset += n;
    }
}

/// Merges symbol `right` into its left neighbour `left`.
pub(super) fn merge(symbols: &mut [Symbol], left: usize, right: usize) {
    let r = symbols[right];
    symbols[left].n += r.n;
    symbols[right].n = 0;
    symbols[left].next = r.next;
    if let Some(next) = r.next {
        symbols[next].prev = Some(left);
    }
}

/// A merge candidate: the queue pops the greatest `key` first, ties to the leftmost pair
/// (both llama.cpp comparators). `extra` is what the tokenizer needs to spot stale pairs.
pub(super) struct Candidate<K, E> {
    pub left: usize,
    pub right: usize,
    pub key: K,
    pub extra: E,
}

impl<K: PartialOrd, E> PartialEq for Candidate<K, E> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<K: PartialOrd, E> Eq for Candidate<K, E> {}
impl<K: PartialOrd, E> PartialOrd for Candidate<K, E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<K: PartialOrd, E> Ord for Candidate<K, E> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key
            .partial_cmp(&other.key)
            .unwrap_or(Ordering::Equal)
            .then_with(|| other.left.cmp(&self.left))
    }
}

//! SentencePiece-style merging by token score (llama.cpp `llm_tokenizer_spm_session`
//! in `src/llama-vocab.cpp`): start from single UTF-8 characters, repeatedly merge the
//! adjacent pair whose concatenation is the best-scoring vocabulary token, and fall
//! back to `<0xXX>` byte tokens for pieces that are not in the vocabulary.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::unicode::len_utf8;
use super::Tokenizer;

/// A live piece of the text: a byte range plus links to its neighbours
/// (llama.cpp `llm_symbol`; `n == 0` means merged away).
#[derive(Clone, Copy)]
struct Symbol {
    prev: Option<usize>,
    next: Option<usize>,
    start: usize,
    n: usize,
}

/// A merge candidate (llama.cpp `llm_bigram_spm`).
struct Bigram {
    left: usize,
    right: usize,
    score: f32,
    size: usize,
}

impl PartialEq for Bigram {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Bigram {}
impl PartialOrd for Bigram {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Bigram {
    /// The heap pops the highest score first; ties go to the leftmost pair
    /// (llama.cpp `llm_bigram_spm::comparator`).
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .partial_cmp(&other.score)
            .unwrap_or(Ordering::Equal)
            .then_with(|| other.left.cmp(&self.left))
    }
}

/// Tokenize one run of text (spaces already escaped to `▁`), appending ids to `out`.
pub(super) fn tokenize(tok: &Tokenizer, text: &str, out: &mut Vec<u32>) {
    let bytes = text.as_bytes();
    let mut symbols: Vec<Symbol> = Vec::new();
    let mut offs = 0;
    while offs < bytes.len() {
        let n = len_utf8(bytes[offs]).min(bytes.len() - offs);
        let index = symbols.len();
        symbols.push(Symbol {
            prev: index.checked_sub(1),
            next: if offs + n == bytes.len() {
                None
            } else {
                Some(index + 1)
            },
            start: offs,
            n,
        });
        offs += n;
    }

    let mut queue = BinaryHeap::new();
    let try_add =
        |symbols: &[Symbol], queue: &mut BinaryHeap<Bigram>, l: Option<usize>, r: Option<usize>| {
            let (Some(left), Some(right)) = (l, r) else {
                return;
            };
            let start = symbols[left].start;
            let size = symbols[left].n + symbols[right].n;
            let Some(piece) = text.get(start..start + size) else {
                return;
            };
            if let Some(id) = tok.text_to_token(piece) {
                queue.push(Bigram {
                    left,
                    right,
                    score: tok.score(id),
                    size,
                });
            }
        };
    for i in 1..symbols.len() {
        try_add(&symbols, &mut queue, Some(i - 1), Some(i));
    }

    while let Some(b) = queue.pop() {
        let (l, r) = (symbols[b.left], symbols[b.right]);
        // Skip pairs where one side was merged since the pair was queued.
        if l.n == 0 || r.n == 0 || l.n + r.n != b.size {
            continue;
        }
        symbols[b.left].n += r.n;
        symbols[b.right].n = 0;
        symbols[b.left].next = r.next;
        if let Some(next) = r.next {
            symbols[next].prev = Some(b.left);
        }
        try_add(&symbols, &mut queue, symbols[b.left].prev, Some(b.left));
        try_add(&symbols, &mut queue, Some(b.left), symbols[b.left].next);
    }

    // Every merged piece is a vocabulary token; only single characters can be
    // missing, and those become byte tokens (llama.cpp `resegment`; its `rev_merge`
    // lookup can never hit for a single character).
    let mut i = if symbols.is_empty() { None } else { Some(0) };
    while let Some(k) = i {
        let s = symbols[k];
        let piece = &bytes[s.start..s.start + s.n];
        match std::str::from_utf8(piece)
            .ok()
            .and_then(|p| tok.text_to_token(p))
        {
            Some(id) => out.push(id),
            None => out.extend(piece.iter().filter_map(|&b| tok.byte_to_token(b))),
        }
        i = s.next;
    }
}

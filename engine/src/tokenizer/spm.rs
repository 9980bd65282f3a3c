//! SentencePiece-style merging by token score (llama.cpp `llm_tokenizer_spm_session`
//! in `src/llama-vocab.cpp`): start from single UTF-8 characters, repeatedly merge the
//! adjacent pair whose concatenation is the best-scoring vocabulary token, and fall
//! back to `<0xXX>` byte tokens for pieces that are not in the vocabulary.

use std::collections::BinaryHeap;

use super::symbols::{merge, push_chars, Candidate, Symbol};
use super::Tokenizer;

/// A merge candidate (llama.cpp `llm_bigram_spm`): highest score first, with the merged
/// byte length.
type Bigram = Candidate<f32, usize>;

/// Tokenize one run of text (spaces already escaped to `▁`), appending ids to `out`.
pub(super) fn tokenize(tok: &Tokenizer, text: &str, out: &mut Vec<u32>) {
    let bytes = text.as_bytes();
    let mut symbols: Vec<Symbol> = Vec::new();
    push_chars(&mut symbols, bytes, 0);

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
                    key: tok.score(id),
                    extra: size,
                });
            }
        };
    for i in 1..symbols.len() {
        try_add(&symbols, &mut queue, Some(i - 1), Some(i));
    }

    while let Some(b) = queue.pop() {
        let (l, r) = (symbols[b.left], symbols[b.right]);
        // Skip pairs where one side was merged since the pair was queued.
        if l.n == 0 || r.n == 0 || l.n + r.n != b.extra {
            continue;
        }
        merge(&mut symbols, b.left, b.right);
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

//! GPT-2 byte-level BPE (llama.cpp `llm_tokenizer_bpe_session::tokenize` in
//! `src/llama-vocab.cpp`): pre-tokenize into words, byte-encode each word, then
//! repeatedly apply the lowest-ranked merge among adjacent symbols.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::symbols::{merge, push_chars, Candidate, Symbol};
use super::unicode::byte_encode;
use super::Tokenizer;

/// A merge candidate (llama.cpp `llm_bigram_bpe`): lowest rank first, with the merged text.
type Bigram = Candidate<Reverse<u32>, String>;

/// Tokenize one text fragment (no special tokens inside), appending ids to `out`.
pub(super) fn tokenize(tok: &Tokenizer, text: &str, out: &mut Vec<u32>) {
    let Some(pre) = tok.pre else {
        return;
    };
    for raw_word in pre.split(text) {
        let word = byte_encode(raw_word);
        merge_word(tok, &word, out);
    }
}

/// Merge one byte-encoded word and emit its tokens.
fn merge_word(tok: &Tokenizer, word: &str, out: &mut Vec<u32>) {
    let bytes = word.as_bytes();
    let mut symbols: Vec<Symbol> = Vec::new();
    let mut offset = 0;
    if tok.ignore_merges && tok.text_to_token(word).is_some() {
        symbols.push(Symbol {
            prev: None,
            next: None,
            start: 0,
            n: bytes.len(),
        });
        offset = bytes.len();
    }
    push_chars(&mut symbols, bytes, offset);

    let text_of = |s: &Symbol| &word[s.start..s.start + s.n];
    let mut queue = BinaryHeap::new();
    let add =
        |symbols: &[Symbol], queue: &mut BinaryHeap<Bigram>, l: Option<usize>, r: Option<usize>| {
            let (Some(left), Some(right)) = (l, r) else {
                return;
            };
            let (lt, rt) = (text_of(&symbols[left]), text_of(&symbols[right]));
            if let Some(rank) = tok.bpe_rank(lt, rt) {
                queue.push(Bigram {
                    left,
                    right,
                    key: Reverse(rank),
                    extra: format!("{lt}{rt}"),
                });
            }
        };
    for i in 1..symbols.len() {
        add(&symbols, &mut queue, Some(i - 1), Some(i));
    }

    while let Some(b) = queue.pop() {
        let (l, r) = (symbols[b.left], symbols[b.right]);
        if l.n == 0 || r.n == 0 {
            continue;
        }
        // Skip pairs made stale by an earlier merge.
        let (lt, rt) = (text_of(&l), text_of(&r));
        let text = &b.extra;
        if lt.len() + rt.len() != text.len() || !text.starts_with(lt) || !text.ends_with(rt) {
            continue;
        }
        merge(&mut symbols, b.left, b.right);
        add(&symbols, &mut queue, symbols[b.left].prev, Some(b.left));
        add(&symbols, &mut queue, Some(b.left), symbols[b.left].next);
    }

    // Live symbols in index order are the word's tokens in order.
    for s in symbols.iter().filter(|s| s.n > 0) {
        let piece = text_of(s);
        match tok.text_to_token(piece) {
            Some(id) => out.push(id),
            None => {
                // llama.cpp looks each raw byte up as a one-byte string; only ASCII
                // bytes can be vocabulary strings (tokens are UTF-8).
                for &b in piece.as_bytes() {
                    if b.is_ascii() {
                        if let Some(id) = tok.text_to_token(std::str::from_utf8(&[b]).unwrap_or(""))
                        {
                            out.push(id);
                        }
                    }
                }
            }
        }
    }
}

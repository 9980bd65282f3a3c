//! Ids back to text: llama.cpp `llama_decode_text`, `token_to_piece` and
//! `detokenize` (src/llama-vocab.cpp), plus a streaming decoder that only ever
//! hands out complete UTF-8.

use super::unicode::char_to_byte;
use super::Tokenizer;

/// GPT-2 byte-decoding of a normal BPE token (llama.cpp `llama_decode_text`).
/// A character outside the byte alphabet becomes `[UNK_BYTE_0x..<token>]`, as in llama.cpp.
pub(super) fn gpt2_decode_text(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match char_to_byte(c) {
            Some(b) => out.push(b),
            None => {
                out.extend_from_slice(b"[UNK_BYTE_0x");
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.extend_from_slice(format!("{b:02x}").as_bytes());
                }
                out.extend_from_slice(text.as_bytes());
                out.push(b']');
            }
        }
    }
    out
}

/// The byte of a `<0xXX>` token (llama.cpp `token_to_byte`: `strtol(text.substr(3, 2), 16)`,
/// which reads the leading hex digits and gives 0 when there are none).
pub(super) fn byte_token_value(text: &str) -> u8 {
    let digits = text.get(3..).unwrap_or("");
    let mut v: u32 = 0;
    for c in digits.chars().take(2) {
        match c.to_digit(16) {
            Some(d) => v = v * 16 + d,
            None => break,
        }
    }
    v as u8
}

/// llama.cpp `llama_vocab::impl::detokenize`.
pub(super) fn detokenize(
    tok: &Tokenizer,
    mut ids: &[u32],
    remove_special: bool,
    unparse_special: bool,
) -> Vec<u8> {
    let mut remove_space = tok.add_space_prefix;
    if remove_special && tok.add_bos && !ids.is_empty() && ids.first().copied() == tok.bos {
        remove_space = false;
        ids = &ids[1..];
    }
    if remove_special && tok.add_eos && !ids.is_empty() && ids.last().copied() == tok.eos {
        ids = &ids[..ids.len() - 1];
    }
    let mut text = Vec::new();
    for &id in ids {
        let mut piece = tok.token_to_piece(id, unparse_special);
        // lstrip = 1 for the first token when the tokenizer adds a space prefix.
        if remove_space && piece.first() == Some(&b' ') {
            piece = &piece[1..];
        }
        remove_space = false;
        text.extend_from_slice(piece);
    }
    if tok.clean_spaces {
        clean_up_spaces(&mut text);
    }
    text
}

/// The three clean-up passes of `detokenize` (`clean_up_tokenization_spaces`),
/// ported in place byte for byte, including how pass 2 blanks the skipped space.
fn clean_up_spaces(text: &mut Vec<u8>) {
    // Pass 1: " ?", " !", " .", " ," lose the space.
    let total1 = text.len();
    let mut total = usize::from(total1 > 0);
    for i in 1..total1 {
        let x = text[i];
        if text[i - 1] == b' ' && matches!(x, b'?' | b'!' | b'.' | b',') {
            total -= 1;
        }
        text[total] = x;
        total += 1;
    }
    // Pass 2: " ' " becomes "'".
    let total2 = total;
    total = usize::from(total2 > 0);
    let mut i = 1;
    while i < total2 {
        let x = text[i];
        if x == b'\'' && i + 1 < total2 && text[i - 1] == b' ' && text[i + 1] == b' ' {
            total -= 1;
            i += 1;
            text[i] = 0;
        }
        text[total] = x;
        total += 1;
        i += 1;
    }
    // Pass 3: " 's", " 'm", " 're", " 've" lose the space.
    let total3 = total;
    total = usize::from(total3 > 0);
    for i in 1..total3 {
        let x = text[i];
        if text[i - 1] == b' ' && x == b'\'' && i + 1 < total3 {
            let x1 = text[i + 1];
            if x1 == b's' || x1 == b'm' {
                total -= 1;
            } else if x1 != b't' && x1 != b'd' && i + 2 < total3 {
                let x2 = text[i + 2];
                if (x1 == b'r' || x1 == b'v') && x2 == b'e' {
                    total -= 1;
                }
            }
        }
        text[total] = x;
        total += 1;
    }
    text.truncate(total);
}

/// Streaming detokenizer for generation: feed ids one by one, get back text that is
/// always valid UTF-8. Bytes of an incomplete multi-byte sequence (e.g. an emoji
/// split over byte tokens) are held until the sequence completes; bytes that can
/// never form valid UTF-8 become U+FFFD.
#[derive(Debug)]
pub struct IncrementalDecoder<'t> {
    tok: &'t Tokenizer,
    special: bool,
    pending: Vec<u8>,
}

impl<'t> IncrementalDecoder<'t> {
    /// `special`: render control tokens (e.g. `<end_of_turn>`) as their text.
    pub fn new(tok: &'t Tokenizer, special: bool) -> IncrementalDecoder<'t> {
        IncrementalDecoder {
            tok,
            special,
            pending: Vec::new(),
        }
    }

    /// Add one token; returns the text that became complete (possibly empty).
    pub fn push(&mut self, id: u32) -> String {
        // Pieces as llama.cpp's `common_token_to_piece` gives them (no lstrip):
        // generated text continues a prompt, so no space prefix is removed.
        let piece = self.tok.token_to_piece(id, self.special);
        self.pending.extend_from_slice(piece);
        self.take_complete(false)
    }

    /// End of stream: returns what is left, incomplete sequences as U+FFFD.
    pub fn flush(&mut self) -> String {
        self.take_complete(true)
    }

    fn take_complete(&mut self, at_end: bool) -> String {
        let mut out = String::new();
        let mut rest: &[u8] = &self.pending;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    out.push_str(s);
                    rest = &[];
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    // `good` is valid by construction.
                    out.push_str(std::str::from_utf8(good).unwrap_or_default());
                    match e.error_len() {
                        Some(n) => {
                            out.push('\u{FFFD}');
                            rest = &bad[n..];
                        }
                        None if at_end => {
                            out.push('\u{FFFD}');
                            rest = &[];
                            break;
                        }
                        None => {
                            rest = bad;
                            break;
                        }
                    }
                }
            }
        }
        self.pending = rest.to_vec();
        out
    }
}

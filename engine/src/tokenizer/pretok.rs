//! BPE pre-tokenizers: split text into words before the merges run, exactly as
//! llama.cpp does it (`llm_tokenizer_bpe` picks the regexes in `src/llama-vocab.cpp`;
//! `unicode_regex_split` and its hand-written matchers `unicode_regex_split_custom_gpt2`,
//! `_llama3`, `_qwen2` in `src/unicode.cpp` run them). Each step refines a list of
//! piece lengths (in code points); a later regex never crosses an earlier boundary.

use super::unicode::{flags, tolower, CptFlags};

/// Which regex list a BPE vocabulary uses (llama.cpp `llama_vocab_pre_type`, the
/// families we implement).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreTokenizer {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`
    /// (gpt-2, mpt, olmo, jais, trillion, granite-docling).
    Gpt2,
    /// `\p{N}` first, then the GPT-2 regex (smollm, starcoder, refact, command-r,
    /// codeshell, exaone, minerva, mellum2).
    Smollm,
    /// The Llama 3 regex with `\p{N}{1,3}` (llama3, llama-bpe, falcon3, pixtral, ...).
    Llama3,
    /// The Llama 3 regex with single digits `\p{N}` (qwen2, stablelm2, ...).
    Qwen2,
}

impl PreTokenizer {
    /// Split `text` into words (not yet byte-encoded).
    pub fn split(self, text: &str) -> Vec<&str> {
        let cpts: Vec<u32> = text.chars().map(|c| c as u32).collect();
        let mut offsets = vec![cpts.len()];
        match self {
            PreTokenizer::Gpt2 => offsets = split_gpt2(&cpts, &offsets),
            PreTokenizer::Smollm => {
                offsets = split_each_number(&cpts, &offsets);
                offsets = split_gpt2(&cpts, &offsets);
            }
            PreTokenizer::Llama3 => offsets = split_llama3(&cpts, &offsets, Digits::UpTo3),
            PreTokenizer::Qwen2 => offsets = split_llama3(&cpts, &offsets, Digits::One),
        }
        // Code point lengths back to byte slices of the input.
        let mut words = Vec::with_capacity(offsets.len());
        let mut chars = text.char_indices().map(|(i, _)| i).chain([text.len()]);
        let mut start_byte = chars.next().unwrap_or(0);
        for len in offsets {
            let mut end_byte = start_byte;
            for _ in 0..len {
                end_byte = chars.next().unwrap_or(text.len());
            }
            words.push(&text[start_byte..end_byte]);
            start_byte = end_byte;
        }
        words
    }
}

/// Marks "no code point here" (llama.cpp `OUT_OF_RANGE`).
const OUT_OF_RANGE: u32 = 0xFFFF_FFFF;

/// One piece being split: reads outside `[ini, end)` see no code point and no flags,
/// which is how the hand-written matchers implement `(?!\S)` and end-of-text.
struct Piece<'a> {
    cpts: &'a [u32],
    ini: usize,
    end: usize,
    prev_end: usize,
    out: &'a mut Vec<usize>,
}

impl Piece<'_> {
    fn cpt(&self, pos: usize) -> u32 {
        if self.ini <= pos && pos < self.end {
            self.cpts[pos]
        } else {
            OUT_OF_RANGE
        }
    }
    fn flags(&self, pos: usize) -> CptFlags {
        if self.ini <= pos && pos < self.end {
            flags(self.cpts[pos])
        } else {
            CptFlags::NONE
        }
    }
    /// Close the current word at `end`; returns its length (llama.cpp `_add_token`).
    fn add(&mut self, end: usize) -> usize {
        let len = end - self.prev_end;
        if len > 0 {
            self.out.push(len);
        }
        self.prev_end = end;
        len
    }
}

/// Run `f` over every piece of `offsets`.
fn for_each_piece(
    cpts: &[u32],
    offsets: &[usize],
    mut f: impl FnMut(&mut Piece<'_>),
) -> Vec<usize> {
    let mut out = Vec::with_capacity(offsets.len());
    let mut start = 0;
    for &len in offsets {
        let mut piece = Piece {
            cpts,
            ini: start,
            end: start + len,
            prev_end: start,
            out: &mut out,
        };
        f(&mut piece);
        start += len;
    }
    out
}

/// The regex `\p{N}` as llama.cpp runs it through `std::regex` on its "collapsed"
/// text (`unicode_regex_split` + `unicode_regex_split_stl`): every number code point
/// becomes its own word, the runs between them stay whole.
fn split_each_number(cpts: &[u32], offsets: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(offsets.len());
    let mut start = 0;
    for &len in offsets {
        let mut run = 0;
        for &c in &cpts[start..start + len] {
            // Collapsed text: ASCII stays itself (only 0-9 match), other code points
            // become their category byte unless they are whitespace.
            let f = flags(c);
            let is_num = if c < 128 {
                (b'0' as u32..=b'9' as u32).contains(&c)
            } else {
                !f.is_whitespace() && f.is_number()
            };
            if is_num {
                if run > 0 {
                    out.push(run);
                    run = 0;
                }
                out.push(1);
            } else {
                run += 1;
            }
        }
        if run > 0 {
            out.push(run);
        }
        start += len;
    }
    out
}

/// `unicode_regex_split_custom_gpt2`:
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`
fn split_gpt2(cpts: &[u32], offsets: &[usize]) -> Vec<usize> {
    for_each_piece(cpts, offsets, |p| {
        let mut pos = p.ini;
        while pos < p.end {
            let cpt = p.cpt(pos);
            let fl = p.flags(pos);

            // 's|'t|'re|'ve|'m|'ll|'d
            if cpt == '\'' as u32 && pos + 1 < p.end {
                let next = p.cpt(pos + 1);
                if [b's', b't', b'm', b'd'].iter().any(|&c| next == c as u32) {
                    pos += p.add(pos + 2);
                    continue;
                }
                if pos + 2 < p.end {
                    let next2 = p.cpt(pos + 2);
                    if is_re_ve_ll(next, next2) {
                        pos += p.add(pos + 3);
                        continue;
                    }
                }
            }

            let sp = cpt == ' ' as u32;
            let mut f2 = if sp { p.flags(pos + 1) } else { fl };
            // <space>?\p{L}+
            if f2.is_letter() {
                pos += sp as usize;
                while f2.is_letter() {
                    pos += 1;
                    f2 = p.flags(pos);
                }
                p.add(pos);
                continue;
            }
            // <space>?\p{N}+
            if f2.is_number() {
                pos += sp as usize;
                while f2.is_number() {
                    pos += 1;
                    f2 = p.flags(pos);
                }
                p.add(pos);
                continue;
            }
            // <space>?[^\s\p{L}\p{N}]+
            if is_other(f2) {
                pos += sp as usize;
                while is_other(f2) {
                    pos += 1;
                    f2 = p.flags(pos);
                }
                p.add(pos);
                continue;
            }

            let mut num_ws = 0;
            while p.flags(pos + num_ws).is_whitespace() {
                num_ws += 1;
            }
            // \s+(?!\S)
            if num_ws > 1 && p.cpt(pos + num_ws) != OUT_OF_RANGE {
                pos += num_ws - 1;
                p.add(pos);
                continue;
            }
            // \s+
            if num_ws > 0 {
                pos += num_ws;
                p.add(pos);
                continue;
            }
            // no match
            pos += 1;
            p.add(pos);
        }
    })
}

/// How many digits one word may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Digits {
    /// `\p{N}{1,3}` (llama3)
    UpTo3,
    /// `\p{N}` (qwen2)
    One,
}

/// `unicode_regex_split_custom_llama3` / `_qwen2`:
/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
///  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
fn split_llama3(cpts: &[u32], offsets: &[usize], digits: Digits) -> Vec<usize> {
    let is_cr_lf = |c: u32| c == '\r' as u32 || c == '\n' as u32;
    for_each_piece(cpts, offsets, |p| {
        let mut pos = p.ini;
        while pos < p.end {
            let cpt = p.cpt(pos);
            let fl = p.flags(pos);

            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if cpt == '\'' as u32 && pos + 1 < p.end {
                let next = tolower(p.cpt(pos + 1));
                if [b's', b't', b'm', b'd'].iter().any(|&c| next == c as u32) {
                    pos += p.add(pos + 2);
                    continue;
                }
                if pos + 2 < p.end {
                    let next2 = tolower(p.cpt(pos + 2));
                    if is_re_ve_ll(next, next2) {
                        pos += p.add(pos + 3);
                        continue;
                    }
                }
            }

            // [^\r\n\p{L}\p{N}]?\p{L}+
            if !(is_cr_lf(cpt) || fl.is_number())
                && (fl.is_letter() || p.flags(pos + 1).is_letter())
            {
                pos += 1;
                while p.flags(pos).is_letter() {
                    pos += 1;
                }
                p.add(pos);
                continue;
            }

            // \p{N}{1,3} or \p{N}
            if fl.is_number() {
                match digits {
                    Digits::UpTo3 => {
                        let mut ini = pos;
                        while p.flags(pos).is_number() {
                            pos += 1;
                            if pos - ini >= 3 {
                                p.add(pos);
                                ini = pos;
                            }
                        }
                        p.add(pos);
                    }
                    Digits::One => {
                        pos += 1;
                        p.add(pos);
                    }
                }
                continue;
            }

            // <space>?[^\s\p{L}\p{N}]+[\r\n]*
            let sp = cpt == ' ' as u32;
            let mut f2 = if sp { p.flags(pos + 1) } else { fl };
            if !(f2.is_whitespace() || f2.is_letter() || f2.is_number()) && fl.any() {
                pos += sp as usize;
                while is_other(f2) {
                    pos += 1;
                    f2 = p.flags(pos);
                }
                while is_cr_lf(p.cpt(pos)) {
                    pos += 1;
                }
                p.add(pos);
                continue;
            }

            let mut num_ws = 0;
            let mut last_end_r_or_n = 0;
            while p.flags(pos + num_ws).is_whitespace() {
                if is_cr_lf(p.cpt(pos + num_ws)) {
                    last_end_r_or_n = pos + num_ws + 1;
                }
                num_ws += 1;
            }
            // \s*[\r\n]+
            if last_end_r_or_n > 0 {
                pos = last_end_r_or_n;
                p.add(pos);
                continue;
            }
            // \s+(?!\S)
            if num_ws > 1 && p.cpt(pos + num_ws) != OUT_OF_RANGE {
                pos += num_ws - 1;
                p.add(pos);
                continue;
            }
            // \s+
            if num_ws > 0 {
                pos += num_ws;
                p.add(pos);
                continue;
            }
            // no match
            pos += 1;
            p.add(pos);
        }
    })
}

/// `[^\s\p{L}\p{N}]` on a real code point (`as_uint() != 0` excludes "outside").
fn is_other(f: CptFlags) -> bool {
    !(f.is_whitespace() || f.is_letter() || f.is_number()) && f.any()
}

/// `re`, `ve` or `ll` after an apostrophe.
fn is_re_ve_ll(a: u32, b: u32) -> bool {
    let (r, v, e, l) = ('r' as u32, 'v' as u32, 'e' as u32, 'l' as u32);
    ((a == r || a == v) && b == e) || (a == l && b == l)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(p: PreTokenizer, s: &str) -> Vec<&str> {
        p.split(s)
    }

    #[test]
    fn gpt2_words() {
        assert_eq!(
            split(PreTokenizer::Gpt2, "Hello world's  3.14!\n\n  x"),
            ["Hello", " world", "'s", " ", " 3", ".", "14", "!", "\n\n ", " x"]
        );
        assert_eq!(split(PreTokenizer::Gpt2, "a   "), ["a", "   "]);
        assert!(split(PreTokenizer::Gpt2, "").is_empty());
    }

    #[test]
    fn smollm_isolates_digits() {
        assert_eq!(
            split(PreTokenizer::Smollm, "x 12345 y"),
            ["x", " ", "1", "2", "3", "4", "5", " y"]
        );
    }

    #[test]
    fn llama3_and_qwen2_numbers() {
        assert_eq!(
            split(PreTokenizer::Llama3, "abc 1234567 I'M\r\n\tok"),
            ["abc", " ", "123", "456", "7", " I", "'M", "\r\n", "\tok"]
        );
        assert_eq!(split(PreTokenizer::Qwen2, "12 ab"), ["1", "2", " ab"]);
        assert_eq!(split(PreTokenizer::Llama3, "x  \n y"), ["x", "  \n", " y"]);
    }
}

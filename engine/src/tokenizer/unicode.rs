//! Code point classes and the GPT-2 byte encoding, as llama.cpp `src/unicode.cpp`
//! computes them (`unicode_cpt_flags_from_cpt`, `unicode_tolower`,
//! `unicode_byte_to_utf8_map`). The tables come from llama.cpp's own
//! `unicode-data.cpp` so that `\p{L}`/`\p{N}`/`\s` agree with it code point by code point.

use super::unicode_data::{LOWERCASE, RANGES_FLAGS, WHITESPACE};
use std::sync::OnceLock;

/// Flag bits of llama.cpp `unicode_cpt_flags` (unicode.h).
pub(crate) mod flag {
    /// Unassigned code point.
    pub const UNDEFINED: u16 = 0x0001;
    /// `\p{N}`
    pub const NUMBER: u16 = 0x0002;
    /// `\p{L}`
    pub const LETTER: u16 = 0x0004;
    /// `\s` (from the whitespace set, not a general category).
    pub const WHITESPACE: u16 = 0x0100;
}

/// The classes of one code point. `CptFlags::NONE` stands for "outside the
/// current piece" (llama.cpp returns `unicode_cpt_flags{}` there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CptFlags(pub u16);

impl CptFlags {
    /// No flag at all: a position outside the text being split.
    pub const NONE: CptFlags = CptFlags(0);

    pub fn is_number(self) -> bool {
        self.0 & flag::NUMBER != 0
    }
    pub fn is_letter(self) -> bool {
        self.0 & flag::LETTER != 0
    }
    pub fn is_whitespace(self) -> bool {
        self.0 & flag::WHITESPACE != 0
    }
    /// `as_uint() != 0` in llama.cpp: true for every real code point.
    pub fn any(self) -> bool {
        self.0 != 0
    }
}

/// One past the largest code point (llama.cpp `MAX_CODEPOINTS`).
const MAX_CODEPOINTS: u32 = 0x11_0000;

/// The flags of a code point (llama.cpp `unicode_cpt_flags_from_cpt`).
pub(crate) fn flags(cpt: u32) -> CptFlags {
    if cpt >= MAX_CODEPOINTS {
        return CptFlags(flag::UNDEFINED);
    }
    // Last range whose start is <= cpt.
    let i = RANGES_FLAGS.partition_point(|&(start, _)| start <= cpt) - 1;
    let mut f = RANGES_FLAGS[i].1;
    if WHITESPACE.binary_search(&cpt).is_ok() {
        f |= flag::WHITESPACE;
    }
    CptFlags(f)
}

/// Lowercase mapping (llama.cpp `unicode_tolower`).
pub(crate) fn tolower(cpt: u32) -> u32 {
    match LOWERCASE.binary_search_by_key(&cpt, |&(c, _)| c) {
        Ok(i) => LOWERCASE[i].1,
        Err(_) => cpt,
    }
}

/// Length of a UTF-8 sequence from its first byte (llama.cpp `unicode_len_utf8`):
/// continuation bytes count as 1.
pub(crate) fn len_utf8(first: u8) -> usize {
    const LOOKUP: [usize; 16] = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4];
    LOOKUP[(first >> 4) as usize]
}

/// The GPT-2 byte-to-unicode table (llama.cpp `unicode_byte_to_utf8_map`):
/// printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100.. in order.
fn byte_to_char_table() -> &'static [char; 256] {
    static TABLE: OnceLock<[char; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = ['\0'; 256];
        let mut n = 0u32;
        for b in 0..=255u8 {
            let printable = (0x21..=0x7E).contains(&b)
                || (0xA1..=0xAC).contains(&b)
                || (0xAE..=0xFF).contains(&b);
            table[b as usize] = if printable {
                char::from(b)
            } else {
                n += 1;
                // 256 + n - 1 is at most 0x143: always a valid char.
                char::from_u32(255 + n).unwrap_or('\u{FFFD}')
            };
        }
        table
    })
}

/// GPT-2 byte encoding of one byte (llama.cpp `unicode_byte_to_utf8`).
pub(crate) fn byte_to_char(b: u8) -> char {
    byte_to_char_table()[b as usize]
}

/// Inverse of [`byte_to_char`] (llama.cpp `unicode_utf8_to_byte`); `None` for a
/// character that is not one of the 256 byte characters.
pub(crate) fn char_to_byte(c: char) -> Option<u8> {
    static INV: OnceLock<Vec<Option<u8>>> = OnceLock::new();
    let inv = INV.get_or_init(|| {
        let mut inv = vec![None; 0x144];
        for b in 0..=255u8 {
            inv[byte_to_char(b) as usize] = Some(b);
        }
        inv
    });
    inv.get(c as usize).copied().flatten()
}

/// GPT-2 byte encoding of a whole string (llama.cpp `unicode_byte_encoding_process`).
pub(crate) fn byte_encode(s: &str) -> String {
    s.bytes().map(byte_to_char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_match_llama_cpp_tables() {
        assert!(flags('a' as u32).is_letter());
        assert!(flags('7' as u32).is_number());
        assert!(flags(' ' as u32).is_whitespace());
        assert!(flags('\n' as u32).is_whitespace());
        assert!(flags(0x3000).is_whitespace());
        assert!(flags('中' as u32).is_letter());
        assert!(flags('²' as u32).is_number());
        assert!(!flags('!' as u32).is_letter());
        assert!(flags(0x10_FFFF).any());
        assert_eq!(flags(0x20_0000).0, flag::UNDEFINED);
        assert_eq!(tolower('S' as u32), 's' as u32);
        assert_eq!(tolower('ß' as u32), 'ß' as u32);
    }

    #[test]
    fn byte_encoding_round_trips() {
        assert_eq!(byte_to_char(b' '), 'Ġ');
        assert_eq!(byte_to_char(b'\n'), 'Ċ');
        assert_eq!(byte_to_char(b'a'), 'a');
        for b in 0..=255u8 {
            assert_eq!(char_to_byte(byte_to_char(b)), Some(b));
        }
        assert_eq!(char_to_byte('中'), None);
    }
}

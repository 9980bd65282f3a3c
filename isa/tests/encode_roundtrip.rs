//! decode(encode(i)) == i for every table row, on every target that has it,
//! and the bytes round-trip too.

use isa::{decode, encode, example_words, rows, Target};

#[test]
fn every_row_roundtrips() {
    let mut n = 0;
    for (ri, row) in rows().iter().enumerate() {
        for t in [Target::Gfx1010, Target::Gfx1011, Target::Gfx1030] {
            if row.targets & t.bit() == 0 {
                continue;
            }
            for wave64 in [false, true] {
                let words = example_words(row);
                let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
                let i = decode(&bytes, t, wave64)
                    .unwrap_or_else(|e| panic!("row {ri} {} {t:?}: {e}", row.name));
                assert_eq!(i.op, row.op, "row {ri} {}", row.name);
                let enc = encode(&i).unwrap_or_else(|e| panic!("{}: {e}", row.name));
                assert_eq!(enc, bytes[..i.len as usize], "{} bytes", row.name);
                let j = decode(&enc, t, wave64).unwrap();
                assert_eq!(i, j, "{}", row.name);
                n += 1;
            }
        }
    }
    assert!(n > 2000, "{n} round trips");
}

/// The fuzz target's property on seeded random words of every encoding
/// family: a decoded instruction re-encodes to bytes that decode to the same
/// op (and the same bytes re-encode identically).
#[test]
fn random_words_reencode() {
    use rand::{rngs::StdRng, Rng, SeedableRng};
    const TOPS: [(u32, u32); 14] = [
        (0x8000_0000, 0xC000_0000), // SOP*
        (0x0000_0000, 0x8000_0000), // VOP1/VOP2/VOPC
        (0xD400_0000, 0xFC00_0000), // VOP3
        (0xCC00_0000, 0xFF80_0000), // VOP3P
        (0xC800_0000, 0xFC00_0000), // VINTRP
        (0xD800_0000, 0xFC00_0000), // DS
        (0xDC00_0000, 0xFC00_0000), // FLAT family
        (0xE000_0000, 0xFC00_0000), // MUBUF
        (0xE800_0000, 0xFC00_0000), // MTBUF
        (0xF000_0000, 0xFC00_0000), // MIMG
        (0xF400_0000, 0xFC00_0000), // SMEM
        (0xF800_0000, 0xFC00_0000), // EXP
        (0x7E00_0000, 0xFE00_0000), // VOP1
        (0x7C00_0000, 0xFE00_0000), // VOPC
    ];
    let mut rng = StdRng::seed_from_u64(0xE0C0DE);
    let mut n = 0;
    for k in 0..200_000 {
        let t = [Target::Gfx1010, Target::Gfx1011, Target::Gfx1030][k % 3];
        let wave64 = k % 2 == 1;
        let (v, m) = TOPS[rng.gen_range(0..TOPS.len())];
        let mut words = [0u32; 5];
        rng.fill(&mut words[..]);
        words[0] = v | (words[0] & !m);
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        let Ok(i) = decode(&bytes, t, wave64) else {
            continue;
        };
        let _ = i.to_string();
        let enc = encode(&i).unwrap_or_else(|e| panic!("{i} {words:08x?}: {e}"));
        let j = decode(&enc, t, wave64).unwrap_or_else(|e| panic!("{i} {words:08x?}: {e}"));
        assert_eq!(i.op, j.op, "{i} {words:08x?}");
        assert_eq!(encode(&j).unwrap(), enc, "{i} {words:08x?}");
        n += 1;
    }
    assert!(n > 50_000, "{n} decoded");
}

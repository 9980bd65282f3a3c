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

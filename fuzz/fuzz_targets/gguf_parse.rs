//! Fuzz the GGUF parser: any byte string must parse or fail with an error,
//! never panic; on success every tensor slice is in bounds and readable.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(g) = engine::gguf::Gguf::from_bytes(data.to_vec()) {
        for (k, v) in g.metadata() {
            let _ = (k.len(), v.display(4));
        }
        for t in g.tensors() {
            assert_eq!(
                Some(t.data.len() as u64),
                t.ggml_type.bytes_for(t.n_elements())
            );
            let _ = engine::quant::dequantize(t.ggml_type, t.data, t.n_elements() as usize);
        }
    }
});

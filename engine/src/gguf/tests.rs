//! Parser tests on synthetic images (every value type, alignment, each error
//! path) and on the real models when present.

use super::*;

/// Builds a GGUF image byte by byte, as gguf_writer.py lays it out.
#[derive(Default)]
pub(crate) struct Builder {
    kv: Vec<u8>,
    n_kv: u64,
    infos: Vec<u8>,
    n_tensors: u64,
    data: Vec<u8>,
    alignment: usize,
}

impl Builder {
    pub(crate) fn new() -> Self {
        Builder {
            alignment: 32,
            ..Default::default()
        }
    }
    fn str(buf: &mut Vec<u8>, s: &str) {
        buf.extend((s.len() as u64).to_le_bytes());
        buf.extend(s.as_bytes());
    }
    pub(crate) fn kv_raw(mut self, key: &str, ty: u32, payload: &[u8]) -> Self {
        Self::str(&mut self.kv, key);
        self.kv.extend(ty.to_le_bytes());
        self.kv.extend(payload);
        self.n_kv += 1;
        self
    }
    pub(crate) fn kv_str(self, key: &str, v: &str) -> Self {
        let mut p = Vec::new();
        Self::str(&mut p, v);
        self.kv_raw(key, 8, &p)
    }
    pub(crate) fn kv_u32(self, key: &str, v: u32) -> Self {
        self.kv_raw(key, 4, &v.to_le_bytes())
    }
    pub(crate) fn align(mut self, a: u32) -> Self {
        self.alignment = a as usize;
        self.kv_u32("general.alignment", a)
    }
    /// Adds a tensor with raw bytes `data` (placed at the next aligned offset).
    pub(crate) fn tensor(mut self, name: &str, dims: &[u64], ty: u32, data: &[u8]) -> Self {
        while !self.data.len().is_multiple_of(self.alignment) {
            self.data.push(0);
        }
        Self::str(&mut self.infos, name);
        self.infos.extend((dims.len() as u32).to_le_bytes());
        for d in dims {
            self.infos.extend(d.to_le_bytes());
        }
        self.infos.extend(ty.to_le_bytes());
        self.infos.extend((self.data.len() as u64).to_le_bytes());
        self.data.extend(data);
        self.n_tensors += 1;
        self
    }
    pub(crate) fn build(self) -> Vec<u8> {
        let mut out = b"GGUF".to_vec();
        out.extend(3u32.to_le_bytes());
        out.extend(self.n_tensors.to_le_bytes());
        out.extend(self.n_kv.to_le_bytes());
        out.extend(&self.kv);
        out.extend(&self.infos);
        while !out.len().is_multiple_of(self.alignment) {
            out.push(0);
        }
        out.extend(&self.data);
        out
    }
}

fn all_types() -> Builder {
    let mut arr = Vec::new();
    arr.extend(5u32.to_le_bytes()); // element type i32
    arr.extend(3u64.to_le_bytes());
    for v in [-1i32, 2, 3] {
        arr.extend(v.to_le_bytes());
    }
    let mut sarr = Vec::new();
    sarr.extend(8u32.to_le_bytes());
    sarr.extend(2u64.to_le_bytes());
    for s in ["a", "bc"] {
        sarr.extend((s.len() as u64).to_le_bytes());
        sarr.extend(s.as_bytes());
    }
    let mut nested = Vec::new();
    nested.extend(9u32.to_le_bytes());
    nested.extend(1u64.to_le_bytes());
    nested.extend(0u32.to_le_bytes());
    nested.extend(2u64.to_le_bytes());
    nested.extend([7u8, 8]);
    Builder::new()
        .kv_str("general.architecture", "llama")
        .kv_raw("u8", 0, &[200])
        .kv_raw("i8", 1, &[0xff])
        .kv_raw("u16", 2, &500u16.to_le_bytes())
        .kv_raw("i16", 3, &(-500i16).to_le_bytes())
        .kv_u32("llama.block_count", 30)
        .kv_raw("i32", 5, &(-7i32).to_le_bytes())
        .kv_raw("f32", 6, &1.5f32.to_le_bytes())
        .kv_raw("bool", 7, &[1])
        .kv_raw("arr", 9, &arr)
        .kv_raw("sarr", 9, &sarr)
        .kv_raw("nested", 9, &nested)
        .kv_raw("u64", 10, &u64::MAX.to_le_bytes())
        .kv_raw("i64", 11, &(-9i64).to_le_bytes())
        .kv_raw("f64", 12, &0.25f64.to_le_bytes())
}

#[test]
fn parses_every_value_type() {
    let data: Vec<u8> = (0..64u8).collect();
    let img = all_types()
        .align(64)
        .tensor("w", &[4, 2], 0, &data[..32])
        .tensor("h", &[32], 8, &data[..34])
        .build();
    let g = Gguf::from_bytes(img).unwrap();
    assert_eq!(g.version(), 3);
    assert_eq!(g.alignment(), 64);
    assert_eq!(g.data_offset() % 64, 0);
    assert_eq!(g.architecture(), Some("llama"));
    assert_eq!(g.get("u8"), Some(&Value::U8(200)));
    assert_eq!(g.get("i8"), Some(&Value::I8(-1)));
    assert_eq!(g.get("u16"), Some(&Value::U16(500)));
    assert_eq!(g.get("i16"), Some(&Value::I16(-500)));
    assert_eq!(g.get_u32("llama.block_count"), Some(30));
    assert_eq!(g.arch_get("block_count"), Some(&Value::U32(30)));
    assert_eq!(g.get_i64("i32"), Some(-7));
    assert_eq!(g.get_u32("i32"), None);
    assert_eq!(g.get_f32("f32"), Some(1.5));
    assert_eq!(g.get_bool("bool"), Some(true));
    assert_eq!(g.get_i64_arr("arr"), Some(vec![-1, 2, 3]));
    assert_eq!(g.get_str_arr("sarr"), Some(vec!["a", "bc"]));
    assert_eq!(
        g.get("nested"),
        Some(&Value::Array(vec![Value::Array(vec![
            Value::U8(7),
            Value::U8(8)
        ])]))
    );
    assert_eq!(g.get_u64("u64"), Some(u64::MAX));
    assert_eq!(g.get_i64("i64"), Some(-9));
    assert_eq!(g.get_f32("f64"), Some(0.25));
    assert!(matches!(
        g.require_u32("nope"),
        Err(GgufError::MissingKey(_))
    ));
    assert!(matches!(
        g.require_str("u8"),
        Err(GgufError::WrongType { .. })
    ));
    let w = g.tensor("w").unwrap();
    assert_eq!(w.dims, &[4, 2]);
    assert_eq!(w.ggml_type, GgmlType::F32);
    assert_eq!(w.data, &data[..32]);
    assert_eq!((w.row_len(), w.n_rows()), (4, 2));
    let h = g.tensor("h").unwrap();
    assert_eq!(h.offset, 64);
    assert_eq!(h.ggml_type, GgmlType::Q8_0);
    assert_eq!(h.data, &data[..34]);
    assert_eq!(g.tensors().count(), 2);
    assert!(g.require_tensor("x").is_err());
}

fn err(img: Vec<u8>) -> String {
    Gguf::from_bytes(img).unwrap_err().to_string()
}

#[test]
fn errors_name_offsets_and_keys() {
    assert!(err(b"GGML\x03\0\0\0".to_vec()).contains("magic"));
    let mut img = Builder::new().build();
    img[4] = 1;
    assert!(err(img).contains("version 1"));
    // Truncated inside a value: the message names the key and offset.
    let img = Builder::new().kv_u32("some.key", 5).build();
    // Header 24 + key 8+8 + type 4 + value 4 = 48: cut inside the value.
    let e = err(img[..46].to_vec());
    assert!(e.contains("some.key") && e.contains("offset"), "{e}");
    // Unknown value type.
    let e = err(Builder::new().kv_raw("k", 99, &[]).build());
    assert!(e.contains("type 99") && e.contains("'k'"), "{e}");
    // Huge array count.
    let mut p = 0u32.to_le_bytes().to_vec();
    p.extend(u64::MAX.to_le_bytes());
    let e = err(Builder::new().kv_raw("big", 9, &p).build());
    assert!(e.contains("big"), "{e}");
    // Tensor data past end of file.
    let mut img = Builder::new().tensor("t", &[8], 0, &[0; 32]).build();
    img.truncate(img.len() - 4);
    let e = err(img);
    assert!(e.contains("'t'") && e.contains("outside"), "{e}");
    // Bad block multiple.
    let e = err(Builder::new().tensor("q", &[31], 8, &[0; 34]).build());
    assert!(e.contains("'q'"), "{e}");
    // Unknown ggml type.
    let e = err(Builder::new().tensor("u", &[1], 77, &[0; 4]).build());
    assert!(e.contains("ggml type 77"), "{e}");
    // Bad alignment.
    let e = err(Builder::new().kv_u32("general.alignment", 3).build());
    assert!(e.contains("alignment"), "{e}");
    // Duplicate key.
    let e = err(Builder::new().kv_u32("a", 1).kv_u32("a", 2).build());
    assert!(e.contains("duplicate"), "{e}");
    // Too many dims.
    let e = err(Builder::new()
        .tensor("d", &[1, 1, 1, 1, 1], 0, &[0; 4])
        .build());
    assert!(e.contains("dimensions"), "{e}");
}

#[test]
fn every_prefix_of_a_file_fails_cleanly() {
    let img = all_types().tensor("w", &[8], 0, &[1; 32]).build();
    for n in 0..img.len() - 1 {
        // Trailing tensor bytes may be cut while the header stays valid only
        // if the data is still in bounds; everything else must error.
        let _ = Gguf::from_bytes(img[..n].to_vec());
    }
    assert!(Gguf::from_bytes(img[..img.len() - 1].to_vec()).is_err());
}

#[test]
fn real_models_parse() {
    let Some(dir) = crate::models::test_models_dir() else {
        return;
    };
    for (file, arch) in [
        ("gemma-3-270m-q4_k_m.gguf", "gemma3"),
        ("SmolLM2-135M-Instruct.Q4_1.gguf", "llama"),
    ] {
        let p = dir.join(file);
        if !p.exists() {
            eprintln!("skip: {} not found", p.display());
            continue;
        }
        let g = Gguf::open(&p).unwrap();
        assert_eq!(g.architecture(), Some(arch));
        assert!(g.tensor_count() > 100);
        assert!(g.get_str_arr("tokenizer.ggml.tokens").unwrap().len() > 40000);
        assert!(g.tensor("token_embd.weight").is_some());
    }
}

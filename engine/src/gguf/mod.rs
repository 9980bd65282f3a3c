//! GGUF model files (versions 2 and 3): header, metadata, tensor infos, and
//! zero-copy access to tensor data.
//!
//! Layout as written by `gguf-py/gguf/gguf_writer.py` and read by
//! `ggml/src/gguf.cpp` (`gguf_init_from_file_impl`) in ggml-org/llama.cpp:
//! magic `GGUF`, u32 version, u64 tensor count, u64 key/value count, the
//! key/value pairs, the tensor infos, padding to `general.alignment`
//! (default 32), then the tensor data. Every read here is bounds-checked and
//! every error names the byte offset and the key or tensor it was reading.

mod error;
mod map;
mod reader;
mod types;
mod value;

pub use error::GgufError;
pub use types::GgmlType;
pub use value::{Value, ValueType};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use reader::Reader;

/// Alignment of the tensor data section when `general.alignment` is absent.
pub const DEFAULT_ALIGNMENT: u64 = 32;
/// ggml tensors have at most this many dimensions (`GGML_MAX_DIMS`).
pub const MAX_DIMS: usize = 4;

/// Result type of this module.
pub type Result<T> = std::result::Result<T, GgufError>;

/// One tensor of a GGUF file, borrowing its bytes from the file.
#[derive(Debug, Clone, Copy)]
pub struct TensorInfo<'a> {
    /// Tensor name, e.g. `blk.0.attn_q.weight`.
    pub name: &'a str,
    /// Dimensions, innermost (contiguous) first, as ggml's `ne`.
    pub dims: &'a [u64],
    /// Element type.
    pub ggml_type: GgmlType,
    /// Offset of the data from the start of the data section.
    pub offset: u64,
    /// The tensor's bytes (exactly `ggml_type.bytes_for(n_elements)`).
    pub data: &'a [u8],
}

impl TensorInfo<'_> {
    /// Number of elements.
    pub fn n_elements(&self) -> u64 {
        self.dims.iter().product()
    }

    /// Elements in one row (`dims[0]`).
    pub fn row_len(&self) -> usize {
        self.dims.first().copied().unwrap_or(1) as usize
    }

    /// Number of rows (product of all dims but the first).
    pub fn n_rows(&self) -> usize {
        self.dims.iter().skip(1).product::<u64>() as usize
    }
}

#[derive(Debug)]
struct TensorMeta {
    name: String,
    dims: Vec<u64>,
    ggml_type: GgmlType,
    offset: u64,
    /// Absolute byte range in the file.
    start: usize,
    len: usize,
}

/// A parsed GGUF file.
pub struct Gguf {
    path: Option<PathBuf>,
    bytes: map::Bytes,
    version: u32,
    alignment: u64,
    data_offset: u64,
    kv: Vec<(String, Value)>,
    kv_index: HashMap<String, usize>,
    tensors: Vec<TensorMeta>,
    tensor_index: HashMap<String, usize>,
}

impl std::fmt::Debug for Gguf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gguf")
            .field("path", &self.path)
            .field("version", &self.version)
            .field("kv", &self.kv.len())
            .field("tensors", &self.tensors.len())
            .finish()
    }
}

impl Gguf {
    /// Memory-maps and parses the file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Gguf> {
        let path = path.as_ref();
        let bytes = map::Bytes::map(path).map_err(|source| GgufError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut g = Gguf::parse(bytes)?;
        g.path = Some(path.to_path_buf());
        Ok(g)
    }

    /// Parses a GGUF image held in memory.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Gguf> {
        Gguf::parse(map::Bytes::Owned(bytes))
    }

    fn parse(bytes: map::Bytes) -> Result<Gguf> {
        let buf = bytes.as_slice();
        let mut r = Reader::new(buf);
        let magic = r.array::<4>("magic")?;
        if &magic != b"GGUF" {
            return Err(GgufError::BadMagic { found: magic });
        }
        let version = r.u32("version")?;
        if !(2..=3).contains(&version) {
            return Err(GgufError::UnsupportedVersion(version));
        }
        let n_tensors = r.u64("tensor count")?;
        let n_kv = r.u64("metadata count")?;

        // Each key/value needs >= 8+4+1 bytes and each tensor info >= 8+4+4+8,
        // so counts beyond that are lies; reject before allocating.
        r.check_count(n_kv, 13, "metadata count")?;
        let mut kv = Vec::with_capacity(n_kv as usize);
        let mut kv_index = HashMap::with_capacity(n_kv as usize);
        for i in 0..n_kv {
            let key_off = r.pos();
            let key = r.string(&format!("key of metadata entry {i}"))?;
            let ty_off = r.pos();
            let ty = r.u32(&format!("type of key '{key}'"))?;
            let ty = ValueType::from_id(ty).ok_or(GgufError::BadValueType {
                offset: ty_off,
                ty,
                key: key.clone(),
            })?;
            let v = value::read_value(&mut r, ty, &key, 0)?;
            if kv_index.insert(key.clone(), kv.len()).is_some() {
                return Err(GgufError::DuplicateKey {
                    offset: key_off,
                    key,
                });
            }
            kv.push((key, v));
        }

        let alignment = match kv_index.get("general.alignment").map(|&i| &kv[i].1) {
            None => DEFAULT_ALIGNMENT,
            Some(v) => match v.as_u64() {
                Some(a) if a > 0 && a.is_power_of_two() => a,
                _ => {
                    return Err(GgufError::BadAlignment {
                        value: format!("{v:?}"),
                    })
                }
            },
        };

        r.check_count(n_tensors, 24, "tensor count")?;
        let mut tensors = Vec::with_capacity(n_tensors as usize);
        let mut tensor_index = HashMap::with_capacity(n_tensors as usize);
        for i in 0..n_tensors {
            let info_off = r.pos();
            let name = r.string(&format!("name of tensor {i}"))?;
            let n_dims_off = r.pos();
            let n_dims = r.u32(&format!("n_dims of tensor '{name}'"))?;
            if n_dims as usize > MAX_DIMS {
                return Err(GgufError::BadTensor {
                    offset: n_dims_off,
                    name,
                    reason: format!("{n_dims} dimensions (max {MAX_DIMS})"),
                });
            }
            let mut dims = Vec::with_capacity(n_dims as usize);
            for d in 0..n_dims {
                dims.push(r.u64(&format!("dim {d} of tensor '{name}'"))?);
            }
            let ty_off = r.pos();
            let ty = r.u32(&format!("type of tensor '{name}'"))?;
            let ggml_type = GgmlType::from_id(ty).ok_or_else(|| GgufError::BadTensor {
                offset: ty_off,
                name: name.clone(),
                reason: format!("unknown ggml type {ty}"),
            })?;
            let offset = r.u64(&format!("data offset of tensor '{name}'"))?;
            let n_el = dims
                .iter()
                .try_fold(1u64, |a, &d| a.checked_mul(d))
                .ok_or_else(|| GgufError::BadTensor {
                    offset: info_off,
                    name: name.clone(),
                    reason: format!("element count of {dims:?} overflows"),
                })?;
            let size = ggml_type
                .bytes_for(n_el)
                .ok_or_else(|| GgufError::BadTensor {
                    offset: info_off,
                    name: name.clone(),
                    reason: format!(
                        "{n_el} elements is not a whole number of {ggml_type} blocks of {}",
                        ggml_type.block_size()
                    ),
                })?;
            if dims.first().copied().unwrap_or(1) % ggml_type.block_size() as u64 != 0 {
                return Err(GgufError::BadTensor {
                    offset: info_off,
                    name,
                    reason: format!(
                        "row length {} is not a multiple of the {ggml_type} block size",
                        dims[0]
                    ),
                });
            }
            if offset % alignment != 0 {
                return Err(GgufError::BadTensor {
                    offset: info_off,
                    name,
                    reason: format!("data offset {offset} is not aligned to {alignment}"),
                });
            }
            if tensor_index.insert(name.clone(), tensors.len()).is_some() {
                return Err(GgufError::DuplicateTensor {
                    offset: info_off,
                    name,
                });
            }
            tensors.push(TensorMeta {
                name,
                dims,
                ggml_type,
                offset,
                start: 0,
                len: size as usize,
            });
        }

        let data_offset = (r.pos() as u64).div_ceil(alignment) * alignment;
        let file_len = buf.len() as u64;
        for t in &mut tensors {
            let start = data_offset.checked_add(t.offset);
            let end = start.and_then(|s| s.checked_add(t.len as u64));
            match (start, end) {
                (Some(s), Some(e)) if e <= file_len => t.start = s as usize,
                _ => {
                    return Err(GgufError::TensorOutOfBounds {
                        name: t.name.clone(),
                        start: data_offset.saturating_add(t.offset),
                        len: t.len as u64,
                        file_len,
                    })
                }
            }
        }

        Ok(Gguf {
            path: None,
            bytes,
            version,
            alignment,
            data_offset,
            kv,
            kv_index,
            tensors,
            tensor_index,
        })
    }

    /// The path this file was opened from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// GGUF version (2 or 3).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Alignment of the data section (`general.alignment` or 32).
    pub fn alignment(&self) -> u64 {
        self.alignment
    }

    /// Absolute file offset of the tensor data section.
    pub fn data_offset(&self) -> u64 {
        self.data_offset
    }

    /// Total file size in bytes.
    pub fn file_size(&self) -> u64 {
        self.bytes.as_slice().len() as u64
    }

    /// All metadata in file order.
    pub fn metadata(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.kv.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The value of a metadata key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.kv_index.get(key).map(|&i| &self.kv[i].1)
    }

    /// A string value.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }

    /// An integer value that fits in u32 (any integer type is accepted).
    pub fn get_u32(&self, key: &str) -> Option<u32> {
        self.get(key)?.as_u64().and_then(|v| u32::try_from(v).ok())
    }

    /// An integer value that fits in u64.
    pub fn get_u64(&self, key: &str) -> Option<u64> {
        self.get(key)?.as_u64()
    }

    /// An integer value as i64.
    pub fn get_i64(&self, key: &str) -> Option<i64> {
        self.get(key)?.as_i64()
    }

    /// A float value (F32 or F64).
    pub fn get_f32(&self, key: &str) -> Option<f32> {
        self.get(key)?.as_f32()
    }

    /// A boolean value.
    pub fn get_bool(&self, key: &str) -> Option<bool> {
        self.get(key)?.as_bool()
    }

    /// An array value.
    pub fn get_arr(&self, key: &str) -> Option<&[Value]> {
        self.get(key)?.as_array()
    }

    /// An array of strings (`None` if any element is not a string).
    pub fn get_str_arr(&self, key: &str) -> Option<Vec<&str>> {
        self.get_arr(key)?.iter().map(Value::as_str).collect()
    }

    /// An array of floats (`None` if any element is not a float).
    pub fn get_f32_arr(&self, key: &str) -> Option<Vec<f32>> {
        self.get_arr(key)?.iter().map(Value::as_f32).collect()
    }

    /// An array of integers as i64 (`None` if any element is not an integer).
    pub fn get_i64_arr(&self, key: &str) -> Option<Vec<i64>> {
        self.get_arr(key)?.iter().map(Value::as_i64).collect()
    }

    /// Like [`Gguf::get`], but a missing key is an error naming it.
    pub fn require(&self, key: &str) -> Result<&Value> {
        self.get(key)
            .ok_or_else(|| GgufError::MissingKey(key.to_string()))
    }

    /// A required string value.
    pub fn require_str(&self, key: &str) -> Result<&str> {
        let v = self.require(key)?;
        v.as_str().ok_or_else(|| wrong(key, "string", v))
    }

    /// A required u32 value.
    pub fn require_u32(&self, key: &str) -> Result<u32> {
        let v = self.require(key)?;
        v.as_u64()
            .and_then(|x| u32::try_from(x).ok())
            .ok_or_else(|| wrong(key, "u32", v))
    }

    /// A required f32 value.
    pub fn require_f32(&self, key: &str) -> Result<f32> {
        let v = self.require(key)?;
        v.as_f32().ok_or_else(|| wrong(key, "f32", v))
    }

    /// `general.architecture`, e.g. `llama` or `gemma3`.
    pub fn architecture(&self) -> Option<&str> {
        self.get_str("general.architecture")
    }

    /// The value of `<architecture>.<suffix>`, e.g. `arch_key("block_count")`.
    pub fn arch_get(&self, suffix: &str) -> Option<&Value> {
        let arch = self.architecture()?;
        self.get(&format!("{arch}.{suffix}"))
    }

    /// Tensors in file order.
    pub fn tensors(&self) -> impl Iterator<Item = TensorInfo<'_>> {
        self.tensors.iter().map(|t| self.info(t))
    }

    /// Number of tensors.
    pub fn tensor_count(&self) -> usize {
        self.tensors.len()
    }

    /// The tensor with this name.
    pub fn tensor(&self, name: &str) -> Option<TensorInfo<'_>> {
        self.tensor_index
            .get(name)
            .map(|&i| self.info(&self.tensors[i]))
    }

    /// Like [`Gguf::tensor`], but a missing tensor is an error naming it.
    pub fn require_tensor(&self, name: &str) -> Result<TensorInfo<'_>> {
        self.tensor(name)
            .ok_or_else(|| GgufError::MissingTensor(name.to_string()))
    }

    fn info<'a>(&'a self, t: &'a TensorMeta) -> TensorInfo<'a> {
        TensorInfo {
            name: &t.name,
            dims: &t.dims,
            ggml_type: t.ggml_type,
            offset: t.offset,
            data: &self.bytes.as_slice()[t.start..t.start + t.len],
        }
    }
}

fn wrong(key: &str, expected: &'static str, v: &Value) -> GgufError {
    GgufError::WrongType {
        key: key.to_string(),
        expected,
        found: v.type_name(),
    }
}

#[cfg(test)]
mod tests;

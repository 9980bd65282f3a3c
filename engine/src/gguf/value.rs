//! GGUF metadata values (`enum gguf_type` in ggml's gguf.h).

use super::reader::Reader;
use super::{GgufError, Result};

/// Arrays of arrays deeper than this are rejected (llama.cpp supports none).
const MAX_DEPTH: usize = 4;

/// A metadata value type id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    U8,
    I8,
    U16,
    I16,
    U32,
    I32,
    F32,
    Bool,
    String,
    Array,
    U64,
    I64,
    F64,
}

impl ValueType {
    /// From the GGUF type id (0..=12).
    pub fn from_id(id: u32) -> Option<ValueType> {
        use ValueType::*;
        Some(match id {
            0 => U8,
            1 => I8,
            2 => U16,
            3 => I16,
            4 => U32,
            5 => I32,
            6 => F32,
            7 => Bool,
            8 => String,
            9 => Array,
            10 => U64,
            11 => I64,
            12 => F64,
            _ => return None,
        })
    }

    /// The smallest encoding of one value of this type, in bytes.
    fn min_size(self) -> u64 {
        use ValueType::*;
        match self {
            U8 | I8 | Bool => 1,
            U16 | I16 => 2,
            U32 | I32 | F32 => 4,
            U64 | I64 | F64 | String => 8,
            Array => 12,
        }
    }
}

/// A metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    U64(u64),
    I64(i64),
    F32(f32),
    F64(f64),
    Bool(bool),
    String(String),
    /// Elements all share one type (possibly nested arrays).
    Array(Vec<Value>),
}

impl Value {
    /// The GGUF type name of this value.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::U8(_) => "u8",
            Value::I8(_) => "i8",
            Value::U16(_) => "u16",
            Value::I16(_) => "i16",
            Value::U32(_) => "u32",
            Value::I32(_) => "i32",
            Value::U64(_) => "u64",
            Value::I64(_) => "i64",
            Value::F32(_) => "f32",
            Value::F64(_) => "f64",
            Value::Bool(_) => "bool",
            Value::String(_) => "string",
            Value::Array(_) => "array",
        }
    }

    /// Any non-negative integer as u64.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(v) => Some(v.into()),
            Value::U16(v) => Some(v.into()),
            Value::U32(v) => Some(v.into()),
            Value::U64(v) => Some(v),
            Value::I8(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// Any integer as i64.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::U8(v) => Some(v.into()),
            Value::U16(v) => Some(v.into()),
            Value::U32(v) => Some(v.into()),
            Value::U64(v) => i64::try_from(v).ok(),
            Value::I8(v) => Some(v.into()),
            Value::I16(v) => Some(v.into()),
            Value::I32(v) => Some(v.into()),
            Value::I64(v) => Some(v),
            _ => None,
        }
    }

    /// F32 or F64 as f32.
    pub fn as_f32(&self) -> Option<f32> {
        match *self {
            Value::F32(v) => Some(v),
            Value::F64(v) => Some(v as f32),
            _ => None,
        }
    }

    /// A boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// A string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// An array's elements.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// A short human rendering (arrays abbreviated after `max_items`).
    pub fn display(&self, max_items: usize) -> String {
        match self {
            Value::String(s) => format!("{s:?}"),
            Value::Array(a) => {
                let mut parts: Vec<String> = a
                    .iter()
                    .take(max_items)
                    .map(|v| v.display(max_items))
                    .collect();
                if a.len() > max_items {
                    parts.push(format!("... ({} items)", a.len()));
                }
                format!("[{}]", parts.join(", "))
            }
            Value::U8(v) => v.to_string(),
            Value::I8(v) => v.to_string(),
            Value::U16(v) => v.to_string(),
            Value::I16(v) => v.to_string(),
            Value::U32(v) => v.to_string(),
            Value::I32(v) => v.to_string(),
            Value::U64(v) => v.to_string(),
            Value::I64(v) => v.to_string(),
            Value::F32(v) => v.to_string(),
            Value::F64(v) => v.to_string(),
            Value::Bool(v) => v.to_string(),
        }
    }

    /// The value as JSON (arrays in full).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::U8(v) => J::from(*v),
            Value::I8(v) => J::from(*v),
            Value::U16(v) => J::from(*v),
            Value::I16(v) => J::from(*v),
            Value::U32(v) => J::from(*v),
            Value::I32(v) => J::from(*v),
            Value::U64(v) => J::from(*v),
            Value::I64(v) => J::from(*v),
            Value::F32(v) => J::from(*v as f64),
            Value::F64(v) => J::from(*v),
            Value::Bool(v) => J::from(*v),
            Value::String(s) => J::from(s.as_str()),
            Value::Array(a) => J::Array(a.iter().map(Value::to_json).collect()),
        }
    }
}

/// Reads one value of type `ty` for `key`.
pub(super) fn read_value(
    r: &mut Reader<'_>,
    ty: ValueType,
    key: &str,
    depth: usize,
) -> Result<Value> {
    let what = || format!("value of key '{key}'");
    Ok(match ty {
        ValueType::U8 => Value::U8(r.u8(&what())?),
        ValueType::I8 => Value::I8(r.u8(&what())? as i8),
        ValueType::U16 => Value::U16(r.u16(&what())?),
        ValueType::I16 => Value::I16(r.u16(&what())? as i16),
        ValueType::U32 => Value::U32(r.u32(&what())?),
        ValueType::I32 => Value::I32(r.u32(&what())? as i32),
        ValueType::U64 => Value::U64(r.u64(&what())?),
        ValueType::I64 => Value::I64(r.u64(&what())? as i64),
        ValueType::F32 => Value::F32(f32::from_bits(r.u32(&what())?)),
        ValueType::F64 => Value::F64(f64::from_bits(r.u64(&what())?)),
        // Like gguf.cpp, any non-zero byte reads as true.
        ValueType::Bool => Value::Bool(r.u8(&what())? != 0),
        ValueType::String => Value::String(r.string(&what())?),
        ValueType::Array => {
            if depth >= MAX_DEPTH {
                return Err(GgufError::TooDeep {
                    offset: r.pos(),
                    max: MAX_DEPTH,
                    key: key.to_string(),
                });
            }
            let ty_off = r.pos();
            let id = r.u32(&format!("array element type of key '{key}'"))?;
            let ety = ValueType::from_id(id).ok_or(GgufError::BadValueType {
                offset: ty_off,
                ty: id,
                key: key.to_string(),
            })?;
            let n = r.u64(&format!("array length of key '{key}'"))?;
            r.check_count(n, ety.min_size(), &format!("array length of key '{key}'"))?;
            let mut items = Vec::with_capacity(n as usize);
            for _ in 0..n {
                items.push(read_value(r, ety, key, depth + 1)?);
            }
            Value::Array(items)
        }
    })
}

//! `NT_AMDGPU_METADATA`: the msgpack map of code objects v3+ (AMDGPUUsage "Code Object V3
//! Metadata" and later tables; emitted by LLVM `AMDGPUHSAMetadataStreamer.cpp`,
//! `MetadataStreamerMsgPackV4/V5::emitKernel*`).
//!
//! Decoded with rmpv (bounded recursion) into typed structs; every missing or mistyped
//! field is an error naming its path (`amdhsa.kernels[2].args[0].offset`). Keys this loader
//! does not know are kept as text in `extra` so nothing is silently lost.

use crate::error::{Error, Result};
use rmpv::Value;
use serde::Serialize;
use std::collections::BTreeMap;

/// Nesting limit for the msgpack decoder: real metadata is 4 levels deep.
const MAX_DEPTH: usize = 16;

/// Largest kernarg segment accepted (ROCr/HIP kernels stay far below: 4 KiB explicit
/// arguments + 256 implicit bytes); bounds the builder's allocation on hostile input.
pub const MAX_KERNARG_SEGMENT_SIZE: u32 = 1 << 20;

/// `.value_kind` of a kernel argument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// Copied into the kernarg segment as is.
    ByValue,
    /// A global (or constant) memory pointer.
    GlobalBuffer,
    /// A 32-bit LDS offset of a dynamically sized `__local` buffer.
    DynamicSharedPointer,
    /// Image / sampler / pipe / queue objects (OpenCL).
    Image,
    /// Sampler.
    Sampler,
    /// Pipe.
    Pipe,
    /// Device-enqueue queue.
    Queue,
    /// A hidden (implicit) argument the runtime fills; the string is the value kind
    /// (`hidden_block_count_x`, ...).
    Hidden(String),
    /// A kind this loader does not know.
    Other(String),
}

impl ValueKind {
    fn parse(s: &str) -> Self {
        match s {
            "by_value" => ValueKind::ByValue,
            "global_buffer" => ValueKind::GlobalBuffer,
            "dynamic_shared_pointer" => ValueKind::DynamicSharedPointer,
            "image" => ValueKind::Image,
            "sampler" => ValueKind::Sampler,
            "pipe" => ValueKind::Pipe,
            "queue" => ValueKind::Queue,
            h if h.starts_with("hidden_") => ValueKind::Hidden(h.to_string()),
            o => ValueKind::Other(o.to_string()),
        }
    }

    /// The metadata spelling.
    pub fn as_str(&self) -> &str {
        match self {
            ValueKind::ByValue => "by_value",
            ValueKind::GlobalBuffer => "global_buffer",
            ValueKind::DynamicSharedPointer => "dynamic_shared_pointer",
            ValueKind::Image => "image",
            ValueKind::Sampler => "sampler",
            ValueKind::Pipe => "pipe",
            ValueKind::Queue => "queue",
            ValueKind::Hidden(s) | ValueKind::Other(s) => s,
        }
    }

    /// True for runtime-filled (hidden) arguments.
    pub fn is_hidden(&self) -> bool {
        matches!(self, ValueKind::Hidden(_))
    }
}

/// One entry of `.args`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArgMeta {
    /// `.name` (source name, when the compiler kept it).
    pub name: Option<String>,
    /// `.type_name` (source type).
    pub type_name: Option<String>,
    /// `.offset`: byte offset in the kernarg segment.
    pub offset: u32,
    /// `.size` in bytes.
    pub size: u32,
    /// `.value_kind`.
    pub value_kind: ValueKind,
    /// `.address_space` (global, constant, local, private, generic, region).
    pub address_space: Option<String>,
    /// `.access` (read_only, write_only, read_write).
    pub access: Option<String>,
    /// `.actual_access`.
    pub actual_access: Option<String>,
    /// `.pointee_align` (dynamic LDS pointers).
    pub pointee_align: Option<u32>,
    /// `.is_const`.
    pub is_const: bool,
    /// `.is_restrict`.
    pub is_restrict: bool,
    /// `.is_volatile`.
    pub is_volatile: bool,
    /// `.is_pipe`.
    pub is_pipe: bool,
    /// Keys not decoded above, as text.
    pub extra: BTreeMap<String, String>,
}

/// One entry of `amdhsa.kernels`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KernelMeta {
    /// `.name`.
    pub name: String,
    /// `.symbol` (the descriptor symbol, `name.kd`).
    pub symbol: String,
    /// `.language`.
    pub language: Option<String>,
    /// `.language_version`.
    pub language_version: Vec<u64>,
    /// `.args`, in kernarg order (explicit then hidden).
    pub args: Vec<ArgMeta>,
    /// `.kernarg_segment_size`.
    pub kernarg_segment_size: u32,
    /// `.kernarg_segment_align`.
    pub kernarg_segment_align: u32,
    /// `.group_segment_fixed_size` (static LDS bytes).
    pub group_segment_fixed_size: u32,
    /// `.private_segment_fixed_size` (scratch bytes per work-item).
    pub private_segment_fixed_size: u32,
    /// `.wavefront_size`.
    pub wavefront_size: u32,
    /// `.sgpr_count`.
    pub sgpr_count: u32,
    /// `.vgpr_count`.
    pub vgpr_count: u32,
    /// `.agpr_count` (gfx90a+).
    pub agpr_count: Option<u32>,
    /// `.sgpr_spill_count`.
    pub sgpr_spill_count: u32,
    /// `.vgpr_spill_count`.
    pub vgpr_spill_count: u32,
    /// `.max_flat_workgroup_size`.
    pub max_flat_workgroup_size: u32,
    /// `.uses_dynamic_stack` (v5+).
    pub uses_dynamic_stack: bool,
    /// `.workgroup_processor_mode` (v5+, gfx10+).
    pub workgroup_processor_mode: Option<bool>,
    /// `.uniform_work_group_size` (v5+).
    pub uniform_work_group_size: Option<bool>,
    /// `.reqd_workgroup_size`.
    pub reqd_workgroup_size: Option<Vec<u64>>,
    /// `.workgroup_size_hint`.
    pub workgroup_size_hint: Option<Vec<u64>>,
    /// `.kind` (normal, init, fini).
    pub kind: Option<String>,
    /// Keys not decoded above, as text.
    pub extra: BTreeMap<String, String>,
}

impl KernelMeta {
    /// Explicit (non-hidden) arguments, in order: the ones a caller supplies.
    pub fn explicit_args(&self) -> impl Iterator<Item = &ArgMeta> {
        self.args.iter().filter(|a| !a.value_kind.is_hidden())
    }

    /// Offset of the first hidden argument, if any.
    pub fn hidden_start(&self) -> Option<u32> {
        self.args
            .iter()
            .find(|a| a.value_kind.is_hidden())
            .map(|a| a.offset)
    }
}

/// The whole metadata map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Metadata {
    /// `amdhsa.version` ([1, 1] = v4, [1, 2] = v5, ...).
    pub version: Vec<u64>,
    /// `amdhsa.target` (`amdgcn-amd-amdhsa--gfx1010`).
    pub target: Option<String>,
    /// `amdhsa.printf` format strings.
    pub printf: Vec<String>,
    /// `amdhsa.kernels`.
    pub kernels: Vec<KernelMeta>,
}

fn err(path: &str, detail: impl Into<String>) -> Error {
    Error::Metadata {
        path: path.to_string(),
        detail: detail.into(),
    }
}

/// A map view that tracks which keys were used and knows its path.
struct Map<'a> {
    path: String,
    entries: &'a [(Value, Value)],
    used: Vec<bool>,
}

impl<'a> Map<'a> {
    fn new(v: &'a Value, path: String) -> Result<Self> {
        match v {
            Value::Map(entries) => {
                for (k, _) in entries {
                    if k.as_str().is_none() {
                        return Err(err(&path, format!("map key {k} is not a string")));
                    }
                }
                Ok(Map {
                    path,
                    entries,
                    used: vec![false; entries.len()],
                })
            }
            other => {
                let at = if path.is_empty() {
                    "(root)"
                } else {
                    path.as_str()
                };
                Err(err(at, format!("expected a map, found {}", kind(other))))
            }
        }
    }

    fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{}", self.path, key.trim_start_matches('.'))
        }
    }

    fn get(&mut self, key: &str) -> Option<&'a Value> {
        let idx = self
            .entries
            .iter()
            .position(|(k, _)| k.as_str() == Some(key))?;
        self.used[idx] = true;
        Some(&self.entries[idx].1)
    }

    fn req(&mut self, key: &str) -> Result<&'a Value> {
        let p = self.key_path(key);
        self.get(key)
            .ok_or_else(|| err(&p, "required field missing"))
    }

    fn u32_req(&mut self, key: &str) -> Result<u32> {
        let v = self.req(key)?;
        to_u32(v, &self.key_path(key))
    }

    fn u32_opt(&mut self, key: &str) -> Result<Option<u32>> {
        match self.get(key) {
            Some(v) => to_u32(v, &self.key_path(key)).map(Some),
            None => Ok(None),
        }
    }

    fn str_opt(&mut self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            Some(v) => to_str(v, &self.key_path(key)).map(Some),
            None => Ok(None),
        }
    }

    fn str_req(&mut self, key: &str) -> Result<String> {
        let v = self.req(key)?;
        to_str(v, &self.key_path(key))
    }

    fn bool_opt(&mut self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            Some(Value::Boolean(b)) => Ok(Some(*b)),
            // LLVM writes .workgroup_processor_mode as an integer 0/1.
            Some(Value::Integer(i)) => match i.as_u64() {
                Some(0) => Ok(Some(false)),
                Some(1) => Ok(Some(true)),
                _ => Err(err(
                    &self.key_path(key),
                    format!("expected a boolean, found {i}"),
                )),
            },
            Some(other) => Err(err(
                &self.key_path(key),
                format!("expected a boolean, found {}", kind(other)),
            )),
            None => Ok(None),
        }
    }

    fn uints_opt(&mut self, key: &str) -> Result<Option<Vec<u64>>> {
        let p = self.key_path(key);
        match self.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    v.as_u64().ok_or_else(|| {
                        err(
                            &format!("{p}[{i}]"),
                            format!("expected an unsigned integer, found {}", kind(v)),
                        )
                    })
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            Some(other) => Err(err(&p, format!("expected an array, found {}", kind(other)))),
            None => Ok(None),
        }
    }

    fn extra(&self) -> BTreeMap<String, String> {
        self.entries
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|((k, v), _)| (k.as_str().unwrap_or_default().to_string(), v.to_string()))
            .collect()
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Boolean(_) => "a boolean",
        Value::Integer(_) => "an integer",
        Value::F32(_) | Value::F64(_) => "a float",
        Value::String(_) => "a string",
        Value::Binary(_) => "binary data",
        Value::Array(_) => "an array",
        Value::Map(_) => "a map",
        Value::Ext(..) => "an ext value",
    }
}

fn to_u32(v: &Value, path: &str) -> Result<u32> {
    let n = v.as_u64().ok_or_else(|| {
        err(
            path,
            format!("expected an unsigned integer, found {}", kind(v)),
        )
    })?;
    u32::try_from(n).map_err(|_| err(path, format!("{n} does not fit in 32 bits")))
}

fn to_str(v: &Value, path: &str) -> Result<String> {
    match v {
        Value::String(s) => s
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| err(path, "string is not valid UTF-8")),
        other => Err(err(
            path,
            format!("expected a string, found {}", kind(other)),
        )),
    }
}

fn array<'a>(v: &'a Value, path: &str) -> Result<&'a [Value]> {
    match v {
        Value::Array(items) => Ok(items),
        other => Err(err(
            path,
            format!("expected an array, found {}", kind(other)),
        )),
    }
}

fn parse_arg(v: &Value, path: String) -> Result<ArgMeta> {
    let mut m = Map::new(v, path)?;
    let arg = ArgMeta {
        name: m.str_opt(".name")?,
        type_name: m.str_opt(".type_name")?,
        offset: m.u32_req(".offset")?,
        size: m.u32_req(".size")?,
        value_kind: ValueKind::parse(&m.str_req(".value_kind")?),
        address_space: m.str_opt(".address_space")?,
        access: m.str_opt(".access")?,
        actual_access: m.str_opt(".actual_access")?,
        pointee_align: m.u32_opt(".pointee_align")?,
        is_const: m.bool_opt(".is_const")?.unwrap_or(false),
        is_restrict: m.bool_opt(".is_restrict")?.unwrap_or(false),
        is_volatile: m.bool_opt(".is_volatile")?.unwrap_or(false),
        is_pipe: m.bool_opt(".is_pipe")?.unwrap_or(false),
        extra: BTreeMap::new(),
    };
    if arg.offset.checked_add(arg.size).is_none() {
        return Err(err(&m.key_path(".size"), "offset + size overflows"));
    }
    Ok(ArgMeta {
        extra: m.extra(),
        ..arg
    })
}

fn parse_kernel(v: &Value, path: String) -> Result<KernelMeta> {
    let mut m = Map::new(v, path)?;
    let args_path = m.key_path(".args");
    let args = match m.get(".args") {
        Some(a) => array(a, &args_path)?
            .iter()
            .enumerate()
            .map(|(i, a)| parse_arg(a, format!("{args_path}[{i}]")))
            .collect::<Result<Vec<_>>>()?,
        None => Vec::new(),
    };
    let k = KernelMeta {
        name: m.str_req(".name")?,
        symbol: m.str_req(".symbol")?,
        language: m.str_opt(".language")?,
        language_version: m.uints_opt(".language_version")?.unwrap_or_default(),
        args,
        kernarg_segment_size: m.u32_req(".kernarg_segment_size")?,
        kernarg_segment_align: m.u32_req(".kernarg_segment_align")?,
        group_segment_fixed_size: m.u32_req(".group_segment_fixed_size")?,
        private_segment_fixed_size: m.u32_req(".private_segment_fixed_size")?,
        wavefront_size: m.u32_req(".wavefront_size")?,
        sgpr_count: m.u32_req(".sgpr_count")?,
        vgpr_count: m.u32_req(".vgpr_count")?,
        agpr_count: m.u32_opt(".agpr_count")?,
        sgpr_spill_count: m.u32_opt(".sgpr_spill_count")?.unwrap_or(0),
        vgpr_spill_count: m.u32_opt(".vgpr_spill_count")?.unwrap_or(0),
        max_flat_workgroup_size: m.u32_req(".max_flat_workgroup_size")?,
        uses_dynamic_stack: m.bool_opt(".uses_dynamic_stack")?.unwrap_or(false),
        workgroup_processor_mode: m.bool_opt(".workgroup_processor_mode")?,
        uniform_work_group_size: m.bool_opt(".uniform_work_group_size")?,
        reqd_workgroup_size: m.uints_opt(".reqd_workgroup_size")?,
        workgroup_size_hint: m.uints_opt(".workgroup_size_hint")?,
        kind: m.str_opt(".kind")?,
        extra: BTreeMap::new(),
    };
    validate_kernel(&k, &m.path)?;
    Ok(KernelMeta {
        extra: m.extra(),
        ..k
    })
}

/// Structural checks the dispatcher relies on: arguments inside the kernarg segment, in
/// increasing order, without overlap; sane alignment and wave size.
fn validate_kernel(k: &KernelMeta, path: &str) -> Result<()> {
    if k.kernarg_segment_size > MAX_KERNARG_SEGMENT_SIZE {
        return Err(err(
            &format!("{path}.kernarg_segment_size"),
            format!(
                "{} exceeds the {MAX_KERNARG_SEGMENT_SIZE}-byte limit",
                k.kernarg_segment_size
            ),
        ));
    }
    if !k.kernarg_segment_align.is_power_of_two() {
        return Err(err(
            &format!("{path}.kernarg_segment_align"),
            format!("{} is not a power of two", k.kernarg_segment_align),
        ));
    }
    if k.wavefront_size != 32 && k.wavefront_size != 64 {
        return Err(err(
            &format!("{path}.wavefront_size"),
            format!("{} is neither 32 nor 64", k.wavefront_size),
        ));
    }
    let mut end = 0u32;
    for (i, a) in k.args.iter().enumerate() {
        let p = format!("{path}.args[{i}]");
        let a_end = a.offset + a.size; // checked in parse_arg
        if a_end > k.kernarg_segment_size {
            return Err(err(
                &p,
                format!(
                    "bytes {}..{a_end} exceed kernarg_segment_size {}",
                    a.offset, k.kernarg_segment_size
                ),
            ));
        }
        if a.offset < end {
            return Err(err(
                &p,
                format!(
                    "offset {} overlaps the previous argument (ends at {end})",
                    a.offset
                ),
            ));
        }
        end = a_end;
    }
    Ok(())
}

impl Metadata {
    /// Decodes the descriptor bytes of an `NT_AMDGPU_METADATA` note.
    pub fn parse(desc: &[u8]) -> Result<Self> {
        let mut rd = desc;
        let root = rmpv::decode::read_value_with_max_depth(&mut rd, MAX_DEPTH)
            .map_err(|e| err("(root)", format!("msgpack: {e}")))?;
        let mut m = Map::new(&root, String::new())?;
        let version = m
            .uints_opt("amdhsa.version")?
            .ok_or_else(|| err("amdhsa.version", "required field missing"))?;
        if version.len() != 2 || version[0] != 1 {
            return Err(err(
                "amdhsa.version",
                format!("{version:?} is not [1, minor]"),
            ));
        }
        let target = m.str_opt("amdhsa.target")?;
        let printf = match m.get("amdhsa.printf") {
            Some(v) => array(v, "amdhsa.printf")?
                .iter()
                .enumerate()
                .map(|(i, s)| to_str(s, &format!("amdhsa.printf[{i}]")))
                .collect::<Result<Vec<_>>>()?,
            None => Vec::new(),
        };
        let kernels = match m.get("amdhsa.kernels") {
            Some(v) => array(v, "amdhsa.kernels")?
                .iter()
                .enumerate()
                .map(|(i, k)| parse_kernel(k, format!("amdhsa.kernels[{i}]")))
                .collect::<Result<Vec<_>>>()?,
            None => Vec::new(),
        };
        Ok(Metadata {
            version,
            target,
            printf,
            kernels,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::from(x)
    }

    fn encode(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        rmpv::encode::write_value(&mut out, v).unwrap();
        out
    }

    fn kernel(args: Vec<Value>) -> Value {
        Value::Map(vec![
            (s(".name"), s("k")),
            (s(".symbol"), s("k.kd")),
            (s(".args"), Value::Array(args)),
            (s(".kernarg_segment_size"), Value::from(16)),
            (s(".kernarg_segment_align"), Value::from(8)),
            (s(".group_segment_fixed_size"), Value::from(0)),
            (s(".private_segment_fixed_size"), Value::from(0)),
            (s(".wavefront_size"), Value::from(32)),
            (s(".sgpr_count"), Value::from(8)),
            (s(".vgpr_count"), Value::from(4)),
            (s(".max_flat_workgroup_size"), Value::from(256)),
            (s(".future_key"), Value::from(7)),
        ])
    }

    fn root(kernels: Vec<Value>) -> Value {
        Value::Map(vec![
            (
                s("amdhsa.version"),
                Value::Array(vec![Value::from(1), Value::from(2)]),
            ),
            (s("amdhsa.target"), s("amdgcn-amd-amdhsa--gfx1010")),
            (s("amdhsa.kernels"), Value::Array(kernels)),
        ])
    }

    fn arg(offset: u32, size: u32, kind: &str) -> Value {
        Value::Map(vec![
            (s(".offset"), Value::from(offset)),
            (s(".size"), Value::from(size)),
            (s(".value_kind"), s(kind)),
        ])
    }

    #[test]
    fn decodes_minimal_map_and_keeps_unknown_keys() {
        let m = Metadata::parse(&encode(&root(vec![kernel(vec![arg(
            0,
            8,
            "global_buffer",
        )])])))
        .unwrap();
        assert_eq!(m.version, vec![1, 2]);
        let k = &m.kernels[0];
        assert_eq!(k.args[0].value_kind, ValueKind::GlobalBuffer);
        assert_eq!(k.extra.get(".future_key").map(String::as_str), Some("7"));
    }

    #[test]
    fn errors_name_the_field_path() {
        let e = Metadata::parse(&encode(&root(vec![kernel(vec![arg(12, 8, "by_value")])])))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("amdhsa.kernels[0].args[0]") && e.contains("exceed"),
            "{e}"
        );
        let e = Metadata::parse(&encode(&root(vec![kernel(vec![
            arg(0, 8, "by_value"),
            arg(4, 4, "by_value"),
        ])])))
        .unwrap_err()
        .to_string();
        assert!(e.contains("args[1]") && e.contains("overlaps"), "{e}");
        let mut bad = kernel(vec![]);
        if let Value::Map(m) = &mut bad {
            m.retain(|(k, _)| k.as_str() != Some(".vgpr_count"));
        }
        let e = Metadata::parse(&encode(&root(vec![bad])))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("amdhsa.kernels[0].vgpr_count: required field missing"),
            "{e}"
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &b""[..],
            b"\xc1",
            b"\x92\x01",
            b"\xdd\xff\xff\xff\xff",
            b"\x81\x01\x02",
        ] {
            assert!(Metadata::parse(bytes).is_err(), "{bytes:?}");
        }
        // Deep nesting is bounded.
        let deep = vec![0x91u8; 10_000];
        assert!(Metadata::parse(&deep).is_err());
    }
}

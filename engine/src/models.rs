//! Finding model files: the models directories, the default model, and
//! `rocless models list` entries.

use std::path::{Path, PathBuf};

use crate::gguf::{GgmlType, Gguf};

/// File name of the default model (Gemma 3 270M, Q4_K_M).
pub const DEFAULT_MODEL: &str = "gemma-3-270m-q4_k_m.gguf";

/// Directories searched for models, in order: every entry of
/// `$ROCLESS_MODELS` (colon-separated), `./models`, the repository's
/// `models/` (as built).
pub fn model_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(v) = std::env::var_os("ROCLESS_MODELS") {
        dirs.extend(std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()));
    }
    dirs.push(PathBuf::from("models"));
    if let Some(repo) = Path::new(env!("CARGO_MANIFEST_DIR")).parent() {
        dirs.push(repo.join("models"));
    }
    let mut out: Vec<PathBuf> = Vec::new();
    for d in dirs {
        let canon = d.canonicalize().unwrap_or(d);
        if !out.contains(&canon) {
            out.push(canon);
        }
    }
    out
}

/// The first models directory holding a `.gguf` file, for tests; prints a
/// skip message and returns `None` when there is none.
pub fn test_models_dir() -> Option<PathBuf> {
    let found = model_dirs().into_iter().find(|d| !gguf_files(d).is_empty());
    if found.is_none() {
        eprintln!("skip: no .gguf models found (set ROCLESS_MODELS)");
    }
    found
}

/// Path of a named model file in the test models directory, or `None`
/// (with a skip message) when absent.
pub fn test_model(file: &str) -> Option<PathBuf> {
    let p = model_dirs()
        .into_iter()
        .map(|d| d.join(file))
        .find(|p| p.is_file());
    if p.is_none() {
        eprintln!("skip: model {file} not found (set ROCLESS_MODELS)");
    }
    p
}

/// `.gguf` files directly inside `dir`, sorted.
pub fn gguf_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "gguf"))
        .collect();
    v.sort();
    v
}

/// Resolves a `-m` argument: an existing path, else a file name (with or
/// without `.gguf`) in the models directories; `None` gives the default model.
pub fn resolve(model: Option<&str>) -> anyhow::Result<PathBuf> {
    let name = model.unwrap_or(DEFAULT_MODEL);
    let p = Path::new(name);
    if p.is_file() {
        return Ok(p.to_path_buf());
    }
    let dirs = model_dirs();
    for d in &dirs {
        for cand in [d.join(name), d.join(format!("{name}.gguf"))] {
            if cand.is_file() {
                return Ok(cand);
            }
        }
    }
    // A unique case-insensitive substring match ("smollm2", "gemma").
    let lower = name.to_lowercase();
    let hits: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| gguf_files(d))
        .filter(|p| {
            p.file_name()
                .is_some_and(|f| f.to_string_lossy().to_lowercase().contains(&lower))
        })
        .collect();
    if hits.len() == 1 {
        return Ok(hits[0].clone());
    }
    let searched: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    anyhow::bail!(
        "model '{name}' not found (searched {}; set ROCLESS_MODELS or run scripts/models.sh)",
        searched.join(", ")
    )
}

/// One row of `rocless models list`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModelEntry {
    /// File path.
    pub path: PathBuf,
    /// `general.name` or the file stem.
    pub name: String,
    /// `general.architecture`.
    pub arch: String,
    /// Parameter count (sum of tensor elements).
    pub params: u64,
    /// Quantization: `general.file_type` name or the most common weight type.
    pub quant: String,
    /// File size in bytes.
    pub size: u64,
    /// `<arch>.context_length`.
    pub context: Option<u64>,
}

/// Describes one model file.
pub fn describe(path: &Path) -> anyhow::Result<ModelEntry> {
    let g = Gguf::open(path)?;
    Ok(describe_gguf(&g, path))
}

/// Describes an opened model.
pub fn describe_gguf(g: &Gguf, path: &Path) -> ModelEntry {
    let params = g.tensors().map(|t| t.n_elements()).sum();
    ModelEntry {
        path: path.to_path_buf(),
        name: g
            .get_str("general.name")
            .map(str::to_string)
            .unwrap_or_else(|| {
                path.file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into()
            }),
        arch: g.architecture().unwrap_or("?").to_string(),
        params,
        quant: quant_name(g),
        size: g.file_size(),
        context: g.arch_get("context_length").and_then(|v| v.as_u64()),
    }
}

/// The model's quantization: `general.file_type` as llama.cpp names it
/// (`llama_model_ftype_name` in llama-model-loader.cpp), else the type
/// holding the most weight bytes.
pub fn quant_name(g: &Gguf) -> String {
    const FTYPES: &[(u32, &str)] = &[
        (0, "F32"),
        (1, "F16"),
        (2, "Q4_0"),
        (3, "Q4_1"),
        (7, "Q8_0"),
        (8, "Q5_0"),
        (9, "Q5_1"),
        (10, "Q2_K"),
        (11, "Q3_K_S"),
        (12, "Q3_K_M"),
        (13, "Q3_K_L"),
        (14, "Q4_K_S"),
        (15, "Q4_K_M"),
        (16, "Q5_K_S"),
        (17, "Q5_K_M"),
        (18, "Q6_K"),
        (32, "BF16"),
    ];
    if let Some(ft) = g.get_u32("general.file_type") {
        if let Some((_, n)) = FTYPES.iter().find(|(id, _)| *id == ft) {
            return n.to_string();
        }
    }
    let mut bytes: Vec<(GgmlType, usize)> = Vec::new();
    for t in g.tensors() {
        match bytes.iter_mut().find(|(ty, _)| *ty == t.ggml_type) {
            Some(e) => e.1 += t.data.len(),
            None => bytes.push((t.ggml_type, t.data.len())),
        }
    }
    bytes
        .iter()
        .max_by_key(|e| e.1)
        .map(|e| e.0.name().to_string())
        .unwrap_or_else(|| "?".into())
}

/// All models found in [`model_dirs`] (unreadable files are reported as errors).
pub fn list() -> Vec<(PathBuf, anyhow::Result<ModelEntry>)> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for d in model_dirs() {
        for p in gguf_files(&d) {
            let canon = p.canonicalize().unwrap_or_else(|_| p.clone());
            if seen.contains(&canon) {
                continue;
            }
            seen.push(canon);
            let e = describe(&p);
            out.push((p, e));
        }
    }
    out
}

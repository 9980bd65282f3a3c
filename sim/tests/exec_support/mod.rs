//! Shared test support for the executor tests: compile OpenCL C with clang-19,
//! load it with the `loader` crate into a [`FlatMemory`], build kernargs and
//! user SGPRs the way a runtime would, and run one dispatch.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use loader::{ArgValue, CodeObject, Dispatch, HiddenPointers, KernargBuilder, UserSgprValues};
use sim::exec::{
    run_dispatch, Budget, DispatchCounters, DispatchState, ExecError, FlatMemory, Target,
    PRIVATE_APERTURE_BASE, SHARED_APERTURE_BASE,
};

/// Helpers every kernel source may use (no OpenCL library with -nogpulib).
pub const PRELUDE: &str = r#"
#define LID(d) __builtin_amdgcn_workitem_id_##d()
#define WGID(d) __builtin_amdgcn_workgroup_id_##d()
#define WGSIZE(d) __builtin_amdgcn_workgroup_size_##d()
#define GID(d) (WGID(d) * WGSIZE(d) + LID(d))
#define BARRIER() do { __builtin_amdgcn_fence(__ATOMIC_RELEASE, "workgroup"); __builtin_amdgcn_s_barrier(); __builtin_amdgcn_fence(__ATOMIC_ACQUIRE, "workgroup"); } while (0)
"#;

/// Compiles `src` (with [`PRELUDE`]) for `mcpu`; `None` (with a printed
/// message) when clang-19 is not installed.
pub fn compile(src: &str, mcpu: &str, wave64: bool) -> Option<Vec<u8>> {
    compile_with(src, mcpu, wave64, &[])
}

/// [`compile`] with extra clang flags (e.g. `-cl-denorms-are-zero`).
pub fn compile_with(src: &str, mcpu: &str, wave64: bool, flags: &[&str]) -> Option<Vec<u8>> {
    if Command::new("clang-19").arg("--version").output().is_err() {
        eprintln!("skipping: clang-19 not installed");
        return None;
    }
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (src, mcpu, wave64, flags).hash(&mut h);
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "rocless-simexec-{}-{:016x}",
        std::process::id(),
        h.finish()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let cl = dir.join("k.cl");
    let obj = dir.join("k.o");
    let hsaco = dir.join("k.hsaco");
    std::fs::write(&cl, format!("{PRELUDE}\n{src}")).unwrap();
    let mut c = Command::new("clang-19");
    c.args([
        "-cl-std=CL2.0",
        "-target",
        "amdgcn-amd-amdhsa",
        &format!("-mcpu={mcpu}"),
        "-nogpulib",
        "-O3",
        "-c",
    ]);
    if wave64 {
        c.arg("-mwavefrontsize64");
    }
    c.args(flags);
    let out = c.arg(&cl).arg("-o").arg(&obj).output().unwrap();
    assert!(
        out.status.success(),
        "clang failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("ld.lld-19")
        .arg("-shared")
        .arg(&obj)
        .arg("-o")
        .arg(&hsaco)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ld.lld failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&hsaco).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Some(bytes)
}

/// Where test buffers live.
pub const CODE_VA: u64 = 0x1_0000_0000;
const KERNARG_VA: u64 = 0x2_0000_0000;
const SCRATCH_VA: u64 = 0x3_0000_0000;
const BUF_VA: u64 = 0x10_0000_0000;

/// A tiny GPU: flat memory plus a bump allocator.
pub struct Gpu {
    pub mem: FlatMemory,
    next: u64,
}

impl Default for Gpu {
    fn default() -> Self {
        Self::new()
    }
}

impl Gpu {
    pub fn new() -> Self {
        Self {
            mem: FlatMemory::new(),
            next: BUF_VA,
        }
    }
    /// Maps `bytes` at a fresh VA (with an unmapped guard gap after it).
    pub fn buffer(&mut self, bytes: Vec<u8>) -> u64 {
        let va = self.next;
        let len = bytes.len().max(1) as u64;
        self.next += (len + 0xffff) & !0xfff;
        self.next = (self.next + 0xffff) & !0xffff;
        self.mem.map(va, bytes);
        va
    }
    pub fn f32s(&mut self, v: &[f32]) -> u64 {
        self.buffer(v.iter().flat_map(|x| x.to_le_bytes()).collect())
    }
    pub fn u32s(&mut self, v: &[u32]) -> u64 {
        self.buffer(v.iter().flat_map(|x| x.to_le_bytes()).collect())
    }
    pub fn zeros(&mut self, n: usize) -> u64 {
        self.buffer(vec![0; n])
    }
    pub fn read_bytes(&self, va: u64) -> Vec<u8> {
        self.mem.region(va).expect("buffer").to_vec()
    }
    pub fn read_f32(&self, va: u64) -> Vec<f32> {
        self.read_bytes(va)
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }
    pub fn read_u32(&self, va: u64) -> Vec<u32> {
        self.read_bytes(va)
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }
    pub fn read_f64(&self, va: u64) -> Vec<f64> {
        self.read_bytes(va)
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }
}

/// A prepared dispatch (code loaded, kernargs written) that can run repeatedly.
pub struct Prepared {
    pub state: DispatchState,
}

/// Loads `kernel` of `hsaco` into `gpu` and prepares a dispatch of `grid`
/// workgroups of `block` workitems with explicit `args`.
pub fn prepare(
    gpu: &mut Gpu,
    hsaco: &[u8],
    kernel: &str,
    target: Target,
    grid: [u32; 3],
    block: [u32; 3],
    args: &[ArgValue],
) -> Prepared {
    let co = CodeObject::parse(hsaco).expect("parse hsaco");
    let k = co.kernel(kernel).expect("kernel").clone();
    if gpu.mem.region(CODE_VA).is_none() {
        let image = co.load(CODE_VA).expect("load");
        let mut bytes = image.bytes.clone();
        bytes.resize(bytes.len() + 256, 0);
        gpu.mem.map(CODE_VA, bytes);
    }
    let image = co.load(CODE_VA).expect("load");
    let lk = image.kernel(kernel).expect("loaded kernel");
    let mut kb = KernargBuilder::new(&k.metadata);
    for a in args {
        kb.push(a.clone()).expect("kernarg");
    }
    kb.dispatch(Dispatch::from_workgroups(grid, block).expect("dispatch"));
    kb.pointers(HiddenPointers {
        private_base: (PRIVATE_APERTURE_BASE >> 32) as u32,
        shared_base: (SHARED_APERTURE_BASE >> 32) as u32,
        ..HiddenPointers::default()
    });
    let ka = kb.build().expect("kernarg build");
    let kernarg_va = KERNARG_VA + gpu.mem.region(KERNARG_VA).map_or(0, |_| 0);
    if let Some(r) = gpu.mem.region_mut(KERNARG_VA) {
        *r = ka.bytes.clone();
        r.resize(r.len().max(4096), 0);
    } else {
        let mut b = ka.bytes.clone();
        b.resize(b.len().max(4096), 0);
        gpu.mem.map(KERNARG_VA, b);
    }
    let d = &k.descriptor;
    let wave32 = d.wave32;
    let wave_size = if wave32 { 32 } else { 64 };
    let threads: u32 = block.iter().product();
    let waves = threads.div_ceil(wave_size);
    // Scratch: per-lane private size × wave size, in 1 KiB units per wave.
    let wave_bytes = ((d.private_segment_fixed_size as u64 * wave_size as u64) + 1023) & !1023;
    if wave_bytes > 0 && gpu.mem.region(SCRATCH_VA).is_none() {
        gpu.mem.map_zeroed(SCRATCH_VA, (wave_bytes * 32) as usize);
    }
    let index_stride = if wave32 { 2 } else { 3 };
    let vsharp = [
        SCRATCH_VA as u32,
        ((SCRATCH_VA >> 32) as u32 & 0xffff) | 1 << 31,
        u32::MAX,
        (index_stride << 21) | 1 << 23,
    ];
    let layout = loader::sgpr_layout(d, &k.name).expect("sgpr layout");
    let ud = layout.user_data(&UserSgprValues {
        private_segment_buffer: vsharp,
        kernarg_ptr: kernarg_va,
        flat_scratch_init: SCRATCH_VA,
        private_segment_size: d.private_segment_fixed_size,
        kernarg: ka.bytes.clone(),
        ..UserSgprValues::default()
    });
    let mut user_data = [0u32; 16];
    user_data[..ud.len()].copy_from_slice(&ud);
    let mut rsrc2 = d.rsrc2;
    // LDS_SIZE must cover static + dynamic LDS (512-byte granules).
    let lds_gran = ka.lds_bytes.div_ceil(512);
    rsrc2 = (rsrc2 & !(0x1ff << 15)) | (lds_gran << 15);
    let state = DispatchState {
        pgm_va: lk.entry_address,
        rsrc1: d.rsrc1,
        rsrc2,
        rsrc3: d.rsrc3,
        user_data,
        block,
        grid,
        wave32,
        tmpring_size: ((wave_bytes / 1024) as u32) << 12 | waves.min(0xfff),
        scratch_base: SCRATCH_VA,
        target,
        trace_wave: None,
    };
    Prepared { state }
}

/// Compiles, prepares and runs in one go.
#[allow(clippy::too_many_arguments)]
pub fn run(
    gpu: &mut Gpu,
    hsaco: &[u8],
    kernel: &str,
    target: Target,
    grid: [u32; 3],
    block: [u32; 3],
    args: &[ArgValue],
) -> Result<DispatchCounters, ExecError> {
    let p = prepare(gpu, hsaco, kernel, target, grid, block, args);
    run_dispatch(&p.state, &mut gpu.mem, &Budget::default())
}

/// Pointer argument.
pub fn ptr(va: u64) -> ArgValue {
    ArgValue::Pointer(va)
}

// ---------------------------------------------------------------- corpus

/// `kernels/tests`, the isa corpus.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../kernels/tests")
}

/// The corpus kernels (`*.cl`), sorted; `None` (with a message) without clang-19 or the corpus.
pub fn corpus_files() -> Option<Vec<PathBuf>> {
    if Command::new("clang-19").arg("--version").output().is_err() {
        eprintln!("skipping: clang-19 not installed");
        return None;
    }
    let dir = corpus_dir();
    let Ok(rd) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: no corpus at {}", dir.display());
        return None;
    };
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "cl"))
        .collect();
    files.sort();
    Some(files)
}

/// One build of a corpus kernel.
pub struct CorpusVariant {
    pub mcpu: &'static str,
    pub wave64: bool,
    pub target: Target,
}

/// gfx1010 wave32, gfx1010 wave64, gfx1030 wave32.
pub const CORPUS_VARIANTS: [CorpusVariant; 3] = [
    CorpusVariant {
        mcpu: "gfx1010",
        wave64: false,
        target: Target::Gfx1010,
    },
    CorpusVariant {
        mcpu: "gfx1010",
        wave64: true,
        target: Target::Gfx1010,
    },
    CorpusVariant {
        mcpu: "gfx1030",
        wave64: false,
        target: Target::Gfx1030,
    },
];

impl CorpusVariant {
    /// `gfx1010-w32`.
    pub fn label(&self) -> String {
        format!("{}-w{}", self.mcpu, if self.wave64 { 64 } else { 32 })
    }
}

/// Builds corpus kernel `cl` as the isa oracle does (clang-19 -O3 -nogpulib, ld.lld-19).
pub fn build_corpus(cl: &Path, v: &CorpusVariant) -> Result<Vec<u8>, String> {
    let dir = std::env::temp_dir().join(format!("rocless-corpus-results-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let stem = cl.file_stem().unwrap().to_str().unwrap();
    let obj = dir.join(format!("{stem}-{}.o", v.label()));
    let out = dir.join(format!("{stem}-{}.hsaco", v.label()));
    let mut c = Command::new("clang-19");
    c.args([
        "-cl-std=CL2.0",
        "-target",
        "amdgcn-amd-amdhsa",
        &format!("-mcpu={}", v.mcpu),
        "-nogpulib",
        "-O3",
        "-c",
    ]);
    c.arg("-I").arg(cl.parent().unwrap());
    if v.wave64 {
        c.arg("-mwavefrontsize64");
    }
    let st = c
        .arg(cl)
        .arg("-o")
        .arg(&obj)
        .output()
        .map_err(|e| e.to_string())?;
    if !st.status.success() {
        return Err(format!("clang: {}", String::from_utf8_lossy(&st.stderr)));
    }
    let st = Command::new("ld.lld-19")
        .arg("-shared")
        .arg(&obj)
        .arg("-o")
        .arg(&out)
        .output()
        .map_err(|e| e.to_string())?;
    if !st.status.success() {
        return Err(format!("ld.lld: {}", String::from_utf8_lossy(&st.stderr)));
    }
    let bytes = std::fs::read(&out).map_err(|e| e.to_string());
    let _ = std::fs::remove_file(&obj);
    let _ = std::fs::remove_file(&out);
    bytes
}

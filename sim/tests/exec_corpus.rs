//! Coverage over the isa corpus (`kernels/tests/*.cl`): every kernel, compiled
//! for gfx1010 wave32, gfx1010 wave64 and gfx1030, must pre-decode into
//! instructions the executor implements.

mod exec_support;

use exec_support::*;
use loader::CodeObject;
use sim::exec::{predecode, DispatchState, FlatMemory};

#[test]
fn corpus_kernels_use_only_implemented_instructions() {
    let Some(files) = corpus_files() else {
        return;
    };
    let mut missing: Vec<String> = Vec::new();
    let mut kernels = 0;
    for f in &files {
        for v in &CORPUS_VARIANTS {
            let (mcpu, wave64, target) = (v.mcpu, v.wave64, v.target);
            let h = match build_corpus(f, v) {
                Ok(h) => h,
                Err(e) => {
                    eprintln!("{}: {}: {e}", f.display(), v.label());
                    continue;
                }
            };
            let co = CodeObject::parse(&h).expect("parse");
            let img = co.load(0x1_0000_0000).expect("load");
            let mut mem = FlatMemory::new();
            mem.map(0x1_0000_0000, img.bytes.clone());
            for k in &img.kernels {
                let d = DispatchState {
                    pgm_va: k.entry_address,
                    wave32: !wave64,
                    target,
                    block: [64, 1, 1],
                    grid: [1, 1, 1],
                    ..Default::default()
                };
                let p = predecode(&d, &mut mem).expect("predecode");
                kernels += 1;
                for (off, text) in &p.unsupported {
                    missing.push(format!(
                        "{}:{}:{mcpu}{}: +0x{off:x} {text}",
                        f.file_name().unwrap().to_string_lossy(),
                        k.name,
                        if wave64 { "w64" } else { "" }
                    ));
                }
            }
        }
    }
    eprintln!("{kernels} kernel builds pre-decoded");
    assert!(
        missing.is_empty(),
        "unimplemented instructions:\n{}",
        missing.join("\n")
    );
}

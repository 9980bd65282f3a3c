//! Fuzz target: AMDGPU code-object parsing and everything downstream (load image with
//! relocations, kernarg builder, SGPR layout, occupancy). Seeds: loader/tests/data/*.hsaco.
//! The body is `loader::fuzz::exercise`, also run by loader/tests/mutation.rs as a seeded
//! mutation loop.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = loader::fuzz::exercise(data);
});

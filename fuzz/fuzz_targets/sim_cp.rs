//! Fuzz target: arbitrary bytes as a PM4 IB through the simulator's command
//! processor, and as ioctl requests into the fake kernel. Must never panic and
//! must leave the device usable. Body: `sim::kmd::fuzz`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    sim::kmd::fuzz::exercise_cp(data);
    sim::kmd::fuzz::exercise_ioctl(data);
});

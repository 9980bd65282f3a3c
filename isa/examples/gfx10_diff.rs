//! Prints findings/isa-gfx10-diff.md: `cargo run -q -p isa --example gfx10_diff > findings/isa-gfx10-diff.md`.

fn main() {
    print!("{}", isa::doc::gfx10_diff_markdown());
}

//! harness: runs the tier 0..6 probes (see DESIGN.md).
fn main() {
    eprintln!("error: harness: probes not implemented yet (issue 10)");
    std::process::exit(1);
}

//! rocless: the command-line interface (thin; the work lives in the crates).
fn main() {
    eprintln!("error: no subcommand implemented yet");
    std::process::exit(1);
}

//! `tier5 [--device auto|sim|PATH] [--json]`: runs probe tier 5 ([`probes::tier5`]).
//! Exit 0 pass/skip, 1 fail, 2 usage error.

fn main() {
    std::process::exit(probes::cli::main(5));
}

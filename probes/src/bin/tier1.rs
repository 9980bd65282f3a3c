//! `tier1 [--device auto|sim|PATH] [--json]`: runs probe tier 1 ([`probes::tier1`]).
//! Exit 0 pass/skip, 1 fail, 2 usage error.

fn main() {
    std::process::exit(probes::cli::main(1));
}

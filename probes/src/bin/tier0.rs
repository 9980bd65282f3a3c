//! `tier0 [--device auto|sim|PATH] [--json]`: runs probe tier 0 ([`probes::tier0`]).
//! Exit 0 pass/skip, 1 fail, 2 usage error.

fn main() {
    std::process::exit(probes::cli::main(0));
}

//! `tier3 [--device auto|sim|PATH] [--json]`: runs probe tier 3 ([`probes::tier3`]).
//! Exit 0 pass/skip, 1 fail, 2 usage error.

fn main() {
    std::process::exit(probes::cli::main(3));
}

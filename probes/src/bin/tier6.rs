//! `tier6 [--device auto|sim|PATH] [--json]`: runs probe tier 6 ([`probes::tier6`]).
//! Exit 0 pass/skip, 1 fail, 2 usage error.

fn main() {
    std::process::exit(probes::cli::main(6));
}

//! findings/isa-gfx10-diff.md is generated from the instruction table; this test fails when
//! the committed file and the table disagree (regenerate with the command in the file).

#[test]
fn committed_isa_diff_document_is_current() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../findings/isa-gfx10-diff.md");
    let committed =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let generated = isa::doc::gfx10_diff_markdown();
    assert!(
        committed == generated,
        "{} is stale: run `cargo run -q -p isa --example gfx10_diff > findings/isa-gfx10-diff.md`",
        path.display()
    );
}

//! isa crate (see DESIGN.md).

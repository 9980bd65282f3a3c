//! engine crate (see DESIGN.md).

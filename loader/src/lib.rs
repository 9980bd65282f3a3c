//! loader crate (see DESIGN.md).

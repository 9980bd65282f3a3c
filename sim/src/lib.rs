//! sim crate (see DESIGN.md).

//! pm4 crate (see DESIGN.md).

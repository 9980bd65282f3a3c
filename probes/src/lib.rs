//! probes: tier 0..6 (see DESIGN.md).

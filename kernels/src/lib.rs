//! kernels crate (see DESIGN.md).

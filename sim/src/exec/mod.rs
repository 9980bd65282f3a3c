//! gfx10 wave executor: runs the machine code of one dispatch.

//! Bit fields of a 32-bit register or packet control dword.
//!
//! A [`Field`] is the data form of Mesa's `S_xxx_NAME` / `G_xxx_NAME` macro pair: a name and
//! an inclusive bit range. Every register and packet layout in this crate is built from these
//! constants, so bit positions are written exactly once (in `regs.rs` or `op.rs`).

/// One named bit range `hi:lo` (inclusive) of a dword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Upper-case name as in Mesa / the kernel headers (`LDS_SIZE`).
    pub name: &'static str,
    /// Lowest bit.
    pub lo: u8,
    /// Highest bit (inclusive).
    pub hi: u8,
}

impl Field {
    /// A field covering bits `hi:lo`; `lo <= hi < 32` is checked at compile time by the
    /// tables (a bad range fails const evaluation).
    pub const fn new(name: &'static str, lo: u8, hi: u8) -> Field {
        assert!(lo <= hi && hi < 32, "bad field range");
        Field { name, lo, hi }
    }

    /// Width in bits.
    pub const fn width(self) -> u32 {
        (self.hi - self.lo) as u32 + 1
    }

    /// Mask of the field's value before shifting (`0x1FF` for a 9-bit field).
    pub const fn value_mask(self) -> u32 {
        if self.width() == 32 {
            u32::MAX
        } else {
            (1u32 << self.width()) - 1
        }
    }

    /// Mask of the field in place.
    pub const fn mask(self) -> u32 {
        self.value_mask() << self.lo
    }

    /// Encode `v` into the field's position (Mesa `S_` macro); excess high bits are dropped.
    #[inline]
    pub const fn set(self, v: u32) -> u32 {
        (v & self.value_mask()) << self.lo
    }

    /// Encode a flag.
    #[inline]
    pub const fn flag(self, on: bool) -> u32 {
        self.set(on as u32)
    }

    /// Extract the field from a dword (Mesa `G_` macro).
    #[inline]
    pub const fn get(self, dword: u32) -> u32 {
        (dword >> self.lo) & self.value_mask()
    }

    /// Replace the field inside `dword` with `v`.
    #[inline]
    pub const fn replace(self, dword: u32, v: u32) -> u32 {
        (dword & !self.mask()) | self.set(v)
    }
}

/// Declares groups of [`Field`]s as one module per dword layout:
/// `bitfields! { NAME { F: lo..=hi, ... } }` gives `NAME::F` and `NAME::ALL`.
#[macro_export]
#[doc(hidden)]
macro_rules! bitfields {
    ($( $(#[$m:meta])* $group:ident { $( $f:ident : $lo:literal ..= $hi:literal ),* $(,)? } )*) => {
        $(
            $(#[$m])*
            #[allow(non_snake_case)]
            pub mod $group {
                #[allow(unused_imports)]
                use $crate::field::Field;
                $(
                    #[doc = concat!("Bits ", stringify!($hi), ":", stringify!($lo), ".")]
                    pub const $f: Field = Field::new(stringify!($f), $lo, $hi);
                )*
                /// Every field of this layout, low bits first.
                pub const ALL: &[Field] = &[$($f),*];
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_roundtrip() {
        let f = Field::new("LDS_SIZE", 15, 23);
        assert_eq!(f.width(), 9);
        assert_eq!(f.mask(), 0x00FF_8000);
        assert_eq!(f.set(3), 3 << 15);
        assert_eq!(f.get(f.set(0x1FF)), 0x1FF);
        assert_eq!(f.set(0x200), 0, "excess bits dropped");
        assert_eq!(f.replace(0xFFFF_FFFF, 0), 0xFF00_7FFF);
        let w = Field::new("DATA", 0, 31);
        assert_eq!(w.mask(), u32::MAX);
        assert_eq!(w.get(0xDEAD_BEEF), 0xDEAD_BEEF);
    }
}

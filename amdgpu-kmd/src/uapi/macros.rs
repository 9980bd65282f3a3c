//! Macros that define UAPI items and, in the same breath, their layout-table
//! entries (see [`super::layout`]).

/// Picks the C origin of a field: the Rust name unless overridden.
macro_rules! field_origin {
    ($rust:ident) => {
        $crate::uapi::layout::FieldOrigin::C(stringify!($rust))
    };
    ($rust:ident, pad) => {
        $crate::uapi::layout::FieldOrigin::RustPadding
    };
    ($rust:ident, new) => {
        $crate::uapi::layout::FieldOrigin::Newer
    };
    ($rust:ident, $c:literal) => {
        $crate::uapi::layout::FieldOrigin::C($c)
    };
}

/// Defines `#[repr(C)]` Pod structs and a `&[StructLayout]` table of them.
///
/// Field syntax: `name: Type` (C member of the same name), `name: Type =>
/// "cname"` (renamed / nested path), `=> pad` (Rust-only explicit padding),
/// `=> new` (not in libdrm 2.4.114).
macro_rules! abi_structs {
    ($table:ident; $(
        $(#[doc = $sdoc:literal])*
        $name:ident = $cty:literal {
            $( $(#[doc = $fdoc:literal])* $field:ident : $fty:ty $(=> $cf:tt)? ),* $(,)?
        }
    )*) => {
        $(
            $(#[doc = $sdoc])*
            #[repr(C)]
            #[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
            pub struct $name {
                $( $(#[doc = $fdoc])* pub $field: $fty, )*
            }
            impl Default for $name {
                fn default() -> Self {
                    bytemuck::Zeroable::zeroed()
                }
            }
        )*
        /// Layout of every struct defined in this group.
        pub const $table: &[$crate::uapi::layout::StructLayout] = &[ $(
            $crate::uapi::layout::StructLayout {
                rust: stringify!($name),
                c: $cty,
                size: core::mem::size_of::<$name>(),
                align: core::mem::align_of::<$name>(),
                fields: &[ $(
                    $crate::uapi::layout::FieldLayout {
                        rust: stringify!($field),
                        origin: field_origin!($field $(, $cf)?),
                        offset: core::mem::offset_of!($name, $field),
                        size: core::mem::size_of::<$fty>(),
                    }
                ),* ],
            }
        ),* ];
    };
}

/// Defines C unions as raw-word structs with typed accessors
/// (`get: fn(&self) -> Member`, `from: fn(Member) -> Self`) and a table.
macro_rules! abi_unions {
    ($table:ident; $(
        $(#[doc = $sdoc:literal])*
        $name:ident = $cty:literal, [$raw:ty; $n:expr] {
            $( $(#[doc = $mdoc:literal])* $get:ident / $from:ident : $mty:ty => $cm:literal ),* $(,)?
        }
    )*) => {
        $(
            $(#[doc = $sdoc])*
            #[repr(C)]
            #[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
            pub struct $name {
                /// The union's bytes.
                pub raw: [$raw; $n],
            }
            impl Default for $name {
                fn default() -> Self {
                    bytemuck::Zeroable::zeroed()
                }
            }
            impl $name {
                $(
                    $(#[doc = $mdoc])*
                    pub fn $get(&self) -> $mty {
                        bytemuck::pod_read_unaligned(
                            &bytemuck::bytes_of(self)[..core::mem::size_of::<$mty>()],
                        )
                    }
                    /// The union holding this member (rest zero).
                    pub fn $from(v: $mty) -> Self {
                        let mut u = Self::default();
                        bytemuck::bytes_of_mut(&mut u)[..core::mem::size_of::<$mty>()]
                            .copy_from_slice(bytemuck::bytes_of(&v));
                        u
                    }
                )*
            }
        )*
        /// Layout of every union defined in this group.
        pub const $table: &[$crate::uapi::layout::UnionLayout] = &[ $(
            $crate::uapi::layout::UnionLayout {
                rust: stringify!($name),
                c: $cty,
                size: core::mem::size_of::<$name>(),
                align: core::mem::align_of::<$name>(),
                members: &[ $(
                    $crate::uapi::layout::UnionMember {
                        c: $cm,
                        rust: stringify!($mty),
                        size: core::mem::size_of::<$mty>(),
                    }
                ),* ],
            }
        ),* ];
    };
}

/// Defines `pub const NAME: T = v;` items plus a `&[ConstDef]` table.
macro_rules! abi_consts {
    ($table:ident, $newer:expr, $ty:ty; $( $(#[doc = $d:literal])* $name:ident = $v:expr ),* $(,)?) => {
        $( $(#[doc = $d])* pub const $name: $ty = $v; )*
        /// Every constant of this group.
        pub const $table: &[$crate::uapi::layout::ConstDef] = &[ $(
            $crate::uapi::layout::ConstDef { name: stringify!($name), value: $name as i128, newer: $newer }
        ),* ];
    };
}

/// Defines request numbers (`DRM_IOCTL_*`) and the dispatch table.
macro_rules! abi_ioctls {
    ($table:ident; $( $(#[doc = $d:literal])* $name:ident = $dir:ident($nr:expr, $arg:ty) ),* $(,)?) => {
        $(
            $(#[doc = $d])*
            pub const $name: u64 = $crate::uapi::ioc($crate::uapi::$dir, $nr, core::mem::size_of::<$arg>());
        )*
        /// Every request number of this group.
        pub const $table: &[$crate::uapi::IoctlDesc] = &[ $(
            $crate::uapi::IoctlDesc {
                name: stringify!($name),
                request: $name,
                nr: $nr,
                dir: $crate::uapi::$dir,
                size: core::mem::size_of::<$arg>(),
                arg: stringify!($arg),
            }
        ),* ];
    };
}

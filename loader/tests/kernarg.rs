//! Kernarg segments and user-SGPR layouts built from the committed code objects.

mod common;

use common::read;
use loader::kernarg::COV5_IMPLICIT_LAYOUT;
use loader::{
    sgpr_layout, ArgValue, CodeObject, Dispatch, HiddenPointers, KernargBuilder, UserSgprKind,
    UserSgprValues,
};

fn u16_at(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes(b[o..o + 2].try_into().unwrap())
}
fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap())
}
fn u64_at(b: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap())
}

#[test]
fn compiler_hidden_offsets_match_the_cov5_table() {
    let mut checked = 0;
    for f in [
        "args-gfx1010.hsaco",
        "args-gfx1010-cov6.hsaco",
        "args-gfx1030.hsaco",
        "args-gfx1100.hsaco",
        "scratch-gfx1010.hsaco",
    ] {
        let co = CodeObject::parse(&read(f)).unwrap();
        for k in co.kernels() {
            let first = k
                .metadata
                .args
                .iter()
                .find(|a| a.value_kind.is_hidden())
                .unwrap();
            let rel = |kind: &str| {
                COV5_IMPLICIT_LAYOUT
                    .iter()
                    .find(|e| e.0 == kind)
                    .map(|e| (e.1, e.2))
            };
            let (first_rel, _) = rel(first.value_kind.as_str()).unwrap();
            let base = first.offset - first_rel;
            assert_eq!(base % 8, 0, "{f} {}: implicit block at {base}", k.name);
            for a in k.metadata.args.iter().filter(|a| a.value_kind.is_hidden()) {
                let (off, size) = rel(a.value_kind.as_str())
                    .unwrap_or_else(|| panic!("{}", a.value_kind.as_str()));
                assert_eq!(
                    a.offset - base,
                    off,
                    "{f} {} {}",
                    k.name,
                    a.value_kind.as_str()
                );
                assert_eq!(a.size, size, "{f} {} {}", k.name, a.value_kind.as_str());
                checked += 1;
            }
            // The implicit block is 256 bytes in v5 (AMDGPUUsage): the segment ends there.
            assert_eq!(
                k.metadata.kernarg_segment_size,
                base + 256,
                "{f} {}",
                k.name
            );
        }
    }
    assert!(checked > 50);
}

#[test]
fn saxpy_kernarg_has_explicit_and_hidden_values() {
    let co = CodeObject::parse(&read("args-gfx1010.hsaco")).unwrap();
    let k = co.kernel("saxpy").unwrap();
    let mut kb = KernargBuilder::new(&k.metadata);
    assert_eq!(kb.explicit_count(), 4);
    kb.push(ArgValue::f32(2.5)).unwrap();
    kb.push(ArgValue::Pointer(0x1234_5678_9000)).unwrap();
    kb.push(ArgValue::Pointer(0x2000)).unwrap();
    kb.push(ArgValue::u32(1000)).unwrap();
    let mut d = Dispatch::from_workitems([1000, 1, 1], [64, 1, 1]).unwrap();
    d.global_offset = [7, 0, 0];
    kb.dispatch(d);
    let ka = kb.build().unwrap();
    let b = &ka.bytes;
    assert_eq!(b.len(), 288);
    assert_eq!(ka.align, 8);
    assert_eq!(f32::from_le_bytes(b[0..4].try_into().unwrap()), 2.5);
    assert_eq!(u64_at(b, 8), 0x1234_5678_9000);
    assert_eq!(u64_at(b, 16), 0x2000);
    assert_eq!(u32_at(b, 24), 1000);
    // Implicit block at 32 (readelf: hidden_block_count_x .offset 32).
    assert_eq!((u32_at(b, 32), u32_at(b, 36), u32_at(b, 40)), (16, 1, 1));
    assert_eq!((u16_at(b, 44), u16_at(b, 46), u16_at(b, 48)), (64, 1, 1));
    assert_eq!(
        (u16_at(b, 50), u16_at(b, 52), u16_at(b, 54)),
        (1000 % 64, 0, 0)
    );
    assert_eq!(u64_at(b, 72), 7);
    assert_eq!(u16_at(b, 96), 1);
    assert_eq!(ka.lds_bytes, 0);
}

#[test]
fn dynamic_lds_gets_offset_after_static_and_size_in_hidden_arg() {
    let co = CodeObject::parse(&read("args-gfx1010.hsaco")).unwrap();
    let k = co.kernel("mixed").unwrap();
    let mut kb = KernargBuilder::new(&k.metadata);
    kb.push(ArgValue::Pointer(0x1000)).unwrap();
    kb.push(ArgValue::Pointer(0x2000)).unwrap();
    // params_t {float a; int b; double c; char d;} = 24 bytes.
    let mut s = vec![0u8; 24];
    s[0..4].copy_from_slice(&1.5f32.to_le_bytes());
    kb.push(ArgValue::Bytes(s.clone())).unwrap();
    kb.push(ArgValue::i8(-3)).unwrap();
    kb.push(ArgValue::i16(300)).unwrap();
    kb.push(ArgValue::i64(-5)).unwrap();
    kb.push(ArgValue::f64(0.25)).unwrap();
    let e = kb.clone().push(ArgValue::u32(4)).unwrap_err().to_string();
    assert!(e.contains("__local pointer"), "{e}");
    kb.push(ArgValue::DynamicLds(256)).unwrap();
    assert!(kb
        .push(ArgValue::u32(1))
        .unwrap_err()
        .to_string()
        .contains("already set"));
    kb.dispatch(Dispatch::from_workgroups([2, 1, 1], [64, 1, 1]).unwrap());
    let ka = kb.build().unwrap();
    let b = &ka.bytes;
    assert_eq!(&b[16..40], &s[..]);
    assert_eq!(b[40] as i8, -3);
    assert_eq!(u16_at(b, 42), 300);
    assert_eq!(u64_at(b, 48) as i64, -5);
    assert_eq!(u32_at(b, 64), 0, "LDS offset: no static LDS in this kernel");
    assert_eq!(ka.dynamic_lds_bytes, 256);
    assert_eq!(ka.lds_bytes, 256);
    let dyn_size = k
        .metadata
        .args
        .iter()
        .find(|a| a.value_kind.as_str() == "hidden_dynamic_lds_size")
        .unwrap();
    assert_eq!(u32_at(b, dyn_size.offset as usize), 256);
}

#[test]
fn kernarg_errors_name_the_argument() {
    let co = CodeObject::parse(&read("args-gfx1010.hsaco")).unwrap();
    let k = co.kernel("saxpy").unwrap();
    let mut kb = KernargBuilder::new(&k.metadata);
    let e = kb.set(0, ArgValue::u64(1)).unwrap_err().to_string();
    assert!(
        e.contains("argument 0") && e.contains("takes 4 bytes, got 8"),
        "{e}"
    );
    let e = kb.set(0, ArgValue::Pointer(1)).unwrap_err().to_string();
    assert!(e.contains("needs 8"), "{e}");
    let e = kb.set(9, ArgValue::u32(1)).unwrap_err().to_string();
    assert!(e.contains("argument 9 does not exist"), "{e}");
    let e = kb.set(1, ArgValue::DynamicLds(4)).unwrap_err().to_string();
    assert!(e.contains("not a __local pointer"), "{e}");
    kb.set(0, ArgValue::f32(1.0)).unwrap();
    kb.dispatch(Dispatch::from_workgroups([1, 1, 1], [64, 1, 1]).unwrap());
    let e = kb.build().unwrap_err().to_string();
    assert!(
        e.starts_with("kernarg saxpy: argument 1") && e.contains("was not given"),
        "{e}"
    );
    let mut kb = KernargBuilder::new(&k.metadata);
    for v in [
        ArgValue::f32(1.0),
        ArgValue::Pointer(0),
        ArgValue::Pointer(0),
        ArgValue::u32(0),
    ] {
        kb.push(v).unwrap();
    }
    assert!(kb
        .build()
        .unwrap_err()
        .to_string()
        .contains("dispatch shape"));
    // Too much dynamic LDS.
    let m = co.kernel("mixed").unwrap();
    let mut kb = KernargBuilder::new(&m.metadata);
    kb.set(7, ArgValue::DynamicLds(70_000)).unwrap();
    for (i, v) in [
        ArgValue::Pointer(0),
        ArgValue::Pointer(0),
        ArgValue::Bytes(vec![0; 24]),
        ArgValue::i8(0),
        ArgValue::i16(0),
        ArgValue::i64(0),
        ArgValue::f64(0.0),
    ]
    .into_iter()
    .enumerate()
    {
        kb.set(i, v).unwrap();
    }
    kb.dispatch(Dispatch::from_workgroups([1, 1, 1], [64, 1, 1]).unwrap());
    assert!(kb.build().unwrap_err().to_string().contains("exceed 65536"));
}

#[test]
fn cov4_hidden_arguments_are_filled() {
    let co = CodeObject::parse(&read("args-gfx1010-cov4.hsaco")).unwrap();
    let k = co
        .kernels()
        .iter()
        .find(|k| {
            k.metadata
                .args
                .iter()
                .any(|a| a.value_kind.as_str() == "hidden_global_offset_x")
        })
        .unwrap();
    assert!(k
        .metadata
        .args
        .iter()
        .any(|a| a.value_kind.as_str() == "hidden_none"));
    let mut kb = KernargBuilder::new(&k.metadata);
    let explicit: Vec<_> = k.metadata.explicit_args().cloned().collect();
    for a in explicit {
        let v = match a.value_kind {
            loader::ValueKind::DynamicSharedPointer => ArgValue::DynamicLds(16),
            _ => ArgValue::Bytes(vec![0x5a; a.size as usize]),
        };
        kb.push(v).unwrap();
    }
    let mut d = Dispatch::from_workgroups([1, 1, 1], [64, 1, 1]).unwrap();
    d.global_offset = [11, 12, 13];
    kb.dispatch(d);
    kb.pointers(HiddenPointers {
        completion_action: 0xabc,
        ..Default::default()
    });
    let ka = kb.build().unwrap();
    let off = |kind: &str| {
        k.metadata
            .args
            .iter()
            .find(|a| a.value_kind.as_str() == kind)
            .map(|a| a.offset as usize)
    };
    assert_eq!(
        u64_at(&ka.bytes, off("hidden_global_offset_x").unwrap()),
        11
    );
    assert_eq!(
        u64_at(&ka.bytes, off("hidden_global_offset_z").unwrap()),
        13
    );
    if let Some(o) = off("hidden_completion_action") {
        assert_eq!(u64_at(&ka.bytes, o), 0xabc);
    }
}

#[test]
fn user_sgpr_layouts_of_compiled_kernels() {
    let co = CodeObject::parse(&read("args-gfx1010.hsaco")).unwrap();
    let saxpy = co.kernel("saxpy").unwrap();
    let l = sgpr_layout(&saxpy.descriptor, "saxpy").unwrap();
    let kinds: Vec<UserSgprKind> = l.user.iter().map(|b| b.kind).collect();
    assert!(
        kinds.contains(&UserSgprKind::KernargSegmentPtr),
        "{kinds:?}"
    );
    let kp = l
        .user
        .iter()
        .find(|b| b.kind == UserSgprKind::KernargSegmentPtr)
        .unwrap();
    let vals = UserSgprValues {
        kernarg_ptr: 0x0000_0012_3456_7800,
        ..Default::default()
    };
    let ud = l.user_data(&vals);
    assert_eq!(ud.len() as u32, saxpy.descriptor.user_sgpr_count);
    assert_eq!(ud[kp.index as usize], 0x3456_7800);
    assert_eq!(ud[kp.index as usize + 1], 0x12);
    assert_eq!(l.system.first().map(|s| s.1), Some("workgroup id x"));

    // grid3d reads the dispatch packet and 3-D ids.
    let g = co.kernel("grid3d").unwrap();
    let l = sgpr_layout(&g.descriptor, "grid3d").unwrap();
    assert!(
        l.user.iter().any(|b| b.kind == UserSgprKind::DispatchPtr),
        "{:?}",
        l.user
    );
    assert!(g.descriptor.tgid_y_en && g.descriptor.tgid_z_en);
    assert_eq!(g.descriptor.tidig_comp_cnt, 2);
    assert_eq!(l.vgprs.len(), 3);
    let dp = l
        .user
        .iter()
        .find(|b| b.kind == UserSgprKind::DispatchPtr)
        .unwrap();
    let ud = l.user_data(&UserSgprValues {
        dispatch_ptr: 0xffff_0000_1000,
        ..Default::default()
    });
    assert_eq!(
        (ud[dp.index as usize], ud[dp.index as usize + 1]),
        (0x1000, 0xffff)
    );
}

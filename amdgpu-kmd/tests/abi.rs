//! ABI test: every struct, union, field, constant and request number defined
//! in `amdgpu_kmd::uapi` is compared with what gcc computes from the
//! installed libdrm headers (`/usr/include/libdrm/{drm,amdgpu_drm}.h`).
//! Items the header lacks (taken from a newer kernel header) are reported as
//! "not in this header"; everything else must match 100 %.

use amdgpu_kmd::uapi::{self, layout::FieldOrigin};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;

const INCLUDE: &str = "/usr/include/libdrm";

/// The `<asm-generic/ioctl.h>` direction bits behind `uapi::ioc`.
const IOC_DIRS: [(&str, u32); 3] = [
    ("_IOC_NONE", uapi::IOC_NONE),
    ("_IOC_WRITE", uapi::IOC_WRITE),
    ("_IOC_READ", uapi::IOC_READ),
];

/// Builds the C program: one printf per checked item, keyed by a tag.
fn c_source() -> String {
    let mut c = String::from(
        "#include <stdio.h>\n#include <stddef.h>\n#include <fcntl.h>\n\
         #include <drm.h>\n#include <amdgpu_drm.h>\nint main(void) {\n",
    );
    for s in uapi::all_structs() {
        let t = s.c;
        writeln!(
            c,
            "printf(\"S {} %zu %zu\\n\", sizeof({t}), _Alignof({t}));",
            s.rust
        )
        .unwrap();
        for f in s.fields {
            if let FieldOrigin::C(m) = f.origin {
                writeln!(
                    c,
                    "printf(\"F {}.{} %zu %zu\\n\", offsetof({t}, {m}), sizeof((({t} *)0)->{m}));",
                    s.rust, f.rust
                )
                .unwrap();
            }
        }
    }
    for u in uapi::all_unions() {
        let t = u.c;
        writeln!(
            c,
            "printf(\"S {} %zu %zu\\n\", sizeof({t}), _Alignof({t}));",
            u.rust
        )
        .unwrap();
        for m in u.members {
            writeln!(
                c,
                "printf(\"F {}.{} %zu %zu\\n\", offsetof({t}, {m}), sizeof((({t} *)0)->{m}));",
                u.rust,
                m.c,
                m = m.c
            )
            .unwrap();
        }
    }
    for k in uapi::all_consts() {
        let n = k.name;
        writeln!(
            c,
            "#ifdef {n}\nprintf(\"C {n} %lld\\n\", (long long)({n}));\n#else\nprintf(\"M {n}\\n\");\n#endif"
        )
        .unwrap();
    }
    for i in uapi::all_ioctls() {
        let n = i.name;
        writeln!(c, "printf(\"C {n} %llu\\n\", (unsigned long long)({n}));").unwrap();
    }
    for (n, _) in IOC_DIRS {
        writeln!(c, "printf(\"C {n} %lld\\n\", (long long)({n}));").unwrap();
    }
    c.push_str("return 0;\n}\n");
    c
}

fn run_c() -> BTreeMap<String, Vec<String>> {
    assert!(
        std::path::Path::new(INCLUDE).join("amdgpu_drm.h").exists(),
        "{INCLUDE}/amdgpu_drm.h missing: install libdrm-dev (scripts/setup.sh does)"
    );
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let src = dir.join("rocless_abi.c");
    let exe = dir.join("rocless_abi");
    std::fs::write(&src, c_source()).unwrap();
    let out = Command::new("gcc")
        .args(["-std=gnu11", "-Wall", "-Werror", "-I", INCLUDE, "-o"])
        .arg(&exe)
        .arg(&src)
        .output()
        .expect("gcc not found");
    assert!(
        out.status.success(),
        "gcc failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe).output().unwrap();
    assert!(run.status.success());
    let mut map = BTreeMap::new();
    for line in String::from_utf8(run.stdout).unwrap().lines() {
        let mut w = line.split_whitespace();
        let tag = w.next().unwrap();
        let key = w.next().unwrap();
        map.insert(format!("{tag} {key}"), w.map(str::to_owned).collect());
    }
    map
}

#[test]
fn rust_layouts_match_libdrm_headers() {
    let c = run_c();
    let get = |k: &str| -> Vec<u128> {
        c.get(k)
            .unwrap_or_else(|| panic!("no C output for {k}"))
            .iter()
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let mut bad = Vec::new();
    let mut newer = Vec::new();
    let mut checked = 0usize;
    for s in uapi::all_structs() {
        let v = get(&format!("S {}", s.rust));
        let has_newer = s.fields.iter().any(|f| f.origin == FieldOrigin::Newer);
        let (csize, calign) = (v[0] as usize, v[1] as usize);
        if has_newer {
            if s.size < csize {
                bad.push(format!("{}: Rust size {} < C size {csize}", s.rust, s.size));
            } else {
                newer.push(format!(
                    "{}: size {} (this header: {csize}) — extended from the kernel header",
                    s.rust, s.size
                ));
            }
        } else if s.size != csize {
            bad.push(format!("{}: size Rust {} C {csize}", s.rust, s.size));
        }
        if s.align != calign {
            bad.push(format!("{}: align Rust {} C {calign}", s.rust, s.align));
        }
        checked += 1;
        for f in s.fields {
            match f.origin {
                FieldOrigin::C(_) => {
                    let v = get(&format!("F {}.{}", s.rust, f.rust));
                    if (v[0] as usize, v[1] as usize) != (f.offset, f.size) {
                        bad.push(format!(
                            "{}.{}: Rust offset/size {}/{} C {}/{}",
                            s.rust, f.rust, f.offset, f.size, v[0], v[1]
                        ));
                    }
                    checked += 1;
                }
                FieldOrigin::Newer => {
                    // Appended fields must not overlap anything the header defines.
                    if f.offset < csize && f.offset + f.size > csize {
                        bad.push(format!("{}.{} straddles the header's end", s.rust, f.rust));
                    }
                    newer.push(format!(
                        "{}.{} (offset {}): not in this header",
                        s.rust, f.rust, f.offset
                    ));
                }
                FieldOrigin::RustPadding => {}
            }
        }
    }
    for u in uapi::all_unions() {
        let v = get(&format!("S {}", u.rust));
        if (v[0] as usize, v[1] as usize) != (u.size, u.align) {
            bad.push(format!(
                "{}: size/align Rust {}/{} C {}/{}",
                u.rust, u.size, u.align, v[0], v[1]
            ));
        }
        for m in u.members {
            let v = get(&format!("F {}.{}", u.rust, m.c));
            if (v[0], v[1] as usize) != (0, m.size) {
                bad.push(format!(
                    "{}.{}: Rust size {} C offset/size {}/{}",
                    u.rust, m.c, m.size, v[0], v[1]
                ));
            }
            checked += 1;
        }
        checked += 1;
    }
    for k in uapi::all_consts() {
        match c.get(&format!("C {}", k.name)) {
            Some(v) => {
                let cv: i128 = v[0].parse().unwrap();
                if cv != k.value {
                    bad.push(format!("{}: Rust {} C {cv}", k.name, k.value));
                }
                checked += 1;
            }
            None if k.newer => newer.push(format!("{} = {}: not in this header", k.name, k.value)),
            None => bad.push(format!("{}: missing from the header", k.name)),
        }
    }
    for i in uapi::all_ioctls() {
        let cv: u64 = c[&format!("C {}", i.name)][0].parse().unwrap();
        if cv != i.request {
            bad.push(format!("{}: Rust {:#x} C {cv:#x}", i.name, i.request));
        }
        checked += 1;
    }
    for (n, v) in IOC_DIRS {
        let cv: u32 = c[&format!("C {n}")][0].parse().unwrap();
        if cv != v {
            bad.push(format!("{n}: Rust {v} C {cv}"));
        }
        checked += 1;
    }
    println!("ABI: {checked} items checked against {INCLUDE}");
    for n in &newer {
        println!("  newer: {n}");
    }
    assert!(bad.is_empty(), "ABI mismatches:\n{}", bad.join("\n"));
}

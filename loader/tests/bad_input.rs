//! Bad input is refused with an error naming the offset/field — never a panic.

mod common;

use common::read;
use loader::CodeObject;

const GOOD: &str = "args-gfx1010.hsaco";

fn err_of(data: &[u8]) -> String {
    match CodeObject::parse(data) {
        Ok(_) => panic!("accepted bad input"),
        Err(e) => e.to_string(),
    }
}

fn find(data: &[u8], needle: &[u8]) -> usize {
    data.windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}

fn u64_at(b: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap())
}

/// File offset of program header `i`.
fn phdr(data: &[u8], i: usize) -> usize {
    u64_at(data, 32) as usize + i * 56
}

/// Index of the `n`-th PT_LOAD program header.
fn nth_load(data: &[u8], n: usize) -> usize {
    let phnum = u16::from_le_bytes([data[56], data[57]]) as usize;
    (0..phnum)
        .filter(|&i| data[phdr(data, i)] == 1)
        .nth(n)
        .unwrap()
}

#[test]
fn truncated_files() {
    let good = read(GOOD);
    assert!(err_of(&[]).starts_with("truncated: ELF header"));
    assert!(err_of(&good[..63]).contains("0x0..0x40"));
    let e = err_of(&good[..100]);
    assert!(e.contains("truncated: program header table"), "{e}");
    for cut in [600, 1000, 4000, good.len() / 2, good.len() - 1] {
        let e = err_of(&good[..cut]);
        let located = (e.contains("program header") && e.contains("outside the"))
            || e.starts_with("truncated: section");
        assert!(located, "{cut}: {e}");
    }
}

#[test]
fn wrong_class_machine_type_abi() {
    let good = read(GOOD);
    let mut d = good.clone();
    d[4] = 1;
    assert!(err_of(&d).contains("EI_CLASS at offset 0x4: ELFCLASS32"));
    let mut d = good.clone();
    d[18] = 62;
    d[19] = 0;
    assert!(err_of(&d).contains("e_machine at offset 0x12: 62 is not EM_AMDGPU (224)"));
    let mut d = good.clone();
    d[16] = 1;
    assert!(err_of(&d).contains("e_type"));
    let mut d = good.clone();
    d[8] = 0;
    assert!(err_of(&d).contains("EI_ABIVERSION"));
    let mut d = good.clone();
    d[48] = 0x01; // EF_AMDGPU_MACH_R600_R600
    assert!(err_of(&d).contains("unknown EF_AMDGPU_MACH 0x1"));
    let mut d = good;
    d[0] = b'X';
    assert!(err_of(&d).contains("EI_MAG"));
}

#[test]
fn segments_out_of_file_overlapping_or_inconsistent() {
    let good = read(GOOD);
    let (l1, l2) = (nth_load(&good, 1), nth_load(&good, 2));
    let mut d = good.clone();
    let at = phdr(&d, l1) + 8;
    d[at..at + 8].copy_from_slice(&(good.len() as u64).to_le_bytes());
    let e = err_of(&d);
    assert!(
        e.contains(&format!("program header {l1}")) && e.contains("outside the"),
        "{e}"
    );

    let mut d = good.clone();
    let v1 = u64_at(&d, phdr(&d, l1) + 16);
    let at = phdr(&d, l2) + 16;
    d[at..at + 8].copy_from_slice(&v1.to_le_bytes());
    let e = err_of(&d);
    assert!(e.contains("overlaps program header"), "{e}");

    let mut d = good.clone();
    let at = phdr(&d, l1) + 40; // p_memsz
    d[at..at + 8].copy_from_slice(&1u64.to_le_bytes());
    assert!(err_of(&d).contains("p_filesz"), "{}", err_of(&d));

    let mut d = good;
    let at = phdr(&d, l1) + 48; // p_align
    d[at..at + 8].copy_from_slice(&3u64.to_le_bytes());
    assert!(err_of(&d).contains("p_align 0x3"));
}

#[test]
fn corrupt_notes_and_msgpack_garbage() {
    let good = read(GOOD);
    let note = find(&good, b"AMDGPU\0") - 12;
    let mut d = good.clone();
    d[note + 4..note + 8].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    let e = err_of(&d);
    assert!(
        e.contains(&format!("note at file offset {note:#x}")) && e.contains("n_descsz"),
        "{e}"
    );

    let desc = note + 12 + 8;
    let mut d = good.clone();
    d[desc] = 0xc1; // never-used msgpack marker
    let e = err_of(&d);
    assert!(
        e.starts_with("metadata (root): ") && e.contains(&format!("{note:#x}")),
        "{e}"
    );

    let mut d = good.clone();
    d[desc] = 0x90; // an empty array instead of the root map
    assert!(
        err_of(&d).contains("(root): expected a map, found an array"),
        "{}",
        err_of(&d)
    );

    let mut d = good.clone();
    d[desc..desc + 64].fill(0x91); // deeply nested arrays: bounded recursion
    assert!(err_of(&d).contains("depth limit"), "{}", err_of(&d));

    let mut d = good.clone();
    let k = find(&d, b".vgpr_count");
    d[k + 1] = b'x';
    let e = err_of(&d);
    assert!(
        e.contains("amdhsa.kernels[0].vgpr_count: required field missing"),
        "{e}"
    );

    let mut d = good.clone();
    let t = find(&d, b"amdgcn-amd-amdhsa--gfx1010");
    d[t + 25] = b'1';
    assert!(err_of(&d).contains("amdhsa.target"), "{}", err_of(&d));

    let mut d = good;
    d[note + 8] = 33; // n_type no longer NT_AMDGPU_METADATA
    assert!(err_of(&d).contains("no AMDGPU NT_AMDGPU_METADATA"));
}

#[test]
fn descriptor_inconsistencies() {
    let good = read(GOOD);
    let co = CodeObject::parse(&good).unwrap();
    let k = co.kernel("saxpy").unwrap();
    // .rodata is file-backed at offset == vaddr in these objects (first PT_LOAD at 0).
    let kd = k.desc_offset as usize;
    assert_eq!(
        u64_at(&good, kd + 16) as i64,
        k.descriptor.kernel_code_entry_byte_offset
    );

    let mut d = good.clone();
    d[kd + 8] ^= 0x10;
    let e = err_of(&d);
    assert!(e.contains("kernel descriptor saxpy: kernarg_size"), "{e}");

    let mut d = good.clone();
    d[kd + 16] = d[kd + 16].wrapping_add(4);
    let e = err_of(&d);
    assert!(e.contains("not 256-byte aligned"), "{e}");

    let mut d = good.clone();
    let entry = u64_at(&good, kd + 16).wrapping_add(0x10_0000);
    d[kd + 16..kd + 24].copy_from_slice(&entry.to_le_bytes());
    assert!(err_of(&d).contains("outside every PT_LOAD"));

    let mut d = good.clone();
    d[kd + 56] ^= 1 << 2; // wavefront_size32 bit is bit 10 -> byte 57 bit 2
    d[kd + 57] ^= 1 << 2;
    assert!(
        err_of(&d).contains("wave64 but .wavefront_size is 32"),
        "{}",
        err_of(&d)
    );

    let mut d = good;
    let s = find(&d, b"saxpy.kd");
    d[s + 7] = b'x';
    let e = err_of(&d);
    assert!(
        e.contains("symbol saxpy.kx") || e.contains("saxpy.kd"),
        "{e}"
    );
}

#[test]
fn every_single_byte_corruption_of_structure_is_handled() {
    // Flip each byte of the ELF header, program headers and the first 512 note bytes to a
    // few values: parse must return (Ok or Err), never panic.
    let good = read(GOOD);
    let note = find(&good, b"AMDGPU\0") - 12;
    let ranges = [0..64 + 9 * 56, note..note + 512];
    let mut accepted = 0;
    for r in ranges {
        for at in r {
            for v in [0x00u8, 0xff, 0x80, 0x7f, good[at] ^ 1] {
                let mut d = good.clone();
                d[at] = v;
                if loader::fuzz::exercise(&d) {
                    accepted += 1;
                }
            }
        }
    }
    assert!(
        accepted > 0,
        "some mutations (e.g. of padding) are harmless"
    );
}

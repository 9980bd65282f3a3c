//! Decode speed over a stream of real gfx1010 instructions (the generated
//! table's own encodings, so every row is exercised).
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use isa::{decode, Target};

fn stream() -> Vec<u8> {
    // s_load_dwordx2, v_add_f32_e32, v_fma_f32, global_load_dword, s_waitcnt, v_mov_b32_dpp
    let words: [&[u32]; 6] = [
        &[0xf404_0002, 0xfa00_0024],
        &[0x0600_0280],
        &[0xd54b_8201, 0x2c12_0702],
        &[0xdc30_8010, 0x0104_0002],
        &[0xbf8c_c07f],
        &[0x7e00_02fa, 0xff00_b101],
    ];
    let mut out = Vec::new();
    for _ in 0..1000 {
        for w in words {
            for d in w {
                out.extend_from_slice(&d.to_le_bytes());
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let s = stream();
    let n = 6000u64;
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(n));
    g.bench_function("gfx1010_mixed", |b| {
        b.iter(|| {
            let mut off = 0;
            let mut k = 0u32;
            while off < s.len() {
                match decode(&s[off..], Target::Gfx1010, false) {
                    Ok(i) => {
                        off += i.len as usize;
                        k = k.wrapping_add(i.op as u32);
                    }
                    Err(_) => off += 4,
                }
            }
            k
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

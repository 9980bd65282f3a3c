//! Seeded mutation loop over the committed code objects running the fuzz target's body
//! (`loader::fuzz::exercise`). Default 20 000 executions; set `LOADER_FUZZ_ITERS` for long
//! runs (1 000 000 was run and recorded in firmware-notes/kernarg-and-user-sgprs.md).

mod common;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: [u64; 8] = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0xffff_ffff, u64::MAX];

fn mutate(rng: &mut Rng, seed: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(seed);
    for _ in 0..1 + rng.below(4) {
        if out.is_empty() {
            break;
        }
        let at = rng.below(out.len());
        match rng.below(6) {
            0 => out[at] ^= 1 << rng.below(8),
            1 => out[at] = rng.next() as u8,
            2 => {
                let v = INTERESTING[rng.below(INTERESTING.len())].to_le_bytes();
                let w = [1, 2, 4, 8][rng.below(4)];
                let end = (at + w).min(out.len());
                out[at..end].copy_from_slice(&v[..end - at]);
            }
            3 => out.truncate(at),
            4 => {
                // Copy a chunk from elsewhere (moves table entries around).
                let from = rng.below(out.len());
                let n = rng.below(64).min(out.len() - from).min(out.len() - at);
                let chunk = out[from..from + n].to_vec();
                out[at..at + n].copy_from_slice(&chunk);
            }
            _ => {
                // Mutate inside the metadata note where most parsing logic lives.
                if let Some(p) = out.windows(7).position(|w| w == b"AMDGPU\0") {
                    let i = p + rng.below(6000);
                    if i < out.len() {
                        out[i] = rng.next() as u8;
                    }
                }
            }
        }
    }
}

#[test]
fn seeded_mutation_loop_never_panics() {
    let iters: u64 = std::env::var("LOADER_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let seeds: Vec<Vec<u8>> = common::corpus().iter().map(|f| common::read(f)).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut buf = Vec::new();
    let mut accepted = 0u64;
    for _ in 0..iters {
        let seed = &seeds[rng.below(seeds.len())];
        mutate(&mut rng, seed, &mut buf);
        if loader::fuzz::exercise(&buf) {
            accepted += 1;
        }
    }
    eprintln!("mutation loop: {iters} executions, {accepted} accepted");
    assert!(accepted > 0 && accepted < iters);
}

//! Token sampling: greedy, temperature, top-k, top-p, min-p and repetition
//! penalty, with a seeded deterministic RNG. The chain order follows
//! llama.cpp's common sampler (`common/sampling.cpp`): penalties, top-k,
//! top-p, min-p, temperature, then a draw from the softmax.

/// Sampling settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SamplerConfig {
    /// Temperature; `<= 0` means greedy (argmax).
    pub temperature: f32,
    /// Keep the k most likely tokens (0 = off).
    pub top_k: usize,
    /// Keep the smallest set with cumulative probability >= p (1 = off).
    pub top_p: f32,
    /// Drop tokens with probability < min_p × the top probability (0 = off).
    pub min_p: f32,
    /// Repetition penalty over the last `repeat_last_n` tokens (1 = off).
    pub repeat_penalty: f32,
    /// Window of the repetition penalty.
    pub repeat_last_n: usize,
    /// RNG seed.
    pub seed: u64,
}

impl Default for SamplerConfig {
    fn default() -> Self {
        SamplerConfig {
            temperature: 0.8,
            top_k: 40,
            top_p: 0.95,
            min_p: 0.05,
            repeat_penalty: 1.0,
            repeat_last_n: 64,
            seed: 0,
        }
    }
}

impl SamplerConfig {
    /// Greedy decoding.
    pub fn greedy() -> Self {
        SamplerConfig {
            temperature: 0.0,
            ..Default::default()
        }
    }
}

/// SplitMix64: a tiny, well-mixed, seedable generator (deterministic across
/// platforms, unlike thread_rng).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A stateful sampler.
#[derive(Debug, Clone)]
pub struct Sampler {
    /// Settings.
    pub cfg: SamplerConfig,
    rng: Rng,
}

/// Index of the largest logit (lowest index on ties).
pub fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &v) in logits.iter().enumerate() {
        if v > logits[best] {
            best = i;
        }
    }
    best as u32
}

impl Sampler {
    /// A sampler seeded from `cfg.seed`.
    pub fn new(cfg: SamplerConfig) -> Sampler {
        let rng = Rng::new(cfg.seed);
        Sampler { cfg, rng }
    }

    /// Picks the next token from `logits` (modified in place by the
    /// penalty), given the tokens so far.
    pub fn sample(&mut self, logits: &mut [f32], history: &[u32]) -> u32 {
        let c = &self.cfg;
        if c.repeat_penalty != 1.0 && c.repeat_last_n > 0 {
            let from = history.len().saturating_sub(c.repeat_last_n);
            let mut seen: Vec<u32> = history[from..].to_vec();
            seen.sort_unstable();
            seen.dedup();
            for &t in &seen {
                if let Some(l) = logits.get_mut(t as usize) {
                    // llama_sampler_penalties: shrink towards "less likely".
                    *l = if *l <= 0.0 {
                        *l * c.repeat_penalty
                    } else {
                        *l / c.repeat_penalty
                    };
                }
            }
        }
        if c.temperature <= 0.0 {
            return argmax(logits);
        }

        let mut cand: Vec<(u32, f32)> = logits
            .iter()
            .enumerate()
            .map(|(i, &l)| (i as u32, l))
            .collect();
        cand.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if c.top_k > 0 {
            cand.truncate(c.top_k.max(1));
        }
        let probs = |cand: &[(u32, f32)], temp: f32| -> Vec<f64> {
            let max = cand[0].1 as f64;
            let e: Vec<f64> = cand
                .iter()
                .map(|&(_, l)| ((l as f64 - max) / temp as f64).exp())
                .collect();
            let s: f64 = e.iter().sum();
            e.into_iter().map(|v| v / s).collect()
        };
        if c.top_p < 1.0 {
            let p = probs(&cand, 1.0);
            let mut cum = 0.0;
            let mut keep = cand.len();
            for (i, pi) in p.iter().enumerate() {
                cum += pi;
                if cum >= c.top_p as f64 {
                    keep = i + 1;
                    break;
                }
            }
            cand.truncate(keep.max(1));
        }
        if c.min_p > 0.0 {
            let p = probs(&cand, 1.0);
            let thresh = p[0] * c.min_p as f64;
            let keep = p.iter().take_while(|&&pi| pi >= thresh).count();
            cand.truncate(keep.max(1));
        }
        let p = probs(&cand, c.temperature);
        let r = self.rng.next_f64();
        let mut cum = 0.0;
        for (i, pi) in p.iter().enumerate() {
            cum += pi;
            if r < cum {
                return cand[i].0;
            }
        }
        cand[cand.len() - 1].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logits() -> Vec<f32> {
        vec![1.0, 3.0, 2.0, 0.5, -1.0, 2.9]
    }

    #[test]
    fn greedy_is_argmax() {
        let mut s = Sampler::new(SamplerConfig::greedy());
        assert_eq!(s.sample(&mut logits(), &[]), 1);
        assert_eq!(argmax(&[0.0, 5.0, 5.0]), 1);
    }

    #[test]
    fn repetition_penalty_moves_choice() {
        let mut s = Sampler::new(SamplerConfig {
            repeat_penalty: 1.5,
            ..SamplerConfig::greedy()
        });
        // 3.0 / 1.5 = 2.0 < 2.9: token 5 wins once 1 was seen.
        assert_eq!(s.sample(&mut logits(), &[1]), 5);
        let mut l = vec![-2.0, -1.0];
        s.sample(&mut l, &[1]);
        assert_eq!(l[1], -1.5);
    }

    #[test]
    fn seeded_sampling_is_deterministic_and_filtered() {
        let cfg = SamplerConfig {
            temperature: 1.0,
            top_k: 3,
            top_p: 1.0,
            min_p: 0.0,
            seed: 42,
            ..Default::default()
        };
        let draw = |cfg: &SamplerConfig| -> Vec<u32> {
            let mut s = Sampler::new(cfg.clone());
            (0..200).map(|_| s.sample(&mut logits(), &[])).collect()
        };
        let a = draw(&cfg);
        assert_eq!(a, draw(&cfg));
        // top-k 3 keeps tokens 1, 5, 2 only; all of them appear.
        for t in [1, 5, 2] {
            assert!(a.contains(&t));
        }
        assert!(a.iter().all(|t| [1, 5, 2].contains(t)));
        let b = draw(&SamplerConfig {
            seed: 43,
            ..cfg.clone()
        });
        assert_ne!(a, b);
        // top-p 0.5 keeps only the best two (p(1)≈0.39, p(5)≈0.36).
        let c = draw(&SamplerConfig {
            top_k: 0,
            top_p: 0.5,
            ..cfg.clone()
        });
        assert!(c.iter().all(|t| [1, 5].contains(t)));
        // min-p 0.9 keeps tokens within 10% of the best: 1 and 5.
        let m = draw(&SamplerConfig {
            top_k: 0,
            min_p: 0.9,
            ..cfg
        });
        assert!(m.iter().all(|t| [1, 5].contains(t)) && m.contains(&5));
    }
}

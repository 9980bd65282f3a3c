//! A cheap degeneration check for generated text: low token diversity or a
//! dominating token means a broken forward pass (wrong RoPE, norms, ...)
//! long before exact-match fixtures are available.

use std::collections::{HashMap, HashSet};

/// Three long prompts, different registers (story, explanation, chat-like).
pub const PROMPTS: [&str; 3] = [
    "Once upon a time, in a small village at the edge of a great forest, there lived an old \
     clockmaker named Elias. Every morning he opened his shop, wound the hundred clocks on his \
     walls, and waited for visitors. One winter day, a girl in a red coat knocked on the door \
     and asked him to repair a clock that had stopped at midnight many years ago.",
    "Photosynthesis is the process by which green plants, algae and some bacteria convert light \
     energy into chemical energy. In this article we explain, step by step, what happens in the \
     chloroplast, why chlorophyll looks green, and how the light-dependent reactions and the \
     Calvin cycle work together to produce sugar and oxygen.",
    "Write a detailed travel guide for a first-time visitor to Japan. Cover the best season to \
     travel, how to use the rail pass, etiquette in temples and restaurants, three must-see \
     places in Tokyo and Kyoto, and practical tips about money, phones and language.",
];

/// The sampler of the check: llama.cpp's default chain (temperature 0.8,
/// top-k 40, top-p 0.95, min-p 0.05) with a fixed seed and the repetition
/// penalty 1.1 over 64 tokens that llama.cpp used by default until 2024.
/// Greedy decoding is not used: a healthy 135M–270M model falls into loops
/// under argmax — our greedy ids equal llama.cpp's (tests/forward_reference.rs),
/// so such loops are the model's, and would hide the difference between
/// "small model" and "broken forward pass".
pub fn sampler() -> crate::sample::SamplerConfig {
    crate::sample::SamplerConfig {
        seed: 42,
        repeat_penalty: 1.1,
        repeat_last_n: 64,
        ..Default::default()
    }
}

/// Thresholds of the check.
pub const MIN_UNIQUE_FIRST: f64 = 0.15;
/// Minimum unique-token ratio of the last 128 tokens.
pub const MIN_UNIQUE_LAST: f64 = 0.30;
/// Maximum share of one token.
pub const MAX_SINGLE_TOKEN: f64 = 0.50;
/// 3-gram repetition above this (second half) is flagged.
pub const MAX_TRIGRAM_REPEAT: f64 = 0.50;
/// Tokens per window.
pub const WINDOW: usize = 128;

/// Diversity measurements of one generated token sequence.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// Tokens measured.
    pub tokens: usize,
    /// Distinct / total in the first 128 tokens.
    pub unique_first: f64,
    /// Distinct / total in the last 128 tokens.
    pub unique_last: f64,
    /// Largest share of one token id.
    pub max_token_share: f64,
    /// Share of repeated 3-grams in the second half.
    pub trigram_repeat: f64,
    /// Hard failures (empty when it passes).
    pub failures: Vec<String>,
    /// Warnings (3-gram repetition).
    pub flags: Vec<String>,
}

impl Report {
    /// True when no hard check failed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

fn unique_ratio(t: &[u32]) -> f64 {
    if t.is_empty() {
        return 0.0;
    }
    t.iter().collect::<HashSet<_>>().len() as f64 / t.len() as f64
}

/// Measures `tokens` (the generated ids, prompt excluded).
pub fn check(tokens: &[u32]) -> Report {
    let n = tokens.len();
    let first = &tokens[..n.min(WINDOW)];
    let last = &tokens[n.saturating_sub(WINDOW)..];
    let mut counts: HashMap<u32, usize> = HashMap::new();
    for &t in tokens {
        *counts.entry(t).or_default() += 1;
    }
    let max_token_share = if n == 0 {
        0.0
    } else {
        counts.values().copied().max().unwrap_or(0) as f64 / n as f64
    };
    let half = &tokens[n / 2..];
    let grams: Vec<&[u32]> = half.windows(3).collect();
    let trigram_repeat = if grams.is_empty() {
        0.0
    } else {
        1.0 - grams.iter().collect::<HashSet<_>>().len() as f64 / grams.len() as f64
    };
    let mut r = Report {
        tokens: n,
        unique_first: unique_ratio(first),
        unique_last: unique_ratio(last),
        max_token_share,
        trigram_repeat,
        failures: Vec::new(),
        flags: Vec::new(),
    };
    if n == 0 {
        r.failures.push("no tokens generated".into());
    }
    if r.unique_first < MIN_UNIQUE_FIRST {
        r.failures.push(format!(
            "unique-token ratio {:.3} < {MIN_UNIQUE_FIRST} in the first {WINDOW}",
            r.unique_first
        ));
    }
    if r.unique_last < MIN_UNIQUE_LAST {
        r.failures.push(format!(
            "unique-token ratio {:.3} < {MIN_UNIQUE_LAST} in the last {WINDOW}",
            r.unique_last
        ));
    }
    if r.max_token_share > MAX_SINGLE_TOKEN {
        r.failures.push(format!(
            "one token is {:.0}% of the output (> {:.0}%)",
            100.0 * r.max_token_share,
            100.0 * MAX_SINGLE_TOKEN
        ));
    }
    if r.trigram_repeat > MAX_TRIGRAM_REPEAT {
        r.flags.push(format!(
            "3-gram repetition {:.0}% in the second half (> {:.0}%)",
            100.0 * r.trigram_repeat,
            100.0 * MAX_TRIGRAM_REPEAT
        ));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_degenerate_output() {
        let good: Vec<u32> = (0..256).map(|i| (i * 7919 % 1000) as u32).collect();
        let r = check(&good);
        assert!(r.passed() && r.flags.is_empty(), "{r:?}");
        let stuck = vec![5u32; 256];
        let r = check(&stuck);
        assert_eq!(r.failures.len(), 3, "{r:?}");
        let looping: Vec<u32> = (0..256).map(|i| (i % 4) as u32).collect();
        let r = check(&looping);
        assert!(!r.passed() && !r.flags.is_empty(), "{r:?}");
        assert!(!check(&[]).passed());
    }
}

//! The key/value cache: per layer, keys and values of every past position,
//! stored rounded through f16 like llama.cpp's default F16 cache.

use super::config::Config;

/// Keys and values of past positions.
pub struct KvCache {
    /// Per layer: `[pos][kv_head][head_dim]` keys.
    pub(super) k: Vec<Vec<f32>>,
    /// Per layer: `[pos][kv_head][head_dim_v]` values.
    pub(super) v: Vec<Vec<f32>>,
    len: usize,
    n_ctx: usize,
}

impl KvCache {
    /// An empty cache for `n_ctx` positions (memory grows as it fills).
    pub fn new(cfg: &Config, n_ctx: usize) -> KvCache {
        KvCache {
            k: vec![Vec::new(); cfg.n_layer],
            v: vec![Vec::new(); cfg.n_layer],
            len: 0,
            n_ctx,
        }
    }

    /// Positions stored.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Capacity in positions.
    pub fn n_ctx(&self) -> usize {
        self.n_ctx
    }

    /// Keys and values stored for layer `il`, each `[pos][kv_head][head_dim]` (None for a
    /// layer the model does not have).
    pub fn layer(&self, il: usize) -> Option<(&[f32], &[f32])> {
        Some((self.k.get(il)?, self.v.get(il)?))
    }

    /// Forgets positions from `len` on (to reuse a shared prefix).
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        for l in 0..self.k.len() {
            let (kp, vp) = (self.k[l].len() / self.len, self.v[l].len() / self.len);
            self.k[l].truncate(len * kp);
            self.v[l].truncate(len * vp);
        }
        self.len = len;
    }

    pub(super) fn set_len(&mut self, len: usize) {
        self.len = len;
    }
}

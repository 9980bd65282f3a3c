//! `harness diff A.json B.json`: what changed between two reports — status
//! per tier (a pass/skip → fail is a regression) and numeric metrics.

use crate::Report;
use probes::Status;
use serde::Serialize;
use std::collections::BTreeSet;

/// One tier's change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierDiff {
    /// Tier number.
    pub tier: u8,
    /// Status in A (None: absent).
    pub a: Option<Status>,
    /// Status in B.
    pub b: Option<Status>,
    /// B failed where A did not.
    pub regressed: bool,
    /// Changed metrics: `(key, A value, B value)` (JSON text; numbers get a ratio).
    pub metrics: Vec<MetricDiff>,
}

/// One changed metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricDiff {
    /// Metric key.
    pub key: String,
    /// Value in A (JSON), `null` when absent.
    pub a: serde_json::Value,
    /// Value in B.
    pub b: serde_json::Value,
    /// B / A for numbers.
    pub ratio: Option<f64>,
}

/// The diff of two reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diff {
    /// Device of A.
    pub device_a: String,
    /// Device of B.
    pub device_b: String,
    /// Tiers that differ (status or metrics).
    pub tiers: Vec<TierDiff>,
    /// Some tier regressed.
    pub regressed: bool,
}

/// Compares `a` with `b`.
pub fn diff(a: &Report, b: &Report) -> Diff {
    let nums: BTreeSet<u8> = a.tiers.iter().chain(&b.tiers).map(|t| t.tier).collect();
    let mut tiers = Vec::new();
    for n in nums {
        let ta = a.tiers.iter().find(|t| t.tier == n);
        let tb = b.tiers.iter().find(|t| t.tier == n);
        let (sa, sb) = (ta.map(|t| t.status), tb.map(|t| t.status));
        let regressed = sb == Some(Status::Fail) && sa != Some(Status::Fail);
        let empty = probes::Metrics::new();
        let ma = ta.map_or(&empty, |t| &t.metrics);
        let mb = tb.map_or(&empty, |t| &t.metrics);
        let keys: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
        let mut metrics = Vec::new();
        for k in keys {
            let va = ma.get(k).cloned().unwrap_or(serde_json::Value::Null);
            let vb = mb.get(k).cloned().unwrap_or(serde_json::Value::Null);
            if va != vb {
                let ratio = match (va.as_f64(), vb.as_f64()) {
                    (Some(x), Some(y)) if x != 0.0 => Some(y / x),
                    _ => None,
                };
                metrics.push(MetricDiff {
                    key: k.clone(),
                    a: va,
                    b: vb,
                    ratio,
                });
            }
        }
        if sa != sb || !metrics.is_empty() {
            tiers.push(TierDiff {
                tier: n,
                a: sa,
                b: sb,
                regressed,
                metrics,
            });
        }
    }
    Diff {
        device_a: a.device.clone(),
        device_b: b.device.clone(),
        regressed: tiers.iter().any(|t| t.regressed),
        tiers,
    }
}

fn st(s: Option<Status>) -> &'static str {
    s.map_or("absent", Status::as_str)
}

impl Diff {
    /// Human-readable text.
    pub fn to_text(&self) -> String {
        let mut s = format!("A: {}\nB: {}\n", self.device_a, self.device_b);
        if self.tiers.is_empty() {
            s.push_str("no differences\n");
        }
        for t in &self.tiers {
            s.push_str(&format!(
                "tier {}: {} -> {}{}\n",
                t.tier,
                st(t.a),
                st(t.b),
                if t.regressed { "  REGRESSION" } else { "" }
            ));
            for m in &t.metrics {
                let ratio = m.ratio.map(|r| format!(" (x{r:.3})")).unwrap_or_default();
                s.push_str(&format!("  {}: {} -> {}{ratio}\n", m.key, m.a, m.b));
            }
        }
        s
    }
}

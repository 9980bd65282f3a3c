//! The outcome of one probe, in the shape of the harness JSON contract:
//! `{"tier":0,"name":…,"status":"pass|fail|skip","detail":…,"metrics":{…}}`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Named measurements / facts of a probe (sorted for stable output).
pub type Metrics = BTreeMap<String, serde_json::Value>;

/// Pass, fail or skip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every check held.
    Pass,
    /// A check failed; `detail` says which.
    Fail,
    /// Not applicable here (e.g. no kernel module on the simulator).
    Skip,
}

impl Status {
    /// `pass`, `fail` or `skip`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

/// One tier's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeResult {
    /// Tier number 0..=6.
    pub tier: u8,
    /// Tier name ([`crate::TIER_NAMES`]).
    pub name: String,
    /// Outcome.
    pub status: Status,
    /// One line: what passed, or `fail: <the exact error>`.
    pub detail: String,
    /// Measurements and facts.
    #[serde(default)]
    pub metrics: Metrics,
}

impl ProbeResult {
    fn new(tier: u8, status: Status, detail: String, metrics: Metrics) -> Self {
        let name = crate::TIER_NAMES
            .get(tier as usize)
            .copied()
            .unwrap_or("unknown")
            .to_string();
        Self {
            tier,
            name,
            status,
            detail,
            metrics,
        }
    }

    /// A pass with metrics.
    pub fn pass(tier: u8, detail: impl Into<String>, metrics: Metrics) -> Self {
        Self::new(tier, Status::Pass, detail.into(), metrics)
    }

    /// A skip (`detail` starts with `skip: `).
    pub fn skip(tier: u8, why: impl std::fmt::Display) -> Self {
        Self::new(tier, Status::Skip, format!("skip: {why}"), Metrics::new())
    }

    /// A failure (`detail` starts with `fail: `).
    pub fn fail(tier: u8, why: impl std::fmt::Display) -> Self {
        Self::new(tier, Status::Fail, format!("fail: {why}"), Metrics::new())
    }

    /// A failure that keeps the metrics gathered so far.
    pub fn fail_with(tier: u8, why: impl std::fmt::Display, metrics: Metrics) -> Self {
        Self::new(tier, Status::Fail, format!("fail: {why}"), metrics)
    }

    /// Turns a probe body's `Result` into a result: `Err` → `fail: <error chain>`.
    pub fn from_outcome(tier: u8, r: anyhow::Result<(String, Metrics)>) -> Self {
        match r {
            Ok((detail, m)) => Self::pass(tier, detail, m),
            Err(e) => Self::fail(tier, format!("{e:#}")),
        }
    }
}

//! harness: runs the probe tiers in order and reports.
//!
//! ```text
//! harness [--device auto|sim|PATH] [--json] [--keep-going] [--out DIR]
//! harness diff A.json B.json [--json]
//! ```
//! Run mode: tiers 0..=6 in order; the first failing tier stops the run
//! (later tiers are reported as `skip: not run …`) unless `--keep-going`.
//! `--json` prints the report JSON on stdout (otherwise one line per tier);
//! `--out DIR` writes `DIR/report.json` and `DIR/report.md`.
//!
//! Exit codes: **0** every tier passed or skipped (diff: no tier got worse),
//! **1** a tier failed (diff: a tier regressed), **2** usage, I/O or device
//! error (one line `error: …` on stderr).

pub mod args;
pub mod diff;
pub mod report;

use probes::{ProbeResult, Status, Target};
pub use report::Report;

/// Runs the ladder on `t`.
pub fn run(t: &Target, keep_going: bool, tiers: std::ops::RangeInclusive<u8>) -> Report {
    let mut out = Vec::new();
    let mut failed: Option<u8> = None;
    for n in tiers {
        if let (Some(f), false) = (failed, keep_going) {
            let mut r =
                ProbeResult::skip(n, format!("not run (tier {f} failed; use --keep-going)"));
            r.metrics.insert("not_run".into(), serde_json::json!(true));
            out.push(r);
            continue;
        }
        let r = probes::run_tier(n, t);
        if r.status == Status::Fail && failed.is_none() {
            failed = Some(n);
        }
        out.push(r);
    }
    Report {
        device: t.label.clone(),
        simulated: t.is_sim(),
        tiers: out,
    }
}

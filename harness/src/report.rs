//! The report: JSON (`{"device":…,"tiers":[…]}`) and markdown.

use probes::{ProbeResult, Status};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// A harness run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Device label (`sim:0 (simulator)`, `/dev/dri/renderD128`).
    pub device: String,
    /// True when the device was the simulator (no figure is a GPU measurement).
    #[serde(default)]
    pub simulated: bool,
    /// One entry per tier, in order.
    pub tiers: Vec<ProbeResult>,
}

impl Report {
    /// True when a tier failed.
    pub fn failed(&self) -> bool {
        self.tiers.iter().any(|t| t.status == Status::Fail)
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// Parses a report (`file` names the source in errors).
    pub fn from_json(text: &str, file: &str) -> anyhow::Result<Self> {
        serde_json::from_str(text).map_err(|e| {
            anyhow::anyhow!(
                "{file}: not a harness report: {e} (line {}, column {})",
                e.line(),
                e.column()
            )
        })
    }

    /// One line per tier for the terminal.
    pub fn to_text(&self) -> String {
        let mut s = format!("device: {}\n", self.device);
        for t in &self.tiers {
            let _ = writeln!(
                s,
                "tier {} {:<13} {:<4}  {}",
                t.tier,
                t.name,
                t.status.as_str(),
                t.detail
            );
        }
        s
    }

    /// The markdown report: header, summary table, metrics per tier.
    pub fn to_markdown(&self, command: &str, date: &str) -> String {
        let mut s = String::from("# rocless harness report\n\n");
        let _ = writeln!(s, "- date (UTC): {date}");
        let _ = writeln!(s, "- command: `{command}`");
        let _ = writeln!(s, "- device: {}", self.device);
        if self.simulated {
            s.push_str(
                "- **simulated**: the device is the rocless simulator; no figure below is a GPU \
                 measurement (tier 6 gives the simulator's counts and a roofline model).\n",
            );
        }
        let count = |st: Status| self.tiers.iter().filter(|t| t.status == st).count();
        let _ = writeln!(
            s,
            "- result: {} pass, {} fail, {} skip\n",
            count(Status::Pass),
            count(Status::Fail),
            count(Status::Skip)
        );
        s.push_str("| tier | name | status | detail |\n|---|---|---|---|\n");
        for t in &self.tiers {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                t.tier,
                t.name,
                t.status.as_str(),
                t.detail.replace('|', "\\|")
            );
        }
        for t in self.tiers.iter().filter(|t| !t.metrics.is_empty()) {
            let _ = writeln!(s, "\n## Tier {} — {}\n", t.tier, t.name);
            let body = serde_json::to_string_pretty(&t.metrics).unwrap_or_default();
            let _ = writeln!(s, "```json\n{body}\n```");
        }
        s
    }
}

/// Current UTC time as `YYYY-MM-DD HH:MM:SS` (no date crate needed:
/// Howard Hinnant's days-to-civil algorithm).
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format_utc(secs)
}

/// `secs` since the epoch as `YYYY-MM-DD HH:MM:SS`.
pub fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(format_utc(1_795_472_978), "2026-11-23 22:29:38");
    }
}

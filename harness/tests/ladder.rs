//! Library level: stop at the first failure vs --keep-going, and diff
//! regressions, with the simulator configured to hang.

use harness::diff::diff;
use probes::{Status, Target};
use sim::SimConfig;

fn target(cfg: SimConfig) -> Target {
    let mut t = Target::from_opened(sim::device::open_sim(cfg).unwrap());
    let p = std::env::temp_dir().join(format!("harness-ladder-{}", std::process::id()));
    std::fs::create_dir_all(&p).unwrap();
    t.sys_root = p;
    t
}

#[test]
fn stops_at_the_first_failure_unless_keep_going() {
    let hang = || SimConfig {
        inject_hangs: 1,
        ..SimConfig::default()
    };
    let r = harness::run(&target(hang()), false, 0..=6);
    assert!(r.failed());
    assert_eq!(r.tiers[2].status, Status::Fail, "{}", r.tiers[2].detail);
    for t in &r.tiers[3..] {
        assert_eq!(t.status, Status::Skip);
        assert!(t.detail.contains("not run (tier 2 failed"), "{}", t.detail);
    }
    // With --keep-going the later tiers run (the hang was used up by tier 2).
    let k = harness::run(&target(hang()), true, 0..=6);
    assert_eq!(k.tiers[2].status, Status::Fail);
    for t in &k.tiers[3..] {
        assert_eq!(t.status, Status::Pass, "tier {}: {}", t.tier, t.detail);
    }
    let good = harness::run(&target(SimConfig::default()), false, 0..=6);
    let d = diff(&good, &r);
    assert!(d.regressed);
    assert!(d.tiers.iter().any(|t| t.tier == 2 && t.regressed));
    assert!(
        d.to_text().contains("tier 2: pass -> fail  REGRESSION"),
        "{}",
        d.to_text()
    );
    assert!(!diff(&r, &good).regressed);
}

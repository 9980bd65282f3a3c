//! Shared front end of the `tier0`..`tier6` binaries:
//! `tierN [--device auto|sim|PATH] [--json]`.
//! Exit codes: 0 pass or skip, 1 the tier failed, 2 usage error.

use crate::{run_tier, Status, Target};

/// Parsed options.
#[derive(Debug, PartialEq, Eq)]
pub struct Opts {
    /// `--device` (default `auto`).
    pub device: String,
    /// `--json`.
    pub json: bool,
}

/// Parses `args` (without the program name).
pub fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        device: "auto".into(),
        json: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => o.json = true,
            "--device" => {
                o.device = it
                    .next()
                    .ok_or("--device needs a value (auto|sim|PATH)")?
                    .clone()
            }
            s if s.starts_with("--device=") => o.device = s["--device=".len()..].to_string(),
            s => {
                return Err(format!(
                    "unexpected argument {s:?} (usage: [--device auto|sim|PATH] [--json])"
                ))
            }
        }
    }
    Ok(o)
}

/// Runs tier `n` as a program and returns the exit code.
pub fn main(n: u8) -> i32 {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = match parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let t = Target::open(&o.device);
    let r = run_tier(n, &t);
    if o.json {
        match serde_json::to_string(&r) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        }
    } else {
        println!("tier {} ({}) on {}: {}", r.tier, r.name, t.label, r.detail);
    }
    i32::from(r.status == Status::Fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let a = |v: &[&str]| parse(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            a(&[]).unwrap(),
            Opts {
                device: "auto".into(),
                json: false
            }
        );
        assert_eq!(
            a(&["--device", "sim", "--json"]).unwrap(),
            Opts {
                device: "sim".into(),
                json: true
            }
        );
        assert_eq!(
            a(&["--device=/dev/dri/renderD128"]).unwrap().device,
            "/dev/dri/renderD128"
        );
        assert!(a(&["--device"]).is_err());
        assert!(a(&["--bogus"]).is_err());
    }
}

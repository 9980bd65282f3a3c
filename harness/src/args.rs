//! Command-line parsing (hand-written: two modes, five flags).

/// What to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Cmd {
    /// Run the ladder.
    Run {
        /// `--device`.
        device: String,
        /// `--json`.
        json: bool,
        /// `--keep-going`.
        keep_going: bool,
        /// `--out DIR`.
        out: Option<String>,
    },
    /// `diff A B [--json]`.
    Diff {
        /// First report.
        a: String,
        /// Second report.
        b: String,
        /// `--json`.
        json: bool,
    },
    /// `--help`.
    Help,
}

/// Usage text.
pub const USAGE: &str = "usage: harness [--device auto|sim|PATH] [--json] [--keep-going] [--out DIR]\n       harness diff A.json B.json [--json]\nexit: 0 all pass/skip (diff: no regression), 1 a tier failed (diff: a tier regressed), 2 usage/device/IO error";

/// Parses arguments (without the program name).
pub fn parse(args: &[String]) -> Result<Cmd, String> {
    if args.first().map(String::as_str) == Some("diff") {
        let mut files = Vec::new();
        let mut json = false;
        for a in &args[1..] {
            match a.as_str() {
                "--json" => json = true,
                s if s.starts_with("--") => return Err(format!("diff: unknown option {s}")),
                s => files.push(s.to_string()),
            }
        }
        let [a, b]: [String; 2] = files.try_into().map_err(|_| {
            "diff needs exactly two report files: harness diff A.json B.json".to_string()
        })?;
        return Ok(Cmd::Diff { a, b, json });
    }
    let (mut device, mut json, mut keep_going, mut out) = ("auto".to_string(), false, false, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--help" | "-h" => return Ok(Cmd::Help),
            "--json" => json = true,
            "--keep-going" => keep_going = true,
            "--device" => {
                device = it
                    .next()
                    .ok_or("--device needs a value (auto|sim|PATH)")?
                    .clone()
            }
            "--out" => out = Some(it.next().ok_or("--out needs a directory")?.clone()),
            s => {
                if let Some(v) = s.strip_prefix("--device=") {
                    device = v.to_string();
                } else if let Some(v) = s.strip_prefix("--out=") {
                    out = Some(v.to_string());
                } else {
                    return Err(format!("unexpected argument {s:?}"));
                }
            }
        }
    }
    Ok(Cmd::Run {
        device,
        json,
        keep_going,
        out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: &[&str]) -> Result<Cmd, String> {
        parse(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn modes() {
        assert_eq!(
            p(&[]).unwrap(),
            Cmd::Run {
                device: "auto".into(),
                json: false,
                keep_going: false,
                out: None
            }
        );
        assert_eq!(
            p(&[
                "--device",
                "sim",
                "--json",
                "--keep-going",
                "--out",
                "findings/x"
            ])
            .unwrap(),
            Cmd::Run {
                device: "sim".into(),
                json: true,
                keep_going: true,
                out: Some("findings/x".into())
            }
        );
        assert_eq!(
            p(&["diff", "a.json", "b.json"]).unwrap(),
            Cmd::Diff {
                a: "a.json".into(),
                b: "b.json".into(),
                json: false
            }
        );
        assert!(p(&["diff", "a.json"]).is_err());
        assert!(p(&["--device"]).is_err());
        assert!(p(&["--what"]).is_err());
        assert_eq!(p(&["--help"]).unwrap(), Cmd::Help);
    }
}

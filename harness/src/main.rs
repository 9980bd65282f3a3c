//! `harness`: see the crate docs ([`harness`]) for the usage and exit codes.

use harness::args::{parse, Cmd, USAGE};
use harness::{diff, report, Report};
use probes::Target;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match real_main(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
            2
        }
    };
    std::process::exit(code);
}

fn read_report(path: &str) -> anyhow::Result<Report> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    Report::from_json(&text, path)
}

fn real_main(args: &[String]) -> anyhow::Result<i32> {
    let cmd = parse(args).map_err(|e| anyhow::anyhow!("{e}\n{USAGE}"))?;
    match cmd {
        Cmd::Help => {
            println!("{USAGE}");
            Ok(0)
        }
        Cmd::Diff { a, b, json } => {
            let d = diff::diff(&read_report(&a)?, &read_report(&b)?);
            if json {
                println!("{}", serde_json::to_string_pretty(&d)?);
            } else {
                print!("{}", d.to_text());
            }
            Ok(i32::from(d.regressed))
        }
        Cmd::Run {
            device,
            json,
            keep_going,
            out,
        } => {
            let t = Target::open(&device);
            if let Some(e) = &t.open_error {
                anyhow::bail!("{e}");
            }
            let r = harness::run(&t, keep_going, 0..=6);
            if let Some(dir) = out {
                let dir = Path::new(&dir);
                std::fs::create_dir_all(dir)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
                let command = std::iter::once("harness".to_string())
                    .chain(args.iter().cloned())
                    .collect::<Vec<_>>()
                    .join(" ");
                let md = r.to_markdown(&command, &report::utc_now());
                for (name, body) in [("report.json", r.to_json() + "\n"), ("report.md", md)] {
                    let p = dir.join(name);
                    std::fs::write(&p, body)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
                }
            }
            if json {
                println!("{}", r.to_json());
            } else {
                print!("{}", r.to_text());
            }
            Ok(i32::from(r.failed()))
        }
    }
}

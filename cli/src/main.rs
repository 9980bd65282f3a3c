//! rocless: the command-line interface. Thin: each module parses one group of
//! subcommands and calls into the crates that do the work.

#![forbid(unsafe_code)]

mod cmd_co;
mod cmd_disasm;
mod cmd_engine;
mod cmd_info;
mod cmd_launch;
mod cmd_pm4;
mod cmd_serve;
mod cmd_tokenize;
mod gpu;

use clap::{Parser, Subcommand};

/// rocless: drive AMD RDNA GPUs straight through the amdgpu kernel driver.
#[derive(Parser)]
#[command(name = "rocless", version, about)]
struct Cli {
    #[command(subcommand)]
    cmd: Top,
}

#[derive(Subcommand)]
enum Top {
    #[command(flatten)]
    Info(cmd_info::Cmd),
    #[command(flatten)]
    Disasm(cmd_disasm::Cmd),
    #[command(flatten)]
    Co(cmd_co::Cmd),
    #[command(flatten)]
    Pm4(cmd_pm4::Cmd),
    #[command(flatten)]
    Launch(cmd_launch::Cmd),
    #[command(flatten)]
    Engine(cmd_engine::Cmd),
    #[command(flatten)]
    Tokenize(cmd_tokenize::Cmd),
    #[command(flatten)]
    Serve(cmd_serve::Cmd),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.cmd {
        Top::Info(c) => cmd_info::run(c),
        Top::Disasm(c) => cmd_disasm::run(c),
        Top::Co(c) => cmd_co::run(c),
        Top::Pm4(c) => cmd_pm4::run(c),
        Top::Launch(c) => cmd_launch::run(c),
        Top::Engine(c) => cmd_engine::run(c),
        Top::Tokenize(c) => cmd_tokenize::run(c),
        Top::Serve(c) => cmd_serve::run(c),
    };
    if let Err(e) = result {
        // One line, no backtrace: the contract of DESIGN.md.
        let msg = format!("{e:#}").replace('\n', " ");
        eprintln!("error: {msg}");
        std::process::exit(1);
    }
}

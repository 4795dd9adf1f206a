//! tapterm: a desktop point-of-sale terminal for contactless EMV payments.
//!
//! The command line is thin: each subcommand lives in its own module.

mod decode;
mod replay;
mod terminal_config;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Contactless EMV point-of-sale terminal (phones and cards over PC/SC).
#[derive(Debug, Parser)]
#[command(name = "tapterm", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode hex (TLV, status words) into a tree with EMV tag names.
    Decode(decode::DecodeArgs),
    /// Replay transaction vectors against the kernel and report pass/fail.
    Replay(replay::ReplayArgs),
    /// Play a virtual phone wallet or card into a vpcd virtual reader.
    Phone(tapterm::phone::PhoneArgs),
    /// Check the terminal configuration (assets/terminal.toml, --config overlay, CA keys).
    Config(terminal_config::ConfigArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Decode(args)) => decode::run(args),
        Some(Command::Replay(args)) => replay::run(args),
        Some(Command::Phone(args)) => tapterm::phone::run(args),
        Some(Command::Config(args)) => terminal_config::run(args),
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            ExitCode::SUCCESS
        }
    }
}

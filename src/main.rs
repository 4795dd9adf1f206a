//! tapterm: a desktop point-of-sale terminal for contactless EMV payments.
//!
//! The command line is thin: each subcommand lives in its own module.

mod checkout;
mod decode;
mod pay;
mod reader;
mod readers_cmd;
mod recording;
mod replay;

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
    /// Run one headless transaction on a reader and print the APDU trace and outcome.
    Pay(pay::PayArgs),
    /// List PC/SC readers with card state, ATR and ACR122U firmware.
    Readers(readers_cmd::ReadersArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Decode(args)) => decode::run(args),
        Some(Command::Replay(args)) => replay::run(args),
        Some(Command::Pay(args)) => pay::run(args),
        Some(Command::Readers(args)) => readers_cmd::run(args),
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            ExitCode::SUCCESS
        }
    }
}

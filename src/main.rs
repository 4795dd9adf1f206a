//! tapterm: a desktop point-of-sale terminal for contactless EMV payments.
//!
//! The command line is thin: each subcommand lives in its own module.

mod decode;
mod gui_cli;
mod history;
mod pay;
mod readers_cmd;
mod replay;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tapterm::{checkout, phone, reader, recording, terminal_config};

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
    /// Play a virtual phone wallet or card into a vpcd virtual reader.
    Phone(tapterm::phone::PhoneArgs),
    /// Check the terminal configuration (assets/terminal.toml, --config overlay, CA keys).
    Config(terminal_config::ConfigArgs),
    /// Open the terminal's window (the default without a subcommand).
    Gui(gui_cli::GuiArgs),
    /// List the day's transactions from the journal, or print a receipt.
    History(history::HistoryArgs),
    /// Day totals by outcome and currency (refunds negative).
    Totals(history::TotalsArgs),
    /// Run the acquirer/issuer simulator as a TCP service.
    Host(history::HostArgs),
    /// Record journal entries in a loop (crash test helper).
    #[command(hide = true)]
    JournalStress(history::JournalStressArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Decode(args)) => decode::run(args),
        Some(Command::Replay(args)) => replay::run(args),
        Some(Command::Pay(args)) => pay::run(args),
        Some(Command::Readers(args)) => readers_cmd::run(args),
        Some(Command::History(args)) => history::run_history(args),
        Some(Command::Totals(args)) => history::run_totals(args),
        Some(Command::Host(args)) => history::run_host(args),
        Some(Command::JournalStress(args)) => history::run_journal_stress(args),
        Some(Command::Phone(args)) => phone::run(args),
        Some(Command::Config(args)) => terminal_config::run(args),
        Some(Command::Gui(args)) => gui_cli::run(args),
        None => gui_cli::run(gui_cli::GuiArgs::default()),
    }
}

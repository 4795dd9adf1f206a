//! The command line: one module per subcommand, each parsing its arguments and presenting
//! what the library does (DESIGN.md: the binary is thin).

mod config;
mod decode;
mod doctor;
mod gui;
mod history;
mod host;
mod journal_stress;
mod pay;
mod readers;
mod replay;
mod rewards;
mod transit;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tapterm::phone;

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
    Readers(readers::ReadersArgs),
    /// Play a virtual phone wallet or card into a vpcd virtual reader.
    Phone(phone::PhoneArgs),
    /// Check the terminal configuration (assets/terminal.toml, --config overlay, CA keys).
    Config(config::ConfigArgs),
    /// Open the terminal's window (the default without a subcommand).
    Gui(gui::GuiArgs),
    /// List the day's transactions from the journal, or print a receipt.
    History(history::HistoryArgs),
    /// Day totals by outcome and currency (refunds negative).
    Totals(history::TotalsArgs),
    /// Say why a reader does not show up (pcscd, CCID driver, kernel NFC drivers, a reader
    /// held by another program), with the command that fixes each problem.
    Doctor(doctor::DoctorArgs),
    /// Run the acquirer/issuer simulator as a TCP service.
    Host(host::HostArgs),
    /// Transit gate mode: the gate headless, the deferred authorisations' sender, the deny
    /// list (clear) and close of day.
    Transit(transit::TransitArgs),
    /// The rewards ledger: members (account key truncated), a member's history, CSV,
    /// --forget MEMBER.
    Rewards(rewards::RewardsArgs),
    /// Record journal entries in a loop (crash test helper).
    #[command(hide = true)]
    JournalStress(journal_stress::JournalStressArgs),
}

/// Parses the command line and runs the subcommand.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Decode(args)) => decode::run(args),
        Some(Command::Replay(args)) => replay::run(args),
        Some(Command::Pay(args)) => pay::run(args),
        Some(Command::Readers(args)) => readers::run(args),
        Some(Command::History(args)) => history::run_history(args),
        Some(Command::Totals(args)) => history::run_totals(args),
        Some(Command::Doctor(args)) => doctor::run(args),
        Some(Command::Host(args)) => host::run(args),
        Some(Command::Transit(args)) => transit::run(args),
        Some(Command::Rewards(args)) => rewards::run(args),
        Some(Command::JournalStress(args)) => journal_stress::run(args),
        Some(Command::Phone(args)) => phone::run(args),
        Some(Command::Config(args)) => config::run(args),
        Some(Command::Gui(args)) => gui::run(args),
        None => gui::run(gui::GuiArgs::default()),
    }
}

//! `tapterm decode`: hex in, a TLV tree with EMV names out.

use std::process::ExitCode;

/// Arguments of `tapterm decode`.
#[derive(Debug, clap::Args)]
pub struct DecodeArgs {
    /// Hex to decode (spaces allowed); read from standard input when absent.
    pub hex: Vec<String>,
    /// Print the tree as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the subcommand.
pub fn run(_args: DecodeArgs) -> ExitCode {
    ExitCode::from(2)
}

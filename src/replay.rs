//! `tapterm replay`: run vectors against the kernel and print a pass/fail table.

use std::process::ExitCode;

/// Arguments of `tapterm replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Vector files or folders of vectors.
    #[arg(required = true)]
    pub paths: Vec<std::path::PathBuf>,
}

/// Runs the subcommand.
pub fn run(_args: ReplayArgs) -> ExitCode {
    ExitCode::from(2)
}

//! `tapterm config`: loads the terminal configuration (built-in, user overlay, CA keys) and
//! prints it, or says which file and field is wrong.

use std::path::PathBuf;

use tapterm::terminal_config::{CAPK_DIR, describe, load};

/// Arguments of `tapterm config`.
#[derive(Debug, clap::Args)]
pub struct ConfigArgs {
    /// A user configuration laid over the built-in assets/terminal.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Folder of CA public key files (*.toml).
    #[arg(long, default_value = CAPK_DIR)]
    pub capk_dir: PathBuf,
}

/// Runs `tapterm config`: loads and prints the effective configuration; 2 on error.
pub fn run(args: ConfigArgs) -> std::process::ExitCode {
    match load(args.config.as_deref(), &args.capk_dir) {
        Ok(settings) => {
            print!("{}", describe(&settings));
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

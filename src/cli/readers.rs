//! `tapterm readers`: what PC/SC sees — each reader, whether a card is on it, its ATR, and
//! an ACR122U's firmware.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use tapterm::reader::{self, CardState};

/// Arguments of `tapterm readers`.
#[derive(Debug, clap::Args)]
pub struct ReadersArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs the subcommand: exit 0 with the list (possibly empty), 1 when pcscd is unreachable.
pub fn run(args: ReadersArgs) -> ExitCode {
    let readers = match reader::list() {
        Ok(readers) => readers,
        Err(e) => {
            eprintln!("tapterm readers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = String::new();
    if args.json {
        match serde_json::to_string_pretty(&readers) {
            Ok(text) => out = text + "\n",
            Err(e) => {
                eprintln!("tapterm readers: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else if readers.is_empty() {
        out.push_str("no readers connected\n");
    }
    for r in readers.iter().filter(|_| !args.json) {
        let state = match r.state {
            CardState::Empty => "empty",
            CardState::Present => "card present",
            CardState::Mute => "card present (mute)",
            CardState::Unknown => "unknown",
        };
        let _ = writeln!(out, "{}\n  state:    {state}", r.name);
        if let Some(atr) = &r.atr {
            let _ = writeln!(out, "  ATR:      {atr}");
        }
        if r.acr122u {
            let firmware = r.firmware.as_deref().unwrap_or("(not readable)");
            let _ = writeln!(out, "  ACR122U firmware: {firmware}");
        }
    }
    // A closed stdout (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

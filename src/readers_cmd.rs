//! `tapterm readers`: what PC/SC sees — each reader, whether a card is on it, its ATR, and
//! an ACR122U's firmware.

use std::process::ExitCode;

use crate::reader::{self, CardState};

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
    if args.json {
        match serde_json::to_string_pretty(&readers) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("tapterm readers: {e}");
                return ExitCode::FAILURE;
            }
        }
        return ExitCode::SUCCESS;
    }
    if readers.is_empty() {
        println!("no readers connected");
    }
    for r in &readers {
        let state = match r.state {
            CardState::Empty => "empty",
            CardState::Present => "card present",
            CardState::Mute => "card present (mute)",
            CardState::Unknown => "unknown",
        };
        println!("{}", r.name);
        println!("  state:    {state}");
        if let Some(atr) = &r.atr {
            println!("  ATR:      {atr}");
        }
        if r.acr122u {
            let firmware = r.firmware.as_deref().unwrap_or("(not readable)");
            println!("  ACR122U firmware: {firmware}");
        }
    }
    ExitCode::SUCCESS
}

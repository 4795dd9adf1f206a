//! `tapterm decode`: hex in (arguments or standard input), the tree of [`tapterm::decode`]
//! out, as text or JSON.

use std::io::Read;
use std::process::ExitCode;

use tapterm::decode::{DecodeError, decode, parse_hex, render_text};

/// Arguments of `tapterm decode`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "PAN (5A) and track data (56, 57, 9F6B) are masked to first 6 / last 4 digits \
                  and expiry; --reveal prints them in full."
)]
pub struct DecodeArgs {
    /// Hex to decode (spaces allowed); read from standard input when absent.
    pub hex: Vec<String>,
    /// Print the tree as JSON.
    #[arg(long)]
    pub json: bool,
    /// Show PAN and track data in full instead of masked.
    #[arg(long)]
    pub reveal: bool,
}

fn input(args: &DecodeArgs) -> Result<Vec<u8>, DecodeError> {
    if args.hex.is_empty() {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| DecodeError::Stdin(e.to_string()))?;
        parse_hex(&text)
    } else {
        parse_hex(&args.hex.join(" "))
    }
}

/// Runs the subcommand: 0 on success, 2 on bad input.
pub fn run(args: DecodeArgs) -> ExitCode {
    let result = input(&args).and_then(|data| decode(&data, args.reveal));
    match result {
        Ok(decoded) if args.json => match serde_json::to_string_pretty(&decoded) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Ok(decoded) => {
            print!("{}", render_text(&decoded));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

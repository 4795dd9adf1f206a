//! `tapterm decode`: hex in (arguments or standard input), the tree of [`tapterm::decode`]
//! out, as text or JSON; or a DOL, a tag list, an ATR; or a whole recorded tap
//! (`--vector FILE`) with its ODA chain checked against the configured CA keys.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use emv_kernel::config::Date;
use emv_kernel::vector;
use serde::Serialize;
use tapterm::decode::tap::{self, Exchange};
use tapterm::decode::{DecodeError, Options, decode_with, modes, parse_hex, render_text};
use tapterm::terminal_config::{self, CAPK_DIR};

/// Arguments of `tapterm decode`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "PAN (5A) and track data (56, 57, 9F6B) are masked to first 6 / last 4 digits \
                  and expiry; --reveal prints them in full.\n\
                  9F10, 9F69, 9F6C and 9F6E are read by the scheme of the AID (84 or 4F in the \
                  input, or --aid); each says which reading was used.\n\
                  --vector decodes every exchange of a recorded tap (a tapterm-vector/1 file, \
                  as `tapterm pay --record` writes; --transcript: command and response hex \
                  lines) and redoes offline data authentication with the configured CA keys \
                  (assets/capk, or --capk-dir)."
)]
pub struct DecodeArgs {
    /// Hex to decode (spaces allowed); read from standard input when absent.
    pub hex: Vec<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Show PAN and track data in full instead of masked.
    #[arg(long)]
    pub reveal: bool,
    /// The AID of the tap (hex), for the scheme-dependent readings.
    #[arg(long, value_name = "HEX")]
    pub aid: Option<String>,
    /// The input is a Data Object List (tags and lengths).
    #[arg(long, conflicts_with_all = ["tag_list", "atr", "vector", "transcript"])]
    pub dol: bool,
    /// The input is a tag list (tags only, like 9F4A).
    #[arg(long, conflicts_with_all = ["atr", "vector", "transcript"])]
    pub tag_list: bool,
    /// The input is an Answer To Reset (ISO/IEC 7816-3, PC/SC contactless ATR).
    #[arg(long, conflicts_with_all = ["vector", "transcript"])]
    pub atr: bool,
    /// Decode a whole recorded tap (vector file) with its ODA chain.
    #[arg(long, value_name = "FILE", conflicts_with = "transcript")]
    pub vector: Option<PathBuf>,
    /// Decode a whole tap from a transcript: one hex line per APDU, each command followed by
    /// its response (as binaryfoo/emv-bertlv test cases and many sniffers write them).
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    /// Folder of CA public key files for --vector and --transcript.
    #[arg(long, default_value = CAPK_DIR)]
    pub capk_dir: PathBuf,
    /// The day certificates and CA keys are checked against (YYYY-MM-DD) when the tap sent
    /// no transaction date (9A); default: the vector's transaction date, else today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<Date>,
    /// A terminal configuration overlay for --vector and --transcript (its accept_test_keys
    /// decides whether test keys are used).
    #[arg(long)]
    pub config: Option<PathBuf>,
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

/// Prints `value` as JSON or `text` as it is; 0, or 2 when JSON fails.
fn print(json: bool, value: &impl Serialize, text: &str) -> ExitCode {
    if !json {
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    match serde_json::to_string_pretty(value) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(e: &str) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}

fn lines(json: bool, lines: &[String]) -> ExitCode {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    print(json, &lines, &text)
}

/// Today in the local zone, for a vector whose transaction has no valid date.
fn today() -> Date {
    use chrono::Datelike;
    let d = chrono::Local::now().date_naive();
    Date {
        year: u16::try_from(d.year()).unwrap_or_default(),
        month: u8::try_from(d.month()).unwrap_or_default(),
        day: u8::try_from(d.day()).unwrap_or_default(),
    }
}

fn parse_date(text: &str) -> Result<Date, String> {
    let d = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| e.to_string())?;
    use chrono::Datelike;
    Ok(Date {
        year: u16::try_from(d.year()).map_err(|e| e.to_string())?,
        month: u8::try_from(d.month()).map_err(|e| e.to_string())?,
        day: u8::try_from(d.day()).map_err(|e| e.to_string())?,
    })
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Decodes the exchanges of a tap with the configured CA keys and prints the report.
fn run_tap(args: &DecodeArgs, title: &str, exchanges: &[Exchange<'_>], date: Date) -> ExitCode {
    let settings = match terminal_config::load(args.config.as_deref(), &args.capk_dir) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    let report = tap::decode_tap(
        exchanges,
        &settings.kernel.capks,
        &settings.kernel.revoked,
        date,
        args.reveal,
    );
    let text = format!("{title}\n{}", tap::render_text(&report));
    print(args.json, &report, &text)
}

fn run_transcript(args: &DecodeArgs, path: &Path) -> ExitCode {
    let text = match read(path) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let mut apdus = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match parse_hex(line) {
            Ok(b) => apdus.push(b),
            Err(e) => return fail(&format!("{} line {}: {e}", path.display(), n + 1)),
        }
    }
    let exchanges: Vec<Exchange<'_>> = apdus
        .chunks(2)
        .map(|pair| Exchange {
            tap: 0,
            command: pair.first().map(Vec::as_slice).unwrap_or_default(),
            response: pair.get(1).map(Vec::as_slice).ok_or("no response line"),
        })
        .collect();
    let date = args.date.unwrap_or_else(today);
    run_tap(
        args,
        &format!("transcript {}", path.display()),
        &exchanges,
        date,
    )
}

fn run_vector(args: &DecodeArgs, path: &Path) -> ExitCode {
    let text = match read(path) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let v = match vector::parse(&text) {
        Ok(v) => v,
        Err(e) => return fail(&format!("{}: {e}", path.display())),
    };
    let date = args
        .date
        .unwrap_or_else(|| v.inputs().map_or_else(|_| today(), |(_, t)| t.date));
    let exchanges: Vec<Exchange<'_>> = v
        .taps
        .iter()
        .enumerate()
        .flat_map(|(tap, list)| {
            list.iter().map(move |e| Exchange {
                tap,
                command: &e.c.0,
                response: match (&e.r, &e.error) {
                    (Some(r), _) => Ok(r.0.as_slice()),
                    (None, Some(vector::ExchangeError::CardRemoved)) => Err("card removed"),
                    (None, _) => Err("no response (timeout)"),
                },
            })
        })
        .collect();
    run_tap(args, &format!("vector {}", v.name), &exchanges, date)
}

/// Runs the subcommand: 0 on success, 2 on bad input.
pub fn run(args: DecodeArgs) -> ExitCode {
    if let Some(path) = &args.vector {
        return run_vector(&args, path);
    }
    if let Some(path) = &args.transcript {
        return run_transcript(&args, path);
    }
    let data = match input(&args) {
        Ok(d) => d,
        Err(e) => return fail(&e.to_string()),
    };
    if args.dol || args.tag_list {
        let result = if args.dol {
            modes::dol(&data)
        } else {
            modes::tag_list(&data)
        };
        return match result {
            Ok(l) => lines(args.json, &l),
            Err(e) => fail(&e.to_string()),
        };
    }
    if args.atr {
        return match modes::atr(&data) {
            Ok(l) => lines(args.json, &l),
            Err(e) => fail(&e.to_string()),
        };
    }
    let aid = match args.aid.as_deref().map(parse_hex).transpose() {
        Ok(aid) => aid,
        Err(e) => return fail(&format!("--aid: {e}")),
    };
    let options = Options {
        reveal: args.reveal,
        aid,
        currency: None,
    };
    match decode_with(&data, &options) {
        Ok(decoded) => print(args.json, &decoded, &render_text(&decoded)),
        Err(e) => fail(&e.to_string()),
    }
}

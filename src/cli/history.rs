//! `tapterm history` and `tapterm totals`: the day's journal (src/journal) and its totals.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tapterm::journal::{self, Journal, receipt};
use tapterm::terminal_config;
use tapterm::time_zone::Zone;
use tapterm::transaction::kind_name;

/// The day and the journal that `tapterm history` and `tapterm totals` read.
#[derive(Debug, clap::Args)]
pub struct DayArgs {
    /// Day: YYYY-MM-DD, `today` or `yesterday` (in the configured app.time_zone).
    #[arg(long, default_value = "today")]
    date: String,
    /// Journal file (default: $XDG_DATA_HOME/tapterm/journal.sqlite).
    #[arg(long)]
    journal: Option<PathBuf>,
    /// A terminal configuration laid over the built-in one (for app.time_zone).
    #[arg(long)]
    config: Option<PathBuf>,
}

impl DayArgs {
    /// The configured time zone and the day named in it.
    fn zone_and_day(&self) -> Result<(Zone, chrono::NaiveDate), ExitCode> {
        let zone = zone(self.config.as_deref())?;
        Ok((zone, day(&self.date, zone)?))
    }
}

/// Arguments of `tapterm history`.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    day: DayArgs,
    /// Print the receipt of this transaction id instead of the list.
    #[arg(long)]
    receipt: Option<i64>,
    /// Merchant name printed on receipts.
    #[arg(long, default_value = "tapterm test merchant")]
    merchant: String,
}

/// Arguments of `tapterm totals`.
#[derive(Debug, clap::Args)]
pub struct TotalsArgs {
    #[command(flatten)]
    day: DayArgs,
}

/// Opens the journal at `path` (default: the standard place).
pub fn open(path: Option<PathBuf>) -> Result<Journal, ExitCode> {
    let path = path.unwrap_or_else(Journal::default_path);
    Journal::open(&path).map_err(|e| {
        eprintln!("tapterm: {e}");
        ExitCode::FAILURE
    })
}

/// The configured time zone (built-in terminal.toml, overlaid by `config`).
fn zone(config: Option<&Path>) -> Result<Zone, ExitCode> {
    terminal_config::load_config(config)
        .map(|s| s.app.time_zone)
        .map_err(|e| {
            eprintln!("tapterm: configuration: {e}");
            ExitCode::from(2)
        })
}

fn day(text: &str, zone: Zone) -> Result<chrono::NaiveDate, ExitCode> {
    journal::parse_day(text, zone).map_err(|e| {
        eprintln!("tapterm: {e}");
        ExitCode::from(2)
    })
}

/// Lists one day's transactions, or prints one receipt.
pub fn run_history(args: HistoryArgs) -> ExitCode {
    let journal = match open(args.day.journal.clone()) {
        Ok(j) => j,
        Err(code) => return code,
    };
    if let Some(id) = args.receipt {
        return match journal.get(id) {
            Ok(Some(stored)) => {
                let award = tapterm::rewards::award(journal.ledger(), id).unwrap_or_else(|e| {
                    eprintln!("tapterm: rewards of #{id} not shown: {e}");
                    None
                });
                print!(
                    "{}",
                    receipt::receipt(&stored, &args.merchant, award.as_ref())
                );
                ExitCode::SUCCESS
            }
            Ok(None) => {
                eprintln!(
                    "tapterm: no transaction #{id} in {}",
                    journal.path().display()
                );
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("tapterm: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let (zone, date) = match args.day.zone_and_day() {
        Ok(z) => z,
        Err(code) => return code,
    };
    let entries = match journal.day(date) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("tapterm: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "{:>6}  {:8}  {:8}  {:>14}  {:10}  {:12}  {:16}  {:19}  {:16}  auth",
        "id", "time", "type", "amount", "outcome", "cvm", "scheme", "card", "label"
    );
    for s in &entries {
        let e = &s.entry;
        let kind = kind_name(e.kind);
        println!(
            "{:>6}  {:8}  {:8}  {:>14}  {:10}  {:12}  {:16}  {:19}  {:16}  {}",
            s.id,
            zone.local(e.time).format("%H:%M:%S").to_string(),
            kind,
            format!("{} {}", e.currency_code(), e.amount()),
            e.outcome,
            e.cvm,
            e.scheme().unwrap_or("-"),
            e.masked_pan.as_ref().map_or("-", |p| p.as_str()),
            e.label.as_deref().unwrap_or("-"),
            e.auth_code.as_deref().unwrap_or("-"),
        );
        // Why it was not approved, and how far it got.
        if let Some(detail) = e.detail.as_deref().filter(|_| !e.approved) {
            println!("        {detail}");
        }
    }
    println!(
        "{} transaction(s) on {date} ({} time)",
        entries.len(),
        zone.name()
    );
    ExitCode::SUCCESS
}

/// Prints one day's totals by outcome and currency (refunds negative).
pub fn run_totals(args: TotalsArgs) -> ExitCode {
    let journal = match open(args.day.journal.clone()) {
        Ok(j) => j,
        Err(code) => return code,
    };
    let (zone, date) = match args.day.zone_and_day() {
        Ok(z) => z,
        Err(code) => return code,
    };
    match journal.totals(date) {
        Ok(totals) => {
            println!("Totals for {date} ({} time)", zone.name());
            println!(
                "{:12}  {:8}  {:>6}  {:>16}",
                "outcome", "currency", "count", "net"
            );
            for t in &totals {
                println!(
                    "{:12}  {:8}  {:>6}  {:>16}",
                    t.outcome,
                    journal::currency_code(t.currency),
                    t.count,
                    t.net
                );
            }
            if totals.is_empty() {
                println!("(no transactions)");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tapterm: {e}");
            ExitCode::FAILURE
        }
    }
}

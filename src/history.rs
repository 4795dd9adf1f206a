//! `tapterm history`, `tapterm totals`, `tapterm host --listen` and the hidden
//! `tapterm journal-stress` used by the crash test.
//!
//! History and totals read the journal (src/journal); the host command runs the issuer
//! simulator as a TCP service (protocol in src/host/server.rs).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use emv_kernel::config::{TagMap, TransactionType};
use emv_kernel::tlv::Tag;

use tapterm::host::Host;
use tapterm::host::server::Server;
use tapterm::journal::{self, Entry, Journal, receipt};

/// Arguments of `tapterm history`.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// Day to list: YYYY-MM-DD (UTC), `today` or `yesterday`.
    #[arg(long, default_value = "today")]
    date: String,
    /// Journal file (default: $XDG_DATA_HOME/tapterm/journal.sqlite).
    #[arg(long)]
    journal: Option<PathBuf>,
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
    /// Day to total: YYYY-MM-DD (UTC), `today` or `yesterday`.
    #[arg(long, default_value = "today")]
    date: String,
    /// Journal file (default: $XDG_DATA_HOME/tapterm/journal.sqlite).
    #[arg(long)]
    journal: Option<PathBuf>,
}

/// Arguments of `tapterm host`.
#[derive(Debug, clap::Args)]
pub struct HostArgs {
    /// Address to listen on, e.g. 127.0.0.1:8583 (port 0 picks a free port).
    #[arg(long)]
    listen: String,
    /// Issuer key file (default: the shipped test keys, assets/host/issuers.toml).
    #[arg(long)]
    issuers: Option<PathBuf>,
    /// Rules file (default: assets/host/rules.toml as shipped).
    #[arg(long)]
    rules: Option<PathBuf>,
}

/// Arguments of the hidden `tapterm journal-stress`.
#[derive(Debug, clap::Args)]
pub struct JournalStressArgs {
    /// Journal file to write to.
    #[arg(long)]
    journal: PathBuf,
    /// Stop after this many transactions (default: until killed).
    #[arg(long)]
    count: Option<u64>,
}

fn open(path: Option<PathBuf>) -> Result<Journal, ExitCode> {
    let path = path.unwrap_or_else(Journal::default_path);
    Journal::open(&path).map_err(|e| {
        eprintln!("tapterm: {e}");
        ExitCode::FAILURE
    })
}

fn day(text: &str) -> Result<chrono::NaiveDate, ExitCode> {
    journal::parse_day(text).map_err(|e| {
        eprintln!("tapterm: {e}");
        ExitCode::from(2)
    })
}

/// Lists one day's transactions, or prints one receipt.
pub fn run_history(args: HistoryArgs) -> ExitCode {
    let journal = match open(args.journal) {
        Ok(j) => j,
        Err(code) => return code,
    };
    if let Some(id) = args.receipt {
        return match journal.get(id) {
            Ok(Some(stored)) => {
                print!("{}", receipt::receipt(&stored, &args.merchant));
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
    let date = match day(&args.date) {
        Ok(d) => d,
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
        "{:>6}  {:8}  {:8}  {:>14}  {:10}  {:12}  {:19}  {:16}  auth",
        "id", "time", "type", "amount", "outcome", "cvm", "card", "label"
    );
    for s in &entries {
        let e = &s.entry;
        let kind = match e.kind {
            TransactionType::Refund => "refund",
            TransactionType::Cashback => "cashback",
            TransactionType::Cash => "cash",
            TransactionType::Purchase => "purchase",
        };
        println!(
            "{:>6}  {:8}  {:8}  {:>14}  {:10}  {:12}  {:19}  {:16}  {}",
            s.id,
            e.time.format("%H:%M:%S").to_string(),
            kind,
            format!("{} {}", e.currency_code(), e.amount()),
            e.outcome,
            e.cvm,
            e.masked_pan.as_ref().map_or("-", |p| p.as_str()),
            e.label.as_deref().unwrap_or("-"),
            e.auth_code.as_deref().unwrap_or("-"),
        );
    }
    println!("{} transaction(s) on {date} (UTC)", entries.len());
    ExitCode::SUCCESS
}

/// Prints one day's totals by outcome and currency (refunds negative).
pub fn run_totals(args: TotalsArgs) -> ExitCode {
    let journal = match open(args.journal) {
        Ok(j) => j,
        Err(code) => return code,
    };
    let date = match day(&args.date) {
        Ok(d) => d,
        Err(code) => return code,
    };
    match journal.totals(date) {
        Ok(totals) => {
            println!("Totals for {date} (UTC)");
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

/// Runs the host simulator as a TCP service until killed.
pub fn run_host(args: HostArgs) -> ExitCode {
    let host = match Host::load(args.issuers.as_deref(), args.rules.as_deref()) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("tapterm: {e}");
            return ExitCode::FAILURE;
        }
    };
    let server = match Server::bind(&args.listen, host) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tapterm: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    match server.local_addr() {
        Ok(addr) => println!("tapterm host listening on {addr}"),
        Err(e) => eprintln!("tapterm: {e}"),
    }
    let _ = std::io::stdout().flush();
    match server.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tapterm: host stopped: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A data record as the kernel would produce it, with a full PAN and track 2 that the
/// journal must mask.
fn stress_record(n: u64) -> TagMap {
    let mut record = TagMap::new();
    let pan = format!("476173{:010}", 9_001_010_000 + n % 1000);
    let bcd = |digits: &str| hex::decode(digits).unwrap_or_default();
    record.insert(Tag::new(0x5A), bcd(&pan));
    record.insert(Tag::new(0x57), bcd(&format!("{pan}D28122011234567800000F")));
    record.insert(Tag::new(0x4F), vec![0xA0, 0, 0, 0, 0x03, 0x10, 0x10]);
    record.insert(Tag::new(0x50), b"VISA".to_vec());
    record.insert(Tag::new(0x9F36), (n as u16).to_be_bytes().to_vec());
    record.insert(Tag::new(0x9F27), vec![0x80]);
    record.insert(Tag::new(0x9F26), n.to_be_bytes().to_vec());
    record
}

/// Records transactions in a loop, printing `shown <id>` after each durable write, the
/// way the terminal shows an outcome only after the journal has it.
pub fn run_journal_stress(args: JournalStressArgs) -> ExitCode {
    let mut journal = match open(Some(args.journal)) {
        Ok(j) => j,
        Err(code) => return code,
    };
    let mut stdout = std::io::stdout().lock();
    let mut n = 0u64;
    while args.count.is_none_or(|c| n < c) {
        let kind = if n % 7 == 6 {
            TransactionType::Refund
        } else {
            TransactionType::Purchase
        };
        let entry = Entry::from_record(
            &stress_record(n),
            Utc::now(),
            kind,
            100 + n % 5000,
            978,
            2,
            "Approved",
            true,
            "no_cvm",
            None,
            "stress",
            1,
        );
        match journal.record(&entry) {
            Ok(id) => {
                if writeln!(stdout, "shown {id}")
                    .and_then(|()| stdout.flush())
                    .is_err()
                {
                    return ExitCode::FAILURE;
                }
            }
            Err(e) => {
                eprintln!("tapterm: {e}");
                return ExitCode::FAILURE;
            }
        }
        n += 1;
    }
    ExitCode::SUCCESS
}

//! The hidden `tapterm journal-stress`: records journal entries in a loop, for the crash test
//! (tests/journal_crash.rs).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use emv_kernel::config::{TagMap, TransactionType};
use emv_kernel::tlv::Tag;
use tapterm::journal::Entry;

use super::history::open;

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
pub fn run(args: JournalStressArgs) -> ExitCode {
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

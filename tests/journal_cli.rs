//! The command line over the journal and the host: `tapterm history`, `tapterm totals`,
//! `tapterm host --listen`, and their clear failures on a corrupt journal.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::str::FromStr;
use std::time::Duration;

use emv_kernel::config::TagMap;
use emv_kernel::tlv::Tag;
use rust_decimal::Decimal;
use tapterm::host::server::HostClient;
use tapterm::host::{AuthorisationRequest, Authoriser, TerminalData};

fn tapterm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tapterm"))
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn history_totals_and_receipt_from_a_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite");
    let j = path.to_str().unwrap();
    let out = tapterm(&["journal-stress", "--journal", j, "--count", "8"]);
    assert!(out.status.success());
    assert_eq!(text(&out).lines().last(), Some("shown 8"));
    // The stress entries are stamped now; the journal counts days in the machine's zone
    // (the built-in app.time_zone is `local`).
    let day = chrono::Local::now().date_naive().to_string();

    let out = tapterm(&["history", "--journal", j, "--date", &day]);
    assert!(out.status.success());
    let list = text(&out);
    assert!(list.contains("8 transaction(s)"), "{list}");
    assert!(list.contains("476173******0007"));
    assert!(list.contains("refund"));
    assert!(!list.contains("4761739001010007"));

    // 1.00 .. 1.07 EUR, the seventh (1.06) a refund: 8.28 - 2 × 1.06 = 6.16.
    let out = tapterm(&["totals", "--journal", j, "--date", &day]);
    let totals = text(&out);
    assert!(
        totals.contains("Approved") && totals.contains("EUR"),
        "{totals}"
    );
    assert!(totals.contains("6.16"), "{totals}");

    let out = tapterm(&["history", "--journal", j, "--receipt", "3"]);
    assert!(text(&out).contains("EUR 1.02"));
    let out = tapterm(&["history", "--journal", j, "--receipt", "99"]);
    assert!(!out.status.success());

    let out = tapterm(&["totals", "--journal", j, "--date", "27/11/2026"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn corrupt_journal_is_reported_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite");
    std::fs::write(&path, vec![0x5Au8; 8192]).unwrap();
    let out = tapterm(&["history", "--journal", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("corrupt"), "{err}");
}

#[test]
fn host_command_serves_requests() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tapterm"))
        .args(["host", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first.trim().rsplit(' ').next().unwrap().to_string();
    let mut record = TagMap::new();
    record.insert(Tag::new(0x5A), hex::decode("4111111111111111").unwrap());
    let request = AuthorisationRequest {
        record,
        amount: Decimal::from_str("4.20").unwrap(),
        currency: 978,
        terminal: TerminalData::default(),
        refund: false,
    };
    let answer = HostClient::new(addr, Duration::from_secs(5)).authorise(&request);
    child.kill().unwrap();
    child.wait().unwrap();
    let answer = answer.unwrap();
    assert!(answer.approved);
    assert!(answer.reason.contains("unknown issuer keys"));
}

//! Issue 12 "Must show", through the real binary (`tapterm pay --demo`, `tapterm rewards`):
//! one member for a phone and the plastic of one account (same PAR, different PANs); the
//! keyed-hash fallback for a card without a PAR, with no profile's PAN in any database file;
//! a refund's reversal; nothing for a declined payment; the 5th-visit offer shown, redeemed
//! once and refused the second time; a malformed rules file named by line while payments
//! go on; `--forget`.
//!
//! Expected numbers come from the built-in rules (assets/rewards.toml): 1 point per EUR,
//! rounded down; 10 welcome points; "5th visit" EUR 2.00 off on every 5th purchase.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use tapterm::journal::Journal;
use tapterm::phone::Profile;

const TAPTERM: &str = env!("CARGO_BIN_EXE_tapterm");

fn tapterm(args: &[&str]) -> Output {
    Command::new(TAPTERM).args(args).output().unwrap()
}

/// `tapterm pay --demo PROFILE --amount AMOUNT --json` on `journal`, with `extra` arguments;
/// the JSON report (the command must succeed).
fn pay(journal: &Path, profile: &str, amount: &str, extra: &[&str]) -> Value {
    let journal = journal.to_str().unwrap();
    let mut args = vec![
        "pay",
        "--demo",
        profile,
        "--amount",
        amount,
        "--journal",
        journal,
        "--json",
    ];
    args.extend(extra);
    let out = tapterm(&args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `tapterm rewards --json` (the member list, or `extra` = ["--member", "N"]).
fn rewards(journal: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["rewards", "--journal", journal.to_str().unwrap(), "--json"];
    args.extend(extra);
    let out = tapterm(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_phone_and_the_plastic_of_one_account_are_one_member() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.sqlite");
    let mut reports = Vec::new();
    for profile in ["visa-phone", "visa-card", "visa-phone"] {
        let report = pay(&journal, profile, "12.34", &[]);
        assert_eq!(report["approved"], true, "{profile}: {report}");
        reports.push(report);
    }
    let members = rewards(&journal, &[]);
    let list = members.as_array().unwrap();
    assert_eq!(list.len(), 1, "{members}");
    let member = &list[0];
    assert_eq!(member["visits"], 3);
    // 12 + 12 + 12 points for EUR 12.34 each, and the welcome bonus once.
    assert_eq!(member["points"], 12 * 3 + 10);
    assert_eq!(member["keyed_by"], "PAR");
    assert_eq!(member["account"], "PAR V001…0001", "truncated");
    // Both PANs seen for the account: the phone's token and the card.
    let devices = member["devices"].as_array().unwrap();
    let seen: Vec<(&str, bool, &str)> = devices
        .iter()
        .map(|d| {
            (
                d["form"].as_str().unwrap(),
                d["token"].as_bool().unwrap(),
                d["last4"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(seen, vec![("phone", true, "0015"), ("card", false, "0021")]);
    // The outcome of each tap said so.
    let balances: Vec<&Value> = reports.iter().map(|r| &r["rewards"]["balance"]).collect();
    assert_eq!(balances, [22, 34, 46]);
    assert_eq!(reports[1]["rewards"]["new_device"], "Visa card …0021");
    assert!(reports[2]["rewards"]["new_device"].is_null());
    // The Mastercard pair is one other member.
    pay(&journal, "mastercard-phone", "5.00", &[]);
    pay(&journal, "mastercard-card", "5.00", &[]);
    let members = rewards(&journal, &[]);
    assert_eq!(members.as_array().unwrap().len(), 2, "{members}");
    assert_eq!(members[1]["visits"], 2);
    assert_eq!(members[1]["points"], 5 + 5 + 10);
}

#[test]
fn a_card_without_a_par_is_keyed_by_a_hash_and_no_pan_reaches_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.sqlite");
    // Held open so the last writer does not checkpoint and delete the -wal file.
    let watcher = Journal::open(&journal).unwrap();
    for _ in 0..3 {
        let report = pay(&journal, "visa-card-no-par", "12.34", &[]);
        assert_eq!(report["rewards"]["keyed_by"], "keyed hash", "{report}");
    }
    for profile in [
        "visa-phone",
        "visa-card",
        "mastercard-phone",
        "mastercard-card",
    ] {
        pay(&journal, profile, "3.00", &[]);
    }
    let members = rewards(&journal, &[]);
    let keyed = &members[0];
    assert_eq!(
        (keyed["visits"].clone(), keyed["points"].clone()),
        (3.into(), 46.into())
    );
    let account = keyed["account"].as_str().unwrap();
    assert!(account.starts_with('#') && account.len() == 9, "{account}");
    assert_eq!(members.as_array().unwrap().len(), 3);
    let secret = dir.path().join("account.key");
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "the terminal secret is the owner's alone"
    );
    // Every file of the database (and the CSV export) is searched for every PAN.
    let csv = tapterm(&["rewards", "--journal", journal.to_str().unwrap(), "--csv"]);
    let mut haystacks: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("journal"))
        })
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    assert!(
        haystacks
            .iter()
            .any(|(p, b)| p.ends_with("-wal") && !b.is_empty())
    );
    haystacks.push(("rewards --csv".into(), csv.stdout));
    for profile in Profile::ALL {
        let pan = profile.account().pan;
        let mut bcd = pan.to_string();
        if bcd.len() % 2 == 1 {
            bcd.push('F');
        }
        for (what, bytes) in &haystacks {
            assert!(
                !contains(bytes, pan.as_bytes()),
                "{profile} PAN digits in {what}"
            );
            assert!(
                !contains(bytes, &hex::decode(&bcd).unwrap()),
                "{profile} PAN as BCD in {what}"
            );
        }
    }
    drop(watcher);
}

#[test]
fn a_refund_takes_the_points_back_and_a_declined_payment_earns_none() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.sqlite");
    let sale = pay(&journal, "visa-phone", "30.00", &[]);
    assert_eq!(sale["rewards"]["earned"], 30);
    assert_eq!(sale["rewards"]["balance"], 40);
    // The host simulator declines amounts ending in .51 (assets/host/rules.toml).
    let declined = pay(&journal, "visa-phone", "12.51", &[]);
    assert_eq!(declined["approved"], false, "{declined}");
    assert!(declined["rewards"].is_null(), "{declined}");
    let refund = pay(&journal, "visa-card", "20.00", &["--type", "refund"]);
    assert_eq!(refund["approved"], true, "{refund}");
    assert_eq!(refund["rewards"]["reversed"], 20);
    assert_eq!(refund["rewards"]["balance"], 20);
    let member = &rewards(&journal, &[])[0];
    assert_eq!(
        member["visits"], 1,
        "neither the decline nor the refund is a visit"
    );
    assert_eq!(member["points"], 20);
    let history = rewards(&journal, &["--member", "1"]);
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["earn", "welcome", "reversal"]);
}

#[test]
fn the_fifth_visit_offer_is_shown_redeemed_once_and_not_twice() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.sqlite");
    for visit in 1..=5 {
        let report = pay(&journal, "visa-phone", "10.00", &[]);
        let unlocked = report["rewards"]["unlocked"].as_array().unwrap().clone();
        if visit < 5 {
            assert!(unlocked.is_empty(), "visit {visit}: {report}");
        } else {
            assert_eq!(
                unlocked,
                vec![serde_json::json!({"offer": "5th visit", "discount_minor": 200})]
            );
        }
    }
    // The receipt of the 5th sale prints it.
    let receipt = tapterm(&[
        "history",
        "--journal",
        journal.to_str().unwrap(),
        "--receipt",
        "5",
    ]);
    let receipt = String::from_utf8_lossy(&receipt.stdout).into_owned();
    assert!(receipt.contains("5th visit: EUR 2.00 off"), "{receipt}");
    let balance = receipt.lines().find(|l| l.starts_with("Points balance"));
    assert!(balance.is_some_and(|l| l.ends_with(" 60")), "{receipt}");
    // Redeemed with the plastic of the same account: EUR 20.00 less 2.00 is charged.
    let redeemed = pay(&journal, "visa-card", "20.00", &["--redeem", "5th visit"]);
    assert_eq!(redeemed["approved"], true, "{redeemed}");
    assert_eq!(redeemed["amount_minor"], 1800);
    assert_eq!(
        redeemed["rewards"]["redeemed"],
        serde_json::json!({"offer": "5th visit", "discount_minor": 200})
    );
    assert_eq!(redeemed["rewards"]["earned"], 18);
    let charged = Journal::open(&journal).unwrap().get(6).unwrap().unwrap();
    assert_eq!(charged.entry.amount_minor, 1800);
    // Not twice: refused before anything is charged.
    let journal_arg = journal.to_str().unwrap();
    let again = tapterm(&[
        "pay",
        "--demo",
        "visa-phone",
        "--amount",
        "20.00",
        "--journal",
        journal_arg,
        "--redeem",
        "5th visit",
    ]);
    assert!(!again.status.success());
    let why = String::from_utf8_lossy(&again.stderr);
    assert!(
        why.contains("not available") && why.contains("nothing was charged"),
        "{why}"
    );
    assert_eq!(Journal::open(&journal).unwrap().ids().unwrap().len(), 6);
    let history = rewards(&journal, &["--member", "1"]);
    let redemptions = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "redeem")
        .count();
    assert_eq!(redemptions, 1);
}

#[test]
fn a_malformed_rules_file_names_its_line_and_payments_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.sqlite");
    let rules = dir.path().join("rewards.toml");
    std::fs::write(&rules, "welcome_bonus = 5\npoints_per_unit = \"one\"\n").unwrap();
    let out = tapterm(&[
        "pay",
        "--demo",
        "visa-phone",
        "--amount",
        "12.00",
        "--journal",
        journal.to_str().unwrap(),
        "--rewards",
        rules.to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success());
    let warning = String::from_utf8_lossy(&out.stderr);
    assert!(
        warning.contains("rewards are off")
            && warning.contains("rewards.toml: line 2: points_per_unit"),
        "{warning}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["approved"], true);
    assert!(report["journal_id"].is_i64());
    assert!(report["rewards"].is_null());
    assert_eq!(rewards(&journal, &[]), serde_json::json!([]));
}

#[test]
fn a_forgotten_member_is_gone_with_the_par_of_their_sales() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.sqlite");
    pay(&journal, "visa-phone", "8.00", &[]);
    pay(&journal, "mastercard-phone", "8.00", &[]);
    let out = tapterm(&[
        "rewards",
        "--journal",
        journal.to_str().unwrap(),
        "--forget",
        "1",
    ]);
    assert!(out.status.success());
    let members = rewards(&journal, &[]);
    assert_eq!(members.as_array().unwrap().len(), 1);
    assert_eq!(members[0]["member"], 2);
    let j = Journal::open(&journal).unwrap();
    assert_eq!(
        j.get(1).unwrap().unwrap().entry.par,
        None,
        "the sale stays, its PAR goes"
    );
    assert!(j.get(2).unwrap().unwrap().entry.par.is_some());
    let bytes = std::fs::read(&journal).unwrap();
    assert!(!contains(&bytes, b"V0010013TAPTERMTESTPAR0000001"));
    let again = tapterm(&[
        "rewards",
        "--journal",
        journal.to_str().unwrap(),
        "--forget",
        "1",
    ]);
    assert!(!again.status.success());
}

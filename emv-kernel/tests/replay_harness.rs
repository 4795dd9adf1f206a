//! The replay harness judged with a trivial kernel-side driver written here: it selects the
//! PPSE on every tap it is given and ends the application. Each test breaks one replay rule
//! of test-vectors/README.md and checks the verdict names it.

use std::time::Duration;

use emv_kernel::apdu;
use emv_kernel::config::{TerminalConfig, Transaction};
use emv_kernel::outcome::{
    MessageId, Outcome, OutcomeStatus, ReaderStatus, TransactionResult, UiRequest,
};
use emv_kernel::replay::{Verdict, describe, run_vector};
use emv_kernel::transport::Transport;
use emv_kernel::vector::{self, Vector};

const PPSE: &str = "00A404000E325041592E5359532E444446303100";

/// A vector with the given taps (JSON) and expected outcome.
fn vector(taps: &str, outcome: &str) -> Vector {
    let json = format!(
        r#"{{
        "format": "tapterm-vector/1", "name": "harness", "description": "d", "source": "synthetic",
        "config": {{ "combinations": [ {{ "aid": "A0000000031010", "kernel": 3, "ttq": "36004000" }} ] }},
        "transaction": {{ "type": "purchase", "amount": "1.00", "currency": "978",
            "date": "2026-11-26", "time": "12:00:00", "unpredictable_numbers": ["01020304"] }},
        "taps": {taps},
        "expect": {{ "outcome": "{outcome}" }}
    }}"#
    );
    vector::parse(&json).unwrap()
}

fn ended(status: OutcomeStatus) -> TransactionResult {
    TransactionResult {
        outcome: Outcome::new(status),
        tap_outcomes: vec![status],
        tap_parameter_sets: vec![],
        ui: vec![],
        data_record: None,
        trace: vec![],
        decisions: vec![],
    }
}

/// The driver: up to `taps` taps, `selects` PPSE SELECTs in each.
fn driver(
    taps: usize,
    selects: usize,
) -> impl FnOnce(&TerminalConfig, &Transaction, &mut dyn Transport) -> TransactionResult {
    move |_config, _transaction, transport| {
        let present = UiRequest {
            message: MessageId::PresentCard,
            status: ReaderStatus::ReadyToRead,
            hold: Duration::ZERO,
        };
        for _ in 0..taps {
            if !matches!(transport.next_tap(&present), Ok(true)) {
                break;
            }
            for _ in 0..selects {
                if transport.exchange(&apdu::select(apdu::PPSE_NAME)).is_err() {
                    return ended(OutcomeStatus::TryAgain);
                }
            }
        }
        ended(OutcomeStatus::EndApplication)
    }
}

fn fail_text(verdict: Verdict) -> String {
    match verdict {
        Verdict::Fail(why) => why,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn matching_run_passes() {
    let v = vector(
        &format!(r#"[[{{"c": "{PPSE}", "r": "6A82"}}]]"#),
        "end_application",
    );
    assert_eq!(run_vector(&v, driver(1, 1)).0, Verdict::Pass);
}

#[test]
fn differing_command_names_both_decoded() {
    let recorded = "00A4040007A000000003101000";
    let v = vector(
        &format!(r#"[[{{"c": "{recorded}", "r": "6A82"}}]]"#),
        "end_application",
    );
    let why = fail_text(run_vector(&v, driver(1, 1)).0);
    assert!(why.contains("tap 1 exchange 1"), "{why}");
    assert!(
        why.contains(&format!("sent SELECT 2PAY.SYS.DDF01 ({PPSE})")),
        "{why}"
    );
    assert!(
        why.contains(&format!("recorded SELECT A0000000031010 ({recorded})")),
        "{why}"
    );
    assert!(why.contains("first difference at byte 4"), "{why}");
}

#[test]
fn extra_command_fails() {
    let v = vector(
        &format!(r#"[[{{"c": "{PPSE}", "r": "6A82"}}]]"#),
        "end_application",
    );
    let why = fail_text(run_vector(&v, driver(1, 2)).0);
    assert!(
        why.contains("extra command after the recorded ones"),
        "{why}"
    );
}

#[test]
fn unused_exchange_fails() {
    let taps = format!(r#"[[{{"c": "{PPSE}", "r": "6A82"}}, {{"c": "{PPSE}", "r": "6A82"}}]]"#);
    let v = vector(&taps, "end_application");
    let why = fail_text(run_vector(&v, driver(1, 1)).0);
    assert!(why.contains("1 recorded exchange(s) never sent"), "{why}");
}

#[test]
fn recorded_taps_the_kernel_never_polled_fail() {
    let tap = format!(r#"[{{"c": "{PPSE}", "r": "6A82"}}]"#);
    let v = vector(&format!("[{tap}, {tap}]"), "end_application");
    let why = fail_text(run_vector(&v, driver(1, 1)).0);
    assert!(why.contains("1 recorded tap(s) never polled"), "{why}");
    assert_eq!(run_vector(&v, driver(2, 1)).0, Verdict::Pass);
}

#[test]
fn too_few_taps_ends_the_replay_with_the_outcome_reached() {
    // The driver wants three taps; the vector has one. The replay ends after it and the
    // driver's outcome is judged: not an error by itself (replay rules).
    let v = vector(
        &format!(r#"[[{{"c": "{PPSE}", "r": "6A82"}}]]"#),
        "end_application",
    );
    let (verdict, result) = run_vector(&v, driver(3, 1));
    assert_eq!(verdict, Verdict::Pass);
    assert_eq!(
        result.unwrap().outcome.status,
        OutcomeStatus::EndApplication
    );
}

#[test]
fn card_removed_reaches_the_kernel_as_an_error() {
    let v = vector(
        &format!(r#"[[{{"c": "{PPSE}", "error": "card_removed"}}]]"#),
        "try_again",
    );
    assert_eq!(run_vector(&v, driver(1, 1)).0, Verdict::Pass);
}

#[test]
fn wrong_outcome_fails_and_broken_expectations_are_invalid() {
    let v = vector(
        &format!(r#"[[{{"c": "{PPSE}", "r": "6A82"}}]]"#),
        "approved",
    );
    let why = fail_text(run_vector(&v, driver(1, 1)).0);
    assert_eq!(why, "outcome end_application but expected approved");
    let mut broken = v.clone();
    broken.expect.outcome = "maybe".into();
    assert!(matches!(
        run_vector(&broken, driver(1, 1)).0,
        Verdict::Invalid(_)
    ));
}

#[test]
fn describe_decodes_common_commands() {
    assert_eq!(
        describe(&[0x80, 0xAE, 0x90, 0x00]),
        "GENERATE AC ARQC with CDA (80AE9000)"
    );
    assert_eq!(
        describe(&[0x00, 0xB2, 0x01, 0x0C, 0x00]),
        "READ RECORD SFI 1 record 1 (00B2010C00)"
    );
    assert_eq!(
        describe(&[0x80, 0xCA, 0x9F, 0x17, 0x00]),
        "GET DATA 9F17 (80CA9F1700)"
    );
}

#[test]
fn outcome_parameter_sets_are_compared_byte_for_byte() {
    let mut v = vector(
        &format!(r#"[[{{"c": "{PPSE}", "r": "6A82", "us": 1250}}]]"#),
        "end_application",
    );
    assert_eq!(v.taps[0][0].us, Some(1250));
    // The driver ends with every parameter N/A (C-2 S1.7 initial values).
    v.expect.outcome_parameter_set = Some(vector::Hex(hex::decode("40F0F0F000F0FF00").unwrap()));
    assert_eq!(run_vector(&v, driver(1, 1)).0, Verdict::Pass);
    v.expect.outcome_parameter_set = Some(vector::Hex(hex::decode("40F0F0F080F0FF00").unwrap()));
    assert_eq!(
        fail_text(run_vector(&v, driver(1, 1)).0),
        "outcome parameter set 40F0F0F000F0FF00 but expected 40F0F0F080F0FF00"
    );
    v.expect.outcome_parameter_set = None;
    v.expect.tap_outcome_parameter_sets =
        Some(vec![vector::Hex(hex::decode("40F0F0F000F0FF00").unwrap())]);
    assert_eq!(
        fail_text(run_vector(&v, driver(1, 1)).0),
        r#"tap outcome parameter sets [] but expected ["40F0F0F000F0FF00"]"#
    );
    v.expect.tap_outcome_parameter_sets = Some(vec![vector::Hex(vec![0x40; 7])]);
    assert!(matches!(
        run_vector(&v, driver(1, 1)).0,
        Verdict::Invalid(_)
    ));
}

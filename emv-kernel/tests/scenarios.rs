//! Scenario checks beyond what vectors assert: the outcome parameter set of restarts, the
//! status lights the UI requests drive, and the trace and decision notes a developer reads.

use std::path::Path;
use std::time::Duration;

use emv_kernel::outcome::{MessageId, OutcomeStatus, ReaderStatus, StartPoint, TransactionResult};
use emv_kernel::replay::{self, Verdict};
use emv_kernel::{entry_point, vector};

fn run(name: &str) -> TransactionResult {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors")
        .join(name);
    let v = vector::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (verdict, result) = replay::run_vector(&v, entry_point::run);
    assert_eq!(verdict, Verdict::Pass, "{name}");
    result.unwrap()
}

#[test]
fn online_tap_drives_the_status_lights_in_book_a_order() {
    let r = run("visa-qvsdc-online-arqc-no-oda.json");
    let ui: Vec<_> = r.ui.iter().map(|u| (u.message, u.status, u.hold)).collect();
    // The card read lights, then "Authorising" Not Ready with no hold (C-2 S910.75).
    assert_eq!(
        ui,
        vec![
            (
                MessageId::PresentCard,
                ReaderStatus::ReadyToRead,
                Duration::ZERO
            ),
            (
                MessageId::CardReadOk,
                ReaderStatus::CardReadSuccessfully,
                Duration::ZERO
            ),
            (
                MessageId::Authorising,
                ReaderStatus::NotReady,
                Duration::ZERO
            ),
        ]
    );
    assert_eq!(r.trace.len(), 3);
    assert!(r.trace.iter().all(|t| t.tap == 0 && !t.notes.is_empty()));
    assert!(
        r.decisions
            .iter()
            .any(|d| d.starts_with("pre-processing: A0000000031010"))
    );
    assert!(
        r.decisions
            .iter()
            .any(|d| d.starts_with("selection: A0000000031010"))
    );
    assert!(r.decisions.iter().any(|d| d == "CVM: no_cvm"));
    assert!(
        r.decisions
            .iter()
            .any(|d| d == "decision: online_request (C-3 5.8.1.1)")
    );
}

#[test]
fn visa_see_phone_restart_holds_the_message_and_turns_the_field_off() {
    let r = run("visa-phone-6986-see-phone-two-taps.json");
    let see =
        r.ui.iter()
            .find(|u| u.message == MessageId::SeePhone)
            .unwrap();
    assert_eq!(see.hold, Duration::from_millis(1300));
    assert_eq!(see.status, ReaderStatus::NotReady);
    assert_eq!(r.trace.iter().filter(|t| t.tap == 1).count(), 3);
    assert_eq!(r.outcome.status, OutcomeStatus::OnlineRequest);
}

#[test]
fn a_single_6986_tap_ends_in_try_again_at_start_b() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors/visa-phone-6986-see-phone-two-taps.json");
    let mut v = vector::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    v.taps.truncate(1);
    v.expect.outcome = "try_again".into();
    v.expect.cvm = Some("n/a".into());
    v.expect.tap_outcomes = None;
    v.expect.ui = Some(vec!["see_phone".into()]);
    v.expect.data = None;
    // Try Again at Start B, UI on outcome and restart, field off 1.3 s (model/outcome.py
    // see_phone).
    v.expect.outcome_parameter_set = Some(vector::Hex(vec![
        0x70, 0x10, 0xF0, 0xF0, 0xC0, 0xF0, 0x0D, 0x00,
    ]));
    v.expect.tap_outcome_parameter_sets = None;
    let (verdict, result) = replay::run_vector(&v, entry_point::run);
    assert_eq!(verdict, Verdict::Pass);
    let out = result.unwrap().outcome;
    assert_eq!(out.start, Some(StartPoint::B));
    assert_eq!(out.field_off, Some(Duration::from_millis(1300)));
    assert_eq!(
        out.ui_on_restart.map(|u| u.message),
        Some(MessageId::PresentCard)
    );
}

#[test]
fn mastercard_see_phone_is_end_application_with_restart() {
    let r = run("mc-phone-see-phone-two-taps.json");
    assert_eq!(
        r.tap_outcomes,
        vec![OutcomeStatus::EndApplication, OutcomeStatus::OnlineRequest]
    );
    assert!(
        r.decisions
            .iter()
            .any(|d| d.contains("phone message table: see_phone"))
    );
    let record = r.data_record.unwrap();
    // The host gets the full PAN; masking is the application's job.
    assert_eq!(
        record
            .get(&emv_kernel::tlv::Tag::new(0x5A))
            .map(hex::encode_upper),
        Some("5413330089020011".to_string())
    );
}

#[test]
fn nothing_allowed_polls_no_card() {
    let r = run("preprocessing-over-transaction-limit-try-another-interface.json");
    assert!(r.trace.is_empty());
    assert!(r.tap_outcomes.is_empty());
    assert_eq!(
        r.outcome.ui_on_outcome.map(|u| (u.message, u.status)),
        Some((MessageId::InsertOrSwipe, ReaderStatus::ProcessingError))
    );
}

#[test]
fn signature_outcome_asks_for_a_receipt() {
    let r = run("mc-mchip-offline-tc-signature-approved.json");
    assert!(r.outcome.receipt);
    // Approved holds its message for the default Message Hold Time, DF812D 000013 (C-2
    // S910.75, C-2 Annex A).
    assert_eq!(
        r.outcome
            .ui_on_outcome
            .map(|u| (u.message, u.status, u.hold)),
        Some((
            MessageId::ApprovedSign,
            ReaderStatus::NotReady,
            Duration::from_millis(1300)
        ))
    );
    let r = run("visa-qvsdc-online-pin.json");
    assert!(!r.outcome.receipt);
}

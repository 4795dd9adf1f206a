//! Hostile cards: whatever the card answers at whatever step — random bytes, truncated or
//! bit-flipped copies of a valid answer, odd status words, a card that leaves the field —
//! the kernel ends in a defined outcome, never panics, and never approves a transaction
//! whose answers did not form a valid approved flow.

use std::path::Path;

mod common;

use common::ScriptedCard;
use emv_kernel::config::{TerminalConfig, Transaction};
use emv_kernel::outcome::OutcomeStatus;
use emv_kernel::{entry_point, vector};
use proptest::prelude::*;

/// A baseline: the inputs and first-tap responses of a vector whose valid flow is not an
/// offline approval.
fn baseline(name: &str) -> (TerminalConfig, Transaction, Vec<Vec<u8>>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors")
        .join(name);
    let v = vector::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (config, tx) = v.inputs().unwrap();
    let responses = v.taps[0]
        .iter()
        .map(|x| x.r.as_ref().unwrap().0.clone())
        .collect();
    (config, tx, responses)
}

const BASELINES: [&str; 8] = [
    "visa-qvsdc-online-arqc-no-oda.json",
    "visa-phone-cdcvm-9f69-match-online.json",
    "mc-mchip-online-arqc-no-cda.json",
    "mc-phone-see-phone-two-taps.json",
    // Kernel 4: a card's and a phone's CDA-signed ARQC (the phone with GET DATA ATC).
    "amex-card-cda-arqc-online.json",
    "amex-phone-cdcvm-above-cvm-limit-online.json",
    // Kernel 7 (UnionPay): records after the ARQC; a CDCVM phone above the CVM limit.
    "unionpay-card-online-arqc.json",
    "unionpay-phone-cdcvm-above-cvm-limit-online.json",
];

#[derive(Debug, Clone)]
enum Mutation {
    Random(Vec<u8>),
    Truncate(usize),
    Flip(usize, u8),
    StatusWord(u16),
    Removed,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300).prop_map(Mutation::Random),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1u8..=255).prop_map(|(p, x)| Mutation::Flip(p, x)),
        any::<u16>().prop_map(Mutation::StatusWord),
        Just(Mutation::Removed),
    ]
}

fn apply(response: &[u8], m: &Mutation) -> Option<Vec<u8>> {
    let mut r = response.to_vec();
    match m {
        Mutation::Random(bytes) => return Some(bytes.clone()),
        Mutation::Truncate(n) => r.truncate(n % (r.len() + 1)),
        Mutation::Flip(pos, x) => {
            let len = r.len();
            if let Some(b) = r.get_mut(pos % len.max(1)) {
                *b ^= x;
            }
        }
        Mutation::StatusWord(sw) => {
            let keep = r.len().saturating_sub(2);
            r.truncate(keep);
            r.extend_from_slice(&sw.to_be_bytes());
        }
        Mutation::Removed => return None,
    }
    Some(r)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random bytes for every answer: never approved, never a panic.
    #[test]
    fn random_answers_never_approve(
        answers in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..12),
        which in 0usize..BASELINES.len(),
    ) {
        let (config, tx, _) = baseline(BASELINES[which]);
        let mut card = ScriptedCard::new(answers.into_iter().map(Some).collect(), 2);
        let result = entry_point::run(&config, &tx, &mut card);
        prop_assert_ne!(result.outcome.status, OutcomeStatus::Approved);
    }

    /// A valid flow (that does not end in an offline approval) with one answer mutated at
    /// any step, repeated over two taps: a defined outcome, never Approved.
    #[test]
    fn one_mutated_answer_never_approves(
        which in 0usize..BASELINES.len(),
        step in 0usize..8,
        m in mutation(),
    ) {
        let (config, tx, valid) = baseline(BASELINES[which]);
        let mut responses: Vec<Option<Vec<u8>>> = valid.iter().cloned().map(Some).collect();
        let step = step % valid.len();
        responses[step] = apply(&valid[step], &m);
        // The same card again on a second tap, unmutated.
        responses.extend(valid.iter().cloned().map(Some));
        let mut card = ScriptedCard::new(responses, 2);
        let result = entry_point::run(&config, &tx, &mut card);
        prop_assert_ne!(result.outcome.status, OutcomeStatus::Approved);
        prop_assert!(result.tap_outcomes.len() <= 2);
        // A data record comes only with an outcome of a valid GENERATE AC response
        // (C-2 S910.70, S910.81: End Application and Try Another Interface included).
        if result.data_record.is_some() {
            prop_assert!(matches!(
                result.outcome.status,
                OutcomeStatus::Declined
                    | OutcomeStatus::OnlineRequest
                    | OutcomeStatus::EndApplication
                    | OutcomeStatus::TryAnotherInterface
            ));
        }
    }
}

/// The scripted card itself is sound: the unmutated baselines reach their recorded
/// (non-approved) outcomes through it, so the properties above test real flows.
#[test]
fn baselines_complete_through_the_scripted_card() {
    for name in BASELINES {
        let (config, tx, valid) = baseline(name);
        let mut card = ScriptedCard::new(valid.into_iter().map(Some).collect(), 1);
        let result = entry_point::run(&config, &tx, &mut card);
        assert!(
            matches!(
                result.outcome.status,
                OutcomeStatus::OnlineRequest | OutcomeStatus::EndApplication
            ),
            "{name}: {:?}",
            result.outcome.status
        );
        assert!(result.trace.len() >= 3, "{name}");
    }
}

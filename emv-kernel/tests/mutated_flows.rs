//! Hostile cards that reach deep: every vector (and the real recorded taps, when present)
//! is replayed with one answer mutated at a time — each byte flipped, truncated, extended,
//! another status word, the card gone — at every exchange of every tap. Whatever the card
//! answers, the invariants of `flows::invariants` hold: valid short APDUs, a bounded number
//! of exchanges, well-formed data records, and no approval without a TC that offline data
//! authentication (or the terminal action analysis) accepts. A panic fails the test.
//!
//! Every byte of every answer is changed three ways (all bits, one bit, zero), and every
//! TLV object of it emptied, removed, grown, shrunk and doubled; the runs are deterministic.
//! A second test flips the signed bytes of the approving flows: none of those may approve.

mod flows;

use std::path::Path;
use std::time::Duration;

use emv_kernel::entry_point;
use emv_kernel::outcome::{OutcomeStatus, TransactionResult, UiRequest};
use emv_kernel::tlv::{self, Tag, TlvIter};
use emv_kernel::transport::{CardResponse, Transport, TransportError};
use flows::invariants;
use flows::recorded::{self, Answer, Flow};
use flows::tlv_edit::{self, Change};

/// A card answering command `i` of tap `t` with the recorded answer `i` of tap `t`,
/// whatever the command, in the recorded time; an answer past the recording is the card
/// leaving the field.
struct FlowCard {
    taps: Vec<Vec<Answer>>,
    elapsed: Vec<Vec<Duration>>,
    tap: Option<usize>,
    next: usize,
}

impl Transport for FlowCard {
    fn exchange(&mut self, _command: &[u8]) -> Result<CardResponse, TransportError> {
        let (tap, next) = (self.tap.unwrap_or(usize::MAX), self.next);
        let answer = self.taps.get(tap).and_then(|t| t.get(next).cloned());
        let elapsed = self.elapsed.get(tap).and_then(|t| t.get(next).copied());
        let answer = answer.unwrap_or(Err(TransportError::CardRemoved));
        let elapsed = elapsed.unwrap_or_default();
        self.next += 1;
        answer.map(|apdu| CardResponse { apdu, elapsed })
    }

    fn next_tap(&mut self, _restart: &UiRequest) -> Result<bool, TransportError> {
        let tap = self.tap.map_or(0, |t| t + 1);
        if tap >= self.taps.len() {
            return Ok(false);
        }
        self.tap = Some(tap);
        self.next = 0;
        Ok(true)
    }
}

fn answers(flow: &Flow) -> Vec<Vec<Answer>> {
    flow.taps
        .iter()
        .map(|tap| tap.iter().map(|x| x.answer.clone()).collect())
        .collect()
}

fn run(flow: &Flow, taps: Vec<Vec<Answer>>) -> TransactionResult {
    let elapsed = flow
        .taps
        .iter()
        .map(|tap| tap.iter().map(|x| x.elapsed).collect())
        .collect();
    let mut card = FlowCard {
        taps,
        elapsed,
        tap: None,
        next: 0,
    };
    entry_point::run(&flow.config, &flow.transaction, &mut card)
}

/// One change to one answer.
#[derive(Debug, Clone)]
enum Mutation {
    /// XOR the byte at the index.
    Flip(usize, u8),
    /// Set the byte at the index.
    Set(usize, u8),
    /// Keep the first n bytes (status word included in the count).
    Truncate(usize),
    /// Insert bytes before the status word.
    Extend(Vec<u8>),
    /// Replace the status word.
    StatusWord(u16),
    /// The data doubled (every object twice) before the status word.
    Doubled,
    /// One TLV object of the data (depth first) changed, lengths kept right.
    Object(usize, Change),
    /// The card does not answer.
    Gone(TransportError),
}

const STATUS_WORDS: [u16; 12] = [
    0x9000, 0x6283, 0x6300, 0x6700, 0x6984, 0x6985, 0x6986, 0x6A81, 0x6A82, 0x6A83, 0x6D00, 0x6F00,
];

fn mutations(response: &[u8]) -> Vec<Mutation> {
    let len = response.len();
    let mut out: Vec<Mutation> = Vec::new();
    for n in [
        0,
        1,
        2,
        len / 2,
        len.saturating_sub(3),
        len.saturating_sub(2),
        len - 1,
    ] {
        if n < len {
            out.push(Mutation::Truncate(n));
        }
    }
    for extra in [
        &[0x00][..],
        &[0x9F, 0x26, 0x01, 0x00],
        &[0xFF; 3],
        &[0x90, 0x00],
    ] {
        out.push(Mutation::Extend(extra.to_vec()));
    }
    for sw in STATUS_WORDS {
        out.push(Mutation::StatusWord(sw));
    }
    out.push(Mutation::Doubled);
    out.push(Mutation::Gone(TransportError::CardRemoved));
    out.push(Mutation::Gone(TransportError::Timeout));
    let data = &response[..len.saturating_sub(2)];
    for index in 0..tlv_edit::objects(data) {
        out.extend(
            tlv_edit::CHANGES
                .iter()
                .map(|c| Mutation::Object(index, *c)),
        );
    }
    for (at, byte) in response.iter().enumerate() {
        out.push(Mutation::Flip(at, 0xFF));
        out.push(Mutation::Flip(at, 1 << (at % 8)));
        if *byte != 0 {
            out.push(Mutation::Set(at, 0x00));
        }
    }
    out
}

fn apply(response: &[u8], m: &Mutation) -> Answer {
    let split = response.len().saturating_sub(2);
    let (data, sw) = response.split_at(split);
    let mut r = response.to_vec();
    match m {
        Mutation::Flip(at, x) => r[*at] ^= x,
        Mutation::Set(at, x) => r[*at] = *x,
        Mutation::Truncate(n) => r.truncate(*n),
        Mutation::Extend(extra) => r = [data, extra, sw].concat(),
        Mutation::StatusWord(code) => r = [data, &code.to_be_bytes()].concat(),
        Mutation::Doubled => r = [data, data, sw].concat(),
        Mutation::Object(index, change) => {
            r = [
                &tlv_edit::edit(data, *index, *change).unwrap_or_default()[..],
                sw,
            ]
            .concat()
        }
        Mutation::Gone(e) => return Err(e.clone()),
    }
    Ok(r)
}

fn flows() -> Vec<Flow> {
    let mut flows =
        recorded::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors"));
    if let Some(root) = option_env!("TAPTERM_SHARED_VECTORS") {
        flows.extend(recorded::load_dir(&Path::new(root).join("real")));
    }
    flows
}

/// Every flow, unmutated, keeps the invariants: the checks accept the valid flows, so a
/// failure below is the mutation's doing.
#[test]
fn recorded_flows_keep_the_invariants() {
    let flows = flows();
    assert!(flows.len() >= 20, "only {} flows", flows.len());
    let mut approved = 0;
    for flow in &flows {
        let result = run(flow, answers(flow));
        let taps = flow.taps.len();
        if let Err(why) = invariants::check(&flow.config, taps, &result) {
            panic!("{}: {why}", flow.name);
        }
        approved += usize::from(result.outcome.status == OutcomeStatus::Approved);
    }
    assert!(approved >= 3, "only {approved} approving flows");
}

/// One answer mutated at a time, at every exchange of every tap of every flow.
#[test]
fn every_mutated_answer_keeps_the_invariants() {
    let mut failures = Vec::new();
    let mut runs = 0usize;
    for flow in &flows() {
        let valid = answers(flow);
        for (t, tap) in valid.iter().enumerate() {
            for (i, answer) in tap.iter().enumerate() {
                let Ok(response) = answer else { continue };
                for m in mutations(response) {
                    let mut taps = valid.clone();
                    taps[t][i] = apply(response, &m);
                    let result = run(flow, taps);
                    runs += 1;
                    if let Err(why) = invariants::check(&flow.config, valid.len(), &result) {
                        let run = format!("{} tap {} exchange {} {m:?}", flow.name, t + 1, i + 1);
                        failures.push((run, why));
                    }
                }
            }
        }
    }
    assert!(runs > 50_000, "only {runs} runs");
    assert!(
        failures.is_empty(),
        "{} of {runs} mutated runs broke an invariant; by kind, with the first example:\n{}",
        failures.len(),
        by_kind(&failures)
    );
}

/// Failures grouped by what broke (hex values and numbers blanked), with a count and the
/// first example of each.
fn by_kind(failures: &[(String, String)]) -> String {
    let mut kinds: Vec<(String, usize, String)> = Vec::new();
    for (run, why) in failures {
        let mut previous = "";
        let kind: String = why
            .split(' ')
            .map(|w| {
                let core = w.trim_end_matches([':', ',']);
                let value = core.len() >= 2 && core.chars().all(|c| c.is_ascii_hexdigit())
                    || core.chars().all(|c| c.is_ascii_digit() || c == '–') && !core.is_empty();
                let keep = previous == "record" || !value;
                previous = w;
                if keep {
                    w.to_string()
                } else {
                    w.replace(core, "…")
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        match kinds.iter_mut().find(|k| k.0 == kind) {
            Some(k) => k.1 += 1,
            None => kinds.push((kind, 1, format!("{run}: {why}"))),
        }
    }
    kinds
        .iter()
        .map(|(kind, n, first)| format!("{n:6} × {kind}\n         e.g. {first}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Data objects whose value offline data authentication covers wherever they appear:
/// the CA key index, the issuer and ICC keys (certificates, remainders, exponents) and the
/// Signed Dynamic Application Data (Book 2 5.3, 6.3; C-2 CDA; C-3 fDDA).
const SIGNED_OBJECTS: [u32; 8] = [0x8F, 0x90, 0x92, 0x9F32, 0x9F46, 0x9F47, 0x9F48, 0x9F4B];
/// Card Authentication Related Data: part of the fDDA signature (C-3 Annex).
const FDDA_SIGNED: u32 = 0x9F69;

/// The byte positions of `response` that the card signed, in an approving flow:
/// - a record the AFL names for offline data authentication, all of it (Book 3 10.3);
/// - the GENERATE AC answer when CDA was asked for, all of it (the transaction data hash
///   covers every object but 9F4B, and 9F4B is the signature);
/// - the values of [`SIGNED_OBJECTS`] (and 9F69 for fDDA) anywhere else.
fn signed_bytes(command: &[u8], response: &[u8], oda_records: &[(u8, u8)]) -> Vec<usize> {
    let data_len = response.len().saturating_sub(2);
    let whole = match command {
        [0x00, 0xB2, record, p2, ..] => oda_records.contains(&(p2 >> 3, *record)),
        [0x80, 0xAE, p1, ..] => p1 & 0x10 != 0,
        _ => false,
    };
    if whole {
        return (0..data_len).collect();
    }
    fn walk(iter: TlvIter<'_>, out: &mut Vec<usize>) {
        for t in iter.flatten() {
            let tag = t.tag.value();
            if SIGNED_OBJECTS.contains(&tag) || tag == FDDA_SIGNED {
                let start = t.offset + t.raw.len() - t.value.len();
                out.extend(start..start + t.value.len());
            }
            walk(t.children(), out);
        }
    }
    let mut out = Vec::new();
    walk(TlvIter::new(&response[..data_len]), &mut out);
    out
}

/// The records (SFI, number) the AFL of a tap's GPO answer names for ODA (Book 3 10.2).
fn oda_records(tap: &[recorded::Exchange]) -> Vec<(u8, u8)> {
    let afl = tap
        .iter()
        .filter(|x| x.command.starts_with(&[0x80, 0xA8]))
        .find_map(|x| {
            let r = x.answer.as_ref().ok()?;
            let data = r.get(..r.len().checked_sub(2)?)?;
            match TlvIter::new(data).next()?.ok()? {
                t if t.tag == Tag::new(0x80) => t.value.get(2..).map(<[u8]>::to_vec),
                t => Some(tlv::find(t.value, Tag::new(0x94)).ok()??.value.to_vec()),
            }
        })
        .unwrap_or_default();
    afl.chunks_exact(4)
        .flat_map(|e| (0..e[3]).map(move |i| (e[0] >> 3, e[1].saturating_add(i))))
        .collect()
}

/// In every flow that approves with offline data authentication, changing any signed byte
/// (all bits, or one) must not approve: a card cannot re-sign what it alters.
#[test]
fn altered_signed_data_never_approves() {
    let mut checked_flows = 0;
    let mut runs = 0;
    let mut failures = Vec::new();
    for flow in &flows() {
        let valid = answers(flow);
        let baseline = run(flow, valid.clone());
        let signed = baseline.trace.iter().any(|e| {
            e.response.as_ref().is_ok_and(|r| {
                tlv::find(
                    r.get(..r.len().saturating_sub(2)).unwrap_or_default(),
                    Tag::new(0x9F4B),
                )
                .is_ok_and(|f| f.is_some())
            })
        });
        if baseline.outcome.status != OutcomeStatus::Approved || !signed {
            continue;
        }
        checked_flows += 1;
        for (t, tap) in flow.taps.iter().enumerate() {
            let records = oda_records(tap);
            for (i, x) in tap.iter().enumerate() {
                let Ok(response) = &x.answer else { continue };
                for at in signed_bytes(&x.command, response, &records) {
                    for xor in [0xFF, 1 << (at % 8)] {
                        let mut taps = valid.clone();
                        taps[t][i] = apply(response, &Mutation::Flip(at, xor));
                        let result = run(flow, taps);
                        runs += 1;
                        if result.outcome.status == OutcomeStatus::Approved {
                            failures.push(format!(
                                "{} tap {} exchange {} byte {at} ^ {xor:02X}: Approved",
                                flow.name,
                                t + 1,
                                i + 1
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        checked_flows >= 2,
        "only {checked_flows} approving flows with ODA"
    );
    assert!(runs > 1_000, "only {runs} runs");
    assert!(
        failures.is_empty(),
        "{} of {runs} runs approved altered signed data:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

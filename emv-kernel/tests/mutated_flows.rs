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
        // The approving tap is the last one: an earlier tap ended without approval (See
        // phone, Try Again), and the next tap reads the card afresh, so altering an earlier
        // tap's data cannot, and need not, stop the later approval.
        let last = flow.taps.len().saturating_sub(1);
        for (t, tap) in flow.taps.iter().enumerate().skip(last) {
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

// Findings of the fuzzer and of the test above, kept as readable cases (FINDINGS.md).

/// A card that answers each command from its recorded flow as a real card would
/// ([`Flow::answer`]), however many and whichever commands the kernel sends.
struct KnowingCard<'f> {
    flow: &'f Flow,
    tap: Option<usize>,
}

impl Transport for KnowingCard<'_> {
    fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError> {
        let (answer, elapsed) = self.flow.answer(self.tap.unwrap_or(0), command);
        answer.map(|apdu| CardResponse { apdu, elapsed })
    }

    fn next_tap(&mut self, _restart: &UiRequest) -> Result<bool, TransportError> {
        let tap = self.tap.map_or(0, |t| t + 1);
        self.tap = Some(tap);
        Ok(tap < self.flow.taps.len())
    }
}

fn vector(name: &str) -> Flow {
    recorded::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../test-vectors")
            .join(name),
    )
}

fn run_knowing(flow: &Flow) -> TransactionResult {
    let mut card = KnowingCard { flow, tap: None };
    entry_point::run(&flow.config, &flow.transaction, &mut card)
}

/// The flow with the data of the first answer to a command starting with `command`
/// replaced by `edit(data)`; the status word stays.
fn edited(flow: &Flow, command: &[u8], edit: impl Fn(&[u8]) -> Vec<u8>) -> Flow {
    let mut flow = flow.clone();
    let x = flow
        .taps
        .iter_mut()
        .flatten()
        .find(|x| x.command.starts_with(command))
        .unwrap_or_else(|| panic!("no command {}", hex::encode_upper(command)));
    let r = x.answer.as_ref().expect("an answer").clone();
    let (data, sw) = r.split_at(r.len() - 2);
    x.answer = Ok([&edit(data)[..], sw].concat());
    flow
}

/// `data` with its first object `tag` (depth first) changed.
fn object_changed(tag: u32, change: Change) -> impl Fn(&[u8]) -> Vec<u8> {
    move |data| {
        fn position(iter: TlvIter<'_>, tag: u32, index: &mut usize) -> bool {
            for t in iter.flatten() {
                if t.tag.value() == tag {
                    return true;
                }
                *index += 1;
                if position(t.children(), tag, index) {
                    return true;
                }
            }
            false
        }
        let mut index = 0;
        assert!(position(TlvIter::new(data), tag, &mut index), "no {tag:X}");
        tlv_edit::edit(data, index, change).expect("well-formed data")
    }
}

/// `data` with one hex string (which must occur once) replaced by another of equal length.
fn patched(from: &'static str, to: &'static str) -> impl Fn(&[u8]) -> Vec<u8> {
    move |data| {
        let text = hex::encode_upper(data);
        assert_eq!(text.matches(from).count(), 1, "{from}");
        hex::decode(text.replace(from, to)).expect("hex")
    }
}

/// Whether the flow ends the application with the invariants kept and no data record.
fn ends(flow: &Flow) -> Result<(), String> {
    let result = run_knowing(flow);
    invariants::check(&flow.config, flow.taps.len(), &result)?;
    if result.outcome.status != OutcomeStatus::EndApplication || result.data_record.is_some() {
        return Err(format!(
            "{:?} (data record: {}), not End Application; decisions: {:?}",
            result.outcome.status,
            result.data_record.is_some(),
            result.decisions
        ));
    }
    Ok(())
}

fn assert_ends(flow: &Flow, why: &str) {
    if let Err(e) = ends(flow) {
        panic!("{why}: {e}");
    }
}

/// F1. A present but empty CDOL1 (`8C 00`) is missing data, not a GENERATE AC with
/// Lc = 00 (no valid short APDU, ISO 7816-3 12.1.3): CDOL1 is mandatory for Kernel 2
/// (C-2 S3.x, issue 9 point 8), so the kernel ends the application and sends no GENERATE AC.
#[test]
fn f1_empty_cdol1_is_missing_data() {
    let flow = vector("mc-mchip-online-arqc-no-cda.json");
    assert_eq!(
        run_knowing(&flow).outcome.status,
        OutcomeStatus::OnlineRequest
    );
    let empty = edited(
        &flow,
        &[0x00, 0xB2, 0x01, 0x14],
        object_changed(0x8C, Change::Empty),
    );
    let result = run_knowing(&empty);
    assert!(
        !result
            .trace
            .iter()
            .any(|e| e.command.starts_with(&[0x80, 0xAE])),
        "GENERATE AC sent with an empty CDOL1"
    );
    assert_ends(&empty, "8C 00");
}

/// F2. Card data objects of the wrong length or format (Book 3 Annex A) end the
/// application (issue 9 point 8): they must neither be stored in a data record nor lead to
/// an approval. Each case changes one object of a flow that approves or goes online.
#[test]
fn f2_malformed_card_objects_end_the_application() {
    let gac = &[0x80, 0xAE][..];
    let gpo = &[0x80, 0xA8][..];
    let mc_record = &[0x00, 0xB2, 0x01, 0x14][..];
    let cases: [(&str, &[u8], u32, Change, &str); 6] = [
        (
            "wallet-visa-card-offline-approved.json",
            gpo,
            0x9F26,
            Change::Grow,
            "a 9-byte 9F26 (b8) approved offline",
        ),
        (
            "mc-mchip-offline-tc-signature-approved.json",
            gac,
            0x9F26,
            Change::Grow,
            "a 9-byte 9F26 (b8) in a TC",
        ),
        (
            "mc-mchip-offline-tc-signature-approved.json",
            mc_record,
            0x9F0E,
            Change::Empty,
            "an empty IAC-Denial (b5) accepting a TC",
        ),
        (
            "mc-mchip-offline-tc-signature-approved.json",
            mc_record,
            0x9F0D,
            Change::Grow,
            "a 6-byte IAC-Default (b5)",
        ),
        (
            "mc-mchip-online-arqc-no-cda.json",
            mc_record,
            0x5F24,
            Change::Shrink,
            "a 2-byte expiry date (n6 YYMMDD)",
        ),
        (
            "wallet-visa-card-signature-online.json",
            gpo,
            0x57,
            Change::Grow,
            "a 20-byte track 2 (b..19)",
        ),
    ];
    let mut failures = Vec::new();
    for (name, command, tag, change, why) in cases {
        let flow = vector(name);
        let valid = run_knowing(&flow).outcome.status;
        assert!(
            matches!(
                valid,
                OutcomeStatus::Approved | OutcomeStatus::OnlineRequest
            ),
            "{name}: {valid:?}"
        );
        let changed = edited(&flow, command, object_changed(tag, change));
        if let Err(e) = ends(&changed) {
            failures.push(format!("{name}: {why}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// F2. Whatever happens to the objects that carry the cryptogram of an offline approval
/// (emptied, removed, grown, shrunk, doubled), the invariants hold.
#[test]
fn f2_every_change_to_the_cryptogram_objects_keeps_the_invariants() {
    let flow = vector("wallet-visa-card-offline-approved.json");
    assert_eq!(run_knowing(&flow).outcome.status, OutcomeStatus::Approved);
    for tag in [0x9F26, 0x9F27, 0x9F36, 0x9F10, 0x9F4B, 0x82, 0x94] {
        for change in tlv_edit::CHANGES {
            let changed = edited(&flow, &[0x80, 0xA8], object_changed(tag, change));
            let result = run_knowing(&changed);
            if let Err(why) = invariants::check(&changed.config, 1, &result) {
                panic!("{tag:X} {change:?}: {why}");
            }
        }
    }
}

/// F3. A hostile AFL is not followed to its end: record FF is reserved (ISO 7816-4 READ
/// RECORD P1) and a kernel activation stays within the exchange bound of
/// `flows::invariants` even when the card answers every READ RECORD; such an AFL ends the
/// application (issue 9 point 8: bound the records read).
#[test]
fn f3_hostile_afl_reads_a_bounded_number_of_records() {
    let flow = vector("mc-mchip-online-arqc-no-cda.json");
    let failures: Vec<String> = ["94041001FF00", "94041001FE00"]
        .into_iter()
        .filter_map(|afl| {
            let hostile = edited(&flow, &[0x80, 0xA8], patched("940410010100", afl));
            ends(&hostile).err().map(|e| format!("AFL {afl}: {e}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

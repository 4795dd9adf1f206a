//! Kernel 4 against the two real American Express ExpressPay test-card taps published with
//! binaryfoo/emv-bertlv (`shared/vectors/real-amex/`, raw: one hex line per APDU, command
//! then response). The transcripts are read at run time — never copied into the project —
//! and turned into a vector whose configuration matches the recorded reader (terminal type
//! 22, CDA, the amount, date and unpredictable number the commands carry); the kernel must
//! send exactly the recorded commands and verify the recorded CDA signature with the
//! published Amex CA keys (`amex-capks.toml` beside them). Where the shared folder is
//! absent the tests are ignored, not passed.

use std::path::PathBuf;

use emv_kernel::outcome::{Cvm, OutcomeStatus, TransactionResult};
use emv_kernel::replay::{self, Verdict};
use emv_kernel::tlv::Tag;
use emv_kernel::{entry_point, vector};
use serde_json::{Value, json};

fn shared(file: &str) -> String {
    let root = option_env!("TAPTERM_SHARED_VECTORS").unwrap_or_default();
    let path = PathBuf::from(root).join("real-amex").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The transcript's exchanges, command then response, as vector exchanges.
fn exchanges(file: &str) -> Vec<Value> {
    let text = shared(file);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len() % 2, 0, "{file}: commands and responses pair up");
    lines
        .chunks(2)
        .map(|pair| json!({ "c": pair[0], "r": pair[1] }))
        .collect()
}

/// The Amex CA keys of `amex-capks.toml` (`[[capk]]` tables of rid, index, modulus,
/// exponent) as vector CA keys; the file gives no expiry, the test gives a far one.
fn capks() -> Vec<Value> {
    let text = shared("amex-capks.toml");
    let mut keys = Vec::new();
    for table in text.split("[[capk]]").skip(1) {
        let field = |name: &str| {
            table
                .lines()
                .filter_map(|l| l.split_once('='))
                .find(|(k, _)| k.trim() == name)
                .map(|(_, v)| v.trim().trim_matches('"').to_string())
                .unwrap_or_else(|| panic!("amex-capks.toml: {name} missing"))
        };
        keys.push(json!({
            "rid": field("rid"), "index": field("index"), "modulus": field("modulus"),
            "exponent": field("exponent"), "expiry": "2030-12-31"
        }));
    }
    assert_eq!(keys.len(), 2, "amex-capks.toml holds the two keys");
    keys
}

/// What differs between the two recorded readers and transactions.
struct Recorded {
    file: &'static str,
    floor_limit: &'static str,
    enhanced_capabilities: &'static str,
    amount: &'static str,
    date: &'static str,
    unpredictable_number: &'static str,
    expect: Value,
}

/// Replays one recorded tap as a vector: the recorded reader's terminal data (country 0036,
/// type 22, CDA in 9F33, version 0001), a Kernel 4 combination for A00000002501 and the
/// transaction the commands carry. It must pass — every command as recorded — with the
/// CDA verified.
fn replay_with_cda(r: &Recorded) -> TransactionResult {
    let v = json!({
        "format": "tapterm-vector/1",
        "name": r.file,
        "description": "real American Express tap (binaryfoo/emv-bertlv), read at test time",
        "source": "recorded: binaryfoo/emv-bertlv test case",
        "config": {
            "terminal": { "9F1A": "0036", "9F35": "22", "9F33": "E0F8C8", "9F09": "0001" },
            "combinations": [{ "aid": "A00000002501", "kernel": 4, "transaction_limit": "1000.00",
                "floor_limit": r.floor_limit, "cvm_required_limit": "100.00",
                "tags": { "9F6D": "C0", "9F6E": r.enhanced_capabilities } }],
            "capks": capks()
        },
        "transaction": { "type": "purchase", "amount": r.amount, "currency": "036",
            "date": r.date, "time": "12:00:00", "unpredictable_numbers": [r.unpredictable_number] },
        "taps": [exchanges(r.file)],
        "expect": r.expect
    });
    let v = vector::parse(&v.to_string()).unwrap();
    let (verdict, result) = replay::run_vector(&v, entry_point::run);
    let result = result.expect("a result");
    assert_eq!(verdict, Verdict::Pass, "decisions: {:#?}", result.decisions);
    assert!(
        result
            .decisions
            .iter()
            .any(|d| d.starts_with("ODA: CDA verified")),
        "{:#?}",
        result.decisions
    );
    result
}

fn data(result: &emv_kernel::outcome::TransactionResult, tag: u32) -> String {
    let record = result.data_record.as_ref().expect("data record");
    hex::encode_upper(record.get(&Tag::new(tag)).cloned().unwrap_or_default())
}

/// "EPay TEST CARD", AUD 120.00 on 2014-10-31: the PDOL asks for 9F35 and the reader sent
/// `EA` (Terminal Type 22 OR 9F6D C0 OR b4 "CVM Required": 120.00 is above the CVM limit);
/// the CVM List's first rule, enciphered PIN online, is one the reader offers, so the TVR
/// has "Online PIN entered" and, above the floor limit, "exceeds floor limit": 0000048000,
/// exactly as recorded; the IAC online hits the floor limit bit, so GENERATE AC asks for an
/// ARQC with CDA (P1 90), and the card's ARQC is signed: CDA verified with CAPK A1.
#[test]
#[cfg_attr(
    not(shared_vectors),
    ignore = "shared/vectors not found above the workspace"
)]
fn real_expresspay_card_cda_arqc_replays_byte_for_byte() {
    let result = replay_with_cda(&Recorded {
        file: "binaryfoo-amex-cda-in.txt",
        floor_limit: "0.00",
        enhanced_capabilities: "18E00003",
        amount: "120.00",
        date: "2014-10-31",
        unpredictable_number: "327273B9",
        expect: json!({ "outcome": "online_request", "cvm": "online_pin" }),
    });
    assert_eq!(result.outcome.status, OutcomeStatus::OnlineRequest);
    assert_eq!(result.outcome.cvm, Some(Cvm::OnlinePin));
    assert_eq!(data(&result, 0x95), "0000048000");
    assert_eq!(data(&result, 0x9F35), "EA");
    assert_eq!(data(&result, 0x9F34), "420300");
    assert_eq!(data(&result, 0x9F36), "0006");
    // The AC recovered from the signature (Book 2 6.6.2), 8 bytes.
    assert_eq!(data(&result, 0x9F26).len(), 16);
}

/// "XP MOBILE 03": PDOL 9F35 answered `E2` (no CVM required: the amount is below the CVM
/// limit), Mobile CVM Results 010002 in the GPO answer (the phone verified the cardholder),
/// so the reader reads the ATC with GET DATA before GENERATE AC, and asks for a TC with
/// CDA (P1 50: TVR all zero, no action code hits) over the UN alone (CDOL1 9F3704); the
/// card answers with a signed ARQC: CDA verified with CAPK 97, Online Request, CVM CDCVM.
#[test]
#[cfg_attr(
    not(shared_vectors),
    ignore = "shared/vectors not found above the workspace"
)]
fn real_expresspay_mobile_cda_replays_byte_for_byte() {
    let result = replay_with_cda(&Recorded {
        file: "binaryfoo-amex-msd-mobile.txt",
        floor_limit: "50.00",
        enhanced_capabilities: "18A00003",
        amount: "10.00",
        date: "2014-11-09",
        unpredictable_number: "00001011",
        expect: json!({ "outcome": "online_request", "cvm": "cdcvm" }),
    });
    assert_eq!(result.outcome.cvm, Some(Cvm::Cdcvm));
    assert_eq!(data(&result, 0x95), "0000000000");
    assert_eq!(data(&result, 0x9F35), "E2");
    assert_eq!(data(&result, 0x9F71), "010002");
    assert_eq!(data(&result, 0x9F27), "80");
}

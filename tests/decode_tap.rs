//! `tapterm decode` on whole taps and in its other modes, run as a program (issue 14): the
//! real Apple Pay transit tap and the real Amex transcripts in shared/vectors (read there,
//! never copied; the tests are ignored where shared/vectors is absent), the virtual wallets'
//! vectors of test-vectors/, and the DOL, tag-list and ATR modes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha1::{Digest, Sha1};

fn tapterm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tapterm"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn shared(relative: &str) -> String {
    let root = option_env!("TAPTERM_SHARED_VECTORS").unwrap_or_default();
    PathBuf::from(root).join(relative).display().to_string()
}

fn project(relative: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(relative)
        .display()
        .to_string()
}

const APPLE_PAY: &str = "real/real-visa-applepay-express-transit-qvsdc-online-fdda95.json";

/// The Must-show of issue 14. Every expected value is one shared/vectors/real/INDEX.md gives
/// from its independent check (Python pow + sha1): CA key Visa 08, issuer certificate format
/// 02, issuer ID 464235, expiry 12/23, serial 03A05D, N_I 176 bytes; ICC certificate format
/// 04, expiry 12/23, N_IC 128 bytes; the SDAD's hash over 9F37 9F02 5F2A 9F69 and IDN 0051
/// equal to the ATC.
#[test]
#[cfg_attr(
    not(shared_vectors),
    ignore = "shared/vectors not found above the workspace"
)]
fn apple_pay_transit_tap_recovers_both_certificates_and_verifies_fdda() {
    let s = stdout(&tapterm(&["decode", "--vector", &shared(APPLE_PAY)]));
    for want in [
        "application A0000000031010 (Visa)",
        "dates checked against 2021-10-14 (9A, the date the terminal sent)",
        "[ok] CA public key",
        "RID A000000003 index 08: configured, key 1408 bits, exponent 03",
        "[ok] issuer public key certificate (90)",
        "issuer identifier 464235… (matches the PAN), expires 12/23, serial 03A05D",
        "key 1408 bits, exponent 03",
        "[ok] ICC public key certificate (9F46)",
        "PAN matches 5A, expires 12/23",
        "key 1024 bits, exponent 03",
        "[ok] fDDA signature (9F4B in the GPO response, C-3)",
        "verified: hash over 9F37 9F02 5F2A 9F69 matches, ICC dynamic number = ATC 0051",
        // Each exchange in order, read with the tap's AID and currency.
        "#6 tap 1 READ RECORD SFI 3 record 3",
        "9F02 Amount, Authorised (Numeric) [6 bytes]: 000000000100 = \"1.00 GBP\"",
        "read as Visa IAD format 4 (from the Visa AID A0000000031010)",
        "read as Form Factor Indicator (C-3) (from the Visa AID A0000000031010)",
        "read as Card Authentication Related Data (C-3) (from the Visa AID A0000000031010)",
        "5F28 Issuer Country Code [2 bytes]: 0100 = \"100: Bulgaria\"",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
    assert!(!s.contains("FAILED"), "{s}");
    assert!(!s.contains("4642352851503640"), "the PAN is masked:\n{s}");
}

#[test]
#[cfg_attr(
    not(shared_vectors),
    ignore = "shared/vectors not found above the workspace"
)]
fn apple_pay_tap_as_json_and_without_the_visa_key() {
    let out = tapterm(&["decode", "--json", "--vector", &shared(APPLE_PAY)]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = json["oda"].as_array().unwrap();
    assert_eq!(steps.len(), 5);
    assert!(steps.iter().all(|s| s["result"] == "ok"), "{steps:?}");
    assert_eq!(json["exchanges"].as_array().unwrap().len(), 6);
    assert_eq!(json["exchanges"][2]["name"], "GET PROCESSING OPTIONS");

    // With only the test keys the chain stops at the CA key, and says why.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        project("assets/capk/tapterm-test.toml"),
        dir.path().join("test.toml"),
    )
    .unwrap();
    let s = stdout(&tapterm(&[
        "decode",
        "--vector",
        &shared(APPLE_PAY),
        "--capk-dir",
        &dir.path().display().to_string(),
    ]));
    assert!(s.contains("[FAILED] CA public key"), "{s}");
    assert!(s.contains("RID A000000003 index 08: not among the"), "{s}");
    assert!(s.contains("failed: no CA public key for RID A000000003 index 08"));
}

/// The Amex CA keys of shared/vectors/real-amex/amex-capks.toml in tapterm's key format
/// (they are published test keys with no expiry; 2099-12-31 stands for none).
fn amex_keys(dir: &Path) {
    let text = std::fs::read_to_string(shared("real-amex/amex-capks.toml")).unwrap();
    let table: toml::Table = text.parse().unwrap();
    let mut out = String::from("test = true\n");
    for k in table["capk"].as_array().unwrap() {
        out.push_str(&format!(
            "[[key]]\nrid = {}\nindex = {}\nmodulus = {}\nexponent = {}\nexpiry = \"2099-12-31\"\n",
            k["rid"], k["index"], k["modulus"], k["exponent"]
        ));
    }
    std::fs::write(dir.join("amex.toml"), out).unwrap();
}

/// INDEX.md of real-amex: each card's CDA signature verifies end to end against the
/// recorded GPO and GENERATE AC data; CA keys A1 (1152-bit, e = 65537) and 97 (e = 3).
#[test]
#[cfg_attr(
    not(shared_vectors),
    ignore = "shared/vectors not found above the workspace"
)]
fn amex_transcripts_verify_cda() {
    let dir = tempfile::tempdir().unwrap();
    amex_keys(dir.path());
    let keys = dir.path().display().to_string();
    let cda = shared("real-amex/binaryfoo-amex-cda-in.txt");
    let s = stdout(&tapterm(&[
        "decode",
        "--transcript",
        &cda,
        "--capk-dir",
        &keys,
    ]));
    for want in [
        "application A000000025010403 (American Express)",
        "dates checked against 2014-10-31 (9A, the date the terminal sent)",
        "RID A000000025 index A1: configured, key 1152 bits, exponent 010001",
        "[ok] issuer public key certificate (90)",
        "[ok] ICC public key certificate (9F46)",
        "[ok] CDA signature (9F4B in the GENERATE AC response, Book 2 6.6)",
        "verified: CID 80",
        // The Visa layout read on an Amex card is said to be a reading by layout.
        "(by its layout; from the American Express AID A000000025010403)",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
    // The mobile profile's CDOL1 sends no date: checked today, its certificates (01/20) have
    // expired; on a day before the transcript was published they verify.
    let mobile = shared("real-amex/binaryfoo-amex-msd-mobile.txt");
    let s = stdout(&tapterm(&[
        "decode",
        "--transcript",
        &mobile,
        "--capk-dir",
        &keys,
    ]));
    assert!(
        s.contains("failed: issuer public key certificate (90) expired at the end of 01/2020"),
        "{s}"
    );
    let s = stdout(&tapterm(&[
        "decode",
        "--transcript",
        &mobile,
        "--capk-dir",
        &keys,
        "--date",
        "2014-11-01",
    ]));
    assert!(
        s.contains("[ok] CDA signature (9F4B in the GENERATE AC response, Book 2 6.6)"),
        "{s}"
    );
    assert!(s.contains("RID A000000025 index 97: configured, key 1152 bits, exponent 03"));
    // Kernel 4's readings by the Amex AID: 9F71 Mobile CVM Results (ExpressPay 3.0 Table
    // 12, as emv-kernel/src/bits.rs gives it), 9F35 with 9F6D ORed in (C-4 4.3.3).
    for want in [
        "- byte 1: CVM: Mobile CVM Performed",
        "- byte 3: result: Mobile CVM Successful",
        "Contactless Reader Capabilities (9F6D) C0 (C-4 4.3.3)",
        "terminal type 22: operational control: merchant",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
}

/// The virtual wallets' taps (test-vectors/, signed with the test CA of assets/capk): their
/// expectations (approve or go online with ODA, or decline for a bad signature or an
/// unknown CA key) are what the chain must show.
#[test]
fn virtual_wallet_taps_verify_and_fail_for_the_right_reason() {
    let chain = |name: &str| {
        stdout(&tapterm(&[
            "decode",
            "--vector",
            &project(&format!("test-vectors/{name}.json")),
        ]))
    };
    let s = chain("wallet-visa-phone-cdcvm-online-fdda");
    assert!(
        s.contains("[ok] fDDA signature (9F4B in the GPO response, C-3)"),
        "{s}"
    );
    assert!(!s.contains("FAILED"), "{s}");
    let s = chain("wallet-mastercard-card-cda-tc-approved");
    assert!(
        s.contains("[ok] CDA signature (9F4B in the GENERATE AC response, Book 2 6.6)"),
        "{s}"
    );
    assert!(s.contains("then the AIP (9F4A)"), "{s}");
    assert!(!s.contains("FAILED"), "{s}");
    let s = chain("wallet-visa-bad-signature-declined");
    assert!(s.contains("[ok] ICC public key certificate (9F46)"), "{s}");
    assert!(s.contains("[FAILED] fDDA signature"), "{s}");
    let s = chain("wallet-mastercard-card-cda-failed");
    assert!(s.contains("[FAILED] CDA signature"), "{s}");
    let s = chain("wallet-visa-unknown-capk-index-declined");
    assert!(s.contains("RID A000000003 index 5E: not among the"), "{s}");
}

#[test]
fn dol_tag_list_and_atr_modes() {
    let s = stdout(&tapterm(&["decode", "--dol", "9F6604 9F0206 9F3704"]));
    assert_eq!(
        s,
        "9F66 (4 bytes) Terminal Transaction Qualifiers (TTQ)\n\
         9F02 (6 bytes) Amount, Authorised (Numeric)\n\
         9F37 (4 bytes) Unpredictable Number\n"
    );
    let s = stdout(&tapterm(&["decode", "--tag-list", "829F36"]));
    assert!(s.starts_with("82 Application Interchange Profile\n"), "{s}");
    let s = stdout(&tapterm(&["decode", "--atr", "3B80800101"]));
    assert!(
        s.contains("TD2 01: protocol T=1\n") && s.contains("TCK 01: correct"),
        "{s}"
    );
    for bad in [["--atr", "3C00"], ["--dol", "9F37"]] {
        let out = tapterm(&["decode", bad[0], bad[1]]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    // --aid picks the reading of 9F6C: Mastercard's mag-stripe version, not a CTQ.
    let s = stdout(&tapterm(&[
        "decode",
        "--aid",
        "A0000000041010",
        "9F6C020001",
    ]));
    assert!(
        s.contains("read as Mag-stripe Application Version Number (Card) (C-2)"),
        "{s}"
    );
    let s = stdout(&tapterm(&["decode", "9F6C020080"]));
    assert!(
        s.contains("byte 2 b8: Consumer Device CVM Performed"),
        "{s}"
    );
}

/// The shipped Visa live key 08 is the published one: its check value
/// SHA-1(RID ‖ index ‖ modulus ‖ exponent) is emv-utils' `visa_08_hash`.
#[test]
fn shipped_visa_live_key_matches_its_published_check_value() {
    let (test, keys) =
        tapterm::terminal_config::load_capk_file(Path::new(&project("assets/capk/visa-live.toml")))
            .unwrap();
    assert!(!test, "a production key file");
    let k = keys.iter().find(|k| k.index == 0x08).unwrap();
    let mut h = Sha1::new();
    h.update(k.rid);
    h.update([k.index]);
    h.update(&k.modulus);
    h.update(&k.exponent);
    assert_eq!(
        hex::encode_upper(h.finalize()),
        "20D213126955DE205ADC2FD2822BD22DE21CF9A8"
    );
}

/// `tapterm pay --decode` uses the same decoder: trees read with the selected AID and, after
/// the trace, the ODA chain of the tap with the shipped test CA keys. The visa-card wallet
/// goes online without signing (its TTQ asks no ODA for online); the amex-card wallet signs
/// its GENERATE AC (CDA).
#[test]
fn pay_decode_reads_by_aid_and_shows_the_oda_chain() {
    let pay = |profile: &str| {
        stdout(&tapterm(&[
            "pay",
            "--amount",
            "5.00",
            "--demo",
            profile,
            "--no-journal",
            "--decode",
        ]))
    };
    let s = pay("visa-card");
    for want in [
        "read as Visa IAD format 1 (from the Visa AID A0000000031010)",
        "ODA chain (dates checked against",
        "[ok] ICC public key certificate (9F46)",
        "[none] dynamic signature",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
    let s = pay("amex-card");
    for want in [
        "(by its layout; from the American Express AID A000000025010403)",
        "[ok] issuer public key certificate (90)",
        "[ok] CDA signature (9F4B in the GENERATE AC response, Book 2 6.6)",
    ] {
        assert!(s.contains(want), "missing {want:?} in\n{s}");
    }
}

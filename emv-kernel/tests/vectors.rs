//! Replays every vector in `test-vectors/` (and the real recorded taps kept outside the
//! repository, when present) through the whole kernel: commands byte for byte, outcomes,
//! UI, data record.

mod common;

use std::path::{Path, PathBuf};

use common::ScriptedCard;

use emv_kernel::replay::{self, Verdict};
use emv_kernel::{entry_point, vector};

fn vector_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// Replays every file of `dir`, fails the test with every failure's reason, and returns how
/// many vectors passed.
fn assert_dir_replays_green(dir: &Path) -> usize {
    let mut failures = Vec::new();
    let files = vector_files(dir);
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let v = match vector::parse(&text) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: invalid vector: {e}"));
                continue;
            }
        };
        let (verdict, result) = replay::run_vector(&v, entry_point::run);
        if verdict != Verdict::Pass {
            let decisions = result.map(|r| r.decisions).unwrap_or_default();
            failures.push(format!(
                "{name}: {verdict:?}\n    decisions: {decisions:#?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    files.len()
}

fn manifest_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The shared reference folder (`shared/vectors/<kind>`) kept outside the repository, as
/// build.rs found it.
fn shared_vectors(kind: &str) -> PathBuf {
    let root = option_env!("TAPTERM_SHARED_VECTORS").unwrap_or_default();
    Path::new(root).join(kind)
}

#[test]
fn project_vectors_pass() {
    let count = assert_dir_replays_green(&manifest_path("../test-vectors"));
    assert!(count >= 20, "only {count} vectors in test-vectors/");
}

#[test]
#[cfg_attr(
    not(shared_vectors),
    ignore = "shared/vectors not found above the workspace"
)]
fn real_recorded_vectors_pass() {
    let dir = shared_vectors("real");
    let count = assert_dir_replays_green(&dir);
    assert!(count > 0, "no real vectors found in {}", dir.display());
}

#[test]
#[cfg_attr(
    not(shared_vectors),
    ignore = "shared/vectors not found above the workspace"
)]
fn reconstructed_mastercard_vector() {
    let dir = shared_vectors("reconstructed");
    let path = dir.join("reconstructed-mastercard-paypass-testcard-mchip-cda-tc-signature.json");
    let v = vector::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let (verdict, _) = replay::run_vector(&v, entry_point::run);
    // The reconstruction assumes a pre-RRP (PayPass 3.0) kernel: TVR byte 5 = 00 in CDOL1.
    // This kernel follows C-2 S3.65 and sets "RRP not performed" (TVR byte 5 = 01), so the
    // first eight commands must match and the GENERATE AC must differ in that byte only.
    let Verdict::Fail(why) = verdict else {
        panic!("expected the TVR byte 5 difference, got {verdict:?}");
    };
    assert!(
        why.starts_with("tap 1 exchange 9: sent GENERATE AC"),
        "{why}"
    );
    let recorded = &v.taps[0][8].c.0;
    let mut ours = recorded.clone();
    // CDOL1 data starts at offset 5; 95 follows 9F02 9F03 9F09 (6+6+2 bytes).
    ours[5 + 14 + 4] = 0x01;
    assert!(why.contains(&hex::encode_upper(&ours)), "{why}");
}

/// The real Express Transit tap carries an fDDA signature in Visa's format 95; the vector
/// itself does not assert ODA, so check the kernel's own conclusion and the TVR here.
#[test]
#[cfg_attr(
    not(shared_vectors),
    ignore = "shared/vectors not found above the workspace"
)]
fn real_transit_tap_fdda_verifies() {
    let dir = shared_vectors("real");
    let path = dir.join("real-visa-applepay-express-transit-qvsdc-online-fdda95.json");
    let v = vector::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (verdict, result) = replay::run_vector(&v, entry_point::run);
    assert_eq!(verdict, Verdict::Pass);
    let result = result.unwrap();
    assert!(
        result.decisions.iter().any(|d| d == "ODA: fDDA succeeded"),
        "{:#?}",
        result.decisions
    );
    let record = result.data_record.unwrap();
    let tvr = record.get(&emv_kernel::tlv::Tag::new(0x95)).unwrap();
    assert_eq!(tvr, &vec![0u8; 5]);
}

/// The reconstructed card answers our GENERATE AC (TVR byte 5 = 01) with its recorded
/// response: the CA, issuer and ICC keys recover and the SDAD opens with the right CID, and
/// only the transaction data hash differs, because the card hashed the recorded CDOL1 data.
/// CDA failure never approves: End Application, with "CDA failed" in the TVR.
#[test]
#[cfg_attr(
    not(shared_vectors),
    ignore = "shared/vectors not found above the workspace"
)]
fn reconstructed_mastercard_cda_fails_only_on_the_transaction_data_hash() {
    let dir = shared_vectors("reconstructed");
    let path = dir.join("reconstructed-mastercard-paypass-testcard-mchip-cda-tc-signature.json");
    let v = vector::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (config, tx) = v.inputs().unwrap();
    let answers = v.taps[0]
        .iter()
        .map(|x| x.r.as_ref().map(|r| r.0.clone()))
        .collect();
    let mut card = ScriptedCard::new(answers, 1);
    let result = entry_point::run(&config, &tx, &mut card);
    assert_eq!(
        result.outcome.status,
        emv_kernel::outcome::OutcomeStatus::EndApplication
    );
    assert!(
        result
            .decisions
            .iter()
            .any(|d| d == "ODA: CDA failed: CDA: transaction data hash code does not match"),
        "{:#?}",
        result.decisions
    );
    assert!(result.data_record.is_none());
}

/// The offline approval path with a real signature: the fDDA hash covers 9F37, 9F02, 5F2A
/// and 9F69 but not the CID, so the real Express Transit answers with 9F27 turned into a TC
/// (and a floor limit the amount does not exceed) still verify: Approved. Changing one byte
/// of the signed 9F69 makes fDDA fail, and with CTQ 0000 the TC is declined.
#[test]
#[cfg_attr(
    not(shared_vectors),
    ignore = "shared/vectors not found above the workspace"
)]
fn real_transit_signature_approves_offline_only_while_it_verifies() {
    let dir = shared_vectors("real");
    let path = dir.join("real-visa-applepay-express-transit-qvsdc-online-fdda95.json");
    let v = vector::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (mut config, tx) = v.inputs().unwrap();
    config.combinations[0].floor_limit = Some(tx.amount);
    let answers: Vec<Vec<u8>> = v.taps[0]
        .iter()
        .map(|x| x.r.as_ref().unwrap().0.clone())
        .collect();
    let patch = |answers: &[Vec<u8>], index: usize, from: &str, to: &str| {
        let mut out = answers.to_vec();
        let text = hex::encode_upper(&out[index]);
        assert_eq!(text.matches(from).count(), 1, "{from}");
        out[index] = hex::decode(text.replace(from, to)).unwrap();
        out
    };
    let run = |answers: Vec<Vec<u8>>| {
        let mut card = ScriptedCard::new(answers.into_iter().map(Some).collect(), 1);
        entry_point::run(&config, &tx, &mut card)
    };
    use emv_kernel::outcome::OutcomeStatus;
    let tc = patch(&answers, 2, "9F270180", "9F270140");
    let approved = run(tc.clone());
    assert_eq!(
        approved.outcome.status,
        OutcomeStatus::Approved,
        "{:#?}",
        approved.decisions
    );
    assert!(
        approved
            .decisions
            .iter()
            .any(|d| d == "ODA: fDDA succeeded")
    );
    let tampered = patch(&tc, 5, "9F69070130A7A7880000", "9F69070130A7A7880001");
    let declined = run(tampered);
    assert_eq!(declined.outcome.status, OutcomeStatus::Declined);
    assert!(
        declined
            .decisions
            .iter()
            .any(|d| d.starts_with("ODA: fDDA failed"))
    );
    let tvr = declined.data_record.unwrap()[&emv_kernel::tlv::Tag::new(0x95)].clone();
    assert_eq!(tvr[0] & 0x08, 0x08, "DDA failed bit");
}

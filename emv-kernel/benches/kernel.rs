//! Kernel time per transaction: whole vectors replayed in-process (Entry Point, kernel, ODA,
//! replay transport and expectation check), so the card, not the terminal, is the slow side
//! of every tap. Benchmarks the Visa, Mastercard, American Express and UnionPay vectors of
//! `test-vectors/`, and the real
//! Apple Pay fDDA tap when the shared reference folder is present.

use std::hint::black_box;
use std::path::{Path, PathBuf};

#[path = "../tests/common/mod.rs"]
mod common;

use common::ScriptedCard;
use criterion::{Criterion, criterion_group, criterion_main};
use emv_kernel::replay::{self, Verdict};
use emv_kernel::{entry_point, vector};

fn candidates() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = [
        "visa-qvsdc-online-arqc-no-oda.json",
        "visa-phone-cdcvm-9f69-match-online.json",
        "mc-mchip-online-arqc-no-cda.json",
        "mc-phone-see-phone-two-taps.json",
        // Kernel 7 (UnionPay qUICS): an online ARQC after three records; the offline TC
        // with fDDA comes in below with the other signed vectors (its name has "fdda").
        "unionpay-card-online-arqc.json",
    ]
    .iter()
    .map(|n| root.join("../test-vectors").join(n))
    .collect();
    // Kernel 4 (American Express): a phone's See phone two-tap transaction and a CDCVM one,
    // both with CDA; the card's CDA vectors come with the signed ones below.
    files.extend(
        [
            "amex-phone-see-phone-two-taps.json",
            "amex-phone-cdcvm-above-cvm-limit-online.json",
        ]
        .iter()
        .map(|n| root.join("../test-vectors").join(n)),
    );
    // Signed vectors (fDDA / CDA) when they exist in the project or the shared folder.
    let mut signed: Vec<PathBuf> = std::fs::read_dir(root.join("../test-vectors"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().to_lowercase());
            name.is_some_and(|n| n.ends_with(".json") && (n.contains("fdda") || n.contains("cda-")))
        })
        .collect();
    signed.sort();
    files.extend(signed);
    if let Some(real) = root
        .ancestors()
        .map(|d| {
            d.join(
                "shared/vectors/real/real-visa-applepay-express-transit-qvsdc-online-fdda95.json",
            )
        })
        .find(|p| p.is_file())
    {
        files.push(real);
    }
    files
}

fn replay_vectors(c: &mut Criterion) {
    for path in candidates() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let v = vector::parse(&text).expect("bench vector parses");
        let (verdict, _) = replay::run_vector(&v, entry_point::run);
        assert_eq!(verdict, Verdict::Pass, "{}", path.display());
        c.bench_function(&v.name, |b| {
            b.iter(|| replay::run_vector(black_box(&v), entry_point::run))
        });
    }
}

/// Mastercard CDA work on real test-card data: the reconstructed PayPass test card (CAPK
/// EF, 1984-bit) answered in order, through issuer and ICC key recovery, SDAD recovery and
/// the transaction data hash (which then differs by the TVR RRP bit, see tests/vectors.rs).
fn mastercard_cda(c: &mut Criterion) {
    let Some(path) = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|d| {
            d.join("shared/vectors/reconstructed/reconstructed-mastercard-paypass-testcard-mchip-cda-tc-signature.json")
        })
        .find(|p| p.is_file())
    else {
        return;
    };
    let v = vector::parse(&std::fs::read_to_string(path).expect("readable")).expect("parses");
    let (config, tx) = v.inputs().expect("inputs");
    let answers: Vec<Option<Vec<u8>>> = v.taps[0]
        .iter()
        .map(|x| x.r.as_ref().map(|r| r.0.clone()))
        .collect();
    c.bench_function("mastercard-cda-reconstructed-test-card", |b| {
        b.iter(|| {
            let mut card = ScriptedCard::new(answers.clone(), 1);
            entry_point::run(black_box(&config), black_box(&tx), &mut card)
        })
    });
}

criterion_group!(benches, replay_vectors, mastercard_cda);
criterion_main!(benches);

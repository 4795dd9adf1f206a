//! Time from card detected to outcome over the real PC/SC stack (private pcscd + vpcd +
//! `tapterm phone`), the median APDU round trip, and what the terminal adds beyond the round
//! trips. Run with `cargo bench --bench tap` (needs what the end-to-end tests need).
//! Not a test: it reports numbers and asserts nothing about them.

use std::process::Command;
use std::thread;
use std::time::Duration;

use serde_json::Value;

#[path = "../tests/support/pcsc.rs"]
mod support;
use support::{Pcscd, free_ports, phone};

/// Taps measured per profile.
const RUNS: usize = 15;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let acr_tmp = tempfile::tempdir().expect("temp dir");
    // A plain reader, and one named like an ACR122U, for which tapterm also sends the LED,
    // buzzer and UID pseudo-APDUs.
    let (port, acr_port) = (free_ports(), free_ports());
    let plain = Pcscd::start(tmp.path(), port, "Virtual PCD");
    let acr = Pcscd::start(acr_tmp.path(), acr_port, "ACS ACR122U PICC Interface");
    println!(
        "reader / profile                 connect  card->outcome  APDUs  APDU time  median RTT  terminal adds"
    );
    for (pcscd, port, reader) in [
        (&plain, port, "Virtual PCD 00 00"),
        (&acr, acr_port, "ACS ACR122U PICC Interface 00 00"),
    ] {
        for profile in ["visa-phone", "mastercard-card"] {
            measure(pcscd, port, reader, profile);
        }
    }
}

/// Runs [`RUNS`] taps of `profile` on `reader` and prints the medians.
fn measure(pcscd: &Pcscd, port: u16, reader: &str, profile: &str) {
    let (mut total, mut apdu, mut rtt, mut own) = (vec![], vec![], vec![], vec![]);
    let mut connect = vec![];
    let mut exchanges = 0;
    for _ in 0..RUNS {
        let wallet = phone(profile, port, &["--hold-ms", "50"]);
        let out = Command::new(env!("CARGO_BIN_EXE_tapterm"))
            .env("PCSCLITE_CSOCK_NAME", &pcscd.socket)
            .args(["pay", "--amount", "12.00", "--reader", reader])
            .args(["--json", "--no-journal", "--timeout", "10"])
            .output()
            .expect("run tapterm pay");
        drop(wallet);
        let report: Value = serde_json::from_slice(&out.stdout).expect("pay --json");
        let from_card = report["card_to_outcome_ms"].as_f64().unwrap_or(f64::NAN);
        let in_apdus = report["apdu_ms"].as_f64().unwrap_or(f64::NAN);
        total.push(from_card);
        connect.push(report["connect_ms"].as_f64().unwrap_or(f64::NAN));
        apdu.push(in_apdus);
        own.push(from_card - in_apdus);
        for x in report["trace"].as_array().into_iter().flatten() {
            rtt.push(x["took_ms"].as_f64().unwrap_or(f64::NAN));
        }
        exchanges = report["exchanges"].as_u64().unwrap_or(0);
        // Let pcscd's 400 ms presence poll see the field empty.
        thread::sleep(Duration::from_millis(500));
    }
    let short = reader.split(' ').take(2).collect::<Vec<_>>().join(" ");
    println!(
        "{:<32} {:>7.3} ms {:>10.3} ms {:>6} {:>7.3} ms {:>8.3} ms {:>10.3} ms",
        format!("{short} / {profile}"),
        median(&mut connect),
        median(&mut total),
        exchanges,
        median(&mut apdu),
        median(&mut rtt),
        median(&mut own)
    );
}

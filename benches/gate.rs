//! The gate's decision time over the real PC/SC stack (issue 13): a private pcscd with vpcd,
//! `tapterm phone` as a locked visa-phone in Express Transit mode at a reader that carries
//! the ECP transit frame, and the gate pipeline in this process. Criterion measures the
//! terminal's time from the card entering the field (connected, the first APDU about to go)
//! to the gate decision (journalled, before the gate opens). Beside it the bench prints the
//! split: time in APDU round trips (pcscd + vpcd + the card), the card's own time (the
//! phone process's service time), and what is left: the terminal's share (kernel, RSA
//! fDDA check, sealing, the SQLite commit with fsync).
//!
//! Run with `cargo bench --bench gate` (needs what the end-to-end tests need). Not a test:
//! it asserts nothing about the numbers.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

use tapterm::cancel::CancelToken;
use tapterm::journal::transit::Gate;
use tapterm::reader::{PcscOptions, PcscTransport};
use tapterm::terminal_config;
use tapterm::transit::gate::{GateServices, run_gate};
use tapterm::transit::station::Station;

#[path = "../tests/support/pcsc.rs"]
#[allow(dead_code, reason = "the bench uses part of the support")]
mod support;

/// The split of one tap.
#[derive(Default)]
struct Split {
    decision: Vec<f64>,
    apdus: Vec<f64>,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn gate(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let port = support::free_ports();
    let pcscd = support::Pcscd::start(tmp.path(), port, "Virtual PCD");
    // SAFETY: set before any thread of this process talks to PC/SC.
    unsafe { std::env::set_var("PCSCLITE_CSOCK_NAME", &pcscd.socket) };
    let ecp = "6A02C801000300027900000000";
    let mut phone = Command::new(env!("CARGO_BIN_EXE_tapterm"))
        .args([
            "phone",
            "--profile",
            "visa-phone",
            "--locked",
            "--reader-ecp",
            ecp,
        ])
        .args(["--port", &port.to_string(), "--taps", "1000"])
        .args(["--gap-ms", "100", "--hold-ms", "50"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("tapterm phone");
    let card_micros = Arc::new(Mutex::new(Vec::<f64>::new()));
    let seen = Arc::clone(&card_micros);
    let stderr = phone.stderr.take().expect("phone stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let total = line
                .split(" µs in all")
                .next()
                .and_then(|head| head.rsplit(", ").next())
                .and_then(|n| n.parse::<f64>().ok());
            if let (Some(total), Ok(mut all)) = (total, seen.lock()) {
                all.push(total / 1000.0);
            }
        }
    });
    let settings =
        terminal_config::load(None, Path::new(terminal_config::CAPK_DIR)).expect("config");
    let station = Station::open(settings, &tmp.path().join("j.sqlite")).expect("station");
    let mut journal = station.journal().expect("journal");
    let mut split = Split::default();
    let mut group = c.benchmark_group("gate");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(10))
        .measurement_time(Duration::from_millis(30));
    group.bench_function(
        "card in field to gate decision (pcscd + vpcd, visa-phone express)",
        |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let mut transport = PcscTransport::new(
                        PcscOptions {
                            reader: Some("Virtual PCD 00 00".into()),
                            tap_timeout: Some(Duration::from_secs(10)),
                            cancel: CancelToken::new(),
                            ecp_frame: None,
                        },
                        Box::new(|_| {}),
                    );
                    let txn = station.transaction().expect("transaction");
                    let done = run_gate(
                        &station.profile,
                        &station.kernel,
                        &txn,
                        &mut transport,
                        &mut |_| {},
                        &mut GateServices {
                            journal: &mut journal,
                            key: &station.key,
                            secret: &station.secret,
                            reader: "Virtual PCD 00 00".into(),
                            cancel: CancelToken::new(),
                        },
                    );
                    drop(transport);
                    assert_eq!(done.gate, Gate::Go, "{}", done.reason);
                    let decision = done.decision_time.unwrap_or_default();
                    let apdus: Duration =
                        done.checkout.kernel.trace.iter().map(|x| x.elapsed).sum();
                    split.decision.push(decision.as_secs_f64() * 1e3);
                    split.apdus.push(apdus.as_secs_f64() * 1e3);
                    total += decision;
                    // Let pcscd's 400 ms presence poll see the field empty before the next tap.
                    std::thread::sleep(Duration::from_millis(450));
                }
                total
            });
        },
    );
    group.finish();
    let _ = phone.kill();
    let _ = phone.wait();
    let decision = median(&mut split.decision);
    let apdus = median(&mut split.apdus);
    let card = median(&mut card_micros.lock().map(|c| c.clone()).unwrap_or_default());
    println!(
        "gate split over {} taps (medians): decision {decision:.3} ms = APDU round trips \
         {apdus:.3} ms (of which the card's own {card:.3} ms) + terminal {:.3} ms \
         ({:.0}% of the decision)",
        split.decision.len(),
        decision - apdus,
        100.0 * (decision - apdus) / decision
    );
}

criterion_group!(benches, gate);
criterion_main!(benches);

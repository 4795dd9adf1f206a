//! Transit gate mode end to end (issue 13): `tapterm pay --transit`, `tapterm transit …` and
//! `tapterm host` as separate processes, sharing a journal file, as at a real gate.

#[path = "support/pcsc.rs"]
#[allow(dead_code, reason = "the pcscd test uses part of the support")]
mod support;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tapterm::journal::Journal;

const BIN: &str = env!("CARGO_BIN_EXE_tapterm");
const VISA_PAR: &str = "par:V0010013TAPTERMTESTPAR0000001";

/// A port nothing listens on (bound, then released): a host that is down.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `tapterm host --listen 127.0.0.1:PORT`, its log (stderr) in a file; killed when dropped.
struct Host {
    child: Child,
    log: PathBuf,
}

impl Host {
    fn start(dir: &Path, port: u16, rules: Option<&str>) -> Host {
        let log = dir.join(format!("host-{port}.log"));
        let mut cmd = Command::new(BIN);
        cmd.args(["host", "--listen", &format!("127.0.0.1:{port}")]);
        if let Some(rules) = rules {
            let file = dir.join("rules.toml");
            std::fs::write(&file, rules).unwrap();
            cmd.arg("--rules").arg(file);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.contains("listening"), "host did not start: {line}");
        Host { child, log }
    }

    /// The deferred rides the host acted on ("new") and the repeats it only answered.
    fn deferred(&self, kind: &str) -> (Vec<String>, Vec<String>) {
        let text = std::fs::read_to_string(&self.log).unwrap();
        let mut new = Vec::new();
        let mut repeat = Vec::new();
        for line in text.lines() {
            let Some(rest) = line.split(&format!("deferred {kind} ")).nth(1) else {
                continue;
            };
            let mut words = rest.split_whitespace();
            let (Some(id), Some(seen)) = (words.next(), words.next()) else {
                continue;
            };
            match seen {
                "new:" => new.push(id.to_string()),
                "repeat:" => repeat.push(id.to_string()),
                other => panic!("unexpected host log word {other:?}"),
            }
        }
        (new, repeat)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tapterm(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// `tapterm pay --transit --demo PROFILE … --json` against `port`.
fn tap(journal: &Path, port: u16, profile: &str, extra: &[&str]) -> Value {
    let j = journal.to_str().unwrap();
    let host = format!("127.0.0.1:{port}");
    let mut args = vec!["pay", "--transit", "--demo", profile, "--json"];
    args.extend(["--journal", j, "--host", &host]);
    args.extend(extra);
    let out = tapterm(&args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "pay --transit output not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn a_locked_phone_with_express_transit_opens_the_gate_in_one_tap_and_the_host_approves_later() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.sqlite");
    let down = free_port();
    let ride = tap(&journal, down, "visa-phone", &["--locked"]);
    assert_eq!(ride["gate"], "go", "{ride}");
    assert_eq!(ride["taps"], 1);
    let ui: Vec<&str> = ride["ui"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(!ui.contains(&"see_phone"), "no See phone: {ui:?}");
    assert_eq!(ride["authorisation"]["state"], "queued", "host is down");
    let id = ride["ride_id"].as_str().unwrap().to_string();
    {
        let j = Journal::open(&journal).unwrap();
        let queued = j.queued().unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].ride_id, id);
        assert_eq!(queued[0].account.as_deref(), Some(VISA_PAR));
        let rides = j.rides_of_day(j.zone().today()).unwrap();
        assert_eq!(rides.len(), 1);
        assert_eq!(rides[0].gate, "go");
    }
    let host = Host::start(dir.path(), down, None);
    let sent = tapterm(&[
        "transit",
        "send",
        "--journal",
        journal.to_str().unwrap(),
        "--host",
        &format!("127.0.0.1:{down}"),
    ]);
    assert!(sent.status.success(), "{sent:?}");
    let state = Journal::open(&journal)
        .unwrap()
        .queue_state(&id)
        .unwrap()
        .unwrap();
    assert_eq!(state.state, "approved");
    assert_eq!(state.response_code.as_deref(), Some("00"));
    assert_eq!(host.deferred("ride"), (vec![id], vec![]));
    assert!(host.log_text().contains("cryptogram verified"));
}

#[test]
fn with_express_transit_off_a_locked_phone_still_asks_for_unlock() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.sqlite");
    let ride = tap(
        &journal,
        free_port(),
        "visa-phone",
        &["--locked", "--no-express"],
    );
    assert_eq!(ride["taps"], 2, "{ride}");
    assert!(
        ride["ui"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == "see_phone")
    );
    // The locked Mastercard phone in express mode: one tap, CDA-signed ARQC.
    let mc = tap(&journal, free_port(), "mastercard-phone", &["--locked"]);
    assert_eq!(
        (mc["gate"].as_str(), mc["taps"].as_u64()),
        (Some("go"), Some(1)),
        "{mc}"
    );
    let mc_off = tap(
        &journal,
        free_port(),
        "mastercard-phone",
        &["--locked", "--no-express"],
    );
    assert_eq!(mc_off["taps"], 2, "{mc_off}");
}

#[test]
fn twenty_rides_with_the_host_down_reach_it_exactly_once_after_a_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.sqlite");
    let j = journal.to_str().unwrap();
    let port = free_port();
    let host_addr = format!("127.0.0.1:{port}");
    let mut gate = Command::new(BIN)
        .args(["transit", "gate", "--demo", "visa-phone", "--locked"])
        .args(["--rides", "20", "--journal", j, "--host", &host_addr])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(gate.stdout.take().unwrap()).lines();
    let mut opened = 0;
    let mut failures = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    // Until the gate has taken all rides and its sender has failed at least once after.
    while let Some(Ok(line)) = lines.next() {
        opened += usize::from(line.starts_with("ride ") && line.contains("gate: GO"));
        failures += usize::from(opened == 20 && line.contains("host unreachable"));
        if failures > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "gate too slow");
    }
    assert_eq!(opened, 20);
    // SIGKILL: no chance to clean up.
    let _ = Command::new("kill")
        .args(["-KILL", &gate.id().to_string()])
        .status();
    let _ = gate.wait();
    let ids: Vec<String> = {
        let j = Journal::open(&journal).unwrap();
        let queued = j.queued().unwrap();
        assert_eq!(queued.len(), 20, "every ride queued, none lost");
        queued.into_iter().map(|q| q.ride_id).collect()
    };
    let host = Host::start(dir.path(), port, None);
    let send = || tapterm(&["transit", "send", "--journal", j, "--host", &host_addr]);
    assert!(send().status.success());
    let (new, repeat) = host.deferred("ride");
    assert_eq!(new, ids, "each ride acted on once, in order");
    assert!(repeat.is_empty());
    assert_eq!(
        Journal::open(&journal).unwrap().queue_counts().unwrap(),
        vec![("approved".to_string(), 20)]
    );
    // A crash after the host answered but before the answer was recorded leaves the ride
    // queued: sent again, the host answers the repeat without acting on it twice.
    let conn = rusqlite_reopen(&journal);
    conn.execute(
        "UPDATE transit_queue SET state = 'queued' WHERE ride_id = ?1",
        [&ids[7]],
    )
    .unwrap();
    drop(conn);
    assert!(send().status.success());
    let (new_after, repeat_after) = host.deferred("ride");
    assert_eq!(new_after.len(), 20);
    assert_eq!(repeat_after, vec![ids[7].clone()]);
    assert_eq!(
        Journal::open(&journal)
            .unwrap()
            .queue_state(&ids[7])
            .unwrap()
            .unwrap()
            .state,
        "approved"
    );
}

/// A raw connection to the journal, to stage a crash's leftovers.
fn rusqlite_reopen(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn a_declined_deferred_authorisation_denies_the_par_across_wallets_until_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.sqlite");
    let j = journal.to_str().unwrap();
    let port = free_port();
    let rules = "[deny]\npar = [\"V0010013TAPTERMTESTPAR0000001\"]\n";
    let host = Host::start(dir.path(), port, Some(rules));
    let first = tap(&journal, port, "visa-phone", &[]);
    assert_eq!(
        first["gate"], "go",
        "decided offline, before the host's answer"
    );
    assert_eq!(first["authorisation"]["state"], "declined");
    assert_eq!(first["authorisation"]["response_code"], "62");
    let list = tapterm(&["transit", "deny-list", "--journal", j]);
    assert!(String::from_utf8_lossy(&list.stdout).contains(VISA_PAR));
    // The same account through the watch: another token, the same PAR.
    let watch = tap(&journal, port, "visa-watch", &[]);
    assert_eq!(watch["gate"], "stop", "{watch}");
    assert!(watch["reason"].as_str().unwrap().contains("see staff"));
    assert!(watch["ride_id"].is_string(), "refused taps are journalled");
    let cleared = tapterm(&["transit", "clear", "--journal", j, VISA_PAR]);
    assert!(cleared.status.success(), "{cleared:?}");
    drop(host);
    let again = tap(&journal, free_port(), "visa-watch", &[]);
    assert_eq!(again["gate"], "go", "{again}");
    let not_listed = tapterm(&["transit", "clear", "--journal", j, VISA_PAR]);
    assert!(!not_listed.status.success());
}

#[test]
fn close_day_charges_the_daily_cap_not_the_sum_and_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.sqlite");
    let j = journal.to_str().unwrap();
    let port = free_port();
    let host = Host::start(dir.path(), port, None);
    for _ in 0..4 {
        assert_eq!(tap(&journal, port, "visa-phone", &[])["gate"], "go");
    }
    assert_eq!(tap(&journal, port, "mastercard-phone", &[])["gate"], "go");
    let addr = format!("127.0.0.1:{port}");
    let close = || tapterm(&["transit", "close-day", "--journal", j, "--host", &addr]);
    let report = close();
    assert!(report.status.success(), "{report:?}");
    let text = String::from_utf8_lossy(&report.stdout).to_string();
    // Built-in profile: fare 2.80, daily cap 8.10; 4 rides are 11.20.
    let visa = text.lines().find(|l| l.contains("PAR V001")).unwrap();
    assert!(
        visa.contains("rides   4") && visa.contains("11.20"),
        "{text}"
    );
    assert!(
        visa.contains("charged     8.10 (capped)  approved"),
        "{text}"
    );
    let mc = text.lines().find(|l| l.contains("PAR 5001")).unwrap();
    assert!(mc.contains("charged     2.80  approved"), "{text}");
    assert!(text.contains("charged 10.90"), "{text}");
    let (charges, repeats) = host.deferred("charge");
    assert_eq!(charges.len(), 2);
    assert!(repeats.is_empty());
    assert!(host.log_text().contains("amount=8.10"));
    // Closing the day again sends nothing new.
    assert!(close().status.success());
    assert_eq!(host.deferred("charge").0.len(), 2);
}

#[test]
fn the_gate_opens_for_a_locked_phone_over_pcscd_and_vpcd() {
    // A plain reader, and one named like an ACR122U, to which the gate also sends the ECP
    // escape commands before each wait (vpcd answers them "unsupported").
    for name in ["Virtual PCD", "ACS ACR122U PICC Interface"] {
        let tmp = tempfile::tempdir().unwrap();
        let port = support::free_ports();
        let pcscd = support::Pcscd::start(tmp.path(), port, name);
        let ecp = "6A02C801000300027900000000";
        let _phone = support::phone(
            "visa-phone",
            port,
            &["--locked", "--reader-ecp", ecp, "--hold-ms", "50"],
        );
        let journal = tmp.path().join("j.sqlite");
        let reader = format!("{name} 00 00");
        let out = Command::new(BIN)
            .env("PCSCLITE_CSOCK_NAME", &pcscd.socket)
            .args(["pay", "--transit", "--reader", &reader, "--json"])
            .args(["--timeout", "10", "--journal", journal.to_str().unwrap()])
            .args(["--host", &format!("127.0.0.1:{}", free_port())])
            .output()
            .unwrap();
        let ride: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
        });
        assert_eq!(ride["gate"], "go", "{name}: {ride}");
        assert_eq!(ride["taps"], 1);
        assert_eq!(ride["authorisation"]["state"], "queued");
    }
}

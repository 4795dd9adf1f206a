//! End to end through the real PC/SC stack: a private pcscd (scripts/pcscd-private) with the
//! vpcd driver, `tapterm phone` processes as the wallet in the field, and `tapterm pay` /
//! `tapterm readers` as the terminal. Each test has its own pcscd and its own ports, so they
//! run in parallel. Needs pcscd and vsmartcard-vpcd (scripts/setup installs them) and root or
//! unprivileged user namespaces; without them the tests fail with instructions.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::Duration;

use serde_json::Value;

const TAPTERM: &str = env!("CARGO_BIN_EXE_tapterm");

/// A private pcscd with one vpcd entry (two slots: PORT and PORT+1).
struct Pcscd {
    script: Child,
    socket: String,
    pid: u32,
    dir: PathBuf,
}

impl Pcscd {
    fn start(dir: &Path, port: u16, name: &str) -> Pcscd {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pcscd-private");
        let mut child = Command::new(script)
            .arg("--dir")
            .arg(dir)
            .arg(format!("{port}:{name}"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("cannot run scripts/pcscd-private");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut socket = None;
        let mut pid = None;
        while socket.is_none() || pid.is_none() {
            let Some(Ok(line)) = lines.next() else {
                panic!(
                    "scripts/pcscd-private failed to start pcscd (see its stderr above). \
                     Install pcscd and vsmartcard-vpcd with scripts/setup, and run as root or \
                     with unprivileged user namespaces enabled."
                );
            };
            if let Some(s) = line.strip_prefix("PCSCLITE_CSOCK_NAME=") {
                socket = Some(s.to_string());
            }
            if let Some(p) = line.strip_prefix("PCSCD_PID=") {
                pid = p.parse().ok();
            }
        }
        Pcscd {
            script: child,
            socket: socket.unwrap(),
            pid: pid.unwrap(),
            dir: dir.to_path_buf(),
        }
    }

    /// Kills pcscd hard (SIGKILL), as a crash would, and waits for the script to notice.
    fn kill_hard(mut self) -> PathBuf {
        let _ = Command::new("kill")
            .args(["-KILL", &self.pid.to_string()])
            .status();
        let _ = self.script.wait();
        self.dir.clone()
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.script.id().to_string()])
            .status();
        let _ = self.script.wait();
    }
}

/// A `tapterm phone` process; killed when dropped.
struct Phone(Child);

impl Drop for Phone {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn phone(profile: &str, port: u16, extra: &[&str]) -> Phone {
    Phone(
        Command::new(TAPTERM)
            .args(["phone", "--profile", profile, "--port", &port.to_string()])
            .args(extra)
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start tapterm phone"),
    )
}

/// Journal and other data of the terminals under test, away from the user's: one folder per
/// pcscd (so per test), since the tests run in parallel.
fn data_home(socket: &str) -> PathBuf {
    let tag: String = socket
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    std::env::temp_dir().join(format!("tapterm-e2e-{}-{tag}", std::process::id()))
}

fn tapterm(socket: &str, args: &[&str]) -> Output {
    Command::new(TAPTERM)
        .env("PCSCLITE_CSOCK_NAME", socket)
        .env("XDG_DATA_HOME", data_home(socket))
        .args(args)
        .output()
        .expect("cannot run tapterm")
}

fn pay_json(socket: &str, reader: &str, amount: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "pay",
        "--amount",
        amount,
        "--reader",
        reader,
        "--json",
        "--timeout",
        "15",
    ];
    args.extend_from_slice(extra);
    let out = tapterm(socket, &args);
    assert!(
        out.status.success(),
        "pay failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("pay --json printed JSON")
}

fn demo_json(profile: &str, amount: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "pay",
        "--amount",
        amount,
        "--demo",
        profile,
        "--json",
        "--no-journal",
    ];
    args.extend_from_slice(extra);
    let out = tapterm("/nonexistent", &args);
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn readers_lists_the_vpcd_readers() {
    let tmp = tempfile::tempdir().unwrap();
    let pcscd = Pcscd::start(tmp.path(), 36100, "Virtual PCD");
    let out = tapterm(&pcscd.socket, &["readers", "--json"]);
    assert!(out.status.success());
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Virtual PCD 00 00", "Virtual PCD 00 01"]);
    assert!(list[0]["state"] == "empty");
    assert!(list[0]["acr122u"] == false);

    let _wallet = phone(
        "visa-card",
        36100,
        &["--idle-s", "20", "--hold-ms", "20000"],
    );
    let mut present = false;
    for _ in 0..40 {
        let out = tapterm(&pcscd.socket, &["readers", "--json"]);
        let list: Value = serde_json::from_slice(&out.stdout).unwrap();
        if list[0]["state"] == "present" {
            assert_eq!(list[0]["atr"], "3B80800101");
            present = true;
            break;
        }
        thread::sleep(Duration::from_millis(100));
    }
    assert!(present, "the virtual card never showed as present");
}

#[test]
fn readers_and_pay_fail_clearly_without_pcscd() {
    let out = tapterm("/nonexistent/pcscd.comm", &["readers"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pcscd"));
    let out = tapterm(
        "/nonexistent/pcscd.comm",
        &["pay", "--amount", "1.00", "--timeout", "1"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pcscd"));
}

#[test]
fn pay_refuses_bad_amounts_missing_readers_and_absent_cards() {
    let tmp = tempfile::tempdir().unwrap();
    let pcscd = Pcscd::start(tmp.path(), 36110, "Virtual PCD");
    let out = tapterm(&pcscd.socket, &["pay", "--amount", "12.345"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than 2 decimals"));
    let out = tapterm(&pcscd.socket, &["pay", "--amount", "abc"]);
    assert_eq!(out.status.code(), Some(2));
    let out = tapterm(
        &pcscd.socket,
        &[
            "pay",
            "--amount",
            "1",
            "--reader",
            "Omnikey",
            "--timeout",
            "1",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not found") && err.contains("Virtual PCD 00 00"),
        "{err}"
    );
    let out = tapterm(
        &pcscd.socket,
        &[
            "pay",
            "--amount",
            "1",
            "--reader",
            "Virtual PCD 00 00",
            "--timeout",
            "1",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no card or phone"));
}

#[test]
fn every_profile_over_pcsc_matches_the_in_process_wallet() {
    let tmp = tempfile::tempdir().unwrap();
    let pcscd = Pcscd::start(tmp.path(), 36120, "Virtual PCD");
    for profile in [
        "visa-phone",
        "mastercard-phone",
        "visa-card",
        "mastercard-card",
        "visa-bad-signature",
        "malformed-tlv",
        "no-matching-aid",
    ] {
        let _wallet = phone(profile, 36120, &[]);
        let got = pay_json(&pcscd.socket, "Virtual PCD 00 00", "12.00", &[]);
        let want = demo_json(profile, "12.00", &[]);
        for key in ["outcome", "cvm", "pan", "tap_outcomes", "ui", "exchanges"] {
            assert_eq!(got[key], want[key], "{profile}: {key}");
        }
        assert_eq!(got["taps"], 1, "{profile}");
        assert_eq!(got["reader"], "Virtual PCD 00 00");
        assert!(got["journal_id"].is_i64(), "{profile}: journalled");
        if got["outcome"] == "online_request" {
            assert_eq!(got["approved"], got["host"]["approved"], "{profile}");
        }
        assert_eq!(got["atr"], "3B80800101");
        let trace = got["trace"].to_string();
        if let Some(pan) = got["pan"].as_str() {
            assert!(pan.contains("******"), "{profile}: PAN masked");
        }
        assert!(
            !trace.contains("4761739001010021"),
            "no full PAN in the trace"
        );
        drop(_wallet);
        // Let pcscd see the field empty before the next wallet arrives.
        thread::sleep(Duration::from_millis(500));
    }
    let visa = demo_json("visa-phone", "12.00", &[]);
    assert_eq!(visa["outcome"], "online_request");
    assert_eq!(visa["cvm"], "cdcvm");
}

#[test]
fn locked_phones_take_two_taps_with_see_phone_and_the_recording_replays() {
    let tmp = tempfile::tempdir().unwrap();
    let pcscd = Pcscd::start(tmp.path(), 36130, "Virtual PCD");
    let record = tmp.path().join("visa-phone-locked.json");
    let record_arg = record.to_string_lossy().into_owned();
    for profile in ["visa-phone", "mastercard-phone"] {
        let _wallet = phone(profile, 36130, &["--locked", "--taps", "2"]);
        let got = pay_json(
            &pcscd.socket,
            "Virtual PCD 00 00",
            "25.00",
            &["--record", &record_arg],
        );
        assert_eq!(got["taps"], 2, "{profile}");
        let ui = strings(&got["ui"]);
        assert!(ui.contains(&"see_phone".to_string()), "{profile}: {ui:?}");
        let taps = strings(&got["tap_outcomes"]);
        assert_eq!(taps.len(), 2, "{profile}: {taps:?}");
        let want = demo_json(profile, "25.00", &["--locked"]);
        assert_eq!(got["outcome"], want["outcome"], "{profile}");
        assert_eq!(got["cvm"], want["cvm"], "{profile}");
        assert_eq!(got["tap_outcomes"], want["tap_outcomes"], "{profile}");
        let replay = tapterm(&pcscd.socket, &["replay", &record_arg]);
        assert!(
            replay.status.success(),
            "{profile}: recorded vector does not replay: {}",
            String::from_utf8_lossy(&replay.stdout)
        );
        drop(_wallet);
        thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn a_wallet_that_leaves_mid_transaction_is_card_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let pcscd = Pcscd::start(tmp.path(), 36140, "Virtual PCD");
    let _wallet = phone("leaves-field", 36140, &["--taps", "2"]);
    let got = pay_json(&pcscd.socket, "Virtual PCD 00 00", "5.00", &[]);
    let errors: Vec<&Value> = got["trace"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| !x["error"].is_null())
        .collect();
    assert!(!errors.is_empty(), "no exchange failed: {got}");
    assert_eq!(errors[0]["error"], "card left the field");
    assert_eq!(errors[0]["tap"], 1);
    let taps = strings(&got["tap_outcomes"]);
    assert!(
        taps.len() >= 2,
        "a second tap follows the removal: {taps:?}"
    );
}

#[test]
fn pay_recovers_when_pcscd_is_killed_and_restarted_while_waiting() {
    let tmp = tempfile::tempdir().unwrap();
    let pcscd = Pcscd::start(tmp.path(), 36150, "Virtual PCD");
    let socket = pcscd.socket.clone();
    let pay = Command::new(TAPTERM)
        .env("PCSCLITE_CSOCK_NAME", &socket)
        .env("XDG_DATA_HOME", data_home(&socket))
        .args([
            "pay",
            "--amount",
            "9.99",
            "--reader",
            "Virtual PCD 00 00",
            "--json",
            "--timeout",
            "20",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    thread::sleep(Duration::from_millis(1500));
    let dir = pcscd.kill_hard();
    thread::sleep(Duration::from_millis(1000));
    let pcscd = Pcscd::start(&dir, 36150, "Virtual PCD");
    assert_eq!(pcscd.socket, socket, "same socket path after the restart");
    let _wallet = phone("mastercard-card", 36150, &[]);
    let out = pay.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pay did not recover: {err}");
    assert!(err.contains("service lost"), "{err}");
    assert!(err.contains("service is back"), "{err}");
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let want = demo_json("mastercard-card", "9.99", &[]);
    assert_eq!(got["outcome"], want["outcome"]);
    assert_eq!(got["taps"], 1);
}

#[test]
fn an_acr122u_named_reader_is_recognised_and_driven() {
    let tmp = tempfile::tempdir().unwrap();
    let pcscd = Pcscd::start(tmp.path(), 36160, "ACS ACR122U PICC Interface");
    let out = tapterm(&pcscd.socket, &["readers", "--json"]);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["name"], "ACS ACR122U PICC Interface 00 00");
    assert_eq!(list[0]["acr122u"], true);
    // vpcd answers escape commands "unsupported": no firmware without a card, no failure.
    assert!(list[0]["firmware"].is_null());
    let _wallet = phone("visa-phone", 36160, &[]);
    let got = pay_json(
        &pcscd.socket,
        "ACS ACR122U PICC Interface 00 00",
        "3.00",
        &[],
    );
    let want = demo_json("visa-phone", "3.00", &[]);
    assert_eq!(got["outcome"], want["outcome"]);
    assert_eq!(got["reader"], "ACS ACR122U PICC Interface 00 00");
    // Reader pseudo-APDUs (LED, buzzer, UID) never reach the kernel's trace.
    assert_eq!(got["exchanges"], want["exchanges"]);
}

//! End to end through the real PC/SC stack: a private pcscd (scripts/pcscd-private) with the
//! vpcd driver, `tapterm phone` processes as the wallet in the field, and `tapterm pay` /
//! `tapterm readers` as the terminal. Each test has its own pcscd and its own ports, so they
//! run in parallel. Needs pcscd and vsmartcard-vpcd (scripts/setup installs them) and root or
//! unprivileged user namespaces; without them the tests fail with instructions.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::Duration;

use serde_json::Value;
use tapterm::phone::Profile;

const TAPTERM: &str = env!("CARGO_BIN_EXE_tapterm");

#[path = "support/pcsc.rs"]
mod support;
use support::{Pcscd, free_ports, phone};

/// Journal and other data of the terminals under test, away from the user's: beside the
/// test's private pcscd (`<dir>/run/pcscd/pcscd.comm` → `<dir>/data`), so each test has its
/// own and the temporary folder takes it away.
fn data_home(socket: &str) -> PathBuf {
    match std::path::Path::new(socket).ancestors().nth(3) {
        Some(dir) if dir.is_dir() => dir.join("data"),
        _ => std::env::temp_dir().join(format!("tapterm-e2e-{}", std::process::id())),
    }
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
    let port = free_ports();
    let pcscd = Pcscd::start(tmp.path(), port, "Virtual PCD");
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

    let _wallet = phone("visa-card", port, &["--idle-s", "20", "--hold-ms", "20000"]);
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
    let port = free_ports();
    let pcscd = Pcscd::start(tmp.path(), port, "Virtual PCD");
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
    let port = free_ports();
    let pcscd = Pcscd::start(tmp.path(), port, "Virtual PCD");
    for profile in [
        "visa-phone",
        "mastercard-phone",
        "visa-card",
        "mastercard-card",
        "unionpay-phone",
        "unionpay-card",
        "amex-phone",
        "amex-card",
        "visa-bad-signature",
        "malformed-tlv",
        "no-matching-aid",
    ] {
        let _wallet = phone(profile, port, &[]);
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
        let full_pan = Profile::from_name(profile).unwrap().account().pan;
        let printed = got.to_string();
        assert!(
            !printed.contains(full_pan),
            "{profile}: the full PAN appears in the output"
        );
        if let Some(pan) = got["pan"].as_str() {
            assert_eq!(pan, tapterm::masking::mask_pan(full_pan), "{profile}");
        }
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
    let port = free_ports();
    let pcscd = Pcscd::start(tmp.path(), port, "Virtual PCD");
    let record = tmp.path().join("visa-phone-locked.json");
    let record_arg = record.to_string_lossy().into_owned();
    for profile in ["visa-phone", "mastercard-phone"] {
        let _wallet = phone(profile, port, &["--locked", "--taps", "2"]);
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

/// Issue 10 "Must show": the locked UnionPay phone through pcscd + vpcd shows See phone,
/// takes the second tap and is approved online with its cryptogram verified by the host.
#[test]
fn locked_unionpay_phone_is_approved_online_after_see_phone() {
    see_phone_then_online_approval("unionpay-phone");
}

/// The same for the locked American Express phone (Kernel 4: AAC with Mobile CVM Results
/// "no CVM performed, failed" → See phone).
#[test]
fn locked_amex_phone_is_approved_online_after_see_phone() {
    see_phone_then_online_approval("amex-phone");
}

/// A locked `profile` played into a private pcscd: two taps, See phone between them, then
/// an online approval whose cryptogram the host verified.
fn see_phone_then_online_approval(profile: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_ports();
    let pcscd = Pcscd::start(tmp.path(), port, "Virtual PCD");
    {
        let _wallet = phone(profile, port, &["--locked", "--taps", "2"]);
        let got = pay_json(&pcscd.socket, "Virtual PCD 00 00", "25.00", &[]);
        assert_eq!(got["taps"], 2, "{profile}");
        assert_eq!(
            strings(&got["tap_outcomes"]),
            ["try_again", "online_request"],
            "{profile}"
        );
        let ui = strings(&got["ui"]);
        let see_phone = ui.iter().position(|u| u == "see_phone");
        let second = ui.iter().rposition(|u| u == "present_card");
        assert!(
            matches!((see_phone, second), (Some(s), Some(p)) if s < p),
            "{profile}: See phone, then present again: {ui:?}"
        );
        assert_eq!(got["approved"], true, "{profile}");
        assert_eq!(got["cvm"], "cdcvm", "{profile}");
        assert_eq!(got["host"]["cryptogram_verified"], true, "{profile}");
        assert_eq!(got["host"]["response_code"], "00", "{profile}");
    }
}

#[test]
fn a_wallet_that_leaves_mid_transaction_is_card_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_ports();
    let pcscd = Pcscd::start(tmp.path(), port, "Virtual PCD");
    let _wallet = phone("leaves-field", port, &["--taps", "2"]);
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
    let port = free_ports();
    let pcscd = Pcscd::start(tmp.path(), port, "Virtual PCD");
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
    let pcscd = Pcscd::start(&dir, port, "Virtual PCD");
    assert_eq!(pcscd.socket, socket, "same socket path after the restart");
    let _wallet = phone("mastercard-card", port, &[]);
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
    let port = free_ports();
    let pcscd = Pcscd::start(tmp.path(), port, "ACS ACR122U PICC Interface");
    let out = tapterm(&pcscd.socket, &["readers", "--json"]);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["name"], "ACS ACR122U PICC Interface 00 00");
    assert_eq!(list[0]["acr122u"], true);
    // vpcd answers escape commands "unsupported": no firmware without a card, no failure.
    assert!(list[0]["firmware"].is_null());
    let wallet = phone("visa-card", port, &["--hold-ms", "20000", "--idle-s", "20"]);
    let mut firmware = Value::Null;
    for _ in 0..40 {
        let out = tapterm(&pcscd.socket, &["readers", "--json"]);
        let list: Value = serde_json::from_slice(&out.stdout).unwrap();
        if list[0]["state"] == "present" {
            firmware = list[0]["firmware"].clone();
            break;
        }
        thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        firmware, "ACR122U215",
        "firmware through FF 00 48 with a card present"
    );
    drop(wallet);
    thread::sleep(Duration::from_millis(500));
    let _wallet = phone("visa-phone", port, &[]);
    let got = pay_json(
        &pcscd.socket,
        "ACS ACR122U PICC Interface 00 00",
        "3.00",
        &[],
    );
    let want = demo_json("visa-phone", "3.00", &[]);
    assert_eq!(got["outcome"], want["outcome"]);
    assert_eq!(got["reader"], "ACS ACR122U PICC Interface 00 00");
    // The UID came from the reader pseudo-APDU FF CA (random per tap, 4 bytes from 08).
    assert!(
        got["uid"].as_str().is_some_and(|u| u.len() == 8),
        "{}",
        got["uid"]
    );
    // Reader pseudo-APDUs (LED, buzzer, UID) never reach the kernel's trace.
    assert_eq!(got["exchanges"], want["exchanges"]);
}

#[test]
fn pay_started_before_pcscd_waits_for_it() {
    let tmp = tempfile::tempdir().unwrap();
    let socket = tmp.path().join("run/pcscd/pcscd.comm");
    let socket = socket.to_string_lossy().into_owned();
    let pay = Command::new(TAPTERM)
        .env("PCSCLITE_CSOCK_NAME", &socket)
        .env("XDG_DATA_HOME", data_home(&socket))
        .args(["pay", "--amount", "4.50", "--reader", "Virtual PCD 00 00"])
        .args(["--json", "--timeout", "20"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    thread::sleep(Duration::from_millis(1000));
    let port = free_ports();
    let pcscd = Pcscd::start(tmp.path(), port, "Virtual PCD");
    assert_eq!(pcscd.socket, socket);
    let _wallet = phone("visa-card", port, &[]);
    let out = pay.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("service is back"), "{err}");
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["taps"], 1);
    assert_eq!(
        got["outcome"],
        demo_json("visa-card", "4.50", &[])["outcome"]
    );
}

/// A minimal card on vpcd's card side that leaves the procedure bytes to the terminal: the
/// PPSE SELECT first gets `6C xx` (wrong Le), the resent command `61 xx` (more data), and
/// only GET RESPONSE returns the FCI. Everything else is "file not found".
fn procedure_byte_card(port: u16) -> thread::JoinHandle<Vec<Vec<u8>>> {
    use std::io::{Read, Write};
    const FCI: &str = "6F1E840E325041592E5359532E4444463031A50CBF0C0961074F05A0000000FF";
    thread::spawn(move || {
        let fci = {
            let mut v: Vec<u8> = (0..FCI.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&FCI[i..i + 2], 16).unwrap())
                .collect();
            v.extend_from_slice(&[0x90, 0x00]);
            v
        };
        let le = u8::try_from(fci.len() - 2).unwrap();
        let mut seen = Vec::new();
        let mut stream = loop {
            match std::net::TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => break s,
                Err(_) => thread::sleep(Duration::from_millis(50)),
            }
        };
        stream.set_nodelay(true).unwrap();
        loop {
            let mut len = [0u8; 2];
            if stream.read_exact(&mut len).is_err() {
                return seen;
            }
            let mut frame = vec![0u8; usize::from(u16::from_be_bytes(len))];
            if stream.read_exact(&mut frame).is_err() {
                return seen;
            }
            let answer: Vec<u8> = match frame.as_slice() {
                [0x04] => vec![0x3B, 0x80, 0x80, 0x01, 0x01],
                [_] => continue,
                [0x00, 0xA4, 0x04, 0x00, 0x0E, rest @ ..] if rest.last() == Some(&0x00) => {
                    vec![0x6C, le]
                }
                [0x00, 0xA4, 0x04, 0x00, 0x0E, ..] => vec![0x61, le],
                [0x00, 0xC0, 0x00, 0x00, n] if *n == le => fci.clone(),
                _ => vec![0x6A, 0x82],
            };
            if frame.len() > 1 {
                seen.push(frame.clone());
            }
            let mut out = u16::try_from(answer.len()).unwrap().to_be_bytes().to_vec();
            out.extend_from_slice(&answer);
            if stream.write_all(&out).is_err() {
                return seen;
            }
            if seen.len() >= 6 {
                return seen;
            }
        }
    })
}

#[test]
fn wrong_le_and_more_data_are_resolved_below_the_kernel() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_ports();
    let pcscd = Pcscd::start(tmp.path(), port, "Virtual PCD");
    let card = procedure_byte_card(port);
    let got = pay_json(
        &pcscd.socket,
        "Virtual PCD 00 00",
        "1.00",
        &["--no-journal"],
    );
    let first = &got["trace"][0];
    assert_eq!(first["command"], "00A404000E325041592E5359532E444446303100");
    assert!(
        first["response"]
            .as_str()
            .is_some_and(|r| r.starts_with("6F1E84") && r.ends_with("9000")),
        "the kernel sees the whole FCI: {first}"
    );
    let names: Vec<String> = got["trace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !names.iter().any(|n| n.contains("GET RESPONSE")),
        "{names:?}"
    );
    drop(pcscd);
    let seen = card.join().unwrap();
    // On the wire: the original, the resend with Le = 0x20, then GET RESPONSE.
    assert_eq!(seen[0].last(), Some(&0x00));
    assert_eq!(seen[1].last(), Some(&0x20));
    assert_eq!(seen[2], vec![0x00, 0xC0, 0x00, 0x00, 0x20]);
}

#[test]
fn an_unreachable_host_is_a_stand_in_decline_and_still_journalled() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = tmp.path().join("journal.sqlite");
    let journal_arg = journal.to_string_lossy().into_owned();
    // Nothing listens on port 1 of this host.
    let out = tapterm(
        "/nonexistent",
        &[
            "pay",
            "--amount",
            "3.00",
            "--demo",
            "visa-card",
            "--json",
            "--host",
            "127.0.0.1:1",
            "--journal",
            &journal_arg,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["outcome"], "online_request");
    assert_eq!(got["approved"], false);
    assert_eq!(got["host"]["approved"], false);
    assert!(got["journal_id"].is_i64());
    let history = Command::new(TAPTERM)
        .args(["history", "--journal", &journal_arg])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&history.stdout);
    assert!(text.contains("declined") && text.contains("3.00"), "{text}");
}

/// Issue 12 through PC/SC: `visa-phone` and `visa-card` in the field one after the other
/// are one rewards member (same PAR, different PANs); a `--redeem` makes its rewards check
/// tap and the paying tap on the same reader and charges the amount less the offer.
#[test]
fn a_phone_and_its_plastic_over_pcsc_are_one_member_and_redeem_over_two_taps() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_ports();
    let pcscd = Pcscd::start(tmp.path(), port, "Virtual PCD");
    // Every 2nd visit: EUR 1.00 off.
    let rules = tmp.path().join("rewards.toml");
    std::fs::write(
        &rules,
        "[[offer]]\nname = \"2nd visit\"\nevery_visits = 2\ndiscount = \"1.00\"\n",
    )
    .unwrap();
    let rules = rules.to_str().unwrap();
    let reader = "Virtual PCD 00 00";
    for profile in ["visa-phone", "visa-card"] {
        let _wallet = phone(profile, port, &[]);
        let got = pay_json(&pcscd.socket, reader, "12.00", &["--rewards", rules]);
        assert_eq!(got["approved"], true, "{profile}: {got}");
        drop(_wallet);
        thread::sleep(Duration::from_millis(500));
    }
    let _wallet = phone("visa-phone", port, &["--taps", "2"]);
    let got = pay_json(
        &pcscd.socket,
        reader,
        "12.00",
        &["--rewards", rules, "--redeem", "2nd visit"],
    );
    assert_eq!(got["approved"], true, "{got}");
    assert_eq!(got["amount_minor"], 1100, "EUR 12.00 less 1.00");
    assert_eq!(got["rewards"]["redeemed"]["offer"], "2nd visit");
    let out = tapterm(&pcscd.socket, &["rewards", "--json"]);
    assert!(out.status.success());
    let members: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(members.as_array().unwrap().len(), 1, "{members}");
    assert_eq!(members[0]["visits"], 3);
    // 12 + 12 + 11 points, and 10 welcome points.
    assert_eq!(members[0]["points"], 45);
}

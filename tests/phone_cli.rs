//! `tapterm phone` as a process: argument errors, vpcd not listening, and a locked phone
//! tapping twice into a fake vpcd (the vpcd framing of virtual-pcsc.md, played by the test).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::thread;

use emv_kernel::{apdu, dol, tlv};

fn tapterm() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tapterm"))
}

/// Sends one framed message and, unless it is a no-answer control byte, reads the answer.
fn exchange(card: &mut TcpStream, payload: &[u8]) -> Option<Vec<u8>> {
    let mut frame = (payload.len() as u16).to_be_bytes().to_vec();
    frame.extend_from_slice(payload);
    card.write_all(&frame).unwrap();
    if matches!(payload, [0x00] | [0x01] | [0x02]) {
        return None;
    }
    let mut len = [0u8; 2];
    card.read_exact(&mut len).ok()?;
    let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
    card.read_exact(&mut body).ok()?;
    Some(body)
}

/// One tap as a terminal would run it up to GPO; returns the GPO status word.
fn tap_until_gpo(card: &mut TcpStream) -> u16 {
    exchange(card, &[0x01]);
    assert_eq!(
        exchange(card, &[0x04]).unwrap(),
        vec![0x3B, 0x80, 0x80, 0x01, 0x01]
    );
    let ppse = exchange(card, &apdu::select(apdu::PPSE_NAME)).unwrap();
    let aid = tlv::find(&ppse, tlv::Tag::new(0x4F))
        .unwrap()
        .unwrap()
        .value
        .to_vec();
    let fci = exchange(card, &apdu::select(&aid)).unwrap();
    let pdol = tlv::find(&fci, tlv::Tag::new(0x9F38))
        .unwrap()
        .unwrap()
        .value
        .to_vec();
    let values = dol::build(&dol::parse(&pdol).unwrap(), |tag| match tag.value() {
        0x9F66 => Some(vec![0x37, 0x80, 0x40, 0x00]),
        0x9F02 => Some(vec![0, 0, 0, 0, 0x25, 0x00]),
        0x9F37 => Some(vec![1, 2, 3, 4]),
        _ => None,
    });
    let gpo = exchange(card, &apdu::get_processing_options(&values)).unwrap();
    let r = apdu::Response::parse(&gpo).unwrap();
    r.sw
}

#[test]
fn unknown_profile_is_refused_with_the_known_names() {
    let out = tapterm()
        .args(["phone", "--profile", "visa"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("visa-phone") && err.contains("mastercard-card"),
        "{err}"
    );
}

#[test]
fn says_clearly_when_vpcd_is_not_listening() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = tapterm()
        .args(["phone", "--profile", "visa-card", "--wait", "0"])
        .args(["--port", &port.to_string()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("vpcd is not listening"), "{err}");
}

#[test]
fn locked_phone_says_see_phone_then_pays_on_its_second_tap() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut child = tapterm()
        .args([
            "phone",
            "--profile",
            "visa-phone",
            "--locked",
            "--taps",
            "2",
        ])
        .args([
            "--gap-ms",
            "50",
            "--hold-ms",
            "150",
            "--port",
            &port.to_string(),
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let vpcd = thread::spawn(move || {
        let mut sws = Vec::new();
        for _ in 0..2 {
            let (mut card, _) = listener.accept().unwrap();
            sws.push(tap_until_gpo(&mut card));
            // The phone leaves after its hold time: vpcd sees the connection close.
            let mut rest = Vec::new();
            card.read_to_end(&mut rest).unwrap();
        }
        sws
    });
    let sws = vpcd.join().unwrap();
    let status = child.wait().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert_eq!(sws, vec![0x6986, 0x9000], "{log}");
    assert!(status.success(), "{log}");
    assert!(log.contains("tap 2: Removed"), "{log}");
}

//! Ctrl-C during `tapterm pay` over the real PC/SC stack (issue 11): a private pcscd with the
//! vpcd driver (scripts/pcscd-private), a virtual phone in the field that stalls mid-tap
//! (it holds its answer to SELECT, as a phone waiting for its owner does), and
//! SIGINT sent to `tapterm pay` while it waits. The transaction must be journalled as
//! cancelled, and `tapterm history` must show it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use tapterm::journal::Journal;
use tapterm::phone::{Profile, Response, Wallet, WalletOptions};

#[path = "support/pcsc.rs"]
#[allow(dead_code, reason = "this test plays its own stalling phone")]
mod support;
use support::{Pcscd, free_ports};

const TAPTERM: &str = env!("CARGO_BIN_EXE_tapterm");

/// Which command the phone stalls on (1-based): SELECT of the application, after PPSE.
const STALL_AT: usize = 2;
/// How long it holds that answer.
const STALL: Duration = Duration::from_secs(2);

fn read_frame(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut length = [0u8; 2];
    stream.read_exact(&mut length).ok()?;
    let mut payload = vec![0u8; usize::from(u16::from_be_bytes(length))];
    stream.read_exact(&mut payload).ok()?;
    Some(payload)
}

fn write_frame(stream: &mut TcpStream, payload: &[u8]) {
    let mut frame = u16::try_from(payload.len()).unwrap().to_be_bytes().to_vec();
    frame.extend_from_slice(payload);
    stream.write_all(&frame).unwrap();
}

/// A visa-phone on vpcd's `port` that answers like `tapterm phone` (the vpcd protocol:
/// 0x00 off, 0x01 on, 0x02 reset, 0x04 ATR, anything longer a C-APDU) but holds its answer
/// to command [`STALL_AT`] for [`STALL`], telling `stalled` when it starts to.
fn stalling_phone(port: u16, stalled: mpsc::Sender<()>) {
    let mut wallet = Wallet::new(
        Profile::VisaPhone,
        WalletOptions {
            locked: false,
            seed: 11,
            oda_fault: None,
        },
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut stream = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("vpcd never listened on {port}: {e}"),
        }
    };
    stream.set_nodelay(true).unwrap();
    let mut commands = 0;
    while let Some(frame) = read_frame(&mut stream) {
        match frame.as_slice() {
            [0x00] | [0x02] => wallet.power_cycle(),
            [0x04] => write_frame(&mut stream, &wallet.atr()),
            [] | [_] => {}
            command => {
                commands += 1;
                if commands == STALL_AT {
                    let _ = stalled.send(());
                    thread::sleep(STALL);
                }
                match wallet.respond(command) {
                    Response::Data(answer) => write_frame(&mut stream, &answer),
                    Response::LeaveField => return,
                }
            }
        }
    }
}

fn history(socket: &str, journal: &Path) -> String {
    let out = Command::new(TAPTERM)
        .env("PCSCLITE_CSOCK_NAME", socket)
        .args(["history", "--journal"])
        .arg(journal)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn sigint_mid_tap_journals_the_transaction_as_cancelled() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_ports();
    let pcscd = Pcscd::start(&dir.path().join("pcscd"), port, "Stall PCD");
    let (stalled_tx, stalled) = mpsc::channel();
    let phone = thread::spawn(move || stalling_phone(port, stalled_tx));
    let journal = dir.path().join("journal.sqlite");
    let pay = Command::new(TAPTERM)
        .env("PCSCLITE_CSOCK_NAME", &pcscd.socket)
        .args(["pay", "--amount", "7.25", "--reader", "Stall PCD 00 00"])
        .args(["--timeout", "20", "--journal"])
        .arg(&journal)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    stalled
        .recv_timeout(Duration::from_secs(30))
        .expect("the phone got to the command it stalls on");
    let sent = Command::new("kill")
        .args(["-INT", &pay.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = pay.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(stderr.contains("cancelling"), "{stderr}");
    assert!(stdout.contains("result:  Cancelled"), "{stdout}");
    // What happened before the signal is in the trace: PPSE and the stalled SELECT were
    // answered, the next command was refused without reaching the phone.
    assert!(stdout.contains("(cancelled)"), "{stdout}");
    assert!(stdout.matches("-> ").count() > STALL_AT, "{stdout}");

    let stored = Journal::open(&journal).unwrap().today().unwrap();
    assert_eq!(stored.len(), 1, "{stored:?}");
    let entry = &stored[0].entry;
    assert_eq!(entry.outcome, "cancelled");
    assert!(!entry.approved);
    assert_eq!((entry.amount_minor, entry.currency), (725, 978));
    assert_eq!(entry.reader, "Stall PCD 00 00");

    let list = history(&pcscd.socket, &journal);
    let line = list
        .lines()
        .find(|l| l.contains("cancelled"))
        .unwrap_or_else(|| panic!("history shows the cancelled transaction:\n{list}"));
    assert!(line.contains("EUR 7.25"), "{line}");
    let detail = entry
        .detail
        .as_deref()
        .expect("what had happened is journalled");
    assert!(
        detail.starts_with(
            "Cancelled: No money was taken | tap 1: SELECT 2PAY.SYS.DDF01 9000, SELECT A000000***1010 9000, "
        ),
        "{detail}"
    );
    assert!(detail.ends_with(" cancelled"), "{detail}");
    assert!(
        list.contains(detail),
        "history shows how far it got:\n{list}"
    );
    assert!(list.contains("1 transaction(s)"), "{list}");
    drop(pcscd);
    let _ = phone.join();
}

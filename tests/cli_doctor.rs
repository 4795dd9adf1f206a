//! `tapterm doctor` on three machines (issue 11): no pcscd, a pcscd with no reader, and a
//! pcscd with the vpcd reader; then the vpcd reader held exclusively by another program.
//! Each gets its own diagnosis. The machine's driver facts (libccid's Info.plist, loaded
//! kernel modules, USB devices) are given as files, so that only pcscd differs.

use std::path::Path;
use std::process::{Command, Output};

use pcsc::{Context, Protocols, Scope, ShareMode};

#[path = "support/pcsc.rs"]
mod support;
use support::{Pcscd, free_ports, phone};

const TAPTERM: &str = env!("CARGO_BIN_EXE_tapterm");

/// A machine with libccid listing the ACR122U, no NFC kernel modules, no USB reader.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn new() -> Machine {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Info.plist"),
            "<plist><dict><key>ifdVendorID</key><array><string>0x072F</string></array>\
             <key>ifdProductID</key><array><string>0x2200</string></array></dict></plist>",
        )
        .unwrap();
        std::fs::write(dir.path().join("modules"), "nfnetlink 20480 2 - Live 0x0\n").unwrap();
        std::fs::create_dir(dir.path().join("usb")).unwrap();
        Machine { dir }
    }

    fn doctor(&self, socket: &Path) -> (Option<i32>, String) {
        let d = self.dir.path();
        let out: Output = Command::new(TAPTERM)
            .env("PCSCLITE_CSOCK_NAME", socket)
            .arg("doctor")
            .arg("--ccid-plist")
            .arg(d.join("Info.plist"))
            .arg("--modules")
            .arg(d.join("modules"))
            .arg("--usb-devices")
            .arg(d.join("usb"))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }
}

fn line<'a>(report: &'a str, topic: &str) -> &'a str {
    report
        .lines()
        .find(|l| {
            l.split_once(':')
                .is_some_and(|(head, _)| head.ends_with(topic))
        })
        .unwrap_or_else(|| panic!("no {topic} line in:\n{report}"))
}

#[test]
fn three_machines_three_diagnoses() {
    let machine = Machine::new();
    let dir = tempfile::tempdir().unwrap();

    // 1. No pcscd: nothing listens where the client looks.
    let (code, report) = machine.doctor(&dir.path().join("nowhere/pcscd.comm"));
    assert_eq!(code, Some(1), "{report}");
    assert!(line(&report, "pcscd").starts_with("PROBLEM"), "{report}");
    assert!(line(&report, "pcscd").contains("no socket at"), "{report}");
    assert!(
        report.contains("fix: sudo apt-get install pcscd"),
        "{report}"
    );
    assert!(line(&report, "readers").starts_with("skipped"), "{report}");
    assert!(line(&report, "CCID driver").starts_with("ok"), "{report}");
    assert!(report.ends_with("1 problem(s) found\n"), "{report}");

    // 2. pcscd answers but sees no reader.
    let empty = Pcscd::without_readers(&dir.path().join("empty"));
    let (code, report) = machine.doctor(Path::new(&empty.socket));
    assert_eq!(code, Some(1), "{report}");
    assert!(line(&report, "pcscd").starts_with("ok"), "{report}");
    assert!(line(&report, "readers").starts_with("PROBLEM"), "{report}");
    assert!(
        line(&report, "readers").contains("pcscd sees no reader"),
        "{report}"
    );
    assert!(report.contains("fix: plug the ACR122U in"), "{report}");
    assert!(report.ends_with("1 problem(s) found\n"), "{report}");
    drop(empty);

    // 3. pcscd with the vpcd reader: all is well.
    let port = free_ports();
    let vpcd = Pcscd::start(&dir.path().join("vpcd"), port, "Doctor PCD");
    let socket = vpcd.socket.clone();
    let (code, report) = machine.doctor(Path::new(&socket));
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(
        line(&report, "readers"),
        "ok       readers: 2 (Doctor PCD 00 00, Doctor PCD 00 01)"
    );
    assert!(line(&report, "reader access").starts_with("ok"), "{report}");
    assert!(report.ends_with("no problems found\n"), "{report}");

    // 4. Another program holds the reader with a card on it exclusively.
    let _card = phone("visa-card", port, &["--idle-s", "30"]);
    // SAFETY: this test binary has this one test; no other thread reads the environment.
    unsafe { std::env::set_var("PCSCLITE_CSOCK_NAME", &socket) };
    let ctx = Context::establish(Scope::User).unwrap();
    let reader = c"Doctor PCD 00 00";
    let held = (0..100)
        .find_map(
            |_| match ctx.connect(reader, ShareMode::Exclusive, Protocols::ANY) {
                Ok(card) => Some(card),
                Err(_) => {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    None
                }
            },
        )
        .expect("the card came into the field and could be held");
    let (code, report) = machine.doctor(Path::new(&socket));
    assert_eq!(code, Some(1), "{report}");
    let access = line(&report, "reader access");
    assert!(access.starts_with("PROBLEM"), "{report}");
    assert!(
        access.contains("holds Doctor PCD 00 00 exclusively"),
        "{report}"
    );
    drop(held);
}

//! `tapterm doctor`: why a real reader does not show up, and the command that fixes it.
//!
//! Checks, in the order a reader's path runs: pcscd (a process, its socket, a context), the
//! readers pcscd sees, the CCID driver that pcscd needs for an ACR122U (libccid's
//! Info.plist lists USB 072F:2200), the kernel's own NFC drivers (`pn533_usb`, `pn533`,
//! `nfc`), which claim an ACR122U's USB interface so that pcscd never gets it, and whether
//! another program holds a reader exclusively (a shared connect fails with
//! SCARD_E_SHARING_VIOLATION). Exit status 1 when any problem is found.

use std::ffi::CString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pcsc::{Context, Error, Protocols, Scope, ShareMode};

/// USB vendor and product of the ACR122U (libccid's Info.plist, `lsusb`).
const ACR122U_USB: (&str, &str) = ("072f", "2200");
/// Kernel modules that bind an ACR122U (Linux drivers/nfc/pn533: `pn533_usb` lists
/// 072f:2200 in its device table) and the NFC core they pull in.
const NFC_MODULES: [&str; 3] = ["pn533_usb", "pn533", "nfc"];
/// Where pcsc-lite clients look for pcscd without PCSCLITE_CSOCK_NAME (pcsc-lite's
/// default `USE_IPCDIR` on Debian).
const DEFAULT_SOCKET: &str = "/run/pcscd/pcscd.comm";

/// Arguments of `tapterm doctor`.
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// The kernel's module list (for tests).
    #[arg(long, hide = true, default_value = "/proc/modules")]
    modules: PathBuf,
    /// libccid's driver description (for tests).
    #[arg(
        long,
        hide = true,
        default_value = "/usr/lib/pcsc/drivers/ifd-ccid.bundle/Contents/Info.plist"
    )]
    ccid_plist: PathBuf,
    /// The USB devices in sysfs (for tests).
    #[arg(long, hide = true, default_value = "/sys/bus/usb/devices")]
    usb_devices: PathBuf,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Check {
    /// Fine, with what was seen.
    Ok(String),
    /// A problem, and the command that fixes it.
    Problem { what: String, fix: String },
    /// Not checked, because an earlier check failed.
    Skipped(String),
}

/// A named check.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    topic: &'static str,
    check: Check,
}

fn ok(topic: &'static str, text: impl Into<String>) -> Line {
    Line {
        topic,
        check: Check::Ok(text.into()),
    }
}

fn problem(topic: &'static str, what: impl Into<String>, fix: impl Into<String>) -> Line {
    Line {
        topic,
        check: Check::Problem {
            what: what.into(),
            fix: fix.into(),
        },
    }
}

fn skipped(topic: &'static str, why: &str) -> Line {
    Line {
        topic,
        check: Check::Skipped(why.into()),
    }
}

/// Runs every check and prints them; exit 1 when a problem is found.
pub fn run(args: DoctorArgs) -> ExitCode {
    let mut lines = Vec::new();
    let pcsc = pcscd(&mut lines);
    if let Some(ctx) = &pcsc {
        readers(ctx, &mut lines);
    } else {
        lines.push(skipped("readers", "pcscd is not reachable"));
        lines.push(skipped("reader access", "pcscd is not reachable"));
    }
    let acr122u_plugged = usb_has_acr122u(&args.usb_devices);
    lines.push(ccid_driver(&args.ccid_plist));
    lines.push(nfc_modules(&args.modules, acr122u_plugged));
    let text = render(&lines);
    print!("{text}");
    if lines
        .iter()
        .any(|l| matches!(l.check, Check::Problem { .. }))
    {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn render(lines: &[Line]) -> String {
    let mut out = String::new();
    let mut problems = 0;
    for line in lines {
        match &line.check {
            Check::Ok(text) => {
                let _ = writeln!(out, "ok       {}: {text}", line.topic);
            }
            Check::Problem { what, fix } => {
                problems += 1;
                let _ = writeln!(out, "PROBLEM  {}: {what}\n         fix: {fix}", line.topic);
            }
            Check::Skipped(why) => {
                let _ = writeln!(out, "skipped  {}: {why}", line.topic);
            }
        }
    }
    match problems {
        0 => out.push_str("no problems found\n"),
        n => {
            let _ = writeln!(out, "{n} problem(s) found");
        }
    }
    out
}

/// The socket a pcsc-lite client uses.
fn socket_path() -> PathBuf {
    std::env::var_os("PCSCLITE_CSOCK_NAME")
        .filter(|s| !s.is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_SOCKET), PathBuf::from)
}

/// The ids of running `pcscd` processes (from /proc/*/comm).
fn pcscd_pids() -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let pid = e.file_name().to_str()?.parse::<u32>().ok()?;
            let comm = std::fs::read_to_string(e.path().join("comm")).ok()?;
            (comm.trim() == "pcscd").then_some(pid)
        })
        .collect();
    pids.sort_unstable();
    pids
}

/// pcscd: its socket and a context on it.
fn pcscd(lines: &mut Vec<Line>) -> Option<Context> {
    let socket = socket_path();
    let pids = pcscd_pids();
    let running = match pids.as_slice() {
        [] => "no pcscd process is running".to_string(),
        pids => format!(
            "pcscd running (pid {})",
            pids.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if !socket.exists() {
        lines.push(problem(
            "pcscd",
            format!("{running}; no socket at {}", socket.display()),
            "sudo apt-get install pcscd && sudo systemctl enable --now pcscd.socket \
             (or run `sudo pcscd`)",
        ));
        return None;
    }
    match Context::establish(Scope::User) {
        Ok(ctx) => {
            lines.push(ok(
                "pcscd",
                format!("{running}; answering on {}", socket.display()),
            ));
            Some(ctx)
        }
        Err(e) => {
            lines.push(problem(
                "pcscd",
                format!(
                    "{running}; the socket {} does not answer ({e})",
                    socket.display()
                ),
                "sudo systemctl restart pcscd.socket pcscd (or start `sudo pcscd`)",
            ));
            None
        }
    }
}

/// The readers pcscd sees, and whether another program holds one.
fn readers(ctx: &Context, lines: &mut Vec<Line>) {
    let names = match tapterm::reader::reader_names(ctx) {
        Ok(names) => names,
        Err(e) => {
            lines.push(problem(
                "readers",
                format!("pcscd cannot list readers ({e})"),
                "sudo systemctl restart pcscd",
            ));
            lines.push(skipped("reader access", "no reader list"));
            return;
        }
    };
    if names.is_empty() {
        lines.push(problem(
            "readers",
            "pcscd sees no reader",
            "plug the ACR122U in (then `lsusb | grep -i 072f:2200` should list it); if it is \
             listed, see the CCID driver and kernel NFC driver checks below",
        ));
        lines.push(skipped("reader access", "no reader"));
        return;
    }
    lines.push(ok(
        "readers",
        format!("{} ({})", names.len(), tapterm::reader::joined(&names)),
    ));
    let busy: Vec<String> = names
        .iter()
        .filter(|n| held_exclusively(ctx, n))
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    if busy.is_empty() {
        lines.push(ok("reader access", "no other program holds a reader"));
    } else {
        lines.push(problem(
            "reader access",
            format!(
                "another program holds {} exclusively (SCARD_E_SHARING_VIOLATION)",
                busy.join(", ")
            ),
            "close the program using the reader (pcsc_scan, another tapterm, a browser's \
             smart-card helper), or drop every connection with `sudo systemctl restart pcscd`",
        ));
    }
}

/// Whether a shared connect to `reader` is refused because someone holds it exclusively.
/// Without a card a shared connect fails for that reason first, so a direct one is tried.
fn held_exclusively(ctx: &Context, reader: &CString) -> bool {
    let attempt = |mode| match ctx.connect(reader, mode, Protocols::ANY) {
        Ok(card) => {
            let _ = card.disconnect(pcsc::Disposition::LeaveCard);
            Ok(())
        }
        Err(e) => Err(e),
    };
    match attempt(ShareMode::Shared) {
        Err(Error::SharingViolation) => true,
        Err(Error::NoSmartcard | Error::RemovedCard) => {
            let direct = ctx.connect(reader, ShareMode::Direct, Protocols::UNDEFINED);
            match direct {
                Ok(card) => {
                    let _ = card.disconnect(pcsc::Disposition::LeaveCard);
                    false
                }
                Err(e) => e == Error::SharingViolation,
            }
        }
        _ => false,
    }
}

/// Whether libccid is installed and lists the ACR122U (vendor and product at the same
/// index of `ifdVendorID` and `ifdProductID`).
fn ccid_driver(plist: &Path) -> Line {
    let Ok(text) = std::fs::read_to_string(plist) else {
        return problem(
            "CCID driver",
            format!(
                "libccid is not installed ({} missing): pcscd cannot drive an ACR122U",
                plist.display()
            ),
            "sudo apt-get install libccid && sudo systemctl restart pcscd",
        );
    };
    let vendors = plist_array(&text, "ifdVendorID");
    let products = plist_array(&text, "ifdProductID");
    let listed = vendors.iter().zip(&products).any(|(v, p)| {
        v.trim_start_matches("0x")
            .eq_ignore_ascii_case(ACR122U_USB.0)
            && p.trim_start_matches("0x")
                .eq_ignore_ascii_case(ACR122U_USB.1)
    });
    if listed {
        ok(
            "CCID driver",
            format!("{} lists the ACR122U (USB 072F:2200)", plist.display()),
        )
    } else {
        problem(
            "CCID driver",
            format!(
                "{} does not list the ACR122U (USB 072F:2200): libccid is too old or \
                 was built without it",
                plist.display()
            ),
            "sudo apt-get install --reinstall libccid (version 1.4 or later lists it)",
        )
    }
}

/// The `<string>` values of the `<array>` after `<key>KEY</key>` in an Info.plist.
fn plist_array(text: &str, key: &str) -> Vec<String> {
    let marker = format!("<key>{key}</key>");
    let Some(start) = text.find(&marker) else {
        return Vec::new();
    };
    let rest = &text[start + marker.len()..];
    let end = rest.find("</array>").unwrap_or(rest.len());
    rest[..end]
        .split("<string>")
        .skip(1)
        .filter_map(|s| s.split_once("</string>").map(|(v, _)| v.trim().to_string()))
        .collect()
}

/// Whether sysfs shows an ACR122U on the USB bus.
fn usb_has_acr122u(devices: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(devices) else {
        return false;
    };
    entries.filter_map(|e| e.ok()).any(|e| {
        let read = |f: &str| {
            std::fs::read_to_string(e.path().join(f))
                .map(|s| s.trim().to_lowercase())
                .unwrap_or_default()
        };
        read("idVendor") == ACR122U_USB.0 && read("idProduct") == ACR122U_USB.1
    })
}

/// Whether the kernel's NFC drivers are loaded: they bind an ACR122U before pcscd can.
fn nfc_modules(modules: &Path, acr122u_plugged: bool) -> Line {
    let text = std::fs::read_to_string(modules).unwrap_or_default();
    let loaded: Vec<&str> = NFC_MODULES
        .into_iter()
        .filter(|m| {
            text.lines()
                .any(|l| l.split_whitespace().next() == Some(*m))
        })
        .collect();
    if loaded.is_empty() {
        return ok(
            "kernel NFC driver",
            format!("none of {} is loaded", NFC_MODULES.join(", ")),
        );
    }
    let when = if acr122u_plugged {
        "and an ACR122U is plugged in: the kernel holds it, pcscd cannot use it"
    } else {
        "they take any ACR122U plugged in away from pcscd"
    };
    problem(
        "kernel NFC driver",
        format!("{} loaded {when}", loaded.join(", ")),
        format!(
            "sudo modprobe -r {} && printf 'blacklist %s\\n' {} | sudo tee \
             /etc/modprobe.d/tapterm-no-pn533.conf, then unplug and replug the reader",
            loaded.join(" "),
            NFC_MODULES.join(" ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loaded_nfc_modules_are_a_problem_with_the_command_that_removes_them() {
        let dir = tempfile::tempdir().unwrap();
        let modules = dir.path().join("modules");
        std::fs::write(
            &modules,
            "pn533_usb 20480 0 - Live 0x0\npn533 45056 1 pn533_usb, Live 0x0\n\
             nfc 135168 1 pn533, Live 0x0\nnfnetlink 20480 2 - Live 0x0\n",
        )
        .unwrap();
        let line = nfc_modules(&modules, true);
        let Check::Problem { what, fix } = line.check else {
            panic!("{line:?}");
        };
        assert!(
            what.starts_with("pn533_usb, pn533, nfc loaded and an ACR122U"),
            "{what}"
        );
        assert!(
            fix.starts_with("sudo modprobe -r pn533_usb pn533 nfc"),
            "{fix}"
        );
        std::fs::write(
            &modules,
            "nfnetlink 20480 2 - Live 0x0\nnfc_core 1 0 - Live\n",
        )
        .unwrap();
        assert!(matches!(nfc_modules(&modules, true).check, Check::Ok(_)));
    }

    #[test]
    fn the_ccid_plist_must_pair_the_acr122u_vendor_and_product() {
        let dir = tempfile::tempdir().unwrap();
        let plist = dir.path().join("Info.plist");
        let write = |vendors: &[&str], products: &[&str]| {
            let list = |v: &[&str]| {
                v.iter()
                    .map(|s| format!("<string>{s}</string>"))
                    .collect::<String>()
            };
            std::fs::write(
                &plist,
                format!(
                    "<dict><key>ifdVendorID</key><array>{}</array>\
                     <key>ifdProductID</key><array>{}</array></dict>",
                    list(vendors),
                    list(products)
                ),
            )
            .unwrap();
        };
        write(&["0x08E6", "0x072F"], &["0x3437", "0x2200"]);
        assert!(matches!(ccid_driver(&plist).check, Check::Ok(_)));
        // The vendor with another product, and the product of another vendor: not listed.
        write(&["0x072F", "0x08E6"], &["0x90CC", "0x2200"]);
        assert!(matches!(ccid_driver(&plist).check, Check::Problem { .. }));
        let missing = ccid_driver(&dir.path().join("none.plist"));
        let Check::Problem { fix, .. } = missing.check else {
            panic!("{missing:?}");
        };
        assert!(fix.contains("apt-get install libccid"));
    }

    #[test]
    fn an_acr122u_is_found_in_sysfs_by_vendor_and_product() {
        let dir = tempfile::tempdir().unwrap();
        let device = dir.path().join("1-1");
        std::fs::create_dir(&device).unwrap();
        std::fs::write(device.join("idVendor"), "072f\n").unwrap();
        std::fs::write(device.join("idProduct"), "90cc\n").unwrap();
        assert!(!usb_has_acr122u(dir.path()));
        std::fs::write(device.join("idProduct"), "2200\n").unwrap();
        assert!(usb_has_acr122u(dir.path()));
    }
}

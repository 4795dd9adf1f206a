//! Issue 6 "Must show": transactions with every virtual wallet, run through the real binary
//! (`tapterm pay --demo`, text trace with and without `--decode`, JSON, locked two-tap flows, the in-process host and a
//! `tapterm host --listen` process), leave no full PAN and no track 2 (tag 57) in the journal
//! file, its -wal/-shm files, or anything the processes printed (DESIGN: card data is masked
//! to first 6 / last 4 everywhere; track 2 to masked PAN + expiry). The search itself is
//! proven on text that does leak.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::thread::JoinHandle;

use serde_json::Value;
use tapterm::journal::Journal;
use tapterm::masking::mask_pan;
use tapterm::phone::{Profile, Wallet, WalletOptions};

const TAPTERM: &str = env!("CARGO_BIN_EXE_tapterm");

/// One secret in one encoding, named for the failure message.
struct Needle {
    what: String,
    bytes: Vec<u8>,
}

/// Every encoding in which a wallet's PAN or track 2 could leak: ASCII digits (= BCD as hex
/// text), raw BCD bytes, the digits' ASCII codes as hex, track 2 as hex (upper and lower
/// case, with or without its `F` pad), raw, and magnetic-stripe style (`=` separator), and
/// track 2 from its separator on (expiry, service code, discretionary data).
fn needles(profile: Profile) -> Vec<Needle> {
    let pan = profile.account().pan;
    let wallet = Wallet::new(profile, WalletOptions::default()).unwrap();
    let track2 = wallet.track2().to_vec();
    let track2_hex = hex::encode_upper(&track2);
    let track2_digits = track2_hex.trim_end_matches('F').to_string();
    let separator = track2_digits.find('D').expect("track 2 has its separator");
    assert!(
        track2_digits.starts_with(pan),
        "{profile}: track 2 starts with the PAN"
    );
    // Separator, expiry, service code and discretionary data: what a leak that masked only
    // the PAN would still show (long enough never to turn up in random hex by chance).
    let after_separator = &track2_digits[separator..];
    let mut bcd = pan.to_string();
    if bcd.len() % 2 == 1 {
        bcd.push('F');
    }
    let text = |what: &str, s: &str| Needle {
        what: format!("{profile} {what}"),
        bytes: s.as_bytes().to_vec(),
    };
    vec![
        text("PAN digits", pan),
        Needle {
            what: format!("{profile} PAN as BCD bytes"),
            bytes: hex::decode(&bcd).unwrap(),
        },
        text("PAN digits' ASCII as hex", &hex::encode_upper(pan)),
        text("PAN digits' ASCII as lower hex", &hex::encode(pan)),
        text("track 2 hex", &track2_hex),
        text("track 2 digits", &track2_digits),
        text("track 2 lower hex", &track2_digits.to_lowercase()),
        text("track 2 stripe style", &track2_digits.replace('D', "=")),
        text("track 2 after the PAN", after_separator),
        text(
            "track 2 after the PAN, lower",
            &after_separator.to_lowercase(),
        ),
        Needle {
            what: format!("{profile} track 2 raw bytes"),
            bytes: track2,
        },
    ]
}

/// Every needle of every wallet profile.
fn all_needles() -> Vec<Needle> {
    Profile::ALL.into_iter().flat_map(needles).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The needles found in `haystack`.
fn leaks<'a>(haystack: &[u8], needles: &'a [Needle]) -> Vec<&'a str> {
    needles
        .iter()
        .filter(|n| contains(haystack, &n.bytes))
        .map(|n| n.what.as_str())
        .collect()
}

#[test]
fn the_search_finds_a_pan_or_track_2_in_every_encoding() {
    let needles = all_needles();
    for profile in Profile::ALL {
        let pan = profile.account().pan;
        let track2 = Wallet::new(profile, WalletOptions::default())
            .unwrap()
            .track2()
            .to_vec();
        let in_text = format!("card {pan} approved");
        assert!(
            leaks(in_text.as_bytes(), &needles).contains(&format!("{profile} PAN digits").as_str()),
            "{profile}"
        );
        // 5A as a card sends it: BCD, an odd digit count `F`-padded (15-digit Amex,
        // 19-digit UnionPay PANs).
        let mut bcd = pan.to_string();
        if bcd.len() % 2 == 1 {
            bcd.push('F');
        }
        let mut binary = vec![0x00, 0x5A, 0x0A];
        binary.extend(hex::decode(&bcd).unwrap());
        binary.push(0xFF);
        assert!(
            leaks(&binary, &needles).contains(&format!("{profile} PAN as BCD bytes").as_str()),
            "{profile}"
        );
        let lower = format!("\"57\":\"{}\"", hex::encode(&track2));
        assert!(
            leaks(lower.as_bytes(), &needles)
                .contains(&format!("{profile} track 2 lower hex").as_str()),
            "{profile}"
        );
        let raw_track2 = [b"x".as_slice(), &track2, b"y"].concat();
        assert!(
            leaks(&raw_track2, &needles).contains(&format!("{profile} track 2 raw bytes").as_str()),
            "{profile}"
        );
        // The masked forms the terminal prints are not hits.
        let masked = mask_pan(pan);
        let shown = format!("PAN {masked} track 2 {masked}D2912****F");
        assert_eq!(leaks(shown.as_bytes(), &needles), Vec::<&str>::new());
    }
}

/// A child process's output read to the end on a background thread.
fn drain(mut from: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = from.read_to_end(&mut all);
        all
    })
}

/// `tapterm host --listen 127.0.0.1:0` with both outputs captured.
struct HostProcess {
    child: Child,
    addr: String,
    first_line: String,
    stdout: Option<JoinHandle<Vec<u8>>>,
    stderr: Option<JoinHandle<Vec<u8>>>,
}

impl HostProcess {
    fn start() -> HostProcess {
        let mut child = Command::new(TAPTERM)
            .args(["host", "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "trace")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = drain(child.stderr.take().unwrap());
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first_line = String::new();
        stdout.read_line(&mut first_line).unwrap();
        let addr = first_line
            .trim()
            .strip_prefix("tapterm host listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
            .to_string();
        HostProcess {
            child,
            addr,
            first_line,
            stdout: Some(drain(stdout)),
            stderr: Some(stderr),
        }
    }

    /// Stops the host and returns everything it printed (stdout, stderr).
    fn stop(mut self) -> (Vec<u8>, Vec<u8>) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut out = self.first_line.clone().into_bytes();
        out.extend(self.stdout.take().unwrap().join().unwrap());
        (out, self.stderr.take().unwrap().join().unwrap())
    }
}

impl Drop for HostProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `tapterm ARGS…` with trace logging asked for, and returns its output.
fn tapterm(args: &[&str]) -> Output {
    Command::new(TAPTERM)
        .args(args)
        .env("RUST_LOG", "trace")
        .output()
        .unwrap()
}

/// Every file in `dir` (the journal, its -wal and -shm, anything else written there).
fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn no_wallet_leaves_its_pan_or_track_2_in_the_journal_or_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.sqlite");
    let journal_arg = journal.to_str().unwrap();
    // Held open all along, so the last writer's close does not checkpoint and delete the
    // write-ahead log: the -wal file keeps every transaction's pages for the search.
    let watcher = Journal::open(&journal).unwrap();
    let host = HostProcess::start();
    let host_addr = host.addr.clone();
    // (what, output) of every process run.
    let mut captured: Vec<(String, Vec<u8>)> = Vec::new();
    let mut pay_runs = 0;
    let mut decoded = 0;
    // (profile, JSON reports) to check the PAN really went through, masked.
    let mut reports: Vec<(Profile, Value)> = Vec::new();
    for profile in Profile::ALL {
        let name = profile.name();
        let locks: &[bool] = if profile.is_phone() {
            &[false, true]
        } else {
            &[false]
        };
        for &locked in locks {
            for amount in ["12.00", "150.00"] {
                for (json, remote) in [(true, true), (false, false), (false, true), (true, false)] {
                    let mut args = vec![
                        "pay",
                        "--demo",
                        name,
                        "--amount",
                        amount,
                        "--journal",
                        journal_arg,
                    ];
                    if locked {
                        args.push("--locked");
                    }
                    if json {
                        args.push("--json");
                    } else if !remote {
                        // Each response's TLV tree too.
                        args.push("--decode");
                    }
                    if remote {
                        args.extend(["--host", host_addr.as_str()]);
                    }
                    let out = tapterm(&args);
                    let what = args.join(" ");
                    assert!(
                        out.status.success(),
                        "{what}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    pay_runs += 1;
                    if json {
                        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
                        if locked {
                            assert_eq!(report["taps"], 2, "{what}: the two-tap flow ran");
                        }
                        reports.push((profile, report));
                    } else if !remote {
                        let text = String::from_utf8_lossy(&out.stdout);
                        assert!(text.contains("Application Template"), "{what}: {text}");
                        decoded += 1;
                    }
                    captured.push((format!("stdout of {what}"), out.stdout));
                    captured.push((format!("stderr of {what}"), out.stderr));
                }
            }
        }
    }
    assert!(decoded > 0);
    // The journal's own views: the day's list, every receipt, the totals.
    let ids = watcher.ids().unwrap();
    assert_eq!(ids.len(), pay_runs, "one journal row per transaction");
    let history = tapterm(&["history", "--journal", journal_arg]);
    assert!(history.status.success());
    captured.push(("tapterm history".into(), history.stdout));
    captured.push(("tapterm history (stderr)".into(), history.stderr));
    for id in &ids {
        let id = id.to_string();
        let receipt = tapterm(&["history", "--journal", journal_arg, "--receipt", &id]);
        assert!(receipt.status.success());
        captured.push((format!("receipt {id}"), receipt.stdout));
        captured.push((format!("receipt {id} (stderr)"), receipt.stderr));
    }
    let totals = tapterm(&["totals", "--journal", journal_arg]);
    assert!(totals.status.success());
    captured.push(("tapterm totals".into(), totals.stdout));
    let (host_out, host_err) = host.stop();
    assert!(
        String::from_utf8_lossy(&host_err).lines().count() >= 2,
        "the host logged the requests it answered"
    );
    captured.push(("tapterm host stdout".into(), host_out));
    captured.push(("tapterm host stderr".into(), host_err));
    let files = files_in(dir.path());
    for suffix in ["journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm"] {
        assert!(
            files
                .iter()
                .any(|(p, bytes)| p.ends_with(suffix) && !bytes.is_empty()),
            "{suffix} searched"
        );
    }

    // The card data really went through the terminal: every wallet that got as far as its
    // records shows its PAN masked in the JSON report.
    for profile in Profile::ALL {
        if matches!(profile, Profile::NoMatchingAid | Profile::MalformedTlv) {
            continue;
        }
        let masked = mask_pan(profile.account().pan);
        assert!(
            reports
                .iter()
                .any(|(p, r)| *p == profile && r["pan"] == masked.as_str()),
            "{profile}: no report shows {masked}"
        );
    }

    let needles = all_needles();
    let mut found = Vec::new();
    for (what, bytes) in captured.iter().chain(&files) {
        for leak in leaks(bytes, &needles) {
            found.push(format!("{leak} in {what}"));
        }
    }
    assert!(
        found.is_empty(),
        "full card data leaked:\n{}",
        found.join("\n")
    );
    drop(watcher);
}

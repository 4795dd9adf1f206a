//! Issue 6 "Must show", everything together: a virtual wallet in the field, the kernel, the
//! checkout's Online Request to the host simulator (in-process, over TCP, or dead), and the
//! journal row written before the outcome is shown (Book A 7.1: the terminal sends the data
//! record and shows the host's answer; Book 2 8.1/8.2: ARQC verified, ARPC returned).
//!
//! Each test has its own journal in a temporary directory and its own ports (port 0).

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::Duration;

use emv_kernel::config::{Date, TagMap, TerminalConfig, Time, Transaction, TransactionType};
use emv_kernel::kernel::KernelId;
use emv_kernel::outcome::OutcomeStatus;
use emv_kernel::tlv::{self, Tag};
use emv_kernel::transport::{CardResponse, Transport, TransportError};
use rust_decimal::Decimal;
use serde_json::Value;
use tapterm::cancel::CancelToken;
use tapterm::checkout::{self, CheckoutResult, Services};
use tapterm::host::crypto::{self, AcData, ArpcInput, Cvn};
use tapterm::host::issuers::IssuerKeys;
use tapterm::host::rules::Rules;
use tapterm::host::server::HostClient;
use tapterm::host::{Authoriser, DEFAULT_RULES, Host, StandIn};
use tapterm::journal::{Journal, StoredEntry};
use tapterm::masking;
use tapterm::phone::{InProcessTransport, Profile, WalletOptions};
use tapterm::terminal_config;

const TAPTERM: &str = env!("CARGO_BIN_EXE_tapterm");
/// The client timeout for the dead-host tests.
const SHORT: Duration = Duration::from_millis(300);
/// Issuer master keys as shipped, read from the file (not from the host's built-in copy).
const ISSUERS_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/host/issuers.toml");

/// The shipped terminal configuration (assets/terminal.toml and the test CA keys).
fn terminal() -> TerminalConfig {
    terminal_config::load(None, Path::new(terminal_config::CAPK_DIR))
        .unwrap()
        .kernel
}

/// A EUR purchase of `minor` cents with fixed date and unpredictable numbers (one per tap).
fn purchase(minor: u64) -> Transaction {
    Transaction {
        kind: TransactionType::Purchase,
        amount: minor,
        amount_other: 0,
        currency: 978,
        currency_exponent: 2,
        date: Date {
            year: 2026,
            month: 11,
            day: 27,
        },
        time: Time {
            hour: 10,
            minute: 30,
            second: 0,
        },
        unpredictable_numbers: vec![[0x1A, 0x2B, 0x3C, 0x4D], [0x5E, 0x6F, 0x70, 0x81]],
    }
}

fn wallet(profile: Profile, locked: bool) -> InProcessTransport {
    let options = WalletOptions {
        locked,
        seed: 3,
        oda_fault: None,
    };
    InProcessTransport::for_profile(profile, options, 2).unwrap()
}

/// What one checkout produced, with the journal it wrote to and the row it wrote.
struct Run {
    done: CheckoutResult,
    row: StoredEntry,
    _dir: tempfile::TempDir,
}

/// Runs one checkout over `transport` against `host` with a fresh journal.
fn checkout_with(
    config: &TerminalConfig,
    txn: &Transaction,
    transport: &mut dyn Transport,
    host: &dyn Authoriser,
    stand_in: StandIn,
) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&dir.path().join("journal.sqlite")).unwrap();
    let mut services = Services {
        host: Some(host),
        stand_in,
        journal: Some(&mut journal),
        reader: "e2e".into(),
        cancel: CancelToken::new(),
        rewards: None,
        redeem: None,
    };
    let done = checkout::run_with(config, txn, transport, &mut |_| {}, &mut services);
    assert_eq!(done.journal.error(), None);
    let id = done
        .journal
        .stored()
        .expect("the transaction was journalled")
        .id;
    let row = journal.get(id).unwrap().expect("the journal row exists");
    Run {
        done,
        row,
        _dir: dir,
    }
}

/// The data record the kernel sent to the host.
fn record(done: &CheckoutResult) -> &TagMap {
    done.kernel.data_record.as_ref().expect("a data record")
}

/// What the issuer needs from a data record to check its cryptogram, with the issuer master
/// key read from assets/host/issuers.toml (independently of the host).
struct IssuerView {
    cvn: Cvn,
    imk: [u8; 16],
    pan: String,
    psn: u8,
    data: AcData,
    ac: [u8; 8],
}

fn issuer_view(record: &TagMap) -> IssuerView {
    let keys = IssuerKeys::from_toml(&std::fs::read_to_string(ISSUERS_FILE).unwrap()).unwrap();
    let pan = masking::record_pan(record).unwrap();
    let psn = record
        .get(&Tag::new(0x5F34))
        .and_then(|v| v.first().copied())
        .unwrap_or(0);
    let aid = [0x4F, 0x9F06, 0x84]
        .into_iter()
        .find_map(|t| record.get(&Tag::new(t)))
        .expect("an AID in the record");
    let iad = record.get(&Tag::new(0x9F10)).unwrap();
    IssuerView {
        cvn: Cvn::detect(aid, iad).expect("a CVN the host verifies"),
        imk: keys.find(&pan).expect("the wallet's issuer key").imk_ac,
        psn,
        data: AcData::from_tags(record).unwrap(),
        ac: record.get(&Tag::new(0x9F26)).unwrap()[..]
            .try_into()
            .unwrap(),
        pan,
    }
}

/// Whether the record's ARQC is the one the card computes under the issuers.toml key
/// (Book 2 8.1).
fn arqc_matches_issuer_file(record: &TagMap) -> bool {
    let v = issuer_view(record);
    crypto::verify_ac(v.cvn, &v.imk, &v.pan, v.psn, &v.data, &v.ac).unwrap()
}

/// Whether the Issuer Authentication Data (tag 91) is the ARPC over the record's ARQC under
/// the issuers.toml key, for the ARC (method 1) or CSU (method 2) it carries (Book 2 8.2).
fn arpc_matches_issuer_file(record: &TagMap, issuer_data: &[u8]) -> bool {
    let v = issuer_view(record);
    let input = if v.cvn.uses_arpc_method2() {
        ArpcInput::Method2 {
            csu: issuer_data[4..8].try_into().unwrap(),
            proprietary: issuer_data[8..].to_vec(),
        }
    } else {
        ArpcInput::Method1 {
            arc: issuer_data[8..10].try_into().unwrap(),
        }
    };
    let expected =
        crypto::generate_arpc(v.cvn, &v.imk, &v.pan, v.psn, &v.data, &v.ac, &input).unwrap();
    expected == issuer_data
}

fn approved_online_end_to_end(profile: Profile, minor: u64, locked: bool) {
    let host = Host::with_defaults().unwrap();
    let mut card = wallet(profile, locked);
    let run = checkout_with(
        &terminal(),
        &purchase(minor),
        &mut card,
        &host,
        StandIn::Decline,
    );
    let done = &run.done;
    assert_eq!(
        done.kernel.outcome.status,
        OutcomeStatus::OnlineRequest,
        "{profile}"
    );
    let answer = done.host.as_ref().expect("the host was asked");
    assert!(answer.cryptogram_verified, "{profile}: {answer:?}");
    assert!(answer.approved, "{profile}: {answer:?}");
    assert_eq!(answer.response_code, "00");
    assert_eq!(answer.auth_code.len(), 6);
    let arpc = answer.arpc.as_ref().expect("an ARPC (tag 91)");
    assert!(
        arpc_matches_issuer_file(record(&run.done), arpc),
        "{profile}: tag 91 {arpc:02X?} is the ARPC under the card's key"
    );
    assert!(done.verdict.approved());
    assert_eq!(done.taps, if locked { 2 } else { 1 }, "{profile}");
    assert!(
        arqc_matches_issuer_file(record(done)),
        "{profile}: the ARQC the host accepted is the wallet's, under the issuers.toml key"
    );

    let pan = profile.account().pan;
    let row = &run.row.entry;
    assert_eq!(row.outcome, "approved");
    assert!(row.approved);
    assert_eq!(row.amount_minor, minor);
    assert_eq!(row.host_response.as_deref(), Some("00"));
    assert_eq!(row.auth_code.as_deref(), Some(answer.auth_code.as_str()));
    let masked = row.masked_pan.as_ref().expect("a masked PAN").to_string();
    assert_eq!(masked, masking::mask_pan(pan));
    assert!(masked.starts_with(&pan[..6]) && masked.ends_with(&pan[pan.len() - 4..]));
    assert!(!masked.contains(pan), "{masked}");
}

#[test]
fn visa_phone_is_approved_online_with_a_verified_arqc_and_an_arpc() {
    approved_online_end_to_end(Profile::VisaPhone, 1200, false);
}

#[test]
fn a_locked_visa_phone_is_approved_online_on_its_second_tap() {
    approved_online_end_to_end(Profile::VisaPhone, 1200, true);
}

#[test]
fn a_locked_mastercard_phone_is_approved_online_on_its_second_tap() {
    approved_online_end_to_end(Profile::MastercardPhone, 1200, true);
}

#[test]
fn mastercard_phone_is_approved_online_with_a_verified_arqc_and_an_arpc() {
    approved_online_end_to_end(Profile::MastercardPhone, 1200, false);
}

#[test]
fn mastercard_card_is_approved_online_with_a_verified_arqc_and_an_arpc() {
    approved_online_end_to_end(Profile::MastercardCard, 4200, false);
}

#[test]
fn the_host_verifies_with_its_key_table_a_wrong_issuer_key_declines() {
    // Same wallet, same transaction; only the host's key for the DPAN differs. The decline
    // proves the approval above rests on the key from the table, not on trust.
    let mut keys = IssuerKeys::from_toml(&std::fs::read_to_string(ISSUERS_FILE).unwrap()).unwrap();
    let pan = Profile::VisaPhone.account().pan;
    let entry = keys
        .issuer
        .iter_mut()
        .find(|e| e.pan.as_deref() == Some(pan))
        .unwrap();
    // Not the low bit: that is a DES parity bit, which the cipher ignores.
    entry.imk_ac[15] ^= 0x02;
    let host = Host::new(keys, Rules::from_toml(DEFAULT_RULES).unwrap());
    let mut card = wallet(Profile::VisaPhone, false);
    let run = checkout_with(
        &terminal(),
        &purchase(1200),
        &mut card,
        &host,
        StandIn::Decline,
    );
    let answer = run.done.host.as_ref().unwrap();
    assert!(
        !answer.approved && !answer.cryptogram_verified,
        "{answer:?}"
    );
    assert!(answer.reason.contains("cryptogram"), "{}", answer.reason);
}

/// A transport that flips one bit of the Application Cryptogram (9F26) in the card's GPO
/// and GENERATE AC answers, re-encoding only that value (lengths unchanged).
struct TamperAc<'a> {
    inner: &'a mut dyn Transport,
    /// (original, tampered) cryptograms, in the order they were changed.
    tampered: Vec<(Vec<u8>, Vec<u8>)>,
}

impl TamperAc<'_> {
    /// The response with 9F26 changed inside its Format 2 template (77); answers without a
    /// 9F26 object (Format 1, a CDA-signed AC, errors) pass unchanged.
    fn tamper(&mut self, response: Vec<u8>) -> Vec<u8> {
        let Some((data, sw)) = response.split_last_chunk::<2>() else {
            return response;
        };
        let Ok(top) = tlv::parse(data) else {
            return response;
        };
        let [template] = top.as_slice() else {
            return response;
        };
        let Ok(children) = tlv::parse(template.value) else {
            return response;
        };
        let mut body = Vec::new();
        let mut changed = None;
        for child in &children {
            if child.tag == Tag::new(0x9F26) {
                let mut flipped = child.value.to_vec();
                flipped[3] ^= 0x10;
                changed = Some((child.value.to_vec(), flipped.clone()));
                tlv::encode(child.tag, &flipped, &mut body);
            } else {
                body.extend_from_slice(child.raw);
            }
        }
        let Some(change) = changed else {
            return response;
        };
        self.tampered.push(change);
        let mut out = tlv::encoded(template.tag, &body);
        out.extend_from_slice(sw);
        out
    }
}

impl Transport for TamperAc<'_> {
    fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError> {
        let mut response = self.inner.exchange(command)?;
        if let [0x80, 0xA8 | 0xAE, ..] = command {
            response.apdu = self.tamper(response.apdu);
        }
        Ok(response)
    }

    fn next_tap(
        &mut self,
        restart: &emv_kernel::outcome::UiRequest,
    ) -> Result<bool, TransportError> {
        self.inner.next_tap(restart)
    }

    fn ui(&mut self, request: &emv_kernel::outcome::UiRequest) {
        self.inner.ui(request);
    }
}

/// How the terminal configuration is changed for a tamper test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tweak {
    /// The shipped configuration.
    None,
    /// Visa TTQ byte 1 b1 "ODA for online authorisations supported" set.
    VisaOdaForOnline,
    /// Kernel 2 Security Capability (DF811F) without CDA.
    MastercardNoCda,
}

fn configured(tweak: Tweak) -> TerminalConfig {
    let mut config = terminal();
    let kernel = if tweak == Tweak::MastercardNoCda {
        KernelId::Mastercard
    } else {
        KernelId::Visa
    };
    let combination = config
        .combinations
        .iter_mut()
        .find(|c| c.kernel == kernel)
        .unwrap();
    match tweak {
        Tweak::None => {}
        Tweak::VisaOdaForOnline => combination.ttq.as_mut().unwrap()[0] |= 0x01,
        Tweak::MastercardNoCda => {
            combination.tags.insert(Tag::new(0xDF811F), vec![0x00]);
        }
    }
    config
}

/// Runs a checkout whose card's cryptogram is altered in flight and checks that the host,
/// not anything before it, declines it as "cryptogram invalid", and that the journal says so.
/// Returns the kernel's decisions.
///
/// Visa qVSDC puts the ARQC in the GPO answer (C-3). With the shipped TTQ ("ODA for online"
/// off) the kernel does no fDDA for an online cryptogram; with it on, fDDA runs and passes,
/// because fDDA signs the card's dynamic number and the terminal's data, not the ARQC.
/// Mastercard's CDA carries the AC inside the signature (no plain 9F26 to alter); a terminal
/// without CDA gets a plain 9F26 in GENERATE AC. In all three the altered ARQC reaches the
/// host, which must catch it.
fn tampered_arqc_is_declined(profile: Profile, tweak: Tweak) -> Vec<String> {
    let host = Host::with_defaults().unwrap();
    let mut card = wallet(profile, false);
    let mut tamper = TamperAc {
        inner: &mut card,
        tampered: Vec::new(),
    };
    let run = checkout_with(
        &configured(tweak),
        &purchase(1200),
        &mut tamper,
        &host,
        StandIn::Decline,
    );
    let [(original, sent)] = tamper.tampered.as_slice() else {
        panic!("exactly one cryptogram tampered: {:?}", tamper.tampered);
    };
    assert_ne!(original, sent);
    let done = &run.done;
    assert_eq!(
        done.kernel.outcome.status,
        OutcomeStatus::OnlineRequest,
        "{:?}",
        done.kernel.decisions
    );
    assert_eq!(
        record(done).get(&Tag::new(0x9F26)),
        Some(sent),
        "the host got the tampered ARQC"
    );
    let answer = done.host.as_ref().expect("the host was asked");
    assert!(!answer.approved, "{answer:?}");
    assert!(!answer.cryptogram_verified);
    assert_eq!(answer.arpc, None);
    assert_eq!(answer.response_code, "05");
    assert!(
        answer.reason.contains("cryptogram invalid"),
        "{}",
        answer.reason
    );
    assert!(!done.verdict.approved());
    let row = &run.row.entry;
    assert_eq!(row.outcome, "declined");
    assert!(!row.approved);
    assert!(
        row.host_reason
            .as_deref()
            .is_some_and(|r| r.contains("cryptogram invalid")),
        "{row:?}"
    );
    done.kernel.decisions.clone()
}

fn fdda_passed(decisions: &[String]) -> bool {
    decisions.iter().any(|d| d.contains("fDDA succeeded"))
}

#[test]
fn a_tampered_arqc_from_a_visa_phone_is_declined_as_cryptogram_invalid() {
    let decisions = tampered_arqc_is_declined(Profile::VisaPhone, Tweak::None);
    assert!(!fdda_passed(&decisions), "{decisions:?}");
}

#[test]
fn a_tampered_arqc_from_a_visa_card_is_declined_even_after_fdda_passed() {
    let decisions = tampered_arqc_is_declined(Profile::VisaCard, Tweak::VisaOdaForOnline);
    assert!(fdda_passed(&decisions), "{decisions:?}");
}

#[test]
fn a_tampered_arqc_from_a_mastercard_without_cda_is_declined_as_cryptogram_invalid() {
    tampered_arqc_is_declined(Profile::MastercardCard, Tweak::MastercardNoCda);
}

#[test]
fn a_cda_signed_mastercard_ac_has_no_plain_cryptogram_to_alter() {
    // Why the Mastercard tamper test turns CDA off: with it, 9F26 travels only inside the
    // signature, so TamperAc finds nothing and the untouched transaction is approved.
    let host = Host::with_defaults().unwrap();
    let mut card = wallet(Profile::MastercardCard, false);
    let mut tamper = TamperAc {
        inner: &mut card,
        tampered: Vec::new(),
    };
    let run = checkout_with(
        &terminal(),
        &purchase(1200),
        &mut tamper,
        &host,
        StandIn::Decline,
    );
    assert!(tamper.tampered.is_empty());
    assert!(run.done.verdict.approved());
}

/// A port on which nothing listens (bound, then released).
fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    addr
}

/// A listener that accepts connections and never answers; kept open while it lives.
struct Silent {
    addr: String,
    _listener: std::thread::JoinHandle<()>,
}

fn silent_host() -> Silent {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let thread = std::thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    Silent {
        addr,
        _listener: thread,
    }
}

fn host_down(addr: &str, stand_in: StandIn, minor: u64) -> Run {
    let client = HostClient::new(addr, SHORT);
    let mut card = wallet(Profile::VisaPhone, false);
    let run = checkout_with(&terminal(), &purchase(minor), &mut card, &client, stand_in);
    assert_eq!(run.done.kernel.outcome.status, OutcomeStatus::OnlineRequest);
    run
}

#[test]
fn a_closed_port_gives_declined_host_unreachable_and_the_journal_says_so() {
    let run = host_down(&closed_port(), StandIn::Decline, 1200);
    let answer = run.done.host.as_ref().unwrap();
    assert!(!answer.approved);
    assert!(!answer.cryptogram_verified);
    assert_eq!(answer.response_code, "Z3");
    assert!(
        answer.reason.starts_with("Declined — host unreachable"),
        "{}",
        answer.reason
    );
    assert!(!run.done.verdict.approved());
    let row = &run.row.entry;
    assert_eq!(row.outcome, "declined");
    assert_eq!(row.host_response.as_deref(), Some("Z3"));
    assert!(
        row.host_reason
            .as_deref()
            .is_some_and(|r| r.contains("host unreachable")),
        "{row:?}"
    );
}

#[test]
fn a_silent_host_times_out_into_the_stand_in_approval_and_the_journal_says_so() {
    let silent = silent_host();
    let stand_in = StandIn::Approve {
        limit: Decimal::from_str("20.00").unwrap(),
    };
    let run = host_down(&silent.addr, stand_in, 1200);
    let answer = run.done.host.as_ref().unwrap();
    assert!(answer.approved, "{answer:?}");
    assert!(!answer.cryptogram_verified);
    assert_eq!(answer.response_code, "Y3");
    assert_eq!(answer.auth_code, "STNDIN");
    assert!(answer.reason.contains("stand-in"), "{}", answer.reason);
    assert!(
        answer.reason.contains("did not answer within"),
        "{}",
        answer.reason
    );
    assert!(run.done.verdict.approved());
    let row = &run.row.entry;
    assert_eq!(row.outcome, "approved");
    assert_eq!(row.host_response.as_deref(), Some("Y3"));
    assert!(
        row.host_reason
            .as_deref()
            .is_some_and(|r| r.contains("did not answer within")),
        "{row:?}"
    );
}

#[test]
fn a_silent_host_above_the_stand_in_limit_is_declined_host_unreachable() {
    let silent = silent_host();
    let stand_in = StandIn::Approve {
        limit: Decimal::from_str("20.00").unwrap(),
    };
    let run = host_down(&silent.addr, stand_in, 2500);
    let answer = run.done.host.as_ref().unwrap();
    assert!(!answer.approved, "{answer:?}");
    assert_eq!(answer.response_code, "Z3");
    assert!(
        answer.reason.contains("host unreachable"),
        "{}",
        answer.reason
    );
    assert_eq!(run.row.entry.outcome, "declined");
}

/// `tapterm host --listen 127.0.0.1:0` as a child; killed when dropped.
struct HostProcess {
    child: Child,
    addr: String,
}

impl HostProcess {
    fn start() -> HostProcess {
        let mut child = Command::new(TAPTERM)
            .args(["host", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("tapterm host listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        HostProcess { child, addr }
    }
}

impl Drop for HostProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn pay_through_a_tapterm_host_process_is_approved_with_a_verified_cryptogram() {
    let host = HostProcess::start();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.sqlite");
    let out = Command::new(TAPTERM)
        .args(["pay", "--demo", "visa-phone", "--amount", "12.00", "--json"])
        .arg("--host")
        .arg(&host.addr)
        .arg("--journal")
        .arg(&journal)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["outcome"], "online_request", "{report}");
    assert_eq!(report["approved"], true, "{report}");
    assert_eq!(report["host"]["approved"], true, "{report}");
    assert_eq!(report["host"]["cryptogram_verified"], true, "{report}");
    assert_eq!(report["host"]["response_code"], "00", "{report}");
    let id = report["journal_id"].as_i64().unwrap();
    let row = Journal::open(&journal).unwrap().get(id).unwrap().unwrap();
    assert_eq!(row.entry.outcome, "approved");
    assert!(
        row.entry
            .host_reason
            .as_deref()
            .is_some_and(|r| r.contains("cryptogram verified")),
        "{:?}",
        row.entry
    );
}

#[test]
fn pay_with_a_dead_host_address_is_declined_host_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(TAPTERM)
        .args(["pay", "--demo", "visa-phone", "--amount", "12.00", "--json"])
        .arg("--host")
        .arg(closed_port())
        .arg("--journal")
        .arg(dir.path().join("journal.sqlite"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["approved"], false, "{report}");
    assert_eq!(report["host"]["response_code"], "Z3", "{report}");
    assert!(
        report["host"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("host unreachable")),
        "{report}"
    );
}

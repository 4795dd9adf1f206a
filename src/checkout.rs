//! One whole transaction as the terminal runs it, shared by `tapterm pay` and the GUI.
//!
//! The kernel (`emv_kernel::entry_point::run`, Book B) sees a plain [`Transport`]; this module
//! puts a recorder in between that times every exchange and reports progress as it happens
//! (Book A user interface requests, each APDU, waiting for a tap, a card arriving), so the
//! cashier screen, the developer trace and the headless `pay` command all see the same events.
//!
//! With [`Services`] ([`run_with`]) an Online Request outcome goes to the host (Book A 7.1:
//! the terminal sends the data record and shows the host's answer), and every transaction
//! that reached a card is written to the journal before `run_with` returns, so it is durable
//! before the outcome is shown.

use std::time::{Duration, Instant};

use chrono::DurationRound as _;

use crate::cancel::CancelToken;
use crate::host::{
    AuthorisationRequest, AuthorisationResponse, Authoriser, StandIn, TerminalData,
    authorise_or_stand_in,
};
use crate::journal::{Entry, Journal, StoredEntry};
use crate::rewards::{Award, Redemption, Rewards};
use crate::verdict::Verdict;
use emv_kernel::config::{TerminalConfig, Transaction, TransactionType};
use emv_kernel::outcome::{
    MessageId, OutcomeStatus, ReaderStatus, TraceEntry, TransactionResult, UiRequest,
};
use emv_kernel::tlv::Tag;
use emv_kernel::transport::{CardResponse, Transport, TransportError};

/// Something that happened during a checkout, reported while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The kernel asks to show a Book A user interface request.
    Ui(UiRequest),
    /// One exchange with the card finished, with its time (the kernel's trace entry as it
    /// will stand in [`CheckoutResult::kernel`], without the kernel's notes).
    Exchange(TraceEntry),
    /// The terminal waits for a card or phone to enter the field.
    WaitingForTap,
    /// A card or phone entered the field; the kernel starts talking to it.
    CardDetected,
}

/// What a checkout produced: the inputs, the kernel's result, the host's answer, the one
/// [`Verdict`] and what the journal made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutResult {
    /// The kernel's inputs.
    pub transaction: Transaction,
    /// The reader's name, as journalled.
    pub reader: String,
    /// The kernel's result: outcome, UI requests, the data record (full PAN), and the trace
    /// (every exchange with its time, [`TraceEntry::elapsed`]).
    pub kernel: TransactionResult,
    /// Wall time of the whole checkout, waits for taps included.
    pub duration: Duration,
    /// Time from the first card detection to the kernel's outcome (waits for later taps
    /// included, the host's answer not); `None` when no card was ever detected.
    pub from_card: Option<Duration>,
    /// How many times a card entered the field.
    pub taps: usize,
    /// The host's answer to an Online Request (or the stand-in's when it was unreachable).
    pub host: Option<AuthorisationResponse>,
    /// The final word, and why.
    pub verdict: Verdict,
    /// The journal row, or why there is none.
    pub journal: Journalled,
    /// What the sale did to its rewards member (written with the journal row), `Ok(None)`
    /// when nothing (no rewards, declined, no journal), or why the ledger failed.
    pub rewards: Result<Option<Award>, String>,
}

/// What the journal made of a checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Journalled {
    /// Written and durable before the verdict is shown.
    Written(Box<StoredEntry>),
    /// The write failed: the verdict must not be trusted as recorded; show why.
    Failed(String),
    /// Not journalled: no journal was given, or no card ever came (nothing happened that a
    /// receipt or the day's totals could be asked about, cancelled or not).
    No,
}

impl Journalled {
    /// The stored row, when written.
    pub fn stored(&self) -> Option<&StoredEntry> {
        match self {
            Journalled::Written(stored) => Some(stored.as_ref()),
            _ => None,
        }
    }

    /// Why the write failed, when it did.
    pub fn error(&self) -> Option<&str> {
        match self {
            Journalled::Failed(why) => Some(why),
            _ => None,
        }
    }
}

/// What a checkout talks to besides the card: the host for online requests, the journal,
/// and the cancel token.
pub struct Services<'a> {
    /// The acquirer/issuer (in-process simulator or TCP client); `None` = offline terminal.
    pub host: Option<&'a dyn Authoriser>,
    /// What to answer when the host cannot be reached.
    pub stand_in: StandIn,
    /// Where transactions are written; `None` = not journalled (tests, `--no-journal`).
    pub journal: Option<&'a mut Journal>,
    /// Reader name for the journal.
    pub reader: String,
    /// Cancels the transaction: checked before every exchange and wait for a tap.
    pub cancel: CancelToken,
    /// The rewards ledger's rules; `None` = no rewards (off, or a bad rules file).
    pub rewards: Option<&'a Rewards>,
    /// An offer to apply (the sale's amount already has its discount taken off).
    pub redeem: Option<Redemption>,
}

impl Services<'_> {
    /// No host, no journal: the kernel's outcome is final.
    pub fn none() -> Services<'static> {
        Services {
            host: None,
            stand_in: StandIn::Decline,
            journal: None,
            reader: String::new(),
            cancel: CancelToken::new(),
            rewards: None,
            redeem: None,
        }
    }
}

/// A transport wrapper that checks the cancel token, times exchanges and reports progress.
struct Recorder<'a> {
    inner: &'a mut dyn Transport,
    progress: &'a mut dyn FnMut(Progress),
    cancel: &'a CancelToken,
    first_card: Option<Instant>,
    taps: usize,
}

impl Recorder<'_> {
    fn check(&self) -> Result<(), TransportError> {
        if self.cancel.is_cancelled() {
            Err(TransportError::Cancelled)
        } else {
            Ok(())
        }
    }
}

impl Transport for Recorder<'_> {
    /// A transport that cannot measure the card's time (in-process wallets) gets the wall
    /// time of the call, so every exchange in the trace has a time.
    fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError> {
        let sent = Instant::now();
        let response = self
            .check()
            .and_then(|()| self.inner.exchange(command))
            .map(|mut r| {
                if r.elapsed.is_zero() {
                    r.elapsed = sent.elapsed();
                }
                r
            });
        (self.progress)(Progress::Exchange(TraceEntry {
            tap: self.taps.saturating_sub(1),
            command: command.to_vec(),
            response: response
                .as_ref()
                .map(|r| r.apdu.clone())
                .map_err(Clone::clone),
            elapsed: response.as_ref().map_or(Duration::ZERO, |r| r.elapsed),
            notes: Vec::new(),
        }));
        response
    }

    fn next_tap(&mut self, restart: &UiRequest) -> Result<bool, TransportError> {
        self.check()?;
        (self.progress)(Progress::WaitingForTap);
        let more = self.inner.next_tap(restart)?;
        self.check()?;
        if more {
            self.taps += 1;
            self.first_card.get_or_insert_with(Instant::now);
            (self.progress)(Progress::CardDetected);
        }
        Ok(more)
    }

    fn ui(&mut self, request: &UiRequest) {
        self.inner.ui(request);
        (self.progress)(Progress::Ui(*request));
    }
}

/// Runs one transaction through the kernel over `transport`, timing every exchange and
/// reporting progress through `progress` as it happens. No host, no journal: see
/// [`run_with`].
pub fn run(
    config: &TerminalConfig,
    txn: &Transaction,
    transport: &mut dyn Transport,
    progress: &mut dyn FnMut(Progress),
) -> CheckoutResult {
    run_with(config, txn, transport, progress, &mut Services::none())
}

/// As [`run`], then asks the host on an Online Request, decides the [`Verdict`], journals
/// the transaction (every one that reached a card, cancelled ones included) and only then
/// shows the host's answer (Book A messages Approved / Not Authorised, through `progress`
/// and the transport's reader lights).
pub fn run_with(
    config: &TerminalConfig,
    txn: &Transaction,
    transport: &mut dyn Transport,
    progress: &mut dyn FnMut(Progress),
    services: &mut Services<'_>,
) -> CheckoutResult {
    let start = Instant::now();
    let mut recorder = Recorder {
        inner: transport,
        progress,
        cancel: &services.cancel,
        first_card: None,
        taps: 0,
    };
    let kernel = emv_kernel::entry_point::run(config, txn, &mut recorder);
    let kernel_end = Instant::now();
    let mut host = None;
    let mut shown = None;
    if kernel.outcome.status == OutcomeStatus::OnlineRequest
        && let (Some(authoriser), Some(record)) = (services.host, &kernel.data_record)
    {
        let request = authorisation_request(config, txn, record.clone());
        let answer = authorise_or_stand_in(authoriser, &request, &services.stand_in);
        shown = Some(UiRequest {
            message: if answer.approved {
                MessageId::Approved
            } else {
                MessageId::NotAuthorised
            },
            status: ReaderStatus::CardReadSuccessfully,
            hold: Duration::ZERO,
        });
        host = Some(answer);
    }
    let mut verdict = Verdict::decide(&kernel, host.as_ref(), services.cancel.is_cancelled());
    // Kernel 7's e-cash balance (9F79), for the cardholder: on screen with the verdict.
    if let Some(balance) = kernel
        .data_record
        .as_ref()
        .and_then(|r| crate::transaction::ecash_balance(r, txn.currency_exponent))
    {
        verdict.detail.push(format!(
            "E-cash balance {} {balance}",
            crate::journal::currency_code(txn.currency)
        ));
    }
    let end = Instant::now();
    let mut checkout = CheckoutResult {
        transaction: txn.clone(),
        reader: services.reader.clone(),
        kernel,
        duration: end.duration_since(start),
        from_card: recorder.first_card.map(|t| kernel_end.duration_since(t)),
        taps: recorder.taps,
        host,
        verdict,
        journal: Journalled::No,
        rewards: Ok(None),
    };
    if checkout.taps > 0
        && let Some(journal) = services.journal.as_deref_mut()
    {
        let entry = journal_entry(&checkout);
        let empty = emv_kernel::config::TagMap::new();
        let record = checkout.kernel.data_record.as_ref().unwrap_or(&empty);
        let (rewards, redeem) = (services.rewards, services.redeem.as_ref());
        let written = journal.record_with(&entry, |ledger, id| match rewards {
            Some(r) => r.settle(ledger, id, &entry, record, redeem),
            None => Ok(None),
        });
        (checkout.journal, checkout.rewards) = match written {
            Ok((id, rewarded)) => (
                Journalled::Written(Box::new(StoredEntry { id, entry })),
                rewarded.map_err(|e| e.to_string()),
            ),
            Err(e) => (Journalled::Failed(e.to_string()), Ok(None)),
        };
    }
    // Journalled first, shown second.
    if let Some(ui) = shown {
        recorder.ui(&ui);
    }
    checkout
}

/// The authorisation request for a data record: amount in major units, terminal identity
/// from the terminal data objects (9F1C, 9F16, 9F4E).
pub(crate) fn authorisation_request(
    config: &TerminalConfig,
    txn: &Transaction,
    record: emv_kernel::config::TagMap,
) -> AuthorisationRequest {
    let text = |tag: u32| {
        config
            .terminal
            .get(&Tag::new(tag))
            .map(|v| String::from_utf8_lossy(v).trim().to_string())
            .unwrap_or_default()
    };
    AuthorisationRequest {
        record,
        amount: crate::transaction::major(txn.amount, txn.currency_exponent),
        currency: txn.currency,
        terminal: TerminalData {
            terminal_id: text(0x9F1C),
            merchant_id: text(0x9F16),
            merchant_name: text(0x9F4E),
        },
        refund: txn.kind == TransactionType::Refund,
    }
}

/// The journal entry (masked by construction) for a finished checkout: the verdict's
/// ending as the outcome.
fn journal_entry(checkout: &CheckoutResult) -> Entry {
    let txn = &checkout.transaction;
    let empty = emv_kernel::config::TagMap::new();
    // The journal keeps milliseconds: so does the entry the result holds.
    let now = chrono::Utc::now();
    let time = now
        .duration_trunc(chrono::TimeDelta::milliseconds(1))
        .unwrap_or(now);
    let mut entry = Entry::from_record(
        checkout.kernel.data_record.as_ref().unwrap_or(&empty),
        time,
        txn.kind,
        txn.amount,
        txn.currency,
        txn.currency_exponent,
        checkout.verdict.ending.name(),
        checkout.verdict.approved(),
        checkout.verdict.cvm.map_or("none", |c| c.name()),
        checkout.host.as_ref(),
        &checkout.reader,
        u64::try_from(checkout.duration.as_millis()).unwrap_or(u64::MAX),
    );
    entry.detail = Some(journal_detail(checkout));
    entry
}

/// What the journal keeps of how it went: the verdict's words, then each exchange by
/// command name and status word (or transport error), per tap. No card data.
fn journal_detail(checkout: &CheckoutResult) -> String {
    let mut taps: Vec<Vec<String>> = Vec::new();
    for x in &checkout.kernel.trace {
        let answer = match &x.response {
            Ok(r) => emv_kernel::apdu::Response::parse(r)
                .map_or_else(|| "no SW".to_string(), |r| format!("{:04X}", r.sw)),
            Err(e) => e.to_string(),
        };
        if taps.len() <= x.tap {
            taps.resize(x.tap + 1, Vec::new());
        }
        if let Some(tap) = taps.get_mut(x.tap) {
            tap.push(format!(
                "{} {answer}",
                crate::decode::command_name(&x.command)
            ));
        }
    }
    let mut text = checkout.verdict.summary();
    for (i, tap) in taps.iter().enumerate() {
        text.push_str(&format!(" | tap {}: {}", i + 1, tap.join(", ")));
    }
    // An AID's digits must not make the journal refuse the whole entry as PAN-like.
    crate::masking::mask_pan_like(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Ending;
    use emv_kernel::config::{Date, Time, TransactionType};

    /// A card that answers every command with `6A82` (not found) for a fixed number of taps.
    struct Scripted {
        taps_left: usize,
        sent: Vec<Vec<u8>>,
    }

    impl Transport for Scripted {
        fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError> {
            self.sent.push(command.to_vec());
            Ok(CardResponse::unmeasured(vec![0x6A, 0x82]))
        }
        fn next_tap(&mut self, _restart: &UiRequest) -> Result<bool, TransportError> {
            if self.taps_left == 0 {
                return Ok(false);
            }
            self.taps_left -= 1;
            Ok(true)
        }
    }

    /// One Visa combination, so that pre-processing lets the kernel poll for a card.
    fn visa_config() -> TerminalConfig {
        TerminalConfig {
            combinations: vec![emv_kernel::config::Combination {
                aid: vec![0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10],
                kernel: emv_kernel::kernel::KernelId::Visa,
                ttq: Some([0x36, 0x00, 0x40, 0x00]),
                transaction_limit: None,
                floor_limit: None,
                cvm_required_limit: None,
                status_check: false,
                zero_amount: emv_kernel::config::ZeroAmount::Online,
                extended_selection: true,
                tags: Default::default(),
            }],
            ..TerminalConfig::default()
        }
    }

    fn sample_transaction() -> Transaction {
        Transaction {
            kind: TransactionType::Purchase,
            amount: 1234,
            amount_other: 0,
            currency: 978,
            currency_exponent: 2,
            date: Date {
                year: 2026,
                month: 11,
                day: 26,
            },
            time: Time {
                hour: 12,
                minute: 0,
                second: 0,
            },
            unpredictable_numbers: vec![[1, 2, 3, 4]],
        }
    }

    #[test]
    fn records_every_exchange_and_reports_progress_in_order() {
        let mut card = Scripted {
            taps_left: 1,
            sent: vec![],
        };
        let mut events = Vec::new();
        let checkout = run(&visa_config(), &sample_transaction(), &mut card, &mut |p| {
            events.push(p)
        });
        assert_eq!(checkout.taps, 1);
        assert!(checkout.from_card.is_some());
        let trace = &checkout.kernel.trace;
        assert_eq!(trace.len(), card.sent.len());
        assert!(!trace.is_empty());
        for (x, sent) in trace.iter().zip(&card.sent) {
            assert_eq!(&x.command, sent);
            assert_eq!(x.tap, 0);
            assert_eq!(x.response, Ok(vec![0x6A, 0x82]));
            assert!(
                !x.elapsed.is_zero(),
                "an unmeasured exchange gets its wall time"
            );
        }
        assert_eq!(events.first(), Some(&Progress::WaitingForTap));
        assert_eq!(events.get(1), Some(&Progress::CardDetected));
        let live: Vec<&TraceEntry> = events
            .iter()
            .filter_map(|e| match e {
                Progress::Exchange(x) => Some(x),
                _ => None,
            })
            .collect();
        assert_eq!(live.len(), trace.len());
        for (seen, kept) in live.iter().zip(trace) {
            assert_eq!(
                (&seen.command, &seen.response, seen.elapsed),
                (&kept.command, &kept.response, kept.elapsed),
                "what was reported live is what the trace keeps"
            );
        }
    }

    /// The shipped configuration's kernel settings (assets/terminal.toml, test CAPKs).
    fn shipped_kernel_config() -> TerminalConfig {
        crate::terminal_config::load(None, std::path::Path::new(crate::terminal_config::CAPK_DIR))
            .unwrap()
            .kernel
    }

    /// The in-process host and `journal`, as the demo reader uses them.
    fn demo_services<'a>(host: &'a crate::host::Host, journal: &'a mut Journal) -> Services<'a> {
        Services {
            host: Some(host),
            stand_in: StandIn::Decline,
            journal: Some(journal),
            reader: "demo".into(),
            cancel: CancelToken::new(),
            rewards: None,
            redeem: None,
        }
    }

    #[test]
    fn an_online_request_goes_to_the_host_and_is_journalled_before_it_is_shown() {
        use crate::host::Host;
        use crate::phone::{InProcessTransport, Profile, card::WalletOptions};
        let kernel_config = shipped_kernel_config();
        let options = WalletOptions {
            locked: false,
            seed: 7,
            oda_fault: None,
        };
        let mut wallet = InProcessTransport::for_profile(Profile::VisaCard, options, 1).unwrap();
        let host = Host::with_defaults().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(&dir.path().join("j.sqlite")).unwrap();
        let mut services = demo_services(&host, &mut journal);
        let mut events = Vec::new();
        let done = run_with(
            &kernel_config,
            &sample_transaction(),
            &mut wallet,
            &mut |p| events.push(p),
            &mut services,
        );
        assert_eq!(done.kernel.outcome.status, OutcomeStatus::OnlineRequest);
        let answer = done.host.clone().expect("the host was asked");
        assert_eq!(done.verdict.approved(), answer.approved);
        let written = done.journal.stored().expect("journalled");
        let stored = journal.get(written.id).unwrap().unwrap();
        assert_eq!(&stored, written, "the result holds the row as stored");
        assert_eq!(stored.entry.approved, answer.approved);
        assert_eq!(
            stored.entry.outcome,
            if answer.approved {
                "approved"
            } else {
                "declined"
            }
        );
        assert_eq!(stored.entry.amount_minor, 1234);
        assert_eq!(stored.entry.reader, "demo");
        let shown = if answer.approved {
            MessageId::Approved
        } else {
            MessageId::NotAuthorised
        };
        assert!(
            matches!(events.last(), Some(Progress::Ui(ui)) if ui.message == shown),
            "the host's answer is the last thing shown"
        );
    }

    #[test]
    fn no_card_means_no_exchanges_and_no_card_time() {
        let mut card = Scripted {
            taps_left: 0,
            sent: vec![],
        };
        let checkout = run(
            &visa_config(),
            &sample_transaction(),
            &mut card,
            &mut |_| {},
        );
        assert_eq!(checkout.taps, 0);
        assert_eq!(checkout.from_card, None);
        assert!(checkout.kernel.trace.is_empty());
        assert!(card.sent.is_empty());
    }

    /// A card whose PPSE lists the Visa AID; the token is cancelled while it answers PPSE
    /// (Ctrl-C mid-tap), so the kernel's SELECT must never reach it.
    struct CancelledMidTap {
        cancel: CancelToken,
        sent: usize,
    }

    const PPSE_FCI: &str = "6F2F840E325041592E5359532E4444463031A51DBF0C1A61184F07A00000000310\
                            10500A564953412044454249548701019000";

    impl Transport for CancelledMidTap {
        fn exchange(&mut self, _command: &[u8]) -> Result<CardResponse, TransportError> {
            self.sent += 1;
            self.cancel.cancel();
            let fci = hex::decode(PPSE_FCI).map_err(|e| TransportError::Reader(e.to_string()))?;
            Ok(CardResponse::unmeasured(fci))
        }
        fn next_tap(&mut self, _restart: &UiRequest) -> Result<bool, TransportError> {
            Ok(self.sent == 0)
        }
    }

    #[test]
    fn a_cancelled_transaction_is_journalled_as_cancelled_with_what_happened() {
        let cancel = CancelToken::new();
        let mut card = CancelledMidTap {
            cancel: cancel.clone(),
            sent: 0,
        };
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(&dir.path().join("j.sqlite")).unwrap();
        let mut services = Services {
            host: None,
            stand_in: StandIn::Decline,
            journal: Some(&mut journal),
            reader: "test".into(),
            cancel,
            rewards: None,
            redeem: None,
        };
        let done = run_with(
            &visa_config(),
            &sample_transaction(),
            &mut card,
            &mut |_| {},
            &mut services,
        );
        assert_eq!(done.verdict.ending, Ending::Cancelled);
        assert_eq!(card.sent, 1, "nothing reaches the card after the cancel");
        assert_eq!(done.kernel.trace.len(), 2, "PPSE answered, SELECT refused");
        assert_eq!(
            done.kernel.trace.last().map(|x| x.response.clone()),
            Some(Err(TransportError::Cancelled))
        );
        let stored = done.journal.stored().expect("journalled");
        assert_eq!(stored.entry.outcome, "cancelled");
        assert_eq!(
            stored.entry.detail.as_deref(),
            Some(
                "Cancelled: No money was taken | tap 1: SELECT 2PAY.SYS.DDF01 9000, \
                 SELECT A000000***1010 cancelled"
            ),
            "what had happened so far"
        );
        assert!(!stored.entry.approved);
        assert_eq!(stored.entry.amount_minor, 1234);
        assert_eq!(journal.get(stored.id).unwrap().as_ref(), Some(stored));
    }

    #[test]
    fn an_ecash_balance_is_shown_with_the_verdict_and_journalled() {
        use crate::host::Host;
        use crate::phone::{InProcessTransport, Profile, card::WalletOptions};
        let kernel_config = shipped_kernel_config();
        let host = Host::with_defaults().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(&dir.path().join("j.sqlite")).unwrap();
        // The shipped e-cash combination (A000000333010106, 9F7A 01) makes Kernel 7 read
        // the balance the UnionPay card holds (123.45); the Visa card has none.
        for (profile, shown) in [
            (Profile::UnionPayCard, Some("E-cash balance EUR 123.45")),
            (Profile::VisaCard, None),
        ] {
            let mut wallet =
                InProcessTransport::for_profile(profile, WalletOptions::default(), 1).unwrap();
            let mut services = demo_services(&host, &mut journal);
            let done = run_with(
                &kernel_config,
                &sample_transaction(),
                &mut wallet,
                &mut |_| {},
                &mut services,
            );
            assert!(done.verdict.approved(), "{profile}: {:?}", done.verdict);
            let line = done
                .verdict
                .detail
                .iter()
                .find(|d| d.starts_with("E-cash"))
                .map(String::as_str);
            assert_eq!(line, shown, "{profile}");
            let stored = done.journal.stored().expect("journalled");
            let balance = stored.entry.ecash_balance.map(|b| b.to_string());
            assert_eq!(
                balance.as_deref(),
                shown.map(|_| "123.45"),
                "{profile}: journal"
            );
            assert_eq!(
                stored.entry.scheme(),
                Some(if profile == Profile::VisaCard {
                    "Visa"
                } else {
                    "UnionPay"
                })
            );
        }
    }
}

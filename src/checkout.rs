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

use crate::host::{
    AuthorisationRequest, AuthorisationResponse, Authoriser, StandIn, TerminalData,
    authorise_or_stand_in,
};
use crate::journal::{Entry, Journal};
use emv_kernel::config::{TerminalConfig, Transaction, TransactionType};
use emv_kernel::outcome::{MessageId, OutcomeStatus, ReaderStatus, TransactionResult, UiRequest};
use emv_kernel::tlv::Tag;
use emv_kernel::transport::{CardResponse, Transport, TransportError};
use rust_decimal::Decimal;

/// One command/response pair as it went over the transport, with its timing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedExchange {
    /// Which tap (0-based) the exchange belongs to.
    pub tap: usize,
    /// The command APDU sent.
    pub command: Vec<u8>,
    /// The full response (data + SW), or why none came.
    pub response: Result<Vec<u8>, TransportError>,
    /// When the command was sent, counted from the start of the checkout.
    pub started: Duration,
    /// How long the card (and the reader stack) took to answer.
    pub took: Duration,
}

/// Something that happened during a checkout, reported while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The kernel asks to show a Book A user interface request.
    Ui(UiRequest),
    /// One exchange with the card finished.
    Exchange(TimedExchange),
    /// The terminal waits for a card or phone to enter the field.
    WaitingForTap,
    /// A card or phone entered the field; the kernel starts talking to it.
    CardDetected,
}

/// What a checkout produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The kernel's result (outcome, UI requests, data record, trace).
    pub result: TransactionResult,
    /// Every exchange with its timing, in order.
    pub exchanges: Vec<TimedExchange>,
    /// Wall time of the whole checkout, waits for taps included.
    pub duration: Duration,
    /// Time from the first card detection to the kernel's outcome (waits for later taps
    /// included, the host's answer not); `None` when no card was ever detected.
    pub from_card: Option<Duration>,
    /// How many times a card entered the field.
    pub taps: usize,
    /// The host's answer to an Online Request (or the stand-in's when it was unreachable).
    pub host: Option<AuthorisationResponse>,
    /// The final word: approved (offline or by the host), declined, or `None` when the
    /// transaction ended otherwise (end application, try another interface, no host asked).
    pub approved: Option<bool>,
    /// The journal row written for this transaction.
    pub journal_id: Option<i64>,
    /// Why the journal write failed, if it did (the outcome must then not be trusted as
    /// recorded; the caller shows it).
    pub journal_error: Option<String>,
}

/// What a checkout talks to besides the card: the host for online requests and the journal.
pub struct Services<'a> {
    /// The acquirer/issuer (in-process simulator or TCP client); `None` = offline terminal.
    pub host: Option<&'a dyn Authoriser>,
    /// What to answer when the host cannot be reached.
    pub stand_in: StandIn,
    /// Where transactions are written; `None` = not journalled (tests, `--no-journal`).
    pub journal: Option<&'a mut Journal>,
    /// Reader name for the journal.
    pub reader: String,
}

impl Services<'_> {
    /// No host, no journal: the kernel's outcome is final.
    pub fn none() -> Services<'static> {
        Services {
            host: None,
            stand_in: StandIn::Decline,
            journal: None,
            reader: String::new(),
        }
    }
}

/// A transport wrapper that times exchanges and reports progress.
struct Recorder<'a> {
    inner: &'a mut dyn Transport,
    progress: &'a mut dyn FnMut(Progress),
    start: Instant,
    first_card: Option<Instant>,
    taps: usize,
    exchanges: Vec<TimedExchange>,
}

impl Transport for Recorder<'_> {
    fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError> {
        let sent = Instant::now();
        let response = self.inner.exchange(command);
        let exchange = TimedExchange {
            tap: self.taps.saturating_sub(1),
            command: command.to_vec(),
            response: response
                .as_ref()
                .map(|r| r.apdu.clone())
                .map_err(Clone::clone),
            started: sent.duration_since(self.start),
            took: sent.elapsed(),
        };
        (self.progress)(Progress::Exchange(exchange.clone()));
        self.exchanges.push(exchange);
        response
    }

    fn next_tap(&mut self, restart: &UiRequest) -> Result<bool, TransportError> {
        (self.progress)(Progress::WaitingForTap);
        let more = self.inner.next_tap(restart)?;
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
) -> Checkout {
    run_with(config, txn, transport, progress, &mut Services::none())
}

/// As [`run`], then asks the host on an Online Request, shows its answer (Book A messages
/// Approved / Not Authorised, through `progress` and the transport's reader lights) and
/// journals the transaction before returning.
pub fn run_with(
    config: &TerminalConfig,
    txn: &Transaction,
    transport: &mut dyn Transport,
    progress: &mut dyn FnMut(Progress),
    services: &mut Services<'_>,
) -> Checkout {
    let start = Instant::now();
    let mut recorder = Recorder {
        inner: transport,
        progress,
        start,
        first_card: None,
        taps: 0,
        exchanges: Vec::new(),
    };
    let result = emv_kernel::entry_point::run(config, txn, &mut recorder);
    let kernel_end = Instant::now();
    let mut host = None;
    let mut shown = None;
    let mut approved = match result.outcome.status {
        OutcomeStatus::Approved => Some(true),
        OutcomeStatus::Declined => Some(false),
        _ => None,
    };
    if result.outcome.status == OutcomeStatus::OnlineRequest
        && let (Some(authoriser), Some(record)) = (services.host, &result.data_record)
    {
        let request = authorisation_request(config, txn, record.clone());
        let answer = authorise_or_stand_in(authoriser, &request, &services.stand_in);
        let ui = UiRequest {
            message: if answer.approved {
                MessageId::Approved
            } else {
                MessageId::NotAuthorised
            },
            status: ReaderStatus::CardReadSuccessfully,
            hold: std::time::Duration::ZERO,
        };
        shown = Some(ui);
        approved = Some(answer.approved);
        host = Some(answer);
    }
    let end = Instant::now();
    let mut checkout = Checkout {
        result,
        duration: end.duration_since(start),
        from_card: recorder.first_card.map(|t| kernel_end.duration_since(t)),
        taps: recorder.taps,
        exchanges: std::mem::take(&mut recorder.exchanges),
        host,
        approved,
        journal_id: None,
        journal_error: None,
    };
    if checkout.taps > 0
        && let Some(journal) = services.journal.as_deref_mut()
    {
        let entry = journal_entry(txn, &checkout, &services.reader);
        match journal.record(&entry) {
            Ok(id) => checkout.journal_id = Some(id),
            Err(e) => checkout.journal_error = Some(e.to_string()),
        }
    }
    // Journalled first, shown second.
    if let Some(ui) = shown {
        recorder.ui(&ui);
    }
    checkout
}

/// The authorisation request for a data record: amount in major units, terminal identity
/// from the terminal data objects (9F1C, 9F16, 9F4E).
fn authorisation_request(
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
        amount: major(txn.amount, txn.currency_exponent),
        currency: txn.currency,
        terminal: TerminalData {
            terminal_id: text(0x9F1C),
            merchant_id: text(0x9F16),
            merchant_name: text(0x9F4E),
        },
        refund: txn.kind == TransactionType::Refund,
    }
}

fn major(minor: u64, exponent: u8) -> Decimal {
    Decimal::new(
        i64::try_from(minor).unwrap_or(i64::MAX),
        u32::from(exponent),
    )
}

/// The journal entry (masked by construction) for a finished checkout.
fn journal_entry(txn: &Transaction, checkout: &Checkout, reader: &str) -> Entry {
    let result = &checkout.result;
    let outcome = match (checkout.approved, result.outcome.status) {
        (Some(true), _) => "approved",
        (Some(false), _) => "declined",
        (None, status) => status.name(),
    };
    let empty = emv_kernel::config::TagMap::new();
    Entry::from_record(
        result.data_record.as_ref().unwrap_or(&empty),
        chrono::Utc::now(),
        txn.kind,
        txn.amount,
        txn.currency,
        txn.currency_exponent,
        outcome,
        checkout.approved == Some(true),
        result.outcome.cvm.map_or("none", |c| c.name()),
        checkout.host.as_ref(),
        reader,
        u64::try_from(checkout.duration.as_millis()).unwrap_or(u64::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(checkout.exchanges.len(), card.sent.len());
        assert!(!checkout.exchanges.is_empty());
        for (x, sent) in checkout.exchanges.iter().zip(&card.sent) {
            assert_eq!(&x.command, sent);
            assert_eq!(x.tap, 0);
            assert_eq!(x.response, Ok(vec![0x6A, 0x82]));
        }
        assert_eq!(events.first(), Some(&Progress::WaitingForTap));
        assert_eq!(events.get(1), Some(&Progress::CardDetected));
        let exchanged = events
            .iter()
            .filter(|e| matches!(e, Progress::Exchange(_)))
            .count();
        assert_eq!(exchanged, checkout.exchanges.len());
    }

    #[test]
    fn an_online_request_goes_to_the_host_and_is_journalled_before_it_is_shown() {
        use crate::host::Host;
        use crate::phone::{InProcessTransport, Profile, card::WalletOptions};
        let settings = crate::terminal_config::load(
            None,
            std::path::Path::new(crate::terminal_config::CAPK_DIR),
        )
        .unwrap();
        let options = WalletOptions {
            locked: false,
            seed: 7,
            oda_fault: None,
        };
        let mut wallet = InProcessTransport::for_profile(Profile::VisaCard, options, 1).unwrap();
        let host = Host::with_defaults().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(&dir.path().join("j.sqlite")).unwrap();
        let mut services = Services {
            host: Some(&host),
            stand_in: StandIn::Decline,
            journal: Some(&mut journal),
            reader: "demo".into(),
        };
        let mut events = Vec::new();
        let done = run_with(
            &settings.kernel,
            &sample_transaction(),
            &mut wallet,
            &mut |p| events.push(p),
            &mut services,
        );
        assert_eq!(done.result.outcome.status, OutcomeStatus::OnlineRequest);
        let answer = done.host.clone().expect("the host was asked");
        assert_eq!(done.approved, Some(answer.approved));
        let id = done.journal_id.expect("journalled");
        let stored = journal.get(id).unwrap().unwrap();
        assert_eq!(stored.entry.approved, answer.approved);
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
        assert!(checkout.exchanges.is_empty());
        assert!(card.sent.is_empty());
    }
}

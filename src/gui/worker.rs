//! The transaction runs here, on its own thread, never on the UI thread: PC/SC calls and the
//! demo reader's wait for a tap block (DESIGN.md "The GUI is a view of state"). Progress comes
//! back to the window as [`WorkerEvent`]s over a channel the window turns into a task stream.
//!
//! The demo reader plays one of the in-process virtual wallets: its `next_tap` (the Entry
//! Point's poll for a card, Book B 3.2) blocks until the cashier presses "Tap" or, with
//! auto-tap, returns at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use emv_kernel::config::{TerminalConfig, Transaction};
use emv_kernel::outcome::{TransactionResult, UiRequest};
use emv_kernel::transport::{Transport, TransportError};
use iced::futures::channel::mpsc as async_mpsc;

/// One command/response pair with its timing, as the developer screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRecord {
    /// Which tap (0-based).
    pub tap: usize,
    /// When the command was sent, from the start of the transaction.
    pub offset: Duration,
    /// How long the card took to answer.
    pub duration: Duration,
    /// The command APDU.
    pub command: Vec<u8>,
    /// The response APDU, or why there was none.
    pub response: Result<Vec<u8>, TransportError>,
}

/// What the issuer host answered to an Online Request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostAnswer {
    /// Whether the host approved.
    pub approved: bool,
    /// Authorisation code (tag 89), when approved.
    pub auth_code: Option<String>,
    /// Authorisation response code (tag 8A), e.g. "00".
    pub response_code: String,
    /// Why, in words (cryptogram verified, rule matched, host unreachable).
    pub reason: String,
}

/// A finished transaction with everything the receipt, developer screen and history need.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// What the kernel returned.
    pub result: TransactionResult,
    /// Every exchange with its timing.
    pub exchanges: Vec<ExchangeRecord>,
    /// From Charge to outcome.
    pub duration: Duration,
    /// The host's answer to an Online Request.
    pub host: Option<HostAnswer>,
    /// The inputs the kernel was given.
    pub transaction: Transaction,
    /// The reader's name.
    pub reader: String,
    /// When the transaction started (local time).
    pub started: chrono::DateTime<chrono::Local>,
}

/// Progress reported by the transaction thread.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEvent {
    /// The kernel asked for a message and status lights (Book A 9.2).
    Ui(UiRequest),
    /// The reader waits for a card or phone in the field.
    WaitingForTap,
    /// A card or phone entered the field.
    CardDetected,
    /// One exchange completed.
    Exchange(ExchangeRecord),
    /// The transaction is over.
    Done(Box<Finished>),
}

/// Which reader a transaction runs on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReaderChoice {
    /// The built-in demo reader with an in-process virtual wallet.
    Demo {
        /// Wallet profile name (`visa-phone`, …).
        profile: String,
        /// Phone locked: the first tap asks to see the phone.
        locked: bool,
        /// Tap as soon as the reader polls, without the Tap button.
        auto_tap: bool,
    },
    /// A PC/SC reader by name.
    Pcsc(String),
}

impl ReaderChoice {
    /// The name shown to the cashier.
    pub fn label(&self) -> String {
        match self {
            ReaderChoice::Demo { profile, .. } => format!("Demo reader ({profile})"),
            ReaderChoice::Pcsc(name) => name.clone(),
        }
    }
}

/// What the window sends to a waiting demo reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TapSignal {
    Tap,
    Cancel,
}

/// The window's handle on a running transaction.
#[derive(Debug, Clone)]
pub struct Control {
    taps: mpsc::Sender<TapSignal>,
    cancelled: Arc<AtomicBool>,
}

impl Control {
    /// Puts the demo wallet in the field (ignored by PC/SC readers).
    pub fn tap(&self) {
        let _ = self.taps.send(TapSignal::Tap);
    }

    /// Cancels the transaction: the next exchange or wait for a tap fails with `Cancelled`.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        let _ = self.taps.send(TapSignal::Cancel);
    }
}

/// One transaction to run.
#[derive(Debug, Clone)]
pub struct Job {
    /// Terminal configuration.
    pub config: Arc<TerminalConfig>,
    /// The kernel's inputs.
    pub transaction: Transaction,
    /// Where the card is.
    pub reader: ReaderChoice,
}

/// Starts a transaction on its own thread; progress arrives on the returned stream.
pub fn start(job: Job) -> (Control, async_mpsc::UnboundedReceiver<WorkerEvent>) {
    let (events, receiver) = async_mpsc::unbounded();
    let (taps, tap_receiver) = mpsc::channel();
    let cancelled = Arc::new(AtomicBool::new(false));
    let control = Control {
        taps,
        cancelled: cancelled.clone(),
    };
    let spawned = std::thread::Builder::new()
        .name("transaction".into())
        .spawn({
            let events = events.clone();
            move || run(job, tap_receiver, cancelled, events)
        });
    if let Err(e) = spawned {
        let _ = events.unbounded_send(WorkerEvent::Ui(UiRequest {
            message: emv_kernel::outcome::MessageId::ProcessingError,
            status: emv_kernel::outcome::ReaderStatus::ProcessingError,
            hold: Duration::ZERO,
        }));
        eprintln!("tapterm: cannot start the transaction thread: {e}");
    }
    (control, receiver)
}

fn run(
    job: Job,
    taps: mpsc::Receiver<TapSignal>,
    cancelled: Arc<AtomicBool>,
    events: async_mpsc::UnboundedSender<WorkerEvent>,
) {
    let started = chrono::Local::now();
    let clock = Instant::now();
    let send = |e: WorkerEvent| {
        let _ = events.unbounded_send(e);
    };
    let mut transport: Box<dyn Transport> = match &job.reader {
        ReaderChoice::Demo {
            profile,
            locked,
            auto_tap,
        } => Box::new(DemoReader {
            card: super::backend::card(profile, *locked),
            taps,
            auto_tap: *auto_tap,
            events: events.clone(),
            taps_seen: 0,
        }),
        ReaderChoice::Pcsc(name) => super::backend::pcsc_transport(name),
    };
    let mut timed = Timed {
        inner: transport.as_mut(),
        cancelled: &cancelled,
        clock,
        tap: 0,
        first_poll: true,
        events: &events,
        exchanges: Vec::new(),
    };
    let result = emv_kernel::entry_point::run(&job.config, &job.transaction, &mut timed);
    let exchanges = std::mem::take(&mut timed.exchanges);
    let host = super::backend::authorise(&result, &job.transaction);
    send(WorkerEvent::Done(Box::new(Finished {
        result,
        exchanges,
        duration: clock.elapsed(),
        host,
        transaction: job.transaction,
        reader: job.reader.label(),
        started,
    })));
}

/// Wraps any transport: times each exchange, reports progress, honours cancellation.
struct Timed<'a> {
    inner: &'a mut dyn Transport,
    cancelled: &'a AtomicBool,
    clock: Instant,
    tap: usize,
    first_poll: bool,
    events: &'a async_mpsc::UnboundedSender<WorkerEvent>,
    exchanges: Vec<ExchangeRecord>,
}

impl Transport for Timed<'_> {
    fn exchange(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if self.cancelled.load(Ordering::SeqCst) {
            return Err(TransportError::Cancelled);
        }
        let sent = Instant::now();
        let response = self.inner.exchange(command);
        let record = ExchangeRecord {
            tap: self.tap,
            offset: sent.duration_since(self.clock),
            duration: sent.elapsed(),
            command: command.to_vec(),
            response: response.clone(),
        };
        let _ = self
            .events
            .unbounded_send(WorkerEvent::Exchange(record.clone()));
        self.exchanges.push(record);
        response
    }

    fn next_tap(&mut self, restart: &UiRequest) -> Result<bool, TransportError> {
        if self.cancelled.load(Ordering::SeqCst) {
            return Err(TransportError::Cancelled);
        }
        if self.first_poll {
            self.first_poll = false;
        } else {
            self.tap += 1;
        }
        let _ = self.events.unbounded_send(WorkerEvent::Ui(*restart));
        let answer = self.inner.next_tap(restart);
        if self.cancelled.load(Ordering::SeqCst) {
            return Err(TransportError::Cancelled);
        }
        if let Ok(true) = answer {
            let _ = self.events.unbounded_send(WorkerEvent::CardDetected);
        }
        answer
    }

    fn ui(&mut self, request: &UiRequest) {
        let _ = self.events.unbounded_send(WorkerEvent::Ui(*request));
        self.inner.ui(request);
    }
}

/// A virtual card or phone answering commands in-process.
pub trait DemoCard: Send {
    /// Answers one command APDU (status word included).
    fn respond(&mut self, command: &[u8]) -> Vec<u8>;
    /// The card leaves the field (between taps).
    fn field_off(&mut self);
}

/// The built-in demo reader: a virtual wallet put in the field by the Tap button.
struct DemoReader {
    card: Box<dyn DemoCard>,
    taps: mpsc::Receiver<TapSignal>,
    auto_tap: bool,
    events: async_mpsc::UnboundedSender<WorkerEvent>,
    taps_seen: usize,
}

impl Transport for DemoReader {
    fn exchange(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        Ok(self.card.respond(command))
    }

    fn next_tap(&mut self, _restart: &UiRequest) -> Result<bool, TransportError> {
        if self.taps_seen > 0 {
            self.card.field_off();
        }
        self.taps_seen += 1;
        if self.auto_tap {
            return Ok(true);
        }
        let _ = self.events.unbounded_send(WorkerEvent::WaitingForTap);
        match self.taps.recv() {
            Ok(TapSignal::Tap) => Ok(true),
            Ok(TapSignal::Cancel) | Err(_) => Err(TransportError::Cancelled),
        }
    }
}

//! The transaction runs here, on its own thread, never on the UI thread: PC/SC calls, the
//! demo reader's wait for a tap, the host round trip and the journal write all block
//! (DESIGN.md "The GUI is a view of state"). Progress comes back to the window as
//! [`WorkerEvent`]s over a channel the window turns into a task stream.
//!
//! Order of a transaction: checkout (Entry Point and kernel over the reader) → host for an
//! Online Request → journal write → `Done`. The journal is written before the window shows
//! the outcome (issue 6: nothing shown as approved may be lost).
//!
//! The demo reader plays one of the in-process virtual wallets: its `next_tap` (the Entry
//! Point's poll for a card, Book B 3.2) blocks until the cashier presses "Tap" or, with
//! auto-tap, returns at once.

use std::sync::{Arc, Mutex, mpsc};

use emv_kernel::config::{TerminalConfig, Transaction};
use emv_kernel::outcome::{TraceEntry, TransactionResult, UiRequest};
use emv_kernel::transport::{CardResponse, Transport, TransportError};
use iced::futures::channel::mpsc as async_mpsc;

use super::banner::{self, Banner};
use crate::cancel::CancelToken;
use crate::checkout::{self, CheckoutResult, Progress, Services};
use crate::host::{Authoriser, StandIn};
use crate::journal::{Journal, StoredEntry};
use crate::phone::{InProcessTransport, Profile, Wallet, WalletOptions};
use crate::reader::pcsc_transport::{PcscOptions, PcscTransport};

/// A finished transaction with everything the banner, receipt, developer screen and
/// history need. Holds the kernel's data record (full PAN): only masked views of it leave.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// What the kernel returned, every exchange with its timing, durations, taps, the
    /// host's answer and the journal row.
    pub checkout: CheckoutResult,
    /// The inputs the kernel was given.
    pub transaction: Transaction,
    /// The reader's name.
    pub reader: String,
    /// The outcome as the cashier sees it.
    pub banner: Banner,
    /// The journal entry as written (`None` when it could not be written).
    pub stored: Option<StoredEntry>,
    /// Why the journal could not be written, if it could not.
    pub journal_error: Option<String>,
    /// Today's journal after this transaction, when the journal is there.
    pub day: Option<Vec<StoredEntry>>,
}

impl Finished {
    /// What the kernel returned.
    pub fn result(&self) -> &TransactionResult {
        &self.checkout.kernel
    }

    /// Every exchange with its timing.
    pub fn exchanges(&self) -> &[TraceEntry] {
        &self.checkout.kernel.trace
    }
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
    Exchange(TraceEntry),
    /// The reader layer has something to say (PC/SC service lost or back, card connected).
    Notice(String),
    /// The transaction is over and journaled.
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
    cancel: CancelToken,
}

impl Control {
    /// Puts the demo wallet in the field (ignored by PC/SC readers).
    pub fn tap(&self) {
        let _ = self.taps.send(TapSignal::Tap);
    }

    /// Cancels the transaction: the next exchange or wait for a tap fails with `Cancelled`.
    pub fn cancel(&self) {
        self.cancel.cancel();
        let _ = self.taps.send(TapSignal::Cancel);
    }
}

/// Where online requests go and what happens when the host is down.
#[derive(Clone)]
pub struct HostLink {
    /// The host (in-process simulator or TCP client).
    pub authoriser: Arc<dyn Authoriser>,
    /// What to do when it cannot be reached.
    pub stand_in: StandIn,
}

impl std::fmt::Debug for HostLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostLink")
            .field("stand_in", &self.stand_in)
            .finish_non_exhaustive()
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
    /// The host, if any (no host: an Online Request ends in "Processing error").
    pub host: Option<HostLink>,
    /// The journal, if it could be opened.
    pub journal: Option<Arc<Mutex<Journal>>>,
}

/// A reader's transport, movable to the transaction thread.
type Reader = Box<dyn Transport + Send>;

/// Starts a transaction on its own thread; progress arrives on the returned stream.
pub fn start(job: Job) -> (Control, async_mpsc::UnboundedReceiver<WorkerEvent>) {
    let (events, receiver) = async_mpsc::unbounded();
    let (taps, tap_receiver) = mpsc::channel();
    let cancel = CancelToken::new();
    let reader = match open_reader(&job.reader, tap_receiver, &events, &cancel) {
        Ok(opened) => opened,
        Err(e) => Box::new(Broken(e)) as Reader,
    };
    let control = Control {
        taps,
        cancel: cancel.clone(),
    };
    let spawned = std::thread::Builder::new()
        .name("transaction".into())
        .spawn(move || run(job, reader, cancel, events));
    if let Err(e) = spawned {
        // The receiver ends without Done; the window treats that as a processing error.
        eprintln!("tapterm: cannot start the transaction thread: {e}");
    }
    (control, receiver)
}

/// The transport for a reader choice.
fn open_reader(
    reader: &ReaderChoice,
    taps: mpsc::Receiver<TapSignal>,
    events: &async_mpsc::UnboundedSender<WorkerEvent>,
    cancel: &CancelToken,
) -> Result<Reader, String> {
    match reader {
        ReaderChoice::Demo {
            profile,
            locked,
            auto_tap,
        } => {
            let profile = Profile::from_name(profile)
                .ok_or_else(|| format!("unknown wallet profile {profile:?}"))?;
            let wallet = Wallet::new(
                profile,
                WalletOptions {
                    locked: *locked,
                    seed: seed(),
                    oda_fault: None,
                },
            )
            .map_err(|e| format!("wallet {}: {e}", profile.name()))?;
            let demo = DemoReader {
                wallet: InProcessTransport::new(wallet, usize::MAX),
                taps,
                auto_tap: *auto_tap,
            };
            Ok(Box::new(demo))
        }
        ReaderChoice::Pcsc(name) => {
            let notices = events.clone();
            let transport = PcscTransport::new(
                PcscOptions {
                    reader: Some(name.clone()),
                    tap_timeout: None,
                    cancel: cancel.clone(),
                },
                Box::new(move |notice| {
                    let _ = notices.unbounded_send(WorkerEvent::Notice(notice.to_string()));
                }),
            );
            Ok(Box::new(transport))
        }
    }
}

/// A fresh seed for a wallet's per-tap values.
fn seed() -> u64 {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    u64::from_le_bytes(bytes)
}

fn run(
    job: Job,
    mut transport: Reader,
    cancel: CancelToken,
    events: async_mpsc::UnboundedSender<WorkerEvent>,
) {
    let send = |e: WorkerEvent| {
        let _ = events.unbounded_send(e);
    };
    let mut guarded = Guarded {
        inner: transport.as_mut(),
        cancelled: &cancel,
        events: &events,
    };
    // The journal stays locked for the transaction: one runs at a time, and the window
    // itself never touches it after start-up.
    let mut journal = job.journal.as_deref().map(Mutex::lock);
    let journal_broken = matches!(journal, Some(Err(_)));
    let mut services = Services {
        host: job.host.as_ref().map(|h| h.authoriser.as_ref()),
        stand_in: job
            .host
            .as_ref()
            .map_or(StandIn::Decline, |h| h.stand_in.clone()),
        journal: journal
            .as_mut()
            .and_then(|j| j.as_mut().ok())
            .map(|j| &mut **j),
        reader: job.reader.label(),
        cancel: cancel.clone(),
    };
    let checkout = checkout::run_with(
        &job.config,
        &job.transaction,
        &mut guarded,
        &mut |p| {
            send(match p {
                Progress::Ui(r) => WorkerEvent::Ui(r),
                Progress::Exchange(x) => WorkerEvent::Exchange(x),
                Progress::WaitingForTap => WorkerEvent::WaitingForTap,
                Progress::CardDetected => WorkerEvent::CardDetected,
            })
        },
        &mut services,
    );
    let banner = banner::outcome_banner(&checkout.verdict);
    let journal = journal.as_ref().and_then(|j| j.as_ref().ok());
    let stored = checkout.journal.stored().cloned();
    let day = journal.and_then(|j| j.day(chrono::Utc::now().date_naive()).ok());
    let journal_error = checkout.journal.error().map(str::to_string).or_else(|| {
        journal_broken.then(|| "journal unavailable (a previous write panicked)".to_string())
    });
    send(WorkerEvent::Done(Box::new(Finished {
        checkout,
        transaction: job.transaction,
        reader: job.reader.label(),
        banner,
        stored,
        journal_error,
        day,
    })));
}

/// Wraps the reader: honours Cancel and reports the restart message shown between taps.
struct Guarded<'a> {
    inner: &'a mut dyn Transport,
    cancelled: &'a CancelToken,
    events: &'a async_mpsc::UnboundedSender<WorkerEvent>,
}

impl Guarded<'_> {
    fn check(&self) -> Result<(), TransportError> {
        if self.cancelled.is_cancelled() {
            Err(TransportError::Cancelled)
        } else {
            Ok(())
        }
    }
}

impl Transport for Guarded<'_> {
    fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError> {
        self.check()?;
        self.inner.exchange(command)
    }

    fn next_tap(&mut self, restart: &UiRequest) -> Result<bool, TransportError> {
        self.check()?;
        let _ = self.events.unbounded_send(WorkerEvent::Ui(*restart));
        let more = self.inner.next_tap(restart)?;
        self.check()?;
        Ok(more)
    }

    fn ui(&mut self, request: &UiRequest) {
        self.inner.ui(request);
    }
}

/// The built-in demo reader: an in-process wallet put in the field by the Tap button.
struct DemoReader {
    wallet: InProcessTransport,
    taps: mpsc::Receiver<TapSignal>,
    auto_tap: bool,
}

impl Transport for DemoReader {
    fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError> {
        self.wallet.exchange(command)
    }

    fn next_tap(&mut self, restart: &UiRequest) -> Result<bool, TransportError> {
        if !self.auto_tap {
            match self.taps.recv() {
                Ok(TapSignal::Tap) => {}
                Ok(TapSignal::Cancel) | Err(_) => return Err(TransportError::Cancelled),
            }
        }
        self.wallet.next_tap(restart)
    }

    fn ui(&mut self, request: &UiRequest) {
        self.wallet.ui(request);
    }
}

/// A reader that could not be opened: every call says why.
struct Broken(String);

impl Transport for Broken {
    fn exchange(&mut self, _command: &[u8]) -> Result<CardResponse, TransportError> {
        Err(TransportError::Reader(self.0.clone()))
    }

    fn next_tap(&mut self, _restart: &UiRequest) -> Result<bool, TransportError> {
        Err(TransportError::Reader(self.0.clone()))
    }
}

//! The transaction runs here, on a thread of its own, never on the UI thread: PC/SC calls,
//! the demo reader's wait for a tap, the host round trip and the journal write all block
//! (DESIGN.md "The GUI is a view of state"). The thread runs [`checkout`] (which asks the
//! host and journals) and forwards its progress; the window gets it as a task's [`Event`]s,
//! ending with exactly one [`Event::Done`] or [`Event::Stopped`].
//!
//! The demo reader plays one of the in-process virtual wallets: its `next_tap` (the Entry
//! Point's poll for a card, Book B 3.2) blocks until the cashier presses "Tap" or, with
//! auto-tap, returns at once.

use std::sync::{Arc, mpsc};

use emv_kernel::config::{TerminalConfig, Transaction};
use emv_kernel::outcome::{TraceEntry, UiRequest};
use emv_kernel::transport::{CardResponse, Transport, TransportError};
use iced::Task;
use iced::futures::channel::mpsc as async_mpsc;

use super::history::SharedJournal;
use super::readers::{Demo, ReaderChoice};
use crate::cancel::{CancelToken, WakerGuard};
use crate::checkout::{self, CheckoutResult, Progress, Services};
use crate::host::{Authoriser, StandIn};
use crate::phone::{InProcessTransport, Profile, Wallet, WalletOptions};
use crate::reader::pcsc_transport::{PcscOptions, PcscTransport};
use crate::rewards::{Recognised, Redemption, Rewards};

/// Progress reported by the transaction thread.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
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
    /// The transaction is over and journalled: checkout's result, verdict and all.
    Done(Box<CheckoutResult>),
    /// A rewards check tap is over: the member it recognised (`None`: not a member yet, or
    /// no card data read), or why the ledger could not be read.
    Checked(Result<Option<Recognised>, String>),
    /// The thread ended without a result (it could not start, or panicked).
    Stopped,
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

    /// Cancels the transaction through its one token (issue 11): checkout fails the next
    /// exchange or wait for a tap with `Cancelled`, a waiting reader wakes at once, and the
    /// transaction is journalled as cancelled.
    pub fn cancel(&self) {
        self.cancel.cancel();
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
    pub journal: Option<SharedJournal>,
    /// The rewards ledger's rules, when rewards are on.
    pub rewards: Option<Arc<Rewards>>,
    /// The offer the cashier applied to this sale.
    pub redeem: Option<Redemption>,
    /// A rewards check tap (the transaction has zero amount): the kernel reads the card, no
    /// host is asked, nothing is journalled, and the member is looked up.
    pub check: bool,
}

/// A reader's transport, movable to the transaction thread.
type Reader = Box<dyn Transport + Send>;

/// Starts a transaction on its own thread; its progress is the returned task's output.
pub fn start(job: Job) -> (Control, Task<Event>) {
    let (events, receiver) = async_mpsc::unbounded();
    let (taps, tap_receiver) = mpsc::channel();
    let cancel = CancelToken::new();
    // Cancel ends the demo reader's wait for the Tap button (PC/SC registers its own).
    let cancel_taps = taps.clone();
    let waker = cancel.on_cancel(move || {
        let _ = cancel_taps.send(TapSignal::Cancel);
    });
    let reader = open_reader(&job.reader, tap_receiver, &events, &cancel)
        .unwrap_or_else(|e| Box::new(Broken(e)));
    let control = Control {
        taps,
        cancel: cancel.clone(),
    };
    let last = LastWord(Some(events));
    let spawned = std::thread::Builder::new()
        .name("transaction".into())
        .spawn(move || run(job, reader, cancel, waker, last));
    if let Err(e) = spawned {
        // The closure, and with it the last word, was dropped: the window hears Stopped.
        eprintln!("tapterm: cannot start the transaction thread: {e}");
    }
    (control, Task::stream(receiver))
}

/// The sender of the thread's last event: `Done` when given one, `Stopped` when dropped
/// without (the thread panicked or never ran), so the window never waits forever.
struct LastWord(Option<async_mpsc::UnboundedSender<Event>>);

impl LastWord {
    fn send(&self, event: Event) {
        if let Some(events) = &self.0 {
            let _ = events.unbounded_send(event);
        }
    }

    fn done(mut self, last: Event) {
        if let Some(events) = self.0.take() {
            let _ = events.unbounded_send(last);
        }
    }
}

impl Drop for LastWord {
    fn drop(&mut self) {
        if let Some(events) = self.0.take() {
            let _ = events.unbounded_send(Event::Stopped);
        }
    }
}

/// The transport for a reader choice.
fn open_reader(
    reader: &ReaderChoice,
    taps: mpsc::Receiver<TapSignal>,
    events: &async_mpsc::UnboundedSender<Event>,
    cancel: &CancelToken,
) -> Result<Reader, String> {
    match reader {
        ReaderChoice::Demo(Demo {
            profile,
            locked,
            auto_tap,
        }) => {
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
            Ok(Box::new(DemoReader {
                wallet: InProcessTransport::new(wallet, usize::MAX),
                taps,
                auto_tap: *auto_tap,
            }))
        }
        ReaderChoice::Pcsc(name) => {
            let notices = events.clone();
            Ok(Box::new(PcscTransport::new(
                PcscOptions {
                    reader: Some(name.clone()),
                    tap_timeout: None,
                    cancel: cancel.clone(),
                    ecp_frame: None,
                },
                Box::new(move |notice| {
                    let _ = notices.unbounded_send(Event::Notice(notice.to_string()));
                }),
            )))
        }
    }
}

/// A fresh seed for a wallet's per-tap values.
fn seed() -> u64 {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    u64::from_le_bytes(bytes)
}

fn run(job: Job, mut transport: Reader, cancel: CancelToken, waker: WakerGuard, last: LastWord) {
    let mut shown = ShowsRestart {
        inner: transport.as_mut(),
        last: &last,
    };
    if job.check {
        let mut services = Services {
            reader: job.reader.label(),
            cancel,
            ..Services::none()
        };
        let result = checkout::run_with(
            &job.config,
            &job.transaction,
            &mut shown,
            &mut |p| last.send(progress_event(p)),
            &mut services,
        );
        drop(waker);
        last.done(Event::Checked(recognise(&job, &result)));
        return;
    }
    // The journal stays locked for the transaction: one runs at a time. A lock poisoned by
    // a panic elsewhere is taken over: SQLite rolled back whatever write was cut short.
    let mut journal = job
        .journal
        .as_deref()
        .map(|j| j.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    let mut services = Services {
        host: job.host.as_ref().map(|h| h.authoriser.as_ref()),
        stand_in: job
            .host
            .as_ref()
            .map_or(StandIn::Decline, |h| h.stand_in.clone()),
        journal: journal.as_deref_mut(),
        reader: job.reader.label(),
        cancel,
        rewards: job.rewards.as_deref(),
        redeem: job.redeem.clone(),
    };
    let result = checkout::run_with(
        &job.config,
        &job.transaction,
        &mut shown,
        &mut |p| last.send(progress_event(p)),
        &mut services,
    );
    drop(services);
    drop(journal);
    drop(waker);
    last.done(Event::Done(Box::new(result)));
}

fn progress_event(p: Progress) -> Event {
    match p {
        Progress::Ui(r) => Event::Ui(r),
        Progress::Exchange(x) => Event::Exchange(x),
        Progress::WaitingForTap => Event::WaitingForTap,
        Progress::CardDetected => Event::CardDetected,
    }
}

/// The member a rewards check's card data belongs to, looked up in the journal's ledger.
fn recognise(job: &Job, result: &CheckoutResult) -> Result<Option<Recognised>, String> {
    let Some(record) = &result.kernel.data_record else {
        return Err(format!("no card data read ({})", result.verdict.summary()));
    };
    let (Some(journal), Some(rewards)) = (&job.journal, &job.rewards) else {
        return Ok(None);
    };
    let journal = journal
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    rewards
        .recognise(journal.ledger(), record)
        .map_err(|e| e.to_string())
}

/// Reports the prompt the kernel hands the reader for each wait for a tap (Book A 9.4:
/// "Present card", "Present card again", "See phone"), which comes as no UI request of its
/// own.
struct ShowsRestart<'a> {
    inner: &'a mut dyn Transport,
    last: &'a LastWord,
}

impl Transport for ShowsRestart<'_> {
    fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError> {
        self.inner.exchange(command)
    }

    fn next_tap(&mut self, restart: &UiRequest) -> Result<bool, TransportError> {
        self.last.send(Event::Ui(*restart));
        self.inner.next_tap(restart)
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

//! The kernel's [`Transport`] over a PC/SC reader.
//!
//! Every blocking PC/SC call (waiting for a card, transmit, control) runs on one worker
//! thread that owns the context and the card connection; the transport talks to it over
//! channels. The transaction's [`CancelToken`] ends a wait from any thread with
//! `SCardCancel`, and no command reaches the card once it is cancelled.
//!
//! Card loss (Book B 3.2: a communication error ends the tap) becomes
//! [`TransportError::CardRemoved`]. Losing pcscd itself (stopped, restarted: `NoService`,
//! `ServiceStopped`, `InvalidHandle`) is reported as a [`Notice`] and recovered by
//! establishing a new context, so a waiting terminal carries on once the service is back.

use std::ffi::CString;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use emv_kernel::outcome::UiRequest;
use emv_kernel::transport::{CardResponse, Transport, TransportError};
use pcsc::{Card, Context, Disposition, Protocols, ShareMode};

use super::acr122u::{self, Signal};
use super::apdu_exchange::{transceive, transmit_raw};
use super::watch::{WaitError, Want, wait_for};
use super::{ErrorClass, ReaderError, classify};
use crate::cancel::{CancelToken, WakerGuard};

/// How long to wait between attempts to reach a pcscd that went away.
const RECONNECT_PAUSE: Duration = Duration::from_millis(200);
/// How long to wait before connecting again to a card that vanished while connecting.
const FLAP_PAUSE: Duration = Duration::from_millis(50);

/// How the transport picks its reader and how long it waits.
#[derive(Debug, Clone, Default)]
pub struct PcscOptions {
    /// The reader's name (exact, or a unique part of it); `None` = an ACR122U, else the first.
    pub reader: Option<String>,
    /// How long to wait for each tap; `None` = without end.
    pub tap_timeout: Option<Duration>,
    /// The transaction's cancel token: ends a wait for a card at once, refuses exchanges.
    pub cancel: CancelToken,
    /// An Enhanced Contactless Polling frame (without CRC) an ACR122U is made to send each
    /// time the terminal starts waiting for a card (transit gates, issue 13;
    /// [`acr122u::ecp_commands`]); `None` for none.
    pub ecp_frame: Option<Vec<u8>>,
}

/// Something the reader layer wants the operator to know, as it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// pcscd went away; the transport keeps trying to reach it.
    ServiceLost(String),
    /// pcscd is back and a new context is established.
    ServiceBack,
    /// A card entered the field and is connected.
    CardConnected(CardInfo),
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::ServiceLost(why) => {
                write!(f, "PC/SC service lost ({why}); waiting for it to come back")
            }
            Notice::ServiceBack => write!(f, "PC/SC service is back"),
            Notice::CardConnected(card) => write!(
                f,
                "card on {:?}, ATR {}, {}",
                card.reader,
                hex::encode_upper(&card.atr),
                card.protocol
            ),
        }
    }
}

/// The card or phone in the field, as the reader saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardInfo {
    /// The reader's name.
    pub reader: String,
    /// Answer to reset (phones through an ACR122U: `3B 80 80 01 01`).
    pub atr: Vec<u8>,
    /// `T=0` or `T=1` (or `raw`).
    pub protocol: &'static str,
    /// The UID from the ACR122U (`FF CA`); random per tap for phones.
    pub uid: Option<Vec<u8>>,
    /// Whether the reader is an ACR122U.
    pub acr122u: bool,
    /// From pcscd reporting the card present to the connection being ready (SCardConnect,
    /// status, and for an ACR122U its buzzer, LED and UID pseudo-APDUs).
    pub connect_took: Duration,
}

enum Request {
    Exchange(Vec<u8>),
    NextTap,
    Signal(Signal),
}

enum Reply {
    Exchange(Result<CardResponse, TransportError>),
    NextTap(Result<CardInfo, ReaderError>),
}

/// A [`Transport`] over a PC/SC reader; see the module documentation.
pub struct PcscTransport {
    requests: Option<mpsc::Sender<Request>>,
    replies: mpsc::Receiver<Reply>,
    cancel: CancelToken,
    worker: Option<thread::JoinHandle<()>>,
    card: Option<CardInfo>,
    taps: usize,
    last_signal: Option<Signal>,
    wait_failure: Option<ReaderError>,
}

impl PcscTransport {
    /// Starts the worker thread. Nothing touches pcscd until the first tap is awaited;
    /// `notify` hears about service loss and recovery and each connected card.
    pub fn new(options: PcscOptions, notify: Box<dyn FnMut(Notice) + Send>) -> PcscTransport {
        let (request_tx, request_rx) = mpsc::channel();
        let (reply_tx, reply_rx) = mpsc::channel();
        let cancel = options.cancel.clone();
        let mut session = Session {
            options,
            cancel: cancel.clone(),
            waker: None,
            notify,
            ctx: None,
            card: None,
            acr122u: false,
            service_lost: false,
        };
        let worker = thread::Builder::new()
            .name("pcsc".into())
            .spawn(move || {
                for request in request_rx {
                    let reply = match request {
                        Request::Exchange(command) => Reply::Exchange(session.exchange(&command)),
                        Request::NextTap => Reply::NextTap(session.next_tap()),
                        Request::Signal(signal) => {
                            session.signal(signal);
                            continue;
                        }
                    };
                    if reply_tx.send(reply).is_err() {
                        break;
                    }
                }
                session.close();
            })
            .ok();
        PcscTransport {
            requests: Some(request_tx),
            replies: reply_rx,
            cancel,
            worker,
            card: None,
            taps: 0,
            last_signal: None,
            wait_failure: None,
        }
    }

    /// The card connected for the current tap.
    pub fn card(&self) -> Option<&CardInfo> {
        self.card.as_ref()
    }

    /// Why the last wait for a tap ended without a card (timeout, no reader, no pcscd).
    pub fn wait_failure(&self) -> Option<&ReaderError> {
        self.wait_failure.as_ref()
    }

    /// Shows a signal on the reader's LED and buzzer (ACR122U only; others ignore it).
    pub fn signal(&mut self, signal: Signal) {
        if self.last_signal == Some(signal) {
            return;
        }
        self.last_signal = Some(signal);
        if let Some(tx) = &self.requests {
            let _ = tx.send(Request::Signal(signal));
        }
    }

    fn call(&mut self, request: Request) -> Option<Reply> {
        let tx = self.requests.as_ref()?;
        tx.send(request).ok()?;
        self.replies.recv().ok()
    }
}

impl Transport for PcscTransport {
    fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError> {
        if self.cancel.is_cancelled() {
            return Err(TransportError::Cancelled);
        }
        match self.call(Request::Exchange(command.to_vec())) {
            Some(Reply::Exchange(result)) => result,
            _ => Err(TransportError::Reader(
                "the PC/SC worker thread stopped".into(),
            )),
        }
    }

    /// Waits for the card to leave (after the first tap) and for the next one. A timeout
    /// ends the transaction with the pending outcome (`Ok(false)`), as a vector with no more
    /// taps does; the reason stays in [`PcscTransport::wait_failure`].
    fn next_tap(&mut self, restart: &UiRequest) -> Result<bool, TransportError> {
        if self.taps > 0 {
            self.signal(acr122u::signal_for(restart));
        }
        self.card = None;
        match self.call(Request::NextTap) {
            Some(Reply::NextTap(Ok(card))) => {
                self.card = Some(card);
                self.taps += 1;
                self.wait_failure = None;
                // The worker lit "processing" while connecting (before any timed exchange).
                self.last_signal = Some(Signal::Processing);
                Ok(true)
            }
            Some(Reply::NextTap(Err(ReaderError::Cancelled))) => {
                self.wait_failure = Some(ReaderError::Cancelled);
                Err(TransportError::Cancelled)
            }
            Some(Reply::NextTap(Err(e))) => {
                self.wait_failure = Some(e);
                Ok(false)
            }
            _ => {
                self.wait_failure = Some(ReaderError::Pcsc(pcsc::Error::InternalError));
                Ok(false)
            }
        }
    }

    fn ui(&mut self, request: &UiRequest) {
        self.signal(acr122u::signal_for(request));
    }
}

impl Drop for PcscTransport {
    fn drop(&mut self) {
        // Calls are synchronous, so the worker is idle: closing its channel ends it.
        self.requests = None;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// The worker thread's state: the context, the card, and what it has told the operator.
struct Session {
    options: PcscOptions,
    cancel: CancelToken,
    /// Keeps `SCardCancel` on the current context registered with the token.
    waker: Option<WakerGuard>,
    notify: Box<dyn FnMut(Notice) + Send>,
    ctx: Option<Context>,
    card: Option<Card>,
    acr122u: bool,
    service_lost: bool,
}

impl Session {
    fn context(&mut self) -> Result<Context, pcsc::Error> {
        if let Some(ctx) = &self.ctx {
            return Ok(ctx.clone());
        }
        let ctx = Context::establish(pcsc::Scope::User)?;
        let waking = ctx.clone();
        self.waker = Some(self.cancel.on_cancel(move || {
            let _ = waking.cancel();
        }));
        self.ctx = Some(ctx.clone());
        if self.service_lost {
            self.service_lost = false;
            (self.notify)(Notice::ServiceBack);
        }
        Ok(ctx)
    }

    fn lose_service(&mut self, error: pcsc::Error) {
        self.card = None;
        self.ctx = None;
        self.waker = None;
        if !self.service_lost {
            self.service_lost = true;
            (self.notify)(Notice::ServiceLost(error.to_string()));
        }
    }

    /// One exchange, timed from the call into PC/SC to its return: the closest a PC/SC
    /// client gets to the card's processing time (it includes the reader's transmission).
    fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError> {
        let Some(card) = &self.card else {
            return Err(TransportError::CardRemoved);
        };
        let sent = Instant::now();
        match transceive(command, |c| transmit_raw(card, c)) {
            Ok(apdu) if apdu.len() >= 2 => Ok(CardResponse {
                apdu,
                elapsed: sent.elapsed(),
            }),
            // No status word: vpcd's card closed the exchange (a zero-length reply ejects
            // it), a real reader lost the card mid-frame. Either way the card is gone.
            Ok(_) => {
                self.card = None;
                Err(TransportError::CardRemoved)
            }
            Err(e) => match classify(e) {
                ErrorClass::CardGone => {
                    self.card = None;
                    Err(TransportError::CardRemoved)
                }
                ErrorClass::ServiceGone => {
                    self.lose_service(e);
                    Err(TransportError::CardRemoved)
                }
                ErrorClass::Timeout => Err(TransportError::Timeout),
                _ => Err(TransportError::Reader(e.to_string())),
            },
        }
    }

    /// On an ACR122U with an ECP frame configured, sends it through the escape path of a
    /// direct connection before the wait (best effort: a reader or driver without escape
    /// commands, or a card already present, leaves the wait as it was).
    fn announce_ecp(&self, ctx: &Context, wanted: Option<&str>) {
        let Some(frame) = &self.options.ecp_frame else {
            return;
        };
        let Ok(names) = super::reader_names(ctx) else {
            return;
        };
        let Some(name) = super::pick_reader(&names, wanted) else {
            return;
        };
        if !acr122u::is_acr122u(&name.to_string_lossy()) {
            return;
        }
        if let Ok(card) = ctx.connect(name, ShareMode::Direct, pcsc::Protocols::UNDEFINED) {
            let _ = acr122u::send_ecp(&card, frame);
            let _ = card.disconnect(Disposition::LeaveCard);
        }
    }

    /// Ends the current tap, waits for the field to empty, then for the next card.
    fn next_tap(&mut self) -> Result<CardInfo, ReaderError> {
        let deadline = self.options.tap_timeout.map(|t| Instant::now() + t);
        let mut need_absent = false;
        if let Some(card) = self.card.take() {
            let _ = card.disconnect(Disposition::LeaveCard);
            need_absent = true;
        }
        let wanted = self.options.reader.clone();
        // Set once pcscd went away during this wait: while a new pcscd starts up, it can
        // answer oddly (a security violation on a half-set-up socket was seen), and those
        // answers are retried like the loss itself until the deadline.
        let mut recovering = false;
        loop {
            if self.cancel.is_cancelled() {
                return Err(ReaderError::Cancelled);
            }
            let ctx = match self.context() {
                Ok(ctx) => ctx,
                Err(e) => {
                    self.recover(e, &mut recovering, deadline)?;
                    continue;
                }
            };
            let want = if need_absent {
                Want::Absent
            } else {
                Want::Present
            };
            if want == Want::Present {
                self.announce_ecp(&ctx, wanted.as_deref());
            }
            let seen = match wait_for(&ctx, wanted.as_deref(), want, deadline, &self.cancel) {
                Ok(seen) => seen,
                Err(WaitError::Cancelled) => return Err(ReaderError::Cancelled),
                Err(WaitError::Timeout { reader_seen }) => {
                    return Err(self.timeout_error(&ctx, reader_seen));
                }
                Err(WaitError::Pcsc(e)) => {
                    self.recover(e, &mut recovering, deadline)?;
                    // A new pcscd starts with an empty field.
                    need_absent = false;
                    continue;
                }
            };
            if need_absent {
                need_absent = false;
                continue;
            }
            match self.connect(&ctx, &seen.reader) {
                Ok(info) => {
                    (self.notify)(Notice::CardConnected(info.clone()));
                    return Ok(info);
                }
                Err(e) => match classify(e) {
                    // The card flapped in and out: wait again, without spinning on a reader
                    // that keeps saying "present" while the card will not connect.
                    ErrorClass::CardGone | ErrorClass::ReaderGone => {
                        thread::sleep(FLAP_PAUSE);
                        continue;
                    }
                    _ => self.recover(e, &mut recovering, deadline)?,
                },
            }
        }
    }

    /// Drops the context and pauses when `error` means pcscd went away (or anything goes
    /// wrong while it comes back); any other error ends the wait.
    fn recover(
        &mut self,
        error: pcsc::Error,
        recovering: &mut bool,
        deadline: Option<Instant>,
    ) -> Result<(), ReaderError> {
        if classify(error) != ErrorClass::ServiceGone && !*recovering {
            return Err(error.into());
        }
        *recovering = true;
        self.lose_service(error);
        self.pause(deadline)
    }

    fn pause(&self, deadline: Option<Instant>) -> Result<(), ReaderError> {
        if let Some(d) = deadline
            && Instant::now() >= d
        {
            return Err(ReaderError::NoService);
        }
        thread::sleep(RECONNECT_PAUSE);
        Ok(())
    }

    fn timeout_error(&self, ctx: &Context, reader_seen: bool) -> ReaderError {
        let waited = self.options.tap_timeout.unwrap_or_default();
        if reader_seen {
            return ReaderError::Timeout(waited);
        }
        let names = super::reader_names(ctx).unwrap_or_default();
        match &self.options.reader {
            Some(wanted) => ReaderError::NotFound {
                wanted: wanted.clone(),
                connected: super::joined(&names),
            },
            None => ReaderError::NoReaders,
        }
    }

    fn connect(&mut self, ctx: &Context, reader: &CString) -> Result<CardInfo, pcsc::Error> {
        let started = Instant::now();
        let card = ctx.connect(reader, ShareMode::Shared, Protocols::T0 | Protocols::T1)?;
        let status = card.status2_owned()?;
        let protocol = match status.protocol2() {
            Some(pcsc::Protocol::T0) => "T=0",
            Some(pcsc::Protocol::T1) => "T=1",
            _ => "raw",
        };
        let name = reader.to_string_lossy().into_owned();
        self.acr122u = acr122u::is_acr122u(&name);
        let uid = if self.acr122u {
            let _ = acr122u::send_with_card(&card, &acr122u::DETECTION_BUZZER_OFF);
            let _ = acr122u::send_with_card(&card, &acr122u::led_command(Signal::Processing));
            acr122u::send_with_card(&card, &acr122u::GET_UID)
                .ok()
                .and_then(|r| match r.as_slice() {
                    [uid @ .., 0x90, 0x00] if !uid.is_empty() => Some(uid.to_vec()),
                    _ => None,
                })
        } else {
            None
        };
        let info = CardInfo {
            reader: name,
            atr: status.atr().to_vec(),
            protocol,
            uid,
            acr122u: self.acr122u,
            connect_took: started.elapsed(),
        };
        self.card = Some(card);
        Ok(info)
    }

    /// Drives the ACR122U's LED and buzzer: through the card connection when a card is
    /// there, else through a direct connection and the escape IOCTL. Failures are ignored:
    /// the lights are a courtesy, the screen is the authority.
    fn signal(&mut self, signal: Signal) {
        let command = acr122u::led_command(signal);
        if let Some(card) = &self.card {
            if self.acr122u {
                let _ = acr122u::send_with_card(card, &command);
            }
            return;
        }
        let Some(ctx) = self.ctx.clone() else {
            return;
        };
        let Ok(names) = super::reader_names(&ctx) else {
            return;
        };
        let Some(reader) = super::pick_reader(&names, self.options.reader.as_deref()) else {
            return;
        };
        if !acr122u::is_acr122u(&reader.to_string_lossy()) {
            return;
        }
        if let Ok(direct) = ctx.connect(reader, ShareMode::Direct, Protocols::UNDEFINED) {
            let _ = acr122u::escape(&direct, &command);
            let _ = direct.disconnect(Disposition::LeaveCard);
        }
    }

    fn close(&mut self) {
        if let Some(card) = self.card.take() {
            let _ = card.disconnect(Disposition::LeaveCard);
        }
        self.waker = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emv_kernel::outcome::{MessageId, ReaderStatus};

    #[test]
    fn a_wait_for_a_card_is_cancelled_from_another_thread() {
        // Works with or without a pcscd: the wait either blocks in SCardGetStatusChange on a
        // reader that never comes, or retries a missing service; cancel ends both.
        let token = CancelToken::new();
        let mut transport = PcscTransport::new(
            PcscOptions {
                reader: Some("tapterm test reader that does not exist".into()),
                tap_timeout: Some(Duration::from_secs(60)),
                cancel: token.clone(),
                ecp_frame: None,
            },
            Box::new(|_| {}),
        );
        let cancel = token.clone();
        let canceller = thread::spawn(move || {
            thread::sleep(Duration::from_millis(300));
            cancel.cancel();
        });
        let present = UiRequest {
            message: MessageId::PresentCard,
            status: ReaderStatus::ReadyToRead,
            hold: Duration::ZERO,
        };
        assert_eq!(transport.next_tap(&present), Err(TransportError::Cancelled));
        assert_eq!(transport.wait_failure(), Some(&ReaderError::Cancelled));
        assert_eq!(transport.card(), None);
        canceller.join().unwrap();
        assert_eq!(
            transport.exchange(&[0x00, 0xA4, 0x04, 0x00, 0x00]),
            Err(TransportError::Cancelled),
            "nothing is sent once cancelled"
        );
    }

    #[test]
    fn exchanges_without_a_card_are_card_removed() {
        let mut transport = PcscTransport::new(PcscOptions::default(), Box::new(|_| {}));
        assert_eq!(
            transport.exchange(&[0x00, 0xA4, 0x04, 0x00, 0x00]),
            Err(TransportError::CardRemoved)
        );
    }
}

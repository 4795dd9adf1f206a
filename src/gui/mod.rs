//! The terminal's window (iced 0.14, Elm architecture): one [`App`] state, one [`Message`]
//! type, `update` and `view`, as in iced's own `todos` and `stopwatch` examples.
//!
//! Screens: cashier (amount, status lights, outcome, receipt), developer (APDU trace),
//! history (the day's totals) and readers. The transaction never runs in `update`: it runs on
//! its own thread ([`worker`]) and reports back as messages.

pub mod amount;
pub mod banner;
pub mod cashier;
pub mod developer;
pub mod history;
pub mod lights;
pub mod readers;
pub mod receipt_view;
pub mod settings;
pub mod worker;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use emv_kernel::config::{Date, Time, Transaction, TransactionType};
use emv_kernel::outcome::{MessageId, ReaderStatus, UiRequest};
use iced::keyboard::{self, Key, key::Named};
use iced::widget::{button, column, container, row, text};
use iced::{Element, Length, Subscription, Task, Theme};

use amount::{Amount, AmountEntry, KeypadKey};
use banner::Banner;
use settings::GuiConfig;
use worker::{Control, Finished, ReaderChoice, WorkerEvent};

use crate::journal::{Journal, StoredEntry};
use crate::phone::Profile;
use emv_kernel::outcome::TraceEntry;

/// How the window starts (command line options).
#[derive(Debug, Clone, Default)]
pub struct GuiOptions {
    /// Demo wallet profile to preselect.
    pub profile: Option<String>,
    /// Start with the demo phone locked (two-tap "See phone" flow).
    pub locked: bool,
    /// Tap the demo wallet as soon as the reader polls.
    pub auto_tap: bool,
    /// Amount to pre-fill.
    pub amount: Option<String>,
    /// Charge the pre-filled amount at once.
    pub charge: bool,
    /// Screen to open.
    pub screen: Screen,
    /// Exchange the developer screen selects first (0-based).
    pub exchange: usize,
}

/// The screens, as tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    /// Amount, lights, outcome, receipt.
    #[default]
    Cashier,
    /// APDU trace of the last transaction.
    Developer,
    /// The day's transactions.
    History,
    /// Reader choice and demo wallets.
    Readers,
}

/// Purchase or refund (tag 9C `00` / `20`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TxnKind {
    /// Goods and services.
    #[default]
    Purchase,
    /// Refund.
    Refund,
}

/// Where the cashier screen is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Typing the amount.
    Entry,
    /// The kernel runs: waiting for a tap or processing.
    Waiting,
    /// The outcome banner and receipt.
    Outcome,
}

/// Everything that can happen to the window.
#[derive(Debug, Clone)]
pub enum Message {
    /// Switch screen.
    Screen(Screen),
    /// A keypad key (on screen or keyboard).
    Key(KeypadKey),
    /// Enter: charge, or start a new sale after an outcome.
    Enter,
    /// Start the transaction.
    Charge,
    /// Cancel (Esc): clear the amount, stop a running transaction, or leave the outcome.
    Cancel,
    /// Purchase or refund.
    Kind(TxnKind),
    /// Put the demo wallet in the field.
    Tap,
    /// Progress from the transaction thread.
    Worker(WorkerEvent),
    /// The stream of the transaction with this number ended (after `Done`, or because the
    /// thread died).
    WorkerGone(u64),
    /// Idle light blink.
    Blink,
    /// Check whether a held message's time is over.
    HoldTick,
    /// Back to amount entry.
    NewSale,
    /// Write the receipt to a text file.
    SaveReceipt,
    /// Show one exchange in the developer screen.
    SelectExchange(usize),
    /// Copy one exchange's hex.
    CopyHex(usize),
    /// Copy every exchange's hex.
    CopyAllHex,
    /// Export the last tap as a test vector.
    ExportVector,
    /// Use a PC/SC reader by name, or the demo reader.
    UseReader(Option<String>),
    /// Choose the demo wallet profile.
    Profile(String),
    /// Demo phone locked.
    Locked(bool),
    /// Demo auto-tap.
    AutoTap(bool),
    /// Time to look for readers again.
    PollReaders,
    /// The PC/SC readers present now.
    Readers(Vec<String>),
}

/// The window's state.
#[derive(Debug)]
pub struct App {
    config: GuiConfig,
    screen: Screen,
    phase: Phase,
    kind: TxnKind,
    entry: AmountEntry,
    entry_error: Option<String>,
    charging: Option<Amount>,
    status: ReaderStatus,
    message: Option<MessageId>,
    blink_on: bool,
    waiting_for_tap: bool,
    running: Option<Control>,
    /// Until when the message shown must stay (Book A hold time).
    held_until: Option<Instant>,
    /// The request waiting for the hold to end.
    queued: Option<UiRequest>,
    /// Transactions started so far; numbers each one's stream.
    transactions: u64,
    cancel_requested: bool,
    live: Vec<TraceEntry>,
    last: Option<Box<Finished>>,
    banner: Option<Banner>,
    receipt: Option<String>,
    journal: Option<Arc<Mutex<Journal>>>,
    session_journal: bool,
    history: Vec<StoredEntry>,
    reader: ReaderChoice,
    pcsc_readers: Vec<String>,
    profile: String,
    locked: bool,
    auto_tap: bool,
    selected_exchange: usize,
    notice: Option<String>,
}

/// Maps a key press to a message: digits and `.`/`,` type, Backspace/Delete erase, Enter
/// charges, Esc cancels, Space taps the demo wallet.
pub fn key_message(event: keyboard::Event) -> Option<Message> {
    let keyboard::Event::KeyPressed { key, modifiers, .. } = event else {
        return None;
    };
    if modifiers.control() || modifiers.alt() || modifiers.logo() {
        return None;
    }
    match key.as_ref() {
        Key::Character(c) => match c {
            "." | "," => Some(Message::Key(KeypadKey::Point)),
            // X11 keyboard layouts may report the space bar as a character.
            " " => Some(Message::Tap),
            _ => {
                let mut chars = c.chars();
                match (chars.next().and_then(|ch| ch.to_digit(10)), chars.next()) {
                    (Some(d), None) => u8::try_from(d)
                        .ok()
                        .map(|d| Message::Key(KeypadKey::Digit(d))),
                    _ => None,
                }
            }
        },
        Key::Named(Named::Backspace) => Some(Message::Key(KeypadKey::Backspace)),
        Key::Named(Named::Delete) => Some(Message::Key(KeypadKey::Clear)),
        Key::Named(Named::Enter) => Some(Message::Enter),
        Key::Named(Named::Escape) => Some(Message::Cancel),
        Key::Named(Named::Space) => Some(Message::Tap),
        _ => None,
    }
}

fn today() -> (Date, Time) {
    use chrono::{Datelike, Timelike};
    let now = chrono::Local::now();
    (
        Date {
            year: u16::try_from(now.year()).unwrap_or(2000),
            month: u8::try_from(now.month()).unwrap_or(1),
            day: u8::try_from(now.day()).unwrap_or(1),
        },
        Time {
            hour: u8::try_from(now.hour()).unwrap_or(0),
            minute: u8::try_from(now.minute()).unwrap_or(0),
            second: u8::try_from(now.second()).unwrap_or(0),
        },
    )
}

/// Fresh unpredictable numbers (tag 9F37), one per possible tap (Book A 5.4: a new one for
/// every tap of a restart).
fn unpredictable_numbers() -> Vec<[u8; 4]> {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: fall back to the clock, never to a constant.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = nanos.to_le_bytes();
    }
    bytes
        .chunks_exact(4)
        .map(|c| [c[0], c[1], c[2], c[3]])
        .collect()
}

impl App {
    /// A fresh window state.
    pub fn new(config: GuiConfig, options: &GuiOptions) -> App {
        let profile = options
            .profile
            .clone()
            .unwrap_or_else(|| Profile::VisaPhone.name().to_string());
        let mut entry = AmountEntry::default();
        if let Some(a) = &options.amount {
            entry.set(a);
        }
        let mut app = App {
            config,
            screen: options.screen,
            phase: Phase::Entry,
            kind: TxnKind::Purchase,
            entry,
            entry_error: None,
            charging: None,
            status: ReaderStatus::Idle,
            message: None,
            blink_on: true,
            waiting_for_tap: false,
            running: None,
            held_until: None,
            queued: None,
            transactions: 0,
            cancel_requested: false,
            live: Vec::new(),
            last: None,
            banner: None,
            receipt: None,
            journal: None,
            session_journal: false,
            history: Vec::new(),
            reader: ReaderChoice::Pcsc(String::new()),
            pcsc_readers: Vec::new(),
            profile,
            locked: options.locked,
            auto_tap: options.auto_tap,
            selected_exchange: options.exchange,
            notice: None,
        };
        app.reader = app.demo_reader();
        app.open_journal();
        app
    }

    /// Opens the journal and reads today's transactions. When it cannot be opened (locked,
    /// corrupt, read-only), a journal for this session alone in the temporary folder takes
    /// its place, so transactions still get receipts and totals, and the cashier is told.
    fn open_journal(&mut self) {
        let Some(path) = self.config.journal.clone() else {
            return;
        };
        let journal = match Journal::open(&path) {
            Ok(journal) => journal,
            Err(e) => {
                let session = std::env::temp_dir()
                    .join(format!("tapterm-session-{}.sqlite", std::process::id()));
                self.notice = Some(format!(
                    "Journal {} unavailable ({e}): this session's transactions go to {}",
                    path.display(),
                    session.display()
                ));
                self.session_journal = true;
                match Journal::open(&session) {
                    Ok(journal) => journal,
                    Err(_) => return,
                }
            }
        };
        let today = chrono::Utc::now().date_naive();
        self.history = journal.day(today).unwrap_or_default();
        self.journal = Some(Arc::new(Mutex::new(journal)));
    }

    fn boot(config: GuiConfig, options: &GuiOptions) -> (App, Task<Message>) {
        let app = App::new(config, options);
        let mut tasks = vec![Task::done(Message::PollReaders)];
        if options.charge {
            tasks.push(Task::done(Message::Charge));
        }
        (app, Task::batch(tasks))
    }

    fn demo_reader(&self) -> ReaderChoice {
        ReaderChoice::Demo {
            profile: self.profile.clone(),
            locked: self.locked,
            auto_tap: self.auto_tap,
        }
    }

    /// The cashier screen's phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The outcome banner shown, if any.
    pub fn banner(&self) -> Option<&Banner> {
        self.banner.as_ref()
    }

    /// The receipt text, if any.
    pub fn receipt(&self) -> Option<&str> {
        self.receipt.as_deref()
    }

    /// The last finished transaction.
    pub fn last(&self) -> Option<&Finished> {
        self.last.as_deref()
    }

    /// The amount entry's message, if the amount was refused.
    pub fn entry_error(&self) -> Option<&str> {
        self.entry_error.as_deref()
    }

    /// The day's transactions.
    pub fn history(&self) -> &[StoredEntry] {
        &self.history
    }

    /// The PC/SC readers seen at the last poll.
    pub fn pcsc_readers(&self) -> &[String] {
        &self.pcsc_readers
    }

    /// Whether a transaction is running.
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Whether the demo reader waits for the Tap button.
    pub fn waiting_for_tap(&self) -> bool {
        self.waiting_for_tap
    }

    /// The Book A message shown while the transaction runs.
    pub fn message(&self) -> Option<MessageId> {
        self.message
    }

    /// The note under the screen (receipt saved, journal trouble), if any.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// The current reader status (status lights).
    pub fn status(&self) -> ReaderStatus {
        self.status
    }

    /// The window title.
    pub fn title(&self) -> String {
        let screen = match self.screen {
            Screen::Cashier => "Cashier",
            Screen::Developer => "Developer",
            Screen::History => "History",
            Screen::Readers => "Readers",
        };
        format!("tapterm — {screen}")
    }

    /// Dark, calm.
    pub fn theme(&self) -> Theme {
        Theme::Dark
    }

    /// Keyboard always; the blink timer only while a light blinks; reader polling.
    pub fn subscription(&self) -> Subscription<Message> {
        let mut subs = vec![
            keyboard::listen().filter_map(key_message),
            iced::time::every(Duration::from_secs(3)).map(|_| Message::PollReaders),
        ];
        if self.queued.is_some() {
            subs.push(iced::time::every(Duration::from_millis(100)).map(|_| Message::HoldTick));
        }
        if lights::blinks(self.status) {
            subs.push(iced::time::every(Duration::from_millis(500)).map(|_| Message::Blink));
        }
        Subscription::batch(subs)
    }

    /// Applies one message.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Screen(s) => self.screen = s,
            Message::Key(key) => match self.phase {
                Phase::Entry => {
                    self.entry.press(key);
                    self.entry_error = None;
                }
                Phase::Outcome if matches!(key, KeypadKey::Digit(_) | KeypadKey::Point) => {
                    self.new_sale();
                    self.entry.press(key);
                }
                _ => {}
            },
            Message::Enter => match self.phase {
                Phase::Entry => return self.charge(),
                Phase::Outcome => self.new_sale(),
                Phase::Waiting => {}
            },
            Message::Charge => return self.charge(),
            Message::Cancel => match self.phase {
                Phase::Entry => {
                    self.entry.press(KeypadKey::Clear);
                    self.entry_error = None;
                }
                Phase::Waiting => {
                    self.cancel_requested = true;
                    if let Some(c) = &self.running {
                        c.cancel();
                    }
                }
                Phase::Outcome => self.new_sale(),
            },
            Message::Kind(k) => {
                if self.phase == Phase::Entry {
                    self.kind = k;
                }
            }
            Message::Tap => {
                if let Some(c) = &self.running
                    && self.waiting_for_tap
                {
                    self.waiting_for_tap = false;
                    c.tap();
                }
            }
            Message::Worker(event) => self.on_worker(event),
            Message::WorkerGone(number) => self.on_worker_gone(number),
            Message::Blink => self.blink_on = !self.blink_on,
            Message::HoldTick => self.on_hold_tick(),
            Message::NewSale => self.new_sale(),
            Message::SaveReceipt => self.save_receipt(),
            Message::SelectExchange(i) => self.selected_exchange = i,
            Message::CopyHex(i) => {
                if let Some(e) = self.shown_exchanges().get(i) {
                    return iced::clipboard::write(developer::exchange_hex(e));
                }
            }
            Message::CopyAllHex => {
                let all: Vec<String> = self
                    .shown_exchanges()
                    .iter()
                    .map(developer::exchange_hex)
                    .collect();
                return iced::clipboard::write(all.join("\n"));
            }
            Message::ExportVector => self.export_vector(),
            Message::UseReader(name) => {
                if self.running.is_none() {
                    self.reader = match name {
                        Some(n) => ReaderChoice::Pcsc(n),
                        None => self.demo_reader(),
                    };
                }
            }
            Message::Profile(p) => {
                self.profile = p;
                self.refresh_demo();
            }
            Message::Locked(l) => {
                self.locked = l;
                self.refresh_demo();
            }
            Message::AutoTap(a) => {
                self.auto_tap = a;
                self.refresh_demo();
            }
            Message::PollReaders => {
                return Task::perform(poll_readers(), Message::Readers);
            }
            Message::Readers(list) => self.on_readers(list),
        }
        Task::none()
    }

    fn refresh_demo(&mut self) {
        if matches!(self.reader, ReaderChoice::Demo { .. }) && self.running.is_none() {
            self.reader = self.demo_reader();
        }
    }

    /// Hot-plug: a chosen PC/SC reader that went away falls back to the demo reader; the
    /// first reader plugged in while on the demo reader is not forced on the cashier.
    fn on_readers(&mut self, list: Vec<String>) {
        if list == self.pcsc_readers {
            return;
        }
        let added: Vec<&String> = list
            .iter()
            .filter(|n| !self.pcsc_readers.contains(n))
            .collect();
        let gone: Vec<&String> = self
            .pcsc_readers
            .iter()
            .filter(|n| !list.contains(n))
            .collect();
        let mut notes = Vec::new();
        if !added.is_empty() {
            notes.push(format!("Reader plugged in: {}", join(&added)));
        }
        if !gone.is_empty() {
            notes.push(format!("Reader unplugged: {}", join(&gone)));
        }
        if let ReaderChoice::Pcsc(name) = &self.reader
            && !list.contains(name)
            && self.running.is_none()
        {
            notes.push("using the demo reader".into());
            self.reader = self.demo_reader();
        }
        self.notice = Some(notes.join("; "));
        self.pcsc_readers = list;
    }

    /// The exchanges the developer screen shows: the running transaction's so far, else the
    /// last transaction's.
    pub fn shown_exchanges(&self) -> &[TraceEntry] {
        match (&self.running, &self.last) {
            (None, Some(last)) => last.exchanges(),
            _ => &self.live,
        }
    }

    fn charge(&mut self) -> Task<Message> {
        if self.phase != Phase::Entry || self.running.is_some() {
            return Task::none();
        }
        let amount = match self.entry.parse(&self.config.currency, &self.config.limits) {
            Ok(a) => a,
            Err(e) => {
                self.entry_error = Some(e.to_string());
                return Task::none();
            }
        };
        let (date, time) = today();
        let transaction = Transaction {
            kind: match self.kind {
                TxnKind::Purchase => TransactionType::Purchase,
                TxnKind::Refund => TransactionType::Refund,
            },
            amount: amount.minor,
            amount_other: 0,
            currency: self.config.currency.numeric,
            currency_exponent: self.config.currency.exponent,
            date,
            time,
            unpredictable_numbers: unpredictable_numbers(),
        };
        let (control, events) = worker::start(worker::Job {
            config: self.config.terminal.clone(),
            transaction,
            reader: self.reader.clone(),
            host: self.config.host.clone(),
            journal: self.journal.clone(),
        });
        self.running = Some(control);
        self.cancel_requested = false;
        self.charging = Some(amount);
        self.phase = Phase::Waiting;
        self.status = ReaderStatus::ReadyToRead;
        self.message = Some(MessageId::PresentCard);
        self.release_hold();
        self.waiting_for_tap = false;
        self.live.clear();
        self.notice = None;
        self.transactions += 1;
        Task::run(events, Message::Worker).chain(Task::done(Message::WorkerGone(self.transactions)))
    }

    /// A transaction thread that ended without a result (it could not start, or panicked):
    /// the cashier sees a processing error instead of waiting forever.
    fn on_worker_gone(&mut self, number: u64) {
        // A late end of an earlier transaction's stream says nothing about this one.
        if number != self.transactions || self.running.take().is_none() {
            return;
        }
        self.release_hold();
        self.banner = Some(Banner {
            tone: banner::Tone::Bad,
            title: "Processing error".into(),
            detail: vec![
                "The transaction stopped unexpectedly: check History before charging again".into(),
            ],
        });
        self.receipt = None;
        self.status = ReaderStatus::ProcessingError;
        self.waiting_for_tap = false;
        self.phase = Phase::Outcome;
    }

    /// Shows a user interface request now and starts its hold time.
    fn show(&mut self, request: UiRequest) {
        // "See phone" stays up until the phone comes back: the "present card" that Entry
        // Point shows for the restart (Book A 9.4) would hide what to do.
        let keep_see_phone = self.message == Some(MessageId::SeePhone)
            && matches!(
                request.message,
                MessageId::PresentCard | MessageId::PresentCardAgain
            );
        if request.message != MessageId::ClearDisplay && !keep_see_phone {
            self.message = Some(request.message);
        }
        self.status = request.status;
        self.held_until = (!request.hold.is_zero()).then(|| Instant::now() + request.hold);
    }

    /// Ends any hold and forgets what waited behind it.
    fn release_hold(&mut self) {
        self.held_until = None;
        self.queued = None;
    }

    /// The hold timer ticked: once the hold is over, the queued request shows.
    fn on_hold_tick(&mut self) {
        if self.held_until.is_some_and(|until| Instant::now() < until) {
            return;
        }
        self.held_until = None;
        if let Some(request) = self.queued.take() {
            self.show(request);
        }
    }

    fn on_worker(&mut self, event: WorkerEvent) {
        if self.running.is_none() {
            return;
        }
        match event {
            WorkerEvent::Ui(request) => {
                // Book A 9.2: a message is held for its hold time; what the kernel asks to
                // show meanwhile waits its turn (the latest request wins).
                if self.held_until.is_some_and(|until| Instant::now() < until) {
                    self.queued = Some(request);
                } else {
                    self.show(request);
                }
            }
            WorkerEvent::WaitingForTap => self.waiting_for_tap = true,
            WorkerEvent::CardDetected => {
                self.release_hold();
                self.waiting_for_tap = false;
                self.status = ReaderStatus::Processing;
                self.message = Some(MessageId::Processing);
            }
            WorkerEvent::Exchange(record) => self.live.push(record),
            WorkerEvent::Notice(text) => self.notice = Some(text),
            WorkerEvent::Done(finished) => self.finish(finished),
        }
    }

    fn finish(&mut self, finished: Box<Finished>) {
        self.release_hold();
        let banner = finished.banner.clone();
        let receipt = finished.checkout.verdict.receipt;
        self.receipt = finished
            .stored
            .as_ref()
            .filter(|_| receipt)
            .map(|stored| receipt_view::receipt_text(stored, &self.config.merchant));
        if let Some(day) = &finished.day {
            self.history = day.clone();
        }
        if let Some(e) = &finished.journal_error {
            self.notice = Some(format!("Not written to the journal: {e}"));
        }
        self.status = match banner.tone {
            banner::Tone::Good => ReaderStatus::CardReadSuccessfully,
            banner::Tone::Neutral => ReaderStatus::Idle,
            _ => self.status,
        };
        self.banner = Some(banner);
        self.last = Some(finished);
        self.running = None;
        self.waiting_for_tap = false;
        self.phase = Phase::Outcome;
    }

    fn new_sale(&mut self) {
        if self.running.is_some() {
            return;
        }
        self.phase = Phase::Entry;
        self.entry = AmountEntry::default();
        self.entry_error = None;
        self.banner = None;
        self.receipt = None;
        self.charging = None;
        self.status = ReaderStatus::Idle;
        self.message = None;
        self.notice = None;
    }

    fn save_receipt(&mut self) {
        let (Some(receipt), Some(stored)) = (
            &self.receipt,
            self.last.as_ref().and_then(|l| l.stored.as_ref()),
        ) else {
            return;
        };
        self.notice = Some(
            match receipt_view::save(&self.config.data_dir, stored, receipt) {
                Ok(path) => format!("Receipt saved to {}", path.display()),
                Err(e) => format!("Could not save the receipt: {e}"),
            },
        );
    }

    /// Writes the last tap as a `tapterm-vector/1` file under the data folder's `vectors/`.
    fn export_vector(&mut self) {
        let Some(last) = &self.last else { return };
        self.notice = Some(match developer::export_vector(&self.config, last) {
            Ok(path) => format!("Test vector written to {}", path.display()),
            Err(e) => format!("Could not write the test vector: {e}"),
        });
    }

    /// The whole window: tabs on top, the screen below.
    pub fn view(&self) -> Element<'_, Message> {
        let tab = |s: Screen, label: &'static str| {
            button(text(label).size(18))
                .padding([8, 18])
                .style(if self.screen == s {
                    button::primary
                } else {
                    button::text
                })
                .on_press(Message::Screen(s))
        };
        let bar = row![
            text("tapterm").size(22),
            tab(Screen::Cashier, "Cashier"),
            tab(Screen::Developer, "Developer"),
            tab(Screen::History, "History"),
            tab(Screen::Readers, "Readers"),
            text(self.reader.label())
                .size(14)
                .width(Length::Fill)
                .align_x(iced::Right),
        ]
        .spacing(8)
        .padding([6, 12])
        .align_y(iced::Alignment::Center);
        let body = match self.screen {
            Screen::Cashier => cashier::view(self),
            Screen::Developer => developer::view(self),
            Screen::History => history::view(self),
            Screen::Readers => settings::view(self),
        };
        column![
            bar,
            container(body).width(Length::Fill).height(Length::Fill)
        ]
        .into()
    }
}

fn join(names: &[&String]) -> String {
    names
        .iter()
        .map(|n| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Lists PC/SC readers off the UI thread.
async fn poll_readers() -> Vec<String> {
    let (tx, rx) = iced::futures::channel::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("readers".into())
        .spawn(move || {
            let _ = tx.send(readers::list_readers());
        });
    if spawned.is_err() {
        return Vec::new();
    }
    rx.await.unwrap_or_default()
}

/// Opens the window and runs until it is closed.
pub fn run(config: GuiConfig, options: GuiOptions) -> iced::Result {
    iced::application(
        move || App::boot(config.clone(), &options),
        App::update,
        App::view,
    )
    .title(App::title)
    .subscription(App::subscription)
    .theme(App::theme)
    .window_size((1100.0, 720.0))
    .run()
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced::keyboard::{Location, Modifiers};

    fn press(key: Key) -> keyboard::Event {
        keyboard::Event::KeyPressed {
            key: key.clone(),
            modified_key: key,
            physical_key: keyboard::key::Physical::Unidentified(
                keyboard::key::NativeCode::Unidentified,
            ),
            location: Location::Standard,
            modifiers: Modifiers::default(),
            text: None,
            repeat: false,
        }
    }

    #[test]
    fn keys_map_to_keypad_and_actions() {
        let m = |k| key_message(press(k));
        assert!(matches!(
            m(Key::Character("7".into())),
            Some(Message::Key(KeypadKey::Digit(7)))
        ));
        assert!(matches!(
            m(Key::Character(",".into())),
            Some(Message::Key(KeypadKey::Point))
        ));
        assert!(matches!(m(Key::Named(Named::Enter)), Some(Message::Enter)));
        assert!(matches!(
            m(Key::Named(Named::Escape)),
            Some(Message::Cancel)
        ));
        assert!(matches!(
            m(Key::Named(Named::Backspace)),
            Some(Message::Key(KeypadKey::Backspace))
        ));
        assert!(matches!(m(Key::Named(Named::Space)), Some(Message::Tap)));
        assert!(matches!(m(Key::Character(" ".into())), Some(Message::Tap)));
        assert!(m(Key::Character("x".into())).is_none());
        assert!(m(Key::Character("12".into())).is_none());
    }

    #[test]
    fn a_held_message_stays_for_its_hold_time() {
        let dir = std::env::temp_dir();
        let config = GuiConfig::new(
            emv_kernel::config::TerminalConfig::default(),
            "test shop",
            978,
            dir,
        )
        .unwrap();
        let mut app = App::new(config, &GuiOptions::default());
        let _ = app.update(Message::Key(KeypadKey::Digit(5)));
        let _ = app.update(Message::Charge);
        assert!(app.is_running());
        let ui = |message, status, ms| {
            Message::Worker(WorkerEvent::Ui(UiRequest {
                message,
                status,
                hold: Duration::from_millis(ms),
            }))
        };
        let _ = app.update(ui(
            MessageId::PresentOneCardOnly,
            ReaderStatus::ProcessingError,
            150,
        ));
        let _ = app.update(ui(
            MessageId::PresentCardAgain,
            ReaderStatus::ReadyToRead,
            0,
        ));
        let _ = app.update(Message::HoldTick);
        assert_eq!(app.message(), Some(MessageId::PresentOneCardOnly));
        assert_eq!(app.status(), ReaderStatus::ProcessingError);
        std::thread::sleep(Duration::from_millis(200));
        let _ = app.update(Message::HoldTick);
        assert_eq!(app.message(), Some(MessageId::PresentCardAgain));
        assert_eq!(app.status(), ReaderStatus::ReadyToRead);
        let _ = app.update(Message::Cancel);
    }

    #[test]
    fn unpredictable_numbers_differ() {
        let a = unpredictable_numbers();
        assert_eq!(a.len(), 4);
        assert_ne!(a, unpredictable_numbers());
    }
}

//! The terminal's window (iced 0.14, Elm architecture, as in iced's own `todos` and
//! `stopwatch` examples): each screen is a module with its own state, `Message`, `update`
//! and `view` (cashier, developer trace, history, readers, receipt, settings panel), mapped
//! into the window's [`Message`]. The window keeps the screens and the sale's [`Phase`],
//! which carries the running transaction or its outcome.
//!
//! Nothing slow runs in `update`: the transaction runs on its own thread ([`worker`]) and
//! reports back as messages; the journal is opened and read, receipts and vectors are
//! written, and readers are listed in tasks.

pub mod amount;
pub mod cashier;
pub mod developer;
pub mod gate;
pub mod history;
pub mod lights;
pub mod phase;
pub mod prompt;
pub mod readers;
pub mod receipt;
pub mod settings;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use emv_kernel::config::TransactionType;
use emv_kernel::outcome::{MessageId, ReaderStatus};
use iced::keyboard::{self, Key, key::Named};
use iced::widget::{button, column, container, row, text};
use iced::{Element, Length, Subscription, Task, Theme};

use amount::{Amount, KeypadKey};
use phase::Live;
pub use phase::Phase;
use readers::{Demo, ReaderChoice};
use settings::GuiConfig;
use worker::Event;

use crate::checkout::CheckoutResult;
use crate::journal::StoredEntry;
use crate::phone::Profile;
use crate::rewards::Redemption;
use crate::transaction::{Sale, new_transaction};
use crate::verdict::Verdict;

/// How the window starts (command line options).
#[derive(Debug, Clone, Default)]
pub struct GuiOptions {
    /// Demo wallet profile to start on (`--demo`): the window stays on the demo reader
    /// even when a real one is present. `None`: a present PC/SC reader is used.
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
    /// Reader choice, demo wallets and the terminal's settings.
    Readers,
}

/// Everything that can happen to the window.
#[derive(Debug, Clone)]
pub enum Message {
    /// Switch screen.
    Screen(Screen),
    /// For the cashier screen.
    Cashier(cashier::Message),
    /// For the developer screen.
    Developer(developer::Message),
    /// For the history screen.
    History(history::Message),
    /// For the readers screen.
    Readers(readers::Message),
    /// Progress of the running transaction.
    Progress(Event),
    /// Check whether a held message's time is over.
    HoldTick,
    /// Something to tell the user (a file written, a reader plugged in, journal trouble).
    Notice(String),
    /// The window's close button: a running transaction is cancelled and journalled first.
    CloseRequested,
}

impl From<cashier::Message> for Message {
    fn from(m: cashier::Message) -> Message {
        Message::Cashier(m)
    }
}

impl From<developer::Message> for Message {
    fn from(m: developer::Message) -> Message {
        Message::Developer(m)
    }
}

impl From<readers::Message> for Message {
    fn from(m: readers::Message) -> Message {
        Message::Readers(m)
    }
}

/// The window's state: the screens and the sale's phase.
#[derive(Debug)]
pub struct App {
    config: GuiConfig,
    screen: Screen,
    phase: Phase,
    cashier: cashier::State,
    developer: developer::State,
    history: history::State,
    readers: readers::State,
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
            "." | "," => Some(cashier::Message::Key(KeypadKey::Point).into()),
            // X11 keyboard layouts may report the space bar as a character.
            " " => Some(cashier::Message::Tap.into()),
            _ => {
                let mut chars = c.chars();
                match (chars.next().and_then(|ch| ch.to_digit(10)), chars.next()) {
                    (Some(d), None) => u8::try_from(d)
                        .ok()
                        .map(|d| cashier::Message::Key(KeypadKey::Digit(d)).into()),
                    _ => None,
                }
            }
        },
        Key::Named(Named::Backspace) => Some(cashier::Message::Key(KeypadKey::Backspace).into()),
        Key::Named(Named::Delete) => Some(cashier::Message::Key(KeypadKey::Clear).into()),
        Key::Named(Named::Enter) => Some(cashier::Message::Enter.into()),
        Key::Named(Named::Escape) => Some(cashier::Message::Cancel.into()),
        Key::Named(Named::Space) => Some(cashier::Message::Tap.into()),
        _ => None,
    }
}

impl App {
    /// The window as it opens, and what it does first: open the journal, look for readers,
    /// and charge the pre-filled amount when asked to.
    pub fn boot(config: GuiConfig, options: &GuiOptions) -> (App, Task<Message>) {
        let demo = Demo {
            profile: options
                .profile
                .clone()
                .unwrap_or_else(|| Profile::VisaPhone.name().to_string()),
            locked: options.locked,
            auto_tap: options.auto_tap,
        };
        let journal = config.journal.clone();
        let config_warning = config.rewards_warning.clone();
        let app = App {
            config,
            screen: options.screen,
            phase: Phase::Entry,
            cashier: cashier::State::new(options.amount.as_deref()),
            developer: developer::State::new(options.exchange),
            history: history::State::default(),
            readers: readers::State::new(demo, options.profile.is_none()),
            notice: config_warning,
        };
        // The journal first: a pre-filled charge must find it open.
        let mut first = history::open(journal, app.config.zone)
            .map(Message::History)
            .chain(Task::done(readers::Message::Poll.into()));
        if options.charge {
            first = first.chain(Task::done(cashier::Message::Charge.into()));
        }
        (app, first)
    }

    /// The sale's phase.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The verdict shown, if any (checkout's, presented as it is).
    pub fn verdict(&self) -> Option<&Verdict> {
        self.phase.outcome().and_then(|o| o.verdict())
    }

    /// The receipt text, if any.
    pub fn receipt(&self) -> Option<&str> {
        self.phase
            .outcome()
            .and_then(|o| o.receipt())
            .map(|r| r.text())
    }

    /// The last finished transaction.
    pub fn last(&self) -> Option<&CheckoutResult> {
        self.developer.last()
    }

    /// The amount entry's message, if the amount was refused.
    pub fn entry_error(&self) -> Option<&str> {
        self.cashier.error()
    }

    /// The day's transactions.
    pub fn history(&self) -> &[StoredEntry] {
        self.history.entries()
    }

    /// The PC/SC readers seen at the last poll.
    pub fn pcsc_readers(&self) -> &[String] {
        self.readers.found()
    }

    /// The reader the next sale runs on.
    pub fn reader(&self) -> ReaderChoice {
        self.readers.choice()
    }

    /// Whether a transaction is running.
    pub fn is_running(&self) -> bool {
        self.phase.live().is_some()
    }

    /// Whether the demo reader waits for the Tap button.
    pub fn waiting_for_tap(&self) -> bool {
        self.phase.live().is_some_and(Live::polling)
    }

    /// The Book A message shown while the transaction runs.
    pub fn message(&self) -> Option<MessageId> {
        self.phase.live().map(|l| l.prompt().message())
    }

    /// The note at the bottom of the window (receipt saved, reader plugged in, journal
    /// trouble), if any.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// The current reader status (status lights).
    pub fn status(&self) -> ReaderStatus {
        self.phase.status()
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

    /// Keyboard and the close button always; reader polling; the hold timer while a
    /// message is held; the blink timer while a light blinks.
    pub fn subscription(&self) -> Subscription<Message> {
        let mut subs = vec![
            keyboard::listen().filter_map(key_message),
            iced::window::close_requests().map(|_| Message::CloseRequested),
            iced::time::every(Duration::from_secs(3)).map(|_| readers::Message::Poll.into()),
        ];
        if self.phase.live().is_some_and(|l| l.prompt().is_holding()) {
            subs.push(iced::time::every(Duration::from_millis(100)).map(|_| Message::HoldTick));
        }
        if lights::blinks(self.status()) {
            subs.push(
                iced::time::every(Duration::from_millis(500))
                    .map(|_| cashier::Message::Blink.into()),
            );
        }
        Subscription::batch(subs)
    }

    /// Applies one message.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Screen(s) => self.screen = s,
            Message::Cashier(m) => {
                let action =
                    self.cashier
                        .update(m, &self.phase, &self.config.currency, &self.config.limits);
                return self.act(action);
            }
            Message::Developer(m) => {
                let shown = developer_shows(&self.phase);
                return self
                    .developer
                    .update(m, shown, &self.config.terminal, &self.config.data_dir)
                    .map(Message::Notice);
            }
            Message::History(m) => {
                if let Some(notice) = self.history.update(m) {
                    self.notice = Some(notice);
                }
            }
            Message::Readers(m) => {
                let (task, notice) = self.readers.update(m, !self.is_running());
                if notice.is_some() {
                    self.notice = notice;
                }
                return task.map(Message::Readers);
            }
            Message::Progress(event) => return self.progress(event),
            Message::HoldTick => {
                if let Some(live) = self.phase.live_mut() {
                    live.tick();
                }
            }
            Message::Notice(notice) => self.notice = Some(notice),
            Message::CloseRequested => match self.phase.live_mut() {
                Some(live) => live.close(),
                None => return iced::exit(),
            },
        }
        Task::none()
    }

    /// Does what the cashier screen asked for.
    fn act(&mut self, action: cashier::Action) -> Task<Message> {
        match action {
            cashier::Action::None => {}
            cashier::Action::Charge(amount, kind) => return self.charge(amount, kind),
            cashier::Action::Cancel => {
                if let Some(live) = self.phase.live() {
                    live.cancel();
                }
            }
            cashier::Action::Tap => {
                if let Some(live) = self.phase.live_mut()
                    && matches!(live.reader(), ReaderChoice::Demo(_))
                {
                    live.tap();
                }
            }
            cashier::Action::NewSale => {
                if !self.is_running() {
                    self.phase = Phase::Entry;
                    self.notice = None;
                }
            }
            cashier::Action::CheckRewards => return self.check_rewards(),
            cashier::Action::UseDemoReader => {
                return self.update(readers::Message::Use(None).into());
            }
            cashier::Action::Receipt(m) => {
                if let Some(receipt) = self.phase.outcome().and_then(|o| o.receipt()) {
                    return receipt
                        .update(m, &self.config.data_dir)
                        .map(Message::Notice);
                }
            }
        }
        Task::none()
    }

    /// Starts a rewards check tap: a zero-amount read of the card that no host sees and no
    /// journal keeps (crate::rewards), to recognise the member before the sale.
    fn check_rewards(&mut self) -> Task<Message> {
        if !matches!(self.phase, Phase::Entry) || self.config.rewards.is_none() {
            return Task::none();
        }
        let amount = Amount {
            value: crate::transaction::major(0, self.config.currency.exponent),
            minor: 0,
        };
        self.start(amount, TransactionType::Purchase, None, true)
    }

    fn charge(&mut self, amount: Amount, kind: TransactionType) -> Task<Message> {
        if !matches!(self.phase, Phase::Entry) {
            return Task::none();
        }
        let (amount, redeem) = match self.cashier.take_redemption() {
            Some((redeem, off)) if kind == TransactionType::Purchase => {
                let Some(minor) = amount.minor.checked_sub(off).filter(|m| *m > 0) else {
                    let off = self.config.currency.format_minor(i128::from(off));
                    self.cashier.refuse(format!(
                        "The offer takes {off} off: the amount must be more"
                    ));
                    return Task::none();
                };
                let value = crate::transaction::major(minor, self.config.currency.exponent);
                (Amount { value, minor }, Some(redeem))
            }
            _ => (amount, None),
        };
        self.start(amount, kind, redeem, false)
    }

    /// Starts a sale, or a rewards `check`, on the chosen reader.
    fn start(
        &mut self,
        amount: Amount,
        kind: TransactionType,
        redeem: Option<Redemption>,
        check: bool,
    ) -> Task<Message> {
        let sale = Sale {
            kind,
            amount: amount.minor,
            amount_other: 0,
            currency: self.config.currency.numeric,
            currency_exponent: self.config.currency.exponent,
        };
        let transaction = match new_transaction(sale, self.config.zone) {
            Ok(transaction) => transaction,
            Err(refused) => {
                self.cashier.refuse(refused.to_string());
                return Task::none();
            }
        };
        let reader = self.readers.choice();
        let (control, events) = worker::start(worker::Job {
            config: self.config.terminal.clone(),
            transaction,
            reader: reader.clone(),
            host: self.config.host.clone(),
            journal: self.history.journal().cloned(),
            rewards: self.config.rewards.clone(),
            redeem,
            check,
        });
        let live = Live::new(control, amount, kind, reader);
        let live = if check { live.checking() } else { live };
        self.phase = Phase::Waiting(Box::new(live));
        self.notice = None;
        events.map(Message::Progress)
    }

    /// Progress from the transaction thread.
    fn progress(&mut self, event: Event) -> Task<Message> {
        let Some(live) = self.phase.live_mut() else {
            return Task::none();
        };
        match event {
            Event::Notice(text) => self.notice = Some(text),
            Event::Done(result) => return self.finished(Some(Arc::new(*result))),
            Event::Checked(found) => {
                let closing = live.closing();
                self.phase = Phase::Entry;
                match found {
                    Ok(found) => self.cashier.checked(found),
                    Err(e) => self.notice = Some(format!("Rewards check failed: {e}")),
                }
                if closing {
                    return iced::exit();
                }
            }
            Event::Stopped => return self.finished(None),
            other => live.progress(other),
        }
        Task::none()
    }

    /// The transaction is over (`None`: its thread stopped without a result).
    fn finished(&mut self, result: Option<Arc<CheckoutResult>>) -> Task<Message> {
        let Some(live) = self.phase.live() else {
            return Task::none();
        };
        let closing = live.closing();
        let outcome = live.outcome(result.clone(), &self.config.merchant);
        self.phase = Phase::Outcome(Box::new(outcome));
        if let Some(result) = result {
            if let Some(e) = result.journal.error() {
                self.notice = Some(format!("Not written to the journal: {e}"));
            }
            if let Some(stored) = result.journal.stored() {
                self.history.add(stored);
            }
            self.developer.finished(result, &self.config.terminal);
        }
        if closing {
            return iced::exit();
        }
        Task::none()
    }

    /// The whole window: tabs on top, the screen, the notice at the bottom.
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
        let reader = self.readers.choice();
        let bar = row![
            text("tapterm").size(22),
            tab(Screen::Cashier, "Cashier"),
            tab(Screen::Developer, "Developer"),
            tab(Screen::History, "History"),
            tab(Screen::Readers, "Readers"),
            text(reader.label())
                .size(14)
                .width(Length::Fill)
                .align_x(iced::Right),
        ]
        .spacing(8)
        .padding([6, 12])
        .align_y(iced::Alignment::Center);
        let body: Element<'_, Message> = match self.screen {
            Screen::Cashier => self
                .cashier
                .view(cashier::Context {
                    phase: &self.phase,
                    currency: &self.config.currency,
                    reader,
                    rewards: self.config.rewards.is_some(),
                })
                .map(Message::Cashier),
            Screen::Developer => self
                .developer
                .view(developer_shows(&self.phase))
                .map(Message::Developer),
            Screen::History => self.history.view(),
            Screen::Readers => container(
                column![
                    self.readers.view().map(Message::Readers),
                    settings::view(&self.config)
                ]
                .spacing(26),
            )
            .padding(20)
            .into(),
        };
        let mut window = column![
            bar,
            container(body).width(Length::Fill).height(Length::Fill)
        ];
        if let Some(notice) = &self.notice {
            window = window.push(container(text(notice.clone()).size(15)).padding([6, 12]));
        }
        window.into()
    }
}

/// The developer screen shows the running transaction's exchanges, else the last one's.
fn developer_shows(phase: &Phase) -> developer::Shown<'_> {
    match phase.live() {
        Some(live) => developer::Shown::Running(live.exchanges()),
        None => developer::Shown::Last,
    }
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
    .exit_on_close_request(false)
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
        let m = |k| match key_message(press(k)) {
            Some(Message::Cashier(m)) => Some(m),
            Some(other) => panic!("{other:?} is not the cashier's"),
            None => None,
        };
        use cashier::Message as C;
        assert_eq!(
            m(Key::Character("7".into())),
            Some(C::Key(KeypadKey::Digit(7)))
        );
        assert_eq!(
            m(Key::Character(",".into())),
            Some(C::Key(KeypadKey::Point))
        );
        assert_eq!(m(Key::Named(Named::Enter)), Some(C::Enter));
        assert_eq!(m(Key::Named(Named::Escape)), Some(C::Cancel));
        assert_eq!(
            m(Key::Named(Named::Backspace)),
            Some(C::Key(KeypadKey::Backspace))
        );
        assert_eq!(m(Key::Named(Named::Space)), Some(C::Tap));
        assert_eq!(m(Key::Character(" ".into())), Some(C::Tap));
        assert_eq!(m(Key::Character("x".into())), None);
        assert_eq!(m(Key::Character("12".into())), None);
    }
}

//! The cashier screen: amount keypad, purchase/refund, Charge; then "Present card or phone"
//! with the Book A status lights while the kernel runs; then the outcome banner and receipt.
//! Big type, few words, one obvious next action (DESIGN.md "a cashier").
//!
//! The screen keeps the amount being typed; the stage of the sale (and what it holds) is
//! the window's [`Phase`]. What the screen cannot do itself (start, tap, cancel, move on)
//! it hands back as an [`Action`].

use emv_kernel::config::TransactionType;
use emv_kernel::outcome::{MessageId, ReaderStatus};
use iced::widget::{button, column, container, row, text};
use iced::{Alignment, Color, Element, Font, Length};

use super::amount::{Amount, AmountEntry, Currency, KeypadKey, Limits};
use super::lights;
use super::phase::{Live, Outcome, Phase};
use super::readers::ReaderChoice;
use super::receipt;
use crate::rewards::{Recognised, Redemption};
use crate::transaction::kind_text;
use crate::verdict::{Tone, message_text};

/// The cashier screen's own state: the amount being typed, and the rewards member the last
/// check tap recognised with the offer chosen for the next sale.
#[derive(Debug, Clone)]
pub struct State {
    entry: AmountEntry,
    kind: TransactionType,
    error: Option<String>,
    blink_on: bool,
    checked: Option<Checked>,
}

/// What a rewards check found.
#[derive(Debug, Clone)]
struct Checked {
    /// The member, or `None`: not a member yet.
    found: Option<Recognised>,
    /// The offer (index into `found.available`) to take off the next sale.
    chosen: Option<usize>,
}

/// What the cashier can do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A keypad key (on screen or keyboard).
    Key(KeypadKey),
    /// Purchase or refund.
    Kind(TransactionType),
    /// Start the transaction.
    Charge,
    /// Enter: charge, or start a new sale after an outcome.
    Enter,
    /// Cancel (Esc): clear the amount, stop a running transaction, or leave the outcome.
    Cancel,
    /// Put the demo wallet in the field.
    Tap,
    /// Back to amount entry.
    NewSale,
    /// Go back to the demo reader.
    UseDemoReader,
    /// The idle light blinks.
    Blink,
    /// Something on the receipt.
    Receipt(receipt::Message),
    /// Start a rewards check tap (nothing is charged).
    CheckRewards,
    /// Take this offer of the checked member off the next sale (again: not).
    UseOffer(usize),
}

/// What the window does for the cashier screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing more.
    None,
    /// Charge this amount.
    Charge(Amount, TransactionType),
    /// Stop the running transaction.
    Cancel,
    /// Put the demo wallet in the field.
    Tap,
    /// Leave the outcome for a new sale.
    NewSale,
    /// Use the demo reader.
    UseDemoReader,
    /// Pass on to the receipt.
    Receipt(receipt::Message),
    /// Run a rewards check tap.
    CheckRewards,
}

/// What the screen shows besides its own state.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// The stage of the sale.
    pub phase: &'a Phase,
    /// The transaction currency.
    pub currency: &'a Currency,
    /// The reader the next sale runs on.
    pub reader: ReaderChoice,
    /// Whether rewards are on (the "Check rewards" button).
    pub rewards: bool,
}

impl State {
    /// An empty sale, with `amount` pre-filled.
    pub fn new(amount: Option<&str>) -> State {
        let mut entry = AmountEntry::default();
        if let Some(a) = amount {
            entry.set(a);
        }
        State {
            entry,
            kind: TransactionType::Purchase,
            error: None,
            blink_on: true,
            checked: None,
        }
    }

    /// A rewards check is over: show the member and their offers (or that there is none).
    pub fn checked(&mut self, found: Option<Recognised>) {
        self.checked = Some(Checked {
            found,
            chosen: None,
        });
    }

    /// The offer chosen for the next sale, with its member; forgets the check, which
    /// serves one sale.
    pub fn take_redemption(&mut self) -> Option<(Redemption, u64)> {
        let checked = self.checked.take()?;
        let found = checked.found?;
        let offer = found.available.get(checked.chosen?)?;
        Some((
            Redemption {
                member: found.member.id,
                offer: offer.name.clone(),
            },
            offer.discount_minor,
        ))
    }

    /// The discount chosen for the next sale, in minor units.
    pub fn discount(&self) -> Option<u64> {
        let checked = self.checked.as_ref()?;
        let offers = &checked.found.as_ref()?.available;
        offers.get(checked.chosen?).map(|o| o.discount_minor)
    }

    /// Why the amount was refused, if it was.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The amount cannot be charged (no random source for the unpredictable number, …).
    pub fn refuse(&mut self, why: String) {
        self.error = Some(why);
    }

    /// Applies a message in the stage `phase`.
    pub fn update(
        &mut self,
        message: Message,
        phase: &Phase,
        currency: &Currency,
        limits: &Limits,
    ) -> Action {
        let entry = matches!(phase, Phase::Entry);
        let outcome = matches!(phase, Phase::Outcome(_));
        match message {
            Message::Key(key) if entry => {
                self.entry.press(key);
                self.error = None;
            }
            Message::Key(key @ (KeypadKey::Digit(_) | KeypadKey::Point)) if outcome => {
                self.new_sale();
                self.entry.press(key);
                return Action::NewSale;
            }
            Message::Kind(kind) if entry => self.kind = kind,
            Message::Charge | Message::Enter if entry => {
                return match self.entry.parse(currency, limits) {
                    Ok(amount) => Action::Charge(amount, self.kind),
                    Err(e) => {
                        self.error = Some(e.to_string());
                        Action::None
                    }
                };
            }
            Message::Cancel if entry => {
                self.entry.press(KeypadKey::Clear);
                self.error = None;
            }
            Message::Cancel if !outcome => return Action::Cancel,
            Message::Enter | Message::Cancel | Message::NewSale if outcome => {
                self.new_sale();
                return Action::NewSale;
            }
            Message::Tap => return Action::Tap,
            Message::UseDemoReader => return Action::UseDemoReader,
            Message::Blink => self.blink_on = !self.blink_on,
            Message::Receipt(m) => return Action::Receipt(m),
            Message::CheckRewards if entry => {
                self.checked = None;
                return Action::CheckRewards;
            }
            Message::UseOffer(i) if entry => {
                if let Some(checked) = self.checked.as_mut() {
                    checked.chosen = if checked.chosen == Some(i) {
                        None
                    } else {
                        Some(i)
                    };
                }
            }
            Message::Key(_)
            | Message::Kind(_)
            | Message::Charge
            | Message::Enter
            | Message::Cancel
            | Message::NewSale
            | Message::CheckRewards
            | Message::UseOffer(_) => {}
        }
        Action::None
    }

    fn new_sale(&mut self) {
        self.entry = AmountEntry::default();
        self.error = None;
    }

    /// The cashier screen for the stage of the sale.
    pub fn view<'a>(&'a self, cx: Context<'a>) -> Element<'a, Message> {
        match cx.phase {
            Phase::Entry => self.entry_view(&cx.reader, cx.currency, cx.rewards),
            Phase::Waiting(live) => self.waiting_view(live, cx.currency),
            Phase::Outcome(outcome) => self.outcome_view(outcome, cx.currency),
        }
    }

    fn lights(&self, status: ReaderStatus) -> Element<'_, Message> {
        lights::view(status, self.blink_on)
    }

    fn entry_view(
        &self,
        reader: &ReaderChoice,
        currency: &Currency,
        rewards: bool,
    ) -> Element<'_, Message> {
        let kind = |k: TransactionType| {
            button(text(kind_text(k)).size(20))
                .style(if self.kind == k {
                    button::primary
                } else {
                    button::secondary
                })
                .padding([10, 24])
                .on_press(Message::Kind(k))
        };
        let amount = text(self.entry.display(currency))
            .size(64)
            .font(Font::MONOSPACE);
        let error: Element<'_, Message> = match &self.error {
            Some(e) => text(e.clone())
                .size(20)
                .color(Color::from_rgb(0.9, 0.3, 0.25))
                .into(),
            None => text(match (self.kind, self.discount()) {
                (TransactionType::Refund, _) => {
                    "Refund: type the amount to give back, then Charge".to_string()
                }
                (_, Some(off)) => format!(
                    "Type the amount, then Charge: the offer takes {} off",
                    currency.format_minor(i128::from(off))
                ),
                _ => "Type the amount, then Charge".to_string(),
            })
            .size(18)
            .into(),
        };
        let left = column![
            row![
                kind(TransactionType::Purchase),
                kind(TransactionType::Refund)
            ]
            .spacing(10),
            amount,
            error,
            keypad(),
        ]
        .spacing(18)
        .width(Length::FillPortion(3));
        let chosen = reader;
        let mut reader = row![text(format!("Reader: {}", chosen.label())).size(16)]
            .spacing(10)
            .align_y(Alignment::Center);
        if matches!(chosen, ReaderChoice::Pcsc(_)) {
            reader = reader.push(
                button(text("Use the demo reader").size(14))
                    .style(button::text)
                    .on_press(Message::UseDemoReader),
            );
        }
        let mut right = column![
            self.lights(ReaderStatus::Idle),
            reader,
            big_button("Charge", button::success, Some(Message::Charge)),
            big_button(
                "Clear",
                button::secondary,
                Some(Message::Key(KeypadKey::Clear))
            ),
        ]
        .spacing(18)
        .width(Length::FillPortion(2));
        if rewards {
            right = right.push(
                button(text("Check rewards").size(20))
                    .padding([10, 24])
                    .style(button::secondary)
                    .on_press(Message::CheckRewards),
            );
        }
        if let Some(checked) = &self.checked {
            right = right.push(checked_view(checked, currency));
        }
        container(row![left, right].spacing(30)).padding(24).into()
    }

    fn waiting_view<'a>(&'a self, live: &'a Live, currency: &Currency) -> Element<'a, Message> {
        let prompt = live.prompt();
        let see_phone = prompt.message() == MessageId::SeePhone;
        let title = message_text(prompt.message());
        let mut c = column![
            self.lights(prompt.status()),
            text(if title.is_empty() {
                "Processing"
            } else {
                title
            })
            .size(56),
        ]
        .spacing(24)
        .align_x(Alignment::Center);
        if see_phone {
            c = c.push(text("Follow the instructions on the phone, then tap again").size(24));
        }
        c = c.push(
            text(if live.is_check() {
                "Rewards check: nothing is charged".to_string()
            } else {
                format!(
                    "{} {}",
                    match live.kind() {
                        TransactionType::Refund => "Refund",
                        _ => "Pay",
                    },
                    currency.format(live.amount().value)
                )
            })
            .size(40)
            .font(Font::MONOSPACE),
        );
        let mut buttons = row![].spacing(16);
        if let (ReaderChoice::Demo(demo), true) = (live.reader(), live.polling()) {
            buttons = buttons.push(
                button(text(format!("Tap {}", demo.profile)).size(24))
                    .padding([14, 30])
                    .style(button::primary)
                    .on_press(Message::Tap),
            );
        }
        buttons = buttons.push(
            button(text("Cancel").size(24))
                .padding([14, 30])
                .style(button::danger)
                .on_press(Message::Cancel),
        );
        c = c.push(buttons);
        let tone = if see_phone {
            Tone::Attention
        } else {
            Tone::Neutral
        };
        banner_box(c.into(), tone)
    }

    fn outcome_view<'a>(
        &'a self,
        outcome: &'a Outcome,
        currency: &Currency,
    ) -> Element<'a, Message> {
        let mut c = column![
            self.lights(outcome.status()),
            text(outcome.title()).size(72),
        ]
        .spacing(14)
        .align_x(Alignment::Center);
        for line in outcome.detail() {
            c = c.push(text(line).size(24));
        }
        for line in outcome.rewards() {
            c = c.push(text(line).size(20));
        }
        c = c.push(
            text(currency.format(outcome.amount().value))
                .size(40)
                .font(Font::MONOSPACE),
        );
        c = c.push(
            button(text("New sale").size(22))
                .padding([12, 28])
                .style(button::primary)
                .on_press(Message::NewSale),
        );
        let top = banner_box(c.into(), outcome.tone());
        match outcome.receipt() {
            Some(receipt) => row![
                container(top).width(Length::FillPortion(3)),
                container(receipt.view().map(Message::Receipt)).width(Length::FillPortion(2)),
            ]
            .into(),
            None => top,
        }
    }
}

/// The member a rewards check recognised, with a button per offer they can have now.
fn checked_view<'a>(checked: &'a Checked, currency: &Currency) -> Element<'a, Message> {
    let Some(found) = &checked.found else {
        return text("Not a rewards member yet: the first purchase joins")
            .size(18)
            .into();
    };
    let m = &found.member;
    let mut c = column![
        text(format!("Member #{} {}", m.id, m.key)).size(18),
        text(format!("{} points, {} visits", m.points, m.visits)).size(18),
    ]
    .spacing(8);
    if found.available.is_empty() {
        c = c.push(text("No offer available yet").size(16));
    }
    for (i, offer) in found.available.iter().enumerate() {
        let off = currency.format_minor(i128::from(offer.discount_minor));
        c = c.push(
            button(text(format!("Use {} ({off} off)", offer.name)).size(18))
                .style(if checked.chosen == Some(i) {
                    button::primary
                } else {
                    button::secondary
                })
                .on_press(Message::UseOffer(i)),
        );
    }
    c.into()
}

fn key_button<'a>(label: &'a str, key: KeypadKey) -> Element<'a, Message> {
    button(
        container(text(label).size(30))
            .center_x(Length::Fill)
            .center_y(Length::Fill),
    )
    .width(96)
    .height(72)
    .style(button::secondary)
    .on_press(Message::Key(key))
    .into()
}

fn keypad<'a>() -> Element<'a, Message> {
    let d = |n: u8, label: &'a str| key_button(label, KeypadKey::Digit(n));
    column![
        row![d(1, "1"), d(2, "2"), d(3, "3")].spacing(10),
        row![d(4, "4"), d(5, "5"), d(6, "6")].spacing(10),
        row![d(7, "7"), d(8, "8"), d(9, "9")].spacing(10),
        row![
            key_button(".", KeypadKey::Point),
            d(0, "0"),
            key_button("⌫", KeypadKey::Backspace)
        ]
        .spacing(10),
    ]
    .spacing(10)
    .into()
}

fn big_button<'a>(
    label: &'a str,
    style: fn(&iced::Theme, button::Status) -> button::Style,
    message: Option<Message>,
) -> Element<'a, Message> {
    button(
        container(text(label).size(28))
            .center_x(Length::Fill)
            .center_y(Length::Fill),
    )
    .width(Length::Fill)
    .height(72)
    .style(style)
    .on_press_maybe(message)
    .into()
}

fn tone_colour(tone: Tone) -> Color {
    match tone {
        Tone::Good => Color::from_rgb(0.10, 0.50, 0.22),
        Tone::Bad => Color::from_rgb(0.62, 0.13, 0.12),
        Tone::Attention => Color::from_rgb(0.78, 0.50, 0.05),
        Tone::Neutral => Color::from_rgb(0.16, 0.18, 0.22),
    }
}

fn banner_box(content: Element<'_, Message>, tone: Tone) -> Element<'_, Message> {
    let colour = tone_colour(tone);
    container(content)
        .center_x(Length::Fill)
        .center_y(Length::Fill)
        .style(move |_| container::Style {
            background: Some(colour.into()),
            text_color: Some(Color::WHITE),
            ..container::Style::default()
        })
        .into()
}

//! The cashier screen: amount keypad, purchase/refund, Charge; then "Present card or phone"
//! with the Book A status lights while the kernel runs; then the outcome banner and receipt.
//! Big type, few words, one obvious next action (DESIGN.md "a cashier").

use emv_kernel::outcome::MessageId;
use iced::widget::{button, column, container, row, text};
use iced::{Alignment, Color, Element, Font, Length};

use super::amount::KeypadKey;
use super::banner::{Tone, message_text};
use super::{App, Message, Phase, TxnKind, lights};

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

fn entry_view(app: &App) -> Element<'_, Message> {
    let kind = |k: TxnKind, label: &'static str| {
        button(text(label).size(20))
            .style(if app.kind == k {
                button::primary
            } else {
                button::secondary
            })
            .padding([10, 24])
            .on_press(Message::Kind(k))
    };
    let amount = text(app.entry.display(&app.config.currency))
        .size(64)
        .font(Font::MONOSPACE);
    let error: Element<'_, Message> = match &app.entry_error {
        Some(e) => text(e.clone())
            .size(20)
            .color(Color::from_rgb(0.9, 0.3, 0.25))
            .into(),
        None => text(match app.kind {
            TxnKind::Purchase => "Type the amount, then Charge",
            TxnKind::Refund => "Refund: type the amount to give back, then Charge",
        })
        .size(18)
        .into(),
    };
    let left = column![
        row![
            kind(TxnKind::Purchase, "Purchase"),
            kind(TxnKind::Refund, "Refund")
        ]
        .spacing(10),
        amount,
        error,
        keypad(),
    ]
    .spacing(18)
    .width(Length::FillPortion(3));
    let right = column![
        lights::view(app.status, app.blink_on),
        text(format!("Reader: {}", app.reader.label())).size(16),
        big_button("Charge", button::success, Some(Message::Charge)),
        big_button(
            "Clear",
            button::secondary,
            Some(Message::Key(KeypadKey::Clear))
        ),
        text(app.notice.clone().unwrap_or_default()).size(15),
    ]
    .spacing(18)
    .width(Length::FillPortion(2));
    container(row![left, right].spacing(30)).padding(24).into()
}

fn waiting_view(app: &App) -> Element<'_, Message> {
    let message = app.message.unwrap_or(MessageId::PresentCard);
    let see_phone = message == MessageId::SeePhone;
    let title = message_text(message);
    let mut c = column![
        lights::view(app.status, app.blink_on),
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
        text(format!(
            "{} {}",
            match app.kind {
                TxnKind::Purchase => "Pay",
                TxnKind::Refund => "Refund",
            },
            app.charging
                .map(|a| app.config.currency.format(a.value))
                .unwrap_or_default()
        ))
        .size(40)
        .font(Font::MONOSPACE),
    );
    let mut buttons = row![].spacing(16);
    if matches!(app.reader, super::worker::ReaderChoice::Demo { .. }) && app.waiting_for_tap {
        buttons = buttons.push(
            button(text(format!("Tap {}", app.profile)).size(24))
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

fn outcome_view(app: &App) -> Element<'_, Message> {
    let Some(banner) = &app.banner else {
        return entry_view(app);
    };
    let mut c = column![
        lights::view(app.status, app.blink_on),
        text(banner.title.clone()).size(72),
    ]
    .spacing(14)
    .align_x(Alignment::Center);
    for line in &banner.detail {
        c = c.push(text(line.clone()).size(24));
    }
    if let Some(a) = app.charging {
        c = c.push(
            text(app.config.currency.format(a.value))
                .size(40)
                .font(Font::MONOSPACE),
        );
    }
    let mut actions = row![
        button(text("New sale").size(22))
            .padding([12, 28])
            .style(button::primary)
            .on_press(Message::NewSale)
    ]
    .spacing(14);
    if app.receipt.is_some() {
        actions = actions.push(
            button(text("Save receipt").size(22))
                .padding([12, 28])
                .style(button::secondary)
                .on_press(Message::SaveReceipt),
        );
    }
    c = c.push(actions);
    if let Some(note) = &app.notice {
        c = c.push(text(note.clone()).size(16));
    }
    let top = banner_box(c.into(), banner.tone);
    match &app.receipt {
        Some(receipt) => row![
            container(top).width(Length::FillPortion(3)),
            container(super::receipt_view::view(receipt)).width(Length::FillPortion(2)),
        ]
        .into(),
        None => top,
    }
}

/// The cashier screen for the current phase.
pub fn view(app: &App) -> Element<'_, Message> {
    match app.phase {
        Phase::Entry => entry_view(app),
        Phase::Waiting => waiting_view(app),
        Phase::Outcome => outcome_view(app),
    }
}

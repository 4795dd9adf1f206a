//! The day's transactions and their totals (approved purchases minus approved refunds, per
//! currency), kept in memory until the journal (`src/journal`) is there to read from.

use std::collections::BTreeMap;

use emv_kernel::config::TransactionType;
use iced::widget::{column, container, row, scrollable, text};
use iced::{Element, Font, Length};

use super::amount::Currency;
use super::banner::{Banner, Tone};
use super::worker::Finished;
use super::{App, Message};

/// One transaction as the history lists it (no card data beyond the masked PAN).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Local time, "HH:MM:SS".
    pub time: String,
    /// Purchase or refund.
    pub kind: TransactionType,
    /// Amount in minor units.
    pub amount: u64,
    /// The currency.
    pub currency: Currency,
    /// The outcome's title ("Approved", "Declined", …).
    pub outcome: String,
    /// Whether money moved.
    pub approved: bool,
    /// Masked PAN, when the card gave one.
    pub pan: Option<String>,
}

impl Entry {
    /// The history entry of a finished transaction.
    pub fn from_finished(finished: &Finished, banner: &Banner, currency: &Currency) -> Entry {
        Entry {
            time: finished.started.format("%H:%M:%S").to_string(),
            kind: finished.transaction.kind,
            amount: finished.transaction.amount,
            currency: currency.clone(),
            outcome: banner.title.clone(),
            approved: banner.tone == Tone::Good,
            pan: super::receipt_view::masked_pan(finished.result.data_record.as_ref()),
        }
    }
}

/// Totals of a list of entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Net approved amount per currency code (refunds negative), minor units.
    pub net: BTreeMap<String, (Currency, i128)>,
    /// Number of approved transactions.
    pub approved: usize,
    /// Number of transactions that moved no money.
    pub not_approved: usize,
}

/// Sums the entries.
pub fn totals(entries: &[Entry]) -> Totals {
    let mut t = Totals::default();
    for e in entries {
        if !e.approved {
            t.not_approved += 1;
            continue;
        }
        t.approved += 1;
        let signed = match e.kind {
            TransactionType::Refund => -i128::from(e.amount),
            _ => i128::from(e.amount),
        };
        t.net
            .entry(e.currency.alpha.clone())
            .or_insert_with(|| (e.currency.clone(), 0))
            .1 += signed;
    }
    t
}

/// The history screen.
pub fn view(app: &App) -> Element<'_, Message> {
    let t = totals(&app.history);
    let mut head = column![text("Today").size(28)].spacing(4);
    let net: Vec<String> = t.net.values().map(|(c, v)| c.format_minor(*v)).collect();
    head = head.push(
        text(format!(
            "{} approved, {} not approved — net {}",
            t.approved,
            t.not_approved,
            if net.is_empty() {
                "0".to_string()
            } else {
                net.join(", ")
            }
        ))
        .size(18),
    );
    let mut list = column![].spacing(2);
    for e in app.history.iter().rev() {
        let sign = if e.kind == TransactionType::Refund {
            "-"
        } else {
            ""
        };
        list = list.push(
            row![
                text(e.time.clone()).font(Font::MONOSPACE).width(100),
                text(super::receipt_view::kind_text(e.kind)).width(110),
                text(format!(
                    "{sign}{}",
                    e.currency.format_minor(i128::from(e.amount))
                ))
                .width(160),
                text(e.outcome.clone()).width(Length::Fill),
                text(e.pan.clone().unwrap_or_default()).font(Font::MONOSPACE),
            ]
            .spacing(10),
        );
    }
    container(column![head, scrollable(list).height(Length::Fill)].spacing(14))
        .padding(20)
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: TransactionType, amount: u64, approved: bool) -> Entry {
        Entry {
            time: "10:00:00".into(),
            kind,
            amount,
            currency: Currency::from_numeric(978).unwrap(),
            outcome: if approved { "Approved" } else { "Declined" }.into(),
            approved,
            pan: None,
        }
    }

    #[test]
    fn refunds_count_negative_and_declines_not_at_all() {
        let t = totals(&[
            entry(TransactionType::Purchase, 1000, true),
            entry(TransactionType::Purchase, 500, false),
            entry(TransactionType::Refund, 250, true),
        ]);
        assert_eq!(t.approved, 2);
        assert_eq!(t.not_approved, 1);
        assert_eq!(t.net["EUR"].1, 750);
    }
}

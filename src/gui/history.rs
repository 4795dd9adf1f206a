//! The day's transactions and their totals: approved purchases minus approved refunds, per
//! currency (issue 6: refunds negative). Read from the journal; when the journal cannot be
//! opened, the transactions of this session kept in memory.

use std::collections::BTreeMap;

use emv_kernel::config::TransactionType;
use iced::widget::{column, container, row, scrollable, text};
use iced::{Element, Font, Length};
use rust_decimal::Decimal;

use crate::journal::{Entry, StoredEntry};

use super::{App, Message};

/// Totals of a list of entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Net approved amount per currency code (refunds negative).
    pub net: BTreeMap<String, Decimal>,
    /// Number of approved transactions.
    pub approved: usize,
    /// Number of transactions that moved no money.
    pub not_approved: usize,
}

/// The amount with its sign for totals: refunds count negative.
fn signed(e: &Entry) -> Decimal {
    match e.kind {
        TransactionType::Refund => -e.amount(),
        _ => e.amount(),
    }
}

/// Sums the entries.
pub fn totals<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Totals {
    let mut t = Totals::default();
    for e in entries {
        if !e.approved {
            t.not_approved += 1;
            continue;
        }
        t.approved += 1;
        *t.net.entry(e.currency_code()).or_default() += signed(e);
    }
    t
}

/// Totals as one line ("3 approved, 1 not approved — net EUR 12.50").
pub fn totals_line(t: &Totals) -> String {
    let net: Vec<String> = t.net.iter().map(|(c, v)| format!("{c} {v}")).collect();
    format!(
        "{} approved, {} not approved — net {}",
        t.approved,
        t.not_approved,
        if net.is_empty() {
            "0".to_string()
        } else {
            net.join(", ")
        }
    )
}

/// A journal outcome name in words: "try_again" → "Try again".
pub fn outcome_words(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The history screen.
pub fn view(app: &App) -> Element<'_, Message> {
    let entries: &[StoredEntry] = &app.history;
    let t = totals(entries.iter().map(|s| &s.entry));
    let source = match (&app.journal, app.session_journal) {
        (Some(_), false) => "from the journal",
        (Some(_), true) => "this session only: the journal could not be opened",
        (None, _) => "no journal: transactions are not recorded",
    };
    let head = column![
        text("Today").size(28),
        text(totals_line(&t)).size(18),
        text(source).size(14),
    ]
    .spacing(4);
    let mut list = column![].spacing(2);
    for s in entries.iter().rev() {
        let e = &s.entry;
        let local = e.time.with_timezone(&chrono::Local);
        list = list.push(
            row![
                text(local.format("%H:%M:%S").to_string())
                    .font(Font::MONOSPACE)
                    .width(90),
                text(super::banner::kind_text(e.kind)).width(90),
                text(format!("{} {}", e.currency_code(), signed(e)))
                    .font(Font::MONOSPACE)
                    .width(150),
                text(outcome_words(&e.outcome)).width(Length::Fill),
                text(e.masked_pan.as_ref().map_or("", |p| p.as_str()).to_string())
                    .font(Font::MONOSPACE),
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
    use emv_kernel::config::TagMap;

    fn entry(kind: TransactionType, amount: u64, approved: bool) -> Entry {
        Entry::from_record(
            &TagMap::new(),
            chrono::Utc::now(),
            kind,
            amount,
            978,
            2,
            if approved { "Approved" } else { "Declined" },
            approved,
            "no_cvm",
            None,
            "test",
            5,
        )
    }

    #[test]
    fn outcome_names_read_as_words() {
        assert_eq!(outcome_words("try_again"), "Try again");
        assert_eq!(outcome_words("approved"), "Approved");
        assert_eq!(outcome_words(""), "");
    }

    #[test]
    fn refunds_count_negative_and_declines_not_at_all() {
        let entries = [
            entry(TransactionType::Purchase, 1000, true),
            entry(TransactionType::Purchase, 500, false),
            entry(TransactionType::Refund, 250, true),
        ];
        let t = totals(&entries);
        assert_eq!(t.approved, 2);
        assert_eq!(t.not_approved, 1);
        assert_eq!(t.net["EUR"], Decimal::new(750, 2));
        assert_eq!(totals_line(&t), "2 approved, 1 not approved — net EUR 7.50");
    }
}

//! The history screen: the day's transactions and their totals, approved purchases minus
//! approved refunds, per currency (issue 6: refunds negative).
//!
//! The screen owns the window's link to the journal: opened in a task at start (when the
//! journal cannot be opened, a journal for this session alone in the temporary folder takes
//! its place, so transactions still get receipts and totals, and the cashier is told).
//! Checkout writes to it and returns the entry it wrote, which joins the day shown.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use emv_kernel::config::TransactionType;
use iced::widget::{column, container, row, scrollable, text};
use iced::{Element, Font, Length, Task};
use rust_decimal::Decimal;

use crate::journal::{Entry, Journal, StoredEntry};
use crate::time_zone::Zone;

/// The journal, shared by the history screen (reads) and the transaction thread (writes).
pub type SharedJournal = Arc<Mutex<Journal>>;

/// The history screen's state.
#[derive(Debug, Clone, Default)]
pub struct State {
    link: Link,
    entries: Vec<StoredEntry>,
    /// The time zone the journal's days and the times shown are in.
    zone: Zone,
}

/// Where the transactions go.
#[derive(Debug, Clone, Default)]
enum Link {
    /// No journal configured, or not open yet.
    #[default]
    None,
    /// The configured journal.
    Journal(SharedJournal),
    /// The journal could not be opened: a journal for this session only.
    Session(SharedJournal),
}

/// A journal as opened at start, with today's entries.
#[derive(Debug, Clone)]
pub struct Opened {
    link: Link,
    day: Vec<StoredEntry>,
    zone: Zone,
    notice: Option<String>,
}

/// What the history screen can be told.
#[derive(Debug, Clone)]
pub enum Message {
    /// The journal opened (or its stand-in for the session, or nothing).
    Opened(Opened),
}

impl State {
    /// The journal transactions are written to, once opened.
    pub fn journal(&self) -> Option<&SharedJournal> {
        match &self.link {
            Link::None => None,
            Link::Journal(j) | Link::Session(j) => Some(j),
        }
    }

    /// Today's entries.
    pub fn entries(&self) -> &[StoredEntry] {
        &self.entries
    }

    /// Applies a message; returns what to tell the cashier.
    pub fn update(&mut self, message: Message) -> Option<String> {
        match message {
            Message::Opened(opened) => {
                self.link = opened.link;
                self.entries = opened.day;
                self.zone = opened.zone;
                opened.notice
            }
        }
    }

    /// The history screen.
    pub fn view<'a, M: 'a>(&'a self) -> Element<'a, M> {
        let entries = &self.entries;
        let t = totals(entries.iter().map(|s| &s.entry));
        let source = match &self.link {
            Link::Journal(_) => "from the journal",
            Link::Session(_) => "this session only: the journal could not be opened",
            Link::None => "no journal: transactions are not recorded",
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
            let local = self.zone.local(e.time);
            list = list.push(
                row![
                    text(local.format("%H:%M:%S").to_string())
                        .font(Font::MONOSPACE)
                        .width(90),
                    text(crate::transaction::kind_text(e.kind)).width(90),
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

    /// A transaction was journalled: its entry joins today's.
    pub fn add(&mut self, entry: &StoredEntry) {
        if self.entries.iter().all(|e| e.id != entry.id) {
            self.entries.push(entry.clone());
        }
    }
}

/// Opens the journal at `path` (or the session's stand-in) in a task; its days are `zone`'s.
pub fn open(path: Option<PathBuf>, zone: Zone) -> Task<Message> {
    Task::perform(async move { open_journal(path, zone) }, Message::Opened)
}

fn open_journal(path: Option<PathBuf>, zone: Zone) -> Opened {
    let Some(path) = path else {
        return Opened {
            link: Link::None,
            day: Vec::new(),
            zone,
            notice: None,
        };
    };
    let shared = |journal: Journal| Arc::new(Mutex::new(journal.with_zone(zone)));
    let (link, notice) = match Journal::open(&path) {
        Ok(journal) => (Link::Journal(shared(journal)), None),
        Err(e) => {
            let session =
                std::env::temp_dir().join(format!("tapterm-session-{}.sqlite", std::process::id()));
            let notice = format!(
                "Journal {} unavailable ({e}): this session's transactions go to {}",
                path.display(),
                session.display()
            );
            match Journal::open(&session) {
                Ok(journal) => (Link::Session(shared(journal)), Some(notice)),
                Err(e) => (
                    Link::None,
                    Some(format!(
                        "Journal {} unavailable, and {} too ({e}): transactions are not recorded",
                        path.display(),
                        session.display()
                    )),
                ),
            }
        }
    };
    let day = match &link {
        Link::Journal(j) | Link::Session(j) => j.lock().ok().and_then(|j| day(&j)),
        Link::None => None,
    }
    .unwrap_or_default();
    Opened {
        link,
        day,
        zone,
        notice,
    }
}

/// Today's entries of a journal (its time zone's day), `None` when it cannot be read.
fn day(journal: &Journal) -> Option<Vec<StoredEntry>> {
    journal.today().ok()
}

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

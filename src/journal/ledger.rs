//! The rewards ledger (issue 12), in the journal's database and under its durability rules:
//! a sale's journal row and its ledger events are written in one SQLite transaction, synced
//! before the outcome is shown; a ledger that cannot be written never costs the sale its
//! row (the events are rolled back to a savepoint, the row is kept).
//!
//! Members are [`AccountKey`]s, never card numbers. What the rules make of a sale is
//! decided in [`crate::rewards`]; this module only stores and reads.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{OptionalExtension as _, params};

use super::{Entry, Journal, JournalError};
use crate::account::AccountKey;

/// One customer as the till knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The member number the cashier and `tapterm rewards` use.
    pub id: i64,
    /// The account key (shown truncated).
    pub key: AccountKey,
    /// Points balance.
    pub points: u64,
    /// Approved purchases.
    pub visits: u64,
    /// First approved purchase.
    pub first_seen: DateTime<Utc>,
    /// Last ledger event.
    pub last_seen: DateTime<Utc>,
    /// Phones and cards seen paying for this account, oldest first.
    pub devices: Vec<Device>,
}

/// A phone or card seen for a member: "same customer, new phone".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Visa, Mastercard, … (from the AID's RID), or the AID.
    pub scheme: String,
    /// phone, card, watch, … (Visa's Form Factor Indicator), "phone or wallet" for a token
    /// without one.
    pub form: String,
    /// Whether it showed a token (Token Requestor ID 9F19).
    pub token: bool,
    /// The last four PAN (or token) digits, as the receipt shows them.
    pub last4: String,
    /// First seen.
    pub first_seen: DateTime<Utc>,
    /// Last seen.
    pub last_seen: DateTime<Utc>,
}

/// What happened to a member's balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Points for an approved purchase (one visit).
    Earn,
    /// A new member's welcome bonus.
    Welcome,
    /// Points taken back by an approved refund.
    Reversal,
    /// An offer became available.
    Unlock,
    /// An offer was applied to a sale.
    Redeem,
}

impl EventKind {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Earn => "earn",
            EventKind::Welcome => "welcome",
            EventKind::Reversal => "reversal",
            EventKind::Unlock => "unlock",
            EventKind::Redeem => "redeem",
        }
    }

    fn from_name(name: &str) -> Option<EventKind> {
        [
            EventKind::Earn,
            EventKind::Welcome,
            EventKind::Reversal,
            EventKind::Unlock,
            EventKind::Redeem,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// One ledger event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Row id, increasing.
    pub id: i64,
    /// The member.
    pub member: i64,
    /// The journal row that caused it.
    pub transaction: Option<i64>,
    /// When.
    pub time: DateTime<Utc>,
    /// What.
    pub kind: EventKind,
    /// Signed change of the balance.
    pub points: i64,
    /// The offer (unlock, redeem).
    pub offer: Option<String>,
    /// The offer's discount in minor units (unlock, redeem).
    pub amount_minor: Option<u64>,
    /// Balance after the event.
    pub balance: u64,
    /// Visits after the event.
    pub visits: u64,
}

/// The ledger inside the journal's database.
#[derive(Debug, Clone, Copy)]
pub struct Ledger<'a> {
    journal: &'a Journal,
}

fn stamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Journal {
    /// The rewards ledger, to read (and, inside [`Journal::record_with`], to write).
    pub fn ledger(&self) -> Ledger<'_> {
        Ledger { journal: self }
    }

    /// Writes `entry` and then what `rewards` writes to the ledger for its row, in one
    /// transaction: durable together once this returns. When `rewards` fails, its writes are
    /// rolled back and the entry is still written; the failure comes back beside the row id.
    pub fn record_with<T>(
        &mut self,
        entry: &Entry,
        rewards: impl FnOnce(Ledger<'_>, i64) -> Result<T, JournalError>,
    ) -> Result<(i64, Result<T, JournalError>), JournalError> {
        self.batch("BEGIN IMMEDIATE")?;
        let written = self.insert(entry).and_then(|id| {
            self.batch("SAVEPOINT rewards")?;
            let rewarded = rewards(self.ledger(), id);
            if rewarded.is_err() {
                self.batch("ROLLBACK TO rewards")?;
            }
            self.batch("RELEASE rewards")?;
            self.batch("COMMIT")?;
            Ok((id, rewarded))
        });
        if written.is_err() {
            let _ = self.batch("ROLLBACK");
        }
        written
    }

    fn batch(&self, sql: &str) -> Result<(), JournalError> {
        self.conn.execute_batch(sql).map_err(|e| self.err(e))
    }
}

impl Ledger<'_> {
    fn err(&self, e: rusqlite::Error) -> JournalError {
        self.journal.err(e)
    }

    fn bad(&self, id: i64, detail: &str) -> JournalError {
        JournalError::BadRow {
            path: self.journal.path.display().to_string(),
            id,
            detail: detail.into(),
        }
    }

    fn time(&self, id: i64, text: &str) -> Result<DateTime<Utc>, JournalError> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| self.bad(id, "time"))
    }

    fn members_where(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Member>, JournalError> {
        let sql = format!(
            "SELECT id, account, points, visits, first_seen, last_seen FROM members {filter}
             ORDER BY id"
        );
        let conn = &self.journal.conn;
        let mut stmt = conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(id, account, points, visits, first, last)| {
                Ok(Member {
                    id,
                    key: AccountKey::parse(&account).ok_or_else(|| self.bad(id, "account"))?,
                    points: u64::try_from(points).map_err(|_| self.bad(id, "points"))?,
                    visits: u64::try_from(visits).map_err(|_| self.bad(id, "visits"))?,
                    first_seen: self.time(id, &first)?,
                    last_seen: self.time(id, &last)?,
                    devices: self.devices(id)?,
                })
            })
            .collect()
    }

    fn devices(&self, member: i64) -> Result<Vec<Device>, JournalError> {
        let conn = &self.journal.conn;
        let mut stmt = conn
            .prepare(
                "SELECT scheme, form, token, last4, first_seen, last_seen FROM member_devices
                 WHERE member = ?1 ORDER BY first_seen, rowid",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([member], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, bool>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(scheme, form, token, last4, first, last)| {
                if last4.len() > 4 {
                    return Err(self.bad(member, "device digits"));
                }
                Ok(Device {
                    scheme,
                    form,
                    token,
                    last4,
                    first_seen: self.time(member, &first)?,
                    last_seen: self.time(member, &last)?,
                })
            })
            .collect()
    }

    /// Every member, by member number.
    pub fn members(&self) -> Result<Vec<Member>, JournalError> {
        self.members_where("", &[])
    }

    /// One member by number.
    pub fn member(&self, id: i64) -> Result<Option<Member>, JournalError> {
        Ok(self.members_where("WHERE id = ?1", &[&id])?.pop())
    }

    /// The member of an account key.
    pub fn member_by_key(&self, key: &AccountKey) -> Result<Option<Member>, JournalError> {
        Ok(self
            .members_where("WHERE account = ?1", &[&key.stored()])?
            .pop())
    }

    fn events_where(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Event>, JournalError> {
        let sql = format!(
            "SELECT id, member, transaction_id, time, kind, points, offer, amount_minor,
                balance, visits FROM reward_events {filter} ORDER BY id"
        );
        let conn = &self.journal.conn;
        let mut stmt = conn.prepare(&sql).map_err(|e| self.err(e))?;
        type Raw = (
            i64,
            i64,
            Option<i64>,
            String,
            String,
            i64,
            Option<String>,
            Option<i64>,
            i64,
            i64,
        );
        let rows: Vec<Raw> = stmt
            .query_map(args, |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                ))
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(
                |(id, member, transaction, time, kind, points, offer, amount, balance, visits)| {
                    let count = |v: i64, what| u64::try_from(v).map_err(|_| self.bad(id, what));
                    Ok(Event {
                        id,
                        member,
                        transaction,
                        time: self.time(id, &time)?,
                        kind: EventKind::from_name(&kind).ok_or_else(|| self.bad(id, "kind"))?,
                        points,
                        offer,
                        amount_minor: amount.map(|a| count(a, "amount")).transpose()?,
                        balance: count(balance, "balance")?,
                        visits: count(visits, "visits")?,
                    })
                },
            )
            .collect()
    }

    /// A member's events, oldest first.
    pub fn history(&self, member: i64) -> Result<Vec<Event>, JournalError> {
        self.events_where("WHERE member = ?1", &[&member])
    }

    /// The events a journal row caused (for its receipt).
    pub fn events_of(&self, transaction: i64) -> Result<Vec<Event>, JournalError> {
        self.events_where("WHERE transaction_id = ?1", &[&transaction])
    }

    /// How many times a member redeemed an offer.
    pub fn redemptions(&self, member: i64, offer: &str) -> Result<u64, JournalError> {
        let n: i64 = self
            .journal
            .conn
            .query_row(
                "SELECT COUNT(*) FROM reward_events
                 WHERE member = ?1 AND kind = 'redeem' AND offer = ?2",
                params![member, offer],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The member of `key`, made with no points when new; `true` when new.
    pub fn join(&self, key: &AccountKey, time: DateTime<Utc>) -> Result<(i64, bool), JournalError> {
        let conn = &self.journal.conn;
        let stored = key.stored();
        let found: Option<i64> = conn
            .query_row(
                "SELECT id FROM members WHERE account = ?1",
                [&stored],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        if let Some(id) = found {
            return Ok((id, false));
        }
        conn.execute(
            "INSERT INTO members (account, first_seen, last_seen) VALUES (?1, ?2, ?2)",
            params![stored, stamp(time)],
        )
        .map_err(|e| self.err(e))?;
        Ok((conn.last_insert_rowid(), true))
    }

    /// Notes a device for a member; `true` when the member had not shown it before.
    pub fn see_device(
        &self,
        member: i64,
        device: &Device,
        time: DateTime<Utc>,
    ) -> Result<bool, JournalError> {
        let conn = &self.journal.conn;
        let changed = conn
            .execute(
                "UPDATE member_devices SET last_seen = ?6
                 WHERE member = ?1 AND scheme = ?2 AND form = ?3 AND token = ?4 AND last4 = ?5",
                params![
                    member,
                    device.scheme,
                    device.form,
                    device.token,
                    device.last4,
                    stamp(time)
                ],
            )
            .map_err(|e| self.err(e))?;
        if changed > 0 {
            return Ok(false);
        }
        conn.execute(
            "INSERT INTO member_devices (member, scheme, form, token, last4, first_seen,
                last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![
                member,
                device.scheme,
                device.form,
                device.token,
                device.last4,
                stamp(time)
            ],
        )
        .map_err(|e| self.err(e))?;
        Ok(true)
    }

    /// Adds one event for a journal row: changes the balance by `points` (never below 0)
    /// and the visits by `visits`, and stores the event with the totals after it.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &self,
        member: i64,
        transaction: i64,
        time: DateTime<Utc>,
        kind: EventKind,
        points: i64,
        visits: u64,
        offer: Option<(&str, u64)>,
    ) -> Result<Event, JournalError> {
        let conn = &self.journal.conn;
        let visits = i64::try_from(visits).map_err(|_| self.bad(member, "visits"))?;
        conn.execute(
            "UPDATE members SET points = MAX(0, points + ?2), visits = visits + ?3,
                last_seen = ?4 WHERE id = ?1",
            params![member, points, visits, stamp(time)],
        )
        .map_err(|e| self.err(e))?;
        let amount = offer
            .map(|(_, a)| i64::try_from(a).map_err(|_| self.bad(member, "amount")))
            .transpose()?;
        conn.execute(
            "INSERT INTO reward_events (member, transaction_id, time, kind, points, offer,
                amount_minor, balance, visits)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, points, visits FROM members WHERE id = ?1",
            params![
                member,
                transaction,
                stamp(time),
                kind.name(),
                points,
                offer.map(|(name, _)| name),
                amount
            ],
        )
        .map_err(|e| self.err(e))?;
        let id = conn.last_insert_rowid();
        self.events_where("WHERE id = ?1", &[&id])?
            .pop()
            .ok_or_else(|| self.bad(id, "event not written"))
    }

    /// Erases a member (the customer's right to be forgotten): their events, devices and
    /// row, and the PAR on the journal rows of their transactions (the sales themselves
    /// stay: the day's books need them). `false` when there is no such member.
    pub fn forget(&self, member: i64) -> Result<bool, JournalError> {
        let Some(found) = self.member(member)? else {
            return Ok(false);
        };
        // Deleted rows are overwritten with zeros, not left in free pages (SQLite
        // `secure_delete`); the write-ahead log is emptied after, so no old page keeps them.
        self.journal
            .batch("PRAGMA secure_delete = ON; BEGIN IMMEDIATE")?;
        let done = (|| {
            let conn = &self.journal.conn;
            let run = |sql: &str| conn.execute(sql, [member]).map_err(|e| self.err(e));
            if let AccountKey::Par(par) = &found.key {
                conn.execute(
                    "UPDATE transactions SET par = NULL WHERE UPPER(TRIM(par)) = ?1",
                    [par],
                )
                .map_err(|e| self.err(e))?;
            }
            run("DELETE FROM reward_events WHERE member = ?1")?;
            run("DELETE FROM member_devices WHERE member = ?1")?;
            run("DELETE FROM members WHERE id = ?1")?;
            self.journal.batch("COMMIT")
        })();
        if done.is_err() {
            let _ = self.journal.batch("ROLLBACK");
        }
        done?;
        // Another reader may hold old pages for a moment: then they go at the next
        // checkpoint, and the rows are gone from every query already.
        let _ = self
            .journal
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        Ok(true)
    }
}

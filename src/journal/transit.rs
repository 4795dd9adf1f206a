//! The gate's tables in the journal (issue 13): rides, the durable queue of deferred
//! authorisations, the deny list and the day's charges.
//!
//! A ride and its queued authorisation are written in one SQLite transaction and are
//! durable (`synchronous=FULL`) before the gate is told to open; an answer from the host
//! and the deny-list entry a decline brings are written in one transaction too, so a crash
//! leaves either both or neither. Accounts are opaque key strings (AccountKey's stored
//! form: a PAR or a keyed hash of the PAN); the queued request is a sealed blob.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{OptionalExtension as _, params};

use super::{Journal, JournalError};
use crate::host::AuthorisationResponse;
use crate::masking::{self, MaskedPan};

/// Whether the gate opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// The gate opened.
    Go,
    /// The gate stayed shut.
    Stop,
}

impl Gate {
    /// `go` or `stop`, as stored.
    pub fn name(self) -> &'static str {
        match self {
            Gate::Go => "go",
            Gate::Stop => "stop",
        }
    }
}

/// One tap at the gate, masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ride {
    /// The ride's id, also the deferred authorisation's idempotency key at the host.
    pub ride_id: String,
    /// When the gate decided (UTC).
    pub time: DateTime<Utc>,
    /// The account (PAR or keyed PAN hash), when the card gave account data.
    pub account: Option<String>,
    /// The masked PAN or token.
    pub masked_pan: Option<MaskedPan>,
    /// Go or stop.
    pub gate: Gate,
    /// Why, in words (shown on the gate screen).
    pub reason: String,
    /// The fare this ride counts for, minor units (0 when refused).
    pub fare_minor: u64,
    /// ISO 4217 numeric currency.
    pub currency: u16,
    /// The currency's exponent.
    pub exponent: u8,
    /// Milliseconds from the card entering the field to the decision.
    pub decision_ms: u64,
    /// The reader.
    pub reader: String,
    /// Command names and status words of the tap, no card data.
    pub detail: Option<String>,
}

/// A deferred authorisation waiting for the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// The ride it belongs to (and its idempotency key).
    pub ride_id: String,
    /// The sealed authorisation request.
    pub sealed: Vec<u8>,
    /// The ride's account.
    pub account: Option<String>,
    /// Attempts so far.
    pub attempts: u32,
}

/// What became of a ride's deferred authorisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueState {
    /// `queued`, `approved` or `declined`.
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// The host's response code, once answered.
    pub response_code: Option<String>,
    /// The last error while the host could not be reached.
    pub last_error: Option<String>,
}

/// An account on the deny list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    /// The account key.
    pub account: String,
    /// Since when (RFC 3339).
    pub since: String,
    /// The ride whose authorisation was declined.
    pub ride_id: Option<String>,
    /// The host's reason.
    pub reason: String,
}

/// One account's charge for a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// `day/account`: one charge per account and day (also the host's idempotency key).
    pub charge_id: String,
    /// The day.
    pub day: NaiveDate,
    /// The account.
    pub account: String,
    /// Rides that day (gate opened).
    pub rides: u64,
    /// The fares' sum, minor units.
    pub fares_minor: u64,
    /// What is charged: the sum, capped.
    pub charged_minor: u64,
    /// ISO 4217 numeric currency.
    pub currency: u16,
    /// Its exponent.
    pub exponent: u8,
    /// `pending`, `approved` or `declined`.
    pub state: String,
    /// The host's response code, once answered.
    pub response_code: Option<String>,
}

/// One ride of a day as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RideRow {
    /// The ride's id.
    pub ride_id: String,
    /// Its account.
    pub account: Option<String>,
    /// `go` or `stop`.
    pub gate: String,
    /// Why.
    pub reason: String,
}

/// One account's opened-gate rides of a day, for close of day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayAccount {
    /// The account.
    pub account: String,
    /// Rides with the gate opened.
    pub rides: u64,
    /// The sealed request of its last ride the host approved, if any.
    pub sealed: Option<Vec<u8>>,
}

/// A `transit_deny` row selected as account, since, ride_id, reason.
fn denied_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Denied> {
    Ok(Denied {
        account: r.get(0)?,
        since: r.get(1)?,
        ride_id: r.get(2)?,
        reason: r.get(3)?,
    })
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Journal {
    /// Writes a ride and, for an opened gate, its sealed deferred authorisation, in one
    /// transaction that is durable when this returns. Nothing is written when any part fails.
    pub fn record_ride(&mut self, ride: &Ride, sealed: Option<&[u8]>) -> Result<i64, JournalError> {
        for (field, text) in [
            ("reason", Some(&ride.reason)),
            ("detail", ride.detail.as_ref()),
        ] {
            if text.is_some_and(|t| masking::contains_pan_like(t)) {
                return Err(JournalError::Unmasked { field });
            }
        }
        let path = self.path.display().to_string();
        let day = self.zone.day(ride.time).to_string();
        let tx = self
            .conn
            .transaction()
            .map_err(|e| super::classify(&path, e))?;
        tx.execute(
            "INSERT INTO transit_rides (ride_id, time, day, account, masked_pan, gate, reason,
                fare_minor, currency, exponent, decision_ms, reader, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                ride.ride_id,
                ride.time.to_rfc3339_opts(SecondsFormat::Millis, true),
                day,
                ride.account,
                ride.masked_pan.as_ref().map(MaskedPan::as_str),
                ride.gate.name(),
                ride.reason,
                i64::try_from(ride.fare_minor).unwrap_or(i64::MAX),
                ride.currency,
                ride.exponent,
                i64::try_from(ride.decision_ms).unwrap_or(i64::MAX),
                ride.reader,
                ride.detail,
            ],
        )
        .map_err(|e| super::classify(&path, e))?;
        let id = tx.last_insert_rowid();
        if let Some(sealed) = sealed {
            tx.execute(
                "INSERT INTO transit_queue (ride_id, sealed, state) VALUES (?1, ?2, 'queued')",
                params![ride.ride_id, sealed],
            )
            .map_err(|e| super::classify(&path, e))?;
        }
        tx.commit().map_err(|e| super::classify(&path, e))?;
        Ok(id)
    }

    /// The deny-list entry of `account`, if it is on the list.
    pub fn denied(&self, account: &str) -> Result<Option<Denied>, JournalError> {
        self.conn
            .query_row(
                "SELECT account, since, ride_id, reason FROM transit_deny WHERE account = ?1",
                [account],
                denied_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Every account on the deny list.
    pub fn deny_list(&self) -> Result<Vec<Denied>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT account, since, ride_id, reason FROM transit_deny ORDER BY since")
            .map_err(|e| self.err(e))?;
        let rows = stmt.query_map([], denied_row).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Takes `account` off the deny list (the debt is paid); whether it was on it.
    pub fn clear_denied(&mut self, account: &str) -> Result<bool, JournalError> {
        self.conn
            .execute("DELETE FROM transit_deny WHERE account = ?1", [account])
            .map(|n| n > 0)
            .map_err(|e| self.err(e))
    }

    /// Rides with the gate opened for `account` on `day`.
    pub fn rides_on(&self, account: &str, day: NaiveDate) -> Result<u64, JournalError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM transit_rides WHERE day = ?1 AND account = ?2 AND gate = 'go'",
                params![day.to_string(), account],
                |r| r.get::<_, i64>(0),
            )
            .map(to_u64)
            .map_err(|e| self.err(e))
    }

    /// The day's rides, oldest first.
    pub fn rides_of_day(&self, day: NaiveDate) -> Result<Vec<RideRow>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT ride_id, account, gate, reason FROM transit_rides WHERE day = ?1
                 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([day.to_string()], |r| {
                Ok(RideRow {
                    ride_id: r.get(0)?,
                    account: r.get(1)?,
                    gate: r.get(2)?,
                    reason: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The deferred authorisations not yet answered, oldest first.
    pub fn queued(&self) -> Result<Vec<Queued>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT q.ride_id, q.sealed, r.account, q.attempts FROM transit_queue q
                 JOIN transit_rides r ON r.ride_id = q.ride_id
                 WHERE q.state = 'queued' ORDER BY r.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Queued {
                    ride_id: r.get(0)?,
                    sealed: r.get(1)?,
                    account: r.get(2)?,
                    attempts: u32::try_from(r.get::<_, i64>(3)?).unwrap_or(u32::MAX),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// What became of one ride's deferred authorisation.
    pub fn queue_state(&self, ride_id: &str) -> Result<Option<QueueState>, JournalError> {
        self.conn
            .query_row(
                "SELECT state, attempts, response_code, last_error FROM transit_queue
                 WHERE ride_id = ?1",
                [ride_id],
                |r| {
                    Ok(QueueState {
                        state: r.get(0)?,
                        attempts: u32::try_from(r.get::<_, i64>(1)?).unwrap_or(u32::MAX),
                        response_code: r.get(2)?,
                        last_error: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Counts of deferred authorisations by state (`approved`, `declined`, `queued`).
    pub fn queue_counts(&self) -> Result<Vec<(String, u64)>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT state, COUNT(*) FROM transit_queue GROUP BY state ORDER BY state")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, to_u64(r.get(1)?))))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Records the host's answer to a queued authorisation; a decline puts the ride's
    /// account on the deny list in the same transaction. An answer for a ride that is no
    /// longer queued changes nothing.
    pub fn answer_queued(
        &mut self,
        ride_id: &str,
        account: Option<&str>,
        answer: &AuthorisationResponse,
    ) -> Result<(), JournalError> {
        let path = self.path.display().to_string();
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let reason = masking::mask_pan_like(&answer.reason);
        let tx = self
            .conn
            .transaction()
            .map_err(|e| super::classify(&path, e))?;
        let changed = tx
            .execute(
                "UPDATE transit_queue SET state = ?2, attempts = attempts + 1, response_code = ?3,
                    auth_code = ?4, reason = ?5, answered = ?6, last_error = NULL
                 WHERE ride_id = ?1 AND state = 'queued'",
                params![
                    ride_id,
                    if answer.approved {
                        "approved"
                    } else {
                        "declined"
                    },
                    answer.response_code,
                    answer.auth_code,
                    reason,
                    now,
                ],
            )
            .map_err(|e| super::classify(&path, e))?;
        if changed > 0
            && !answer.approved
            && let Some(account) = account
        {
            tx.execute(
                "INSERT OR IGNORE INTO transit_deny (account, since, ride_id, reason)
                 VALUES (?1, ?2, ?3, ?4)",
                params![account, now, ride_id, reason],
            )
            .map_err(|e| super::classify(&path, e))?;
        }
        tx.commit().map_err(|e| super::classify(&path, e))
    }

    /// Notes a failed attempt (host unreachable); the authorisation stays queued.
    pub fn queue_attempt_failed(&mut self, ride_id: &str, error: &str) -> Result<(), JournalError> {
        self.conn
            .execute(
                "UPDATE transit_queue SET attempts = attempts + 1, last_error = ?2
                 WHERE ride_id = ?1 AND state = 'queued'",
                params![ride_id, masking::mask_pan_like(error)],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Per account, the day's opened-gate rides and the sealed request of the last one
    /// whose authorisation the host approved (what close-day charges against).
    pub fn day_accounts(&self, day: NaiveDate) -> Result<Vec<DayAccount>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.account, COUNT(*),
                    (SELECT q.sealed FROM transit_queue q JOIN transit_rides r2
                        ON r2.ride_id = q.ride_id
                     WHERE r2.account = r.account AND r2.day = r.day AND q.state = 'approved'
                     ORDER BY r2.id DESC LIMIT 1)
                 FROM transit_rides r
                 WHERE r.day = ?1 AND r.gate = 'go' AND r.account IS NOT NULL
                 GROUP BY r.account ORDER BY MIN(r.id)",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([day.to_string()], |r| {
                Ok(DayAccount {
                    account: r.get(0)?,
                    rides: to_u64(r.get(1)?),
                    sealed: r.get(2)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Writes a day's charge for an account, unless one exists; returns the stored one.
    pub fn record_charge(&mut self, charge: &Charge) -> Result<Charge, JournalError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO transit_charges (charge_id, day, account, rides,
                    fares_minor, charged_minor, currency, exponent, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending')",
                params![
                    charge.charge_id,
                    charge.day.to_string(),
                    charge.account,
                    i64::try_from(charge.rides).unwrap_or(i64::MAX),
                    i64::try_from(charge.fares_minor).unwrap_or(i64::MAX),
                    i64::try_from(charge.charged_minor).unwrap_or(i64::MAX),
                    charge.currency,
                    charge.exponent,
                ],
            )
            .map_err(|e| self.err(e))?;
        self.charge(&charge.charge_id)?
            .ok_or_else(|| JournalError::Sqlite {
                path: self.path.display().to_string(),
                detail: format!("charge {} not stored", charge.charge_id),
            })
    }

    /// One charge by id.
    pub fn charge(&self, charge_id: &str) -> Result<Option<Charge>, JournalError> {
        let row = self
            .conn
            .query_row(
                "SELECT charge_id, day, account, rides, fares_minor, charged_minor, currency,
                    exponent, state, response_code FROM transit_charges WHERE charge_id = ?1",
                [charge_id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        [
                            r.get::<_, i64>(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                            r.get(7)?,
                        ],
                        r.get::<_, String>(8)?,
                        r.get::<_, Option<String>>(9)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((
            charge_id,
            day,
            account,
            [rides, fares, charged, currency, exponent],
            state,
            code,
        )) = row
        else {
            return Ok(None);
        };
        let bad = |detail: &str| JournalError::BadRow {
            path: self.path.display().to_string(),
            id: 0,
            detail: detail.into(),
        };
        Ok(Some(Charge {
            charge_id,
            day: NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|_| bad("charge day"))?,
            account,
            rides: to_u64(rides),
            fares_minor: to_u64(fares),
            charged_minor: to_u64(charged),
            currency: u16::try_from(currency).map_err(|_| bad("currency"))?,
            exponent: u8::try_from(exponent).map_err(|_| bad("exponent"))?,
            state,
            response_code: code,
        }))
    }

    /// Records the host's answer to a pending charge.
    pub fn answer_charge(
        &mut self,
        charge_id: &str,
        answer: &AuthorisationResponse,
    ) -> Result<(), JournalError> {
        self.conn
            .execute(
                "UPDATE transit_charges SET state = ?2, response_code = ?3, reason = ?4
                 WHERE charge_id = ?1 AND state = 'pending'",
                params![
                    charge_id,
                    if answer.approved {
                        "approved"
                    } else {
                        "declined"
                    },
                    answer.response_code,
                    masking::mask_pan_like(&answer.reason),
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}

//! The durable transaction journal (SQLite through rusqlite, bundled).
//!
//! Every transaction is written before its outcome is shown, and [`Journal::record`] returns
//! only once the write is on disk: WAL mode with `synchronous=FULL` makes each commit fsync
//! the write-ahead log, so a `kill -9` or power cut after `record` returns loses nothing
//! (SQLite "How To Corrupt", §3; "Write-Ahead Logging", §2.1). Only masked card data goes
//! in: the entry holds a [`MaskedPan`], which cannot carry a full PAN, and no track data.
//!
//! Failures (a corrupt or locked file, a full disk) are [`JournalError`] values; the caller
//! decides what the terminal does, and the terminal stays usable.

pub mod ledger;
pub mod receipt;
pub mod schema;
pub mod transit;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, ErrorCode, params};
use rust_decimal::Decimal;

use emv_kernel::config::{TagMap, TransactionType};
use emv_kernel::cryptogram::Cryptogram;
use emv_kernel::tlv::Tag;

use crate::host::AuthorisationResponse;
use crate::masking::{self, MaskedPan};
use crate::time_zone::Zone;
use crate::transaction::{kind_from_name, kind_name};

/// What went wrong with the journal, in terms the terminal can show.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The file is not a journal database, or is damaged.
    #[error("journal {path} is corrupt or not a journal: {detail}")]
    Corrupt {
        /// The file.
        path: String,
        /// SQLite's message.
        detail: String,
    },
    /// Another process holds the journal locked.
    #[error("journal {path} is locked by another process")]
    Locked {
        /// The file.
        path: String,
    },
    /// The disk (or the journal's size limit) is full.
    #[error("journal {path}: disk full, transaction not recorded")]
    DiskFull {
        /// The file.
        path: String,
    },
    /// The file was written by a newer tapterm.
    #[error("journal {path} has schema version {found}; this tapterm knows up to {known}")]
    TooNew {
        /// The file.
        path: String,
        /// Its version.
        found: i64,
        /// Ours.
        known: i64,
    },
    /// The file or its folder cannot be opened or created.
    #[error("cannot open journal {path}: {detail}")]
    Open {
        /// The file.
        path: String,
        /// Why.
        detail: String,
    },
    /// A stored row does not read back (hand-edited file).
    #[error("journal {path}: bad row {id}: {detail}")]
    BadRow {
        /// The file.
        path: String,
        /// Row id.
        id: i64,
        /// What is wrong.
        detail: String,
    },
    /// A free-text field of the entry holds what looks like a full PAN; nothing written.
    #[error("journal entry field {field} looks like it holds a full PAN; not recorded")]
    Unmasked {
        /// The field.
        field: &'static str,
    },
    /// Any other SQLite failure.
    #[error("journal {path}: {detail}")]
    Sqlite {
        /// The file.
        path: String,
        /// SQLite's message.
        detail: String,
    },
}

/// One journal entry: everything the terminal keeps about a transaction, masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// When the transaction finished (UTC).
    pub time: DateTime<Utc>,
    /// Purchase, refund, ...
    pub kind: TransactionType,
    /// Amount in minor units (never negative; refunds are marked by `kind`).
    pub amount_minor: u64,
    /// ISO 4217 numeric currency code.
    pub currency: u16,
    /// The currency's minor unit digits.
    pub exponent: u8,
    /// The outcome the terminal showed ("Approved", "Declined", ...).
    pub outcome: String,
    /// Whether the outcome was an approval.
    pub approved: bool,
    /// Cardholder verification ("no_cvm", "cdcvm", "signature", "online_pin", or "none").
    pub cvm: String,
    /// Masked PAN (or token).
    pub masked_pan: Option<MaskedPan>,
    /// Payment Account Reference (9F24).
    pub par: Option<String>,
    /// AID, hex.
    pub aid: Option<String>,
    /// Application label or preferred name.
    pub label: Option<String>,
    /// Application Transaction Counter, hex.
    pub atc: Option<String>,
    /// Terminal Verification Results, hex.
    pub tvr: Option<String>,
    /// "ARQC", "TC" or "AAC".
    pub cryptogram_type: Option<String>,
    /// Application cryptogram (9F26), hex.
    pub cryptogram: Option<String>,
    /// Card or phone, tokenised or not, as far as the data tells.
    pub form_factor: Option<String>,
    /// Authorisation code from the host.
    pub auth_code: Option<String>,
    /// Host response code.
    pub host_response: Option<String>,
    /// Host reason text.
    pub host_reason: Option<String>,
    /// Reader name.
    pub reader: String,
    /// Duration of the transaction in milliseconds.
    pub duration_ms: u64,
    /// The verdict's words and the exchanges as far as they went (command names and status
    /// words, no card data); `None` for entries written before schema version 2.
    pub detail: Option<String>,
    /// The electronic cash balance the card reported (9F79, Kernel 7), in major units.
    pub ecash_balance: Option<Decimal>,
}

/// An entry as stored, with its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// Row id, increasing.
    pub id: i64,
    /// The entry.
    pub entry: Entry,
}

/// One line of the day totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Total {
    /// Outcome.
    pub outcome: String,
    /// ISO 4217 numeric currency.
    pub currency: u16,
    /// Number of transactions.
    pub count: u64,
    /// Net amount in major units: purchases positive, refunds negative.
    pub net: Decimal,
}

/// The scheme whose RID (the first ten hex digits of an AID) this is: the RIDs of the
/// schemes tapterm has kernels for (Book B Table 3-6 kernel IDs 2, 3, 4, 7).
pub fn scheme_name(aid: &str) -> Option<&'static str> {
    const SCHEMES: [(&str, &str); 4] = [
        ("A000000003", "Visa"),
        ("A000000004", "Mastercard"),
        ("A000000025", "American Express"),
        ("A000000333", "UnionPay"),
    ];
    let rid = aid.get(..10)?;
    SCHEMES
        .iter()
        .find(|(r, _)| r.eq_ignore_ascii_case(rid))
        .map(|(_, name)| *name)
}

/// The cryptogram type from the Cryptogram Information Data (Book 3 Table 15, b8–b7).
fn cryptogram_type(cid: u8) -> &'static str {
    Cryptogram::from_cid(cid).map_or("RFU", Cryptogram::name)
}

impl Entry {
    /// Builds an entry from the kernel's data record, masking as it goes: PAN through
    /// [`MaskedPan`], never track data. `host` is the host's answer if the transaction went
    /// online.
    #[allow(clippy::too_many_arguments)]
    pub fn from_record(
        record: &TagMap,
        time: DateTime<Utc>,
        kind: TransactionType,
        amount_minor: u64,
        currency: u16,
        exponent: u8,
        outcome: &str,
        approved: bool,
        cvm: &str,
        host: Option<&AuthorisationResponse>,
        reader: &str,
        duration_ms: u64,
    ) -> Entry {
        let get = |t: u32| record.get(&Tag::new(t));
        let hex_of = |t: u32| get(t).map(hex::encode_upper);
        let text_of = |t: u32| get(t).map(|v| String::from_utf8_lossy(v).trim().to_string());
        // A Token Requestor ID comes only with a token; a PAR comes with plastic too.
        let tokenised = get(0x9F19).is_some();
        Entry {
            time,
            kind,
            amount_minor,
            currency,
            exponent,
            outcome: outcome.into(),
            approved,
            cvm: cvm.into(),
            masked_pan: MaskedPan::from_record(record),
            par: text_of(0x9F24),
            aid: hex_of(0x4F)
                .or_else(|| hex_of(0x9F06))
                .or_else(|| hex_of(0x84)),
            label: text_of(0x9F12).or_else(|| text_of(0x50)),
            atc: hex_of(0x9F36),
            tvr: hex_of(0x95),
            cryptogram_type: get(0x9F27)
                .and_then(|v| v.first())
                .map(|c| cryptogram_type(*c).to_string()),
            cryptogram: hex_of(0x9F26),
            form_factor: tokenised.then(|| "token (phone/wallet)".to_string()),
            auth_code: host.filter(|h| h.approved).map(|h| h.auth_code.clone()),
            host_response: host.map(|h| h.response_code.clone()),
            host_reason: host.map(|h| h.reason.clone()),
            reader: reader.into(),
            duration_ms,
            detail: None,
            ecash_balance: crate::transaction::ecash_balance(record, exponent),
        }
    }

    /// The card scheme, named from the AID's registered application provider ID.
    pub fn scheme(&self) -> Option<&'static str> {
        self.aid.as_deref().and_then(scheme_name)
    }

    /// The amount in major units.
    pub fn amount(&self) -> Decimal {
        crate::transaction::major(self.amount_minor, self.exponent)
    }

    /// The currency's ISO 4217 alphabetic code, or the number when unknown.
    pub fn currency_code(&self) -> String {
        currency_code(self.currency)
    }
}

/// ISO 4217 alphabetic code of a numeric currency, or the number itself when unknown.
pub fn currency_code(numeric: u16) -> String {
    iso_currency::Currency::from_numeric(numeric)
        .map_or_else(|| format!("{numeric:03}"), |c| c.code().to_string())
}

/// The open journal.
pub struct Journal {
    conn: Connection,
    path: PathBuf,
    zone: Zone,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish()
    }
}

/// How long a write waits for another process's lock before giving up.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(2);

impl Journal {
    /// `$XDG_DATA_HOME/tapterm/journal.sqlite`, else `~/.local/share/tapterm/journal.sqlite`,
    /// else `./tapterm-journal.sqlite`.
    pub fn default_path() -> PathBuf {
        let data = std::env::var_os("XDG_DATA_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| PathBuf::from(h).join(".local").join("share"))
            });
        match data {
            Some(dir) => dir.join("tapterm").join("journal.sqlite"),
            None => PathBuf::from("tapterm-journal.sqlite"),
        }
    }

    /// Opens (creating if needed) the journal at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        Journal::open_with(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// As [`Journal::open`], waiting at most `busy_timeout` for another process's lock.
    pub fn open_with(path: &Path, busy_timeout: Duration) -> Result<Journal, JournalError> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| JournalError::Open {
                path: shown.clone(),
                detail: e.to_string(),
            })?;
        }
        let conn = Connection::open(path).map_err(|e| classify(&shown, e))?;
        let journal = Journal {
            conn,
            path: path.to_path_buf(),
            zone: Zone::Local,
        };
        // Switching a new file to WAL needs the file to itself, and SQLite reports that
        // as busy at once instead of waiting: retry until the busy timeout runs out.
        let started = std::time::Instant::now();
        loop {
            match journal
                .configure(busy_timeout)
                .and_then(|()| journal.migrate())
            {
                Err(JournalError::Locked { .. }) if started.elapsed() < busy_timeout => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                done => return done.map(|()| journal),
            }
        }
    }

    fn err(&self, e: rusqlite::Error) -> JournalError {
        classify(&self.path.display().to_string(), e)
    }

    fn configure(&self, busy_timeout: Duration) -> Result<(), JournalError> {
        self.conn
            .busy_timeout(busy_timeout)
            .map_err(|e| self.err(e))?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(JournalError::Open {
                path: self.path.display().to_string(),
                detail: format!("cannot switch to WAL mode (got {mode})"),
            });
        }
        self.conn
            .execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
            .map_err(|e| self.err(e))
    }

    /// Brings the schema up to date in one write transaction that reads the version first,
    /// so two processes opening a new journal at once do not both create the schema, and a
    /// crash mid-way leaves the old version intact.
    fn migrate(&self) -> Result<(), JournalError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.err(e))?;
        let step = self.migrate_in_transaction(schema::current_version());
        let end = if matches!(step, Ok(true)) {
            "COMMIT"
        } else {
            "ROLLBACK"
        };
        let closed = self.conn.execute_batch(end).map_err(|e| self.err(e));
        step?;
        closed
    }

    /// Inside a write transaction: applies every pending migration; `Ok(false)` when the
    /// schema was current.
    fn migrate_in_transaction(&self, known: i64) -> Result<bool, JournalError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if version > known {
            return Err(JournalError::TooNew {
                path: self.path.display().to_string(),
                found: version,
                known,
            });
        }
        let pending = schema::MIGRATIONS
            .get(version.max(0) as usize..)
            .unwrap_or(&[]);
        if pending.is_empty() {
            return Ok(false);
        }
        let sql = pending.join(";\n");
        self.conn
            .execute_batch(&format!("{sql}; PRAGMA user_version = {known};"))
            .map_err(|e| self.err(e))?;
        Ok(true)
    }

    /// Caps the journal file's size (SQLite `max_page_count`); writes past it fail with
    /// [`JournalError::DiskFull`], as on a full disk.
    pub fn set_size_limit(&self, bytes: u64) -> Result<(), JournalError> {
        let page: i64 = self
            .conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        let pages = (bytes / page.max(512) as u64).max(1);
        self.conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
            .map_err(|e| self.err(e))
    }

    /// Writes one entry and returns its id once it is durable (the WAL commit is synced).
    /// Free-text fields that look like a full PAN are refused ([`JournalError::Unmasked`]).
    pub fn record(&mut self, entry: &Entry) -> Result<i64, JournalError> {
        self.insert(entry)
    }

    /// Inserts one entry (in the caller's transaction, or as its own).
    fn insert(&self, entry: &Entry) -> Result<i64, JournalError> {
        let texts = [
            ("outcome", Some(&entry.outcome)),
            ("cvm", Some(&entry.cvm)),
            ("label", entry.label.as_ref()),
            ("form_factor", entry.form_factor.as_ref()),
            ("auth_code", entry.auth_code.as_ref()),
            ("host_response", entry.host_response.as_ref()),
            ("host_reason", entry.host_reason.as_ref()),
            ("reader", Some(&entry.reader)),
            ("detail", entry.detail.as_ref()),
        ];
        if let Some((field, _)) = texts
            .iter()
            .find(|(_, t)| t.is_some_and(|t| masking::contains_pan_like(t)))
        {
            return Err(JournalError::Unmasked { field });
        }
        let time = entry.time.to_rfc3339_opts(SecondsFormat::Millis, true);
        let day = self.zone.day(entry.time).to_string();
        let amount = i64::try_from(entry.amount_minor).map_err(|_| JournalError::Sqlite {
            path: self.path.display().to_string(),
            detail: "amount out of range".into(),
        })?;
        self.conn
            .execute(
                "INSERT INTO transactions (time, day, kind, amount_minor, currency, exponent,
                    outcome, approved, cvm, masked_pan, par, aid, label, atc, tvr,
                    cryptogram_type, cryptogram, form_factor, auth_code, host_response,
                    host_reason, reader, duration_ms, detail, ecash_balance)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
                params![
                    time,
                    day,
                    kind_name(entry.kind),
                    amount,
                    entry.currency,
                    entry.exponent,
                    entry.outcome,
                    entry.approved,
                    entry.cvm,
                    entry.masked_pan.as_ref().map(MaskedPan::as_str),
                    entry.par,
                    entry.aid,
                    entry.label,
                    entry.atc,
                    entry.tvr,
                    entry.cryptogram_type,
                    entry.cryptogram,
                    entry.form_factor,
                    entry.auth_code,
                    entry.host_response,
                    entry.host_reason,
                    entry.reader,
                    i64::try_from(entry.duration_ms).unwrap_or(i64::MAX),
                    entry.detail,
                    entry.ecash_balance.map(|b| b.to_string()),
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn select(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<StoredEntry>, JournalError> {
        let sql = format!(
            "SELECT id, time, kind, amount_minor, currency, exponent, outcome, approved, cvm,
                masked_pan, par, aid, label, atc, tvr, cryptogram_type, cryptogram, form_factor,
                auth_code, host_response, host_reason, reader, duration_ms, detail, ecash_balance
             FROM transactions {filter} ORDER BY id"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(args, RawRow::read)
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let raw = row.map_err(|e| self.err(e))?;
            out.push(raw.into_entry(&self.path.display().to_string())?);
        }
        Ok(out)
    }

    /// The journal with its days counted in `zone` (the terminal's `app.time_zone`); a new
    /// journal counts them in the machine's local zone.
    pub fn with_zone(mut self, zone: Zone) -> Journal {
        self.zone = zone;
        self
    }

    /// The zone whose days the journal counts.
    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// Today's entries, today being the journal zone's.
    pub fn today(&self) -> Result<Vec<StoredEntry>, JournalError> {
        self.day(self.zone.today())
    }

    /// One entry by id.
    pub fn get(&self, id: i64) -> Result<Option<StoredEntry>, JournalError> {
        Ok(self.select("WHERE id = ?1", &[&id])?.into_iter().next())
    }

    /// The entries of one UTC day, oldest first.
    pub fn day(&self, date: NaiveDate) -> Result<Vec<StoredEntry>, JournalError> {
        self.select("WHERE day = ?1", &[&date.to_string()])
    }

    /// Every id in the journal, ascending.
    pub fn ids(&self) -> Result<Vec<i64>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM transactions ORDER BY id")
            .map_err(|e| self.err(e))?;
        let ids = stmt
            .query_map([], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<i64>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(ids)
    }

    /// Totals of one UTC day by outcome and currency; refunds count negative.
    pub fn totals(&self, date: NaiveDate) -> Result<Vec<Total>, JournalError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT outcome, currency, MAX(exponent), COUNT(*),
                    SUM(CASE WHEN kind = 'refund' THEN -amount_minor ELSE amount_minor END)
                 FROM transactions WHERE day = ?1
                 GROUP BY outcome, currency ORDER BY outcome, currency",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([date.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (outcome, currency, exponent, count, net) = row.map_err(|e| self.err(e))?;
            let bad = |detail: &str| JournalError::BadRow {
                path: self.path.display().to_string(),
                id: 0,
                detail: detail.into(),
            };
            out.push(Total {
                outcome,
                currency: u16::try_from(currency).map_err(|_| bad("currency"))?,
                count: u64::try_from(count).map_err(|_| bad("count"))?,
                net: Decimal::new(net, u32::try_from(exponent).map_err(|_| bad("exponent"))?),
            });
        }
        Ok(out)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Maps SQLite's error codes onto what the terminal can tell the cashier.
fn classify(path: &str, e: rusqlite::Error) -> JournalError {
    let path = path.to_string();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => JournalError::Corrupt {
            path,
            detail: e.to_string(),
        },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => JournalError::Locked { path },
        Some(ErrorCode::DiskFull) => JournalError::DiskFull { path },
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::ReadOnly) => {
            JournalError::Open {
                path,
                detail: e.to_string(),
            }
        }
        _ => JournalError::Sqlite {
            path,
            detail: e.to_string(),
        },
    }
}

/// A row as SQLite returns it, before validation.
struct RawRow {
    id: i64,
    time: String,
    kind: String,
    amount_minor: i64,
    currency: i64,
    exponent: i64,
    outcome: String,
    approved: bool,
    cvm: String,
    masked_pan: Option<String>,
    rest: [Option<String>; 11],
    reader: String,
    duration_ms: i64,
    detail: Option<String>,
    ecash_balance: Option<String>,
}

impl RawRow {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
        let mut rest: [Option<String>; 11] = Default::default();
        for (i, slot) in rest.iter_mut().enumerate() {
            *slot = r.get(10 + i)?;
        }
        Ok(RawRow {
            id: r.get(0)?,
            time: r.get(1)?,
            kind: r.get(2)?,
            amount_minor: r.get(3)?,
            currency: r.get(4)?,
            exponent: r.get(5)?,
            outcome: r.get(6)?,
            approved: r.get(7)?,
            cvm: r.get(8)?,
            masked_pan: r.get(9)?,
            rest,
            reader: r.get(21)?,
            duration_ms: r.get(22)?,
            detail: r.get(23)?,
            ecash_balance: r.get(24)?,
        })
    }

    fn into_entry(self, path: &str) -> Result<StoredEntry, JournalError> {
        let id = self.id;
        let bad = |detail: &str| JournalError::BadRow {
            path: path.into(),
            id,
            detail: detail.into(),
        };
        let time = DateTime::parse_from_rfc3339(&self.time)
            .map_err(|_| bad("time"))?
            .with_timezone(&Utc);
        let masked_pan = match self.masked_pan {
            None => None,
            Some(text) => Some(MaskedPan::parse(&text).ok_or_else(|| bad("PAN is not masked"))?),
        };
        let [
            par,
            aid,
            label,
            atc,
            tvr,
            cryptogram_type,
            cryptogram,
            form_factor,
            auth_code,
            host_response,
            host_reason,
        ] = self.rest;
        Ok(StoredEntry {
            id,
            entry: Entry {
                time,
                kind: kind_from_name(&self.kind).ok_or_else(|| bad("kind"))?,
                amount_minor: u64::try_from(self.amount_minor).map_err(|_| bad("amount"))?,
                currency: u16::try_from(self.currency).map_err(|_| bad("currency"))?,
                exponent: u8::try_from(self.exponent).map_err(|_| bad("exponent"))?,
                outcome: self.outcome,
                approved: self.approved,
                cvm: self.cvm,
                masked_pan,
                par,
                aid,
                label,
                atc,
                tvr,
                cryptogram_type,
                cryptogram,
                form_factor,
                auth_code,
                host_response,
                host_reason,
                reader: self.reader,
                duration_ms: u64::try_from(self.duration_ms).map_err(|_| bad("duration"))?,
                detail: self.detail,
                ecash_balance: match self.ecash_balance {
                    None => None,
                    Some(text) => Some(text.parse().map_err(|_| bad("e-cash balance"))?),
                },
            },
        })
    }
}

/// Parses a `--date` argument: `YYYY-MM-DD`, `today` or `yesterday` (in `zone`).
pub fn parse_day(text: &str, zone: Zone) -> Result<NaiveDate, String> {
    let today = zone.today();
    match text {
        "today" => Ok(today),
        "yesterday" => today
            .pred_opt()
            .ok_or_else(|| "no day before today".to_string()),
        _ => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| format!("bad date {text:?}: use YYYY-MM-DD, today or yesterday")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A journal entry of `minor` units at a fixed time.
    pub(crate) fn entry(kind: TransactionType, minor: u64, outcome: &str, hour: u32) -> Entry {
        let mut record = TagMap::new();
        let h = |s: &str| hex::decode(s).unwrap();
        record.insert(Tag::new(0x5A), h("4761739001010119"));
        record.insert(Tag::new(0x57), h("4761739001010119D28122011234567800000F"));
        record.insert(Tag::new(0x4F), h("A0000000031010"));
        record.insert(Tag::new(0x50), b"VISA CREDIT".to_vec());
        record.insert(Tag::new(0x9F36), h("0042"));
        record.insert(Tag::new(0x9F27), h("80"));
        record.insert(Tag::new(0x9F26), h("7A788EA6B8A3E733"));
        record.insert(Tag::new(0x95), h("0000000000"));
        record.insert(Tag::new(0x9F24), b"V0010013822123456789012345678".to_vec());
        record.insert(Tag::new(0x9F19), h("040012345678"));
        let host = AuthorisationResponse {
            approved: outcome == "Approved",
            auth_code: "A1B2C3".into(),
            response_code: if outcome == "Approved" { "00" } else { "51" }.into(),
            arpc: None,
            reason: "test".into(),
            cryptogram_verified: true,
        };
        Entry::from_record(
            &record,
            Utc.with_ymd_and_hms(2026, 11, 26, hour, 5, 0).unwrap(),
            kind,
            minor,
            978,
            2,
            outcome,
            outcome == "Approved",
            "cdcvm",
            Some(&host),
            "ACS ACR122U 00 00",
            412,
        )
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn entry_from_record_is_masked() {
        let e = entry(TransactionType::Purchase, 1250, "Approved", 10);
        assert_eq!(e.masked_pan.as_ref().unwrap().as_str(), "476173******0119");
        assert_eq!(e.cryptogram_type.as_deref(), Some("ARQC"));
        assert_eq!(e.label.as_deref(), Some("VISA CREDIT"));
        assert_eq!(e.auth_code.as_deref(), Some("A1B2C3"));
        assert_eq!(e.amount().to_string(), "12.50");
        assert_eq!(e.currency_code(), "EUR");
        assert!(e.form_factor.is_some());
    }

    #[test]
    fn the_day_is_the_terminal_zones_day() {
        let dir = tempfile::tempdir().unwrap();
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let mut j = Journal::open(&dir.path().join("journal.sqlite"))
            .unwrap()
            .with_zone(berlin);
        // 23:05 UTC on 26 November is 00:05 on the 27th in Berlin (UTC+1).
        j.record(&entry(TransactionType::Purchase, 100, "Approved", 23))
            .unwrap();
        assert!(j.day(day()).unwrap().is_empty());
        assert_eq!(j.day(day().succ_opt().unwrap()).unwrap().len(), 1);
        assert_eq!(j.totals(day().succ_opt().unwrap()).unwrap().len(), 1);
        assert_eq!(j.zone(), berlin);
    }

    #[test]
    fn records_reads_back_and_totals() {
        let dir = tempfile::tempdir().unwrap();
        let utc = Zone::parse("UTC").unwrap();
        let mut j = Journal::open(&dir.path().join("sub/journal.sqlite"))
            .unwrap()
            .with_zone(utc);
        let a = j
            .record(&entry(TransactionType::Purchase, 1250, "Approved", 9))
            .unwrap();
        let b = j
            .record(&entry(TransactionType::Purchase, 700, "Approved", 10))
            .unwrap();
        j.record(&entry(TransactionType::Refund, 300, "Approved", 11))
            .unwrap();
        j.record(&entry(TransactionType::Purchase, 1251, "Declined", 12))
            .unwrap();
        assert!(b > a);
        let back = j.get(a).unwrap().unwrap();
        assert_eq!(
            back.entry,
            entry(TransactionType::Purchase, 1250, "Approved", 9)
        );
        assert_eq!(j.day(day()).unwrap().len(), 4);
        assert!(j.day(day().succ_opt().unwrap()).unwrap().is_empty());
        let totals = j.totals(day()).unwrap();
        assert_eq!(
            totals,
            vec![
                Total {
                    outcome: "Approved".into(),
                    currency: 978,
                    count: 3,
                    net: Decimal::new(1650, 2)
                },
                Total {
                    outcome: "Declined".into(),
                    currency: 978,
                    count: 1,
                    net: Decimal::new(1251, 2)
                },
            ]
        );
    }

    #[test]
    fn a_version_1_journal_gains_the_detail_column_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.sqlite");
        let old = Connection::open(&path).unwrap();
        old.execute_batch(&format!(
            "{}; PRAGMA user_version = 1;",
            schema::MIGRATIONS[0]
        ))
        .unwrap();
        old.execute(
            "INSERT INTO transactions (time, day, kind, amount_minor, currency, exponent,
                outcome, approved, cvm, reader, duration_ms)
             VALUES ('2026-11-26T09:05:00.000Z', '2026-11-26', 'purchase', 500, 978, 2,
                'approved', 1, 'no_cvm', 'old reader', 12)",
            [],
        )
        .unwrap();
        drop(old);
        let mut j = Journal::open(&path).unwrap();
        let kept = j.get(1).unwrap().unwrap();
        assert_eq!((kept.entry.amount_minor, kept.entry.detail), (500, None));
        let mut new = entry(TransactionType::Purchase, 100, "Approved", 9);
        new.detail = Some("Approved: No verification needed | tap 1: SELECT 9000".into());
        let id = j.record(&new).unwrap();
        assert_eq!(j.get(id).unwrap().unwrap().entry, new);
        let v: i64 = j
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, schema::current_version());
        assert_eq!(kept.entry.ecash_balance, None, "no 9F79 before migration 3");
    }

    #[test]
    fn reopens_and_migrates_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.sqlite");
        let mut j = Journal::open(&path).unwrap();
        j.record(&entry(TransactionType::Purchase, 100, "Approved", 9))
            .unwrap();
        drop(j);
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.ids().unwrap(), vec![1]);
        let v: i64 = j
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, schema::current_version());
        let mode: String = j
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = j
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.sqlite");
        drop(Journal::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap();
        assert!(matches!(
            Journal::open(&path),
            Err(JournalError::TooNew { found: 99, .. })
        ));
    }

    #[test]
    fn corrupt_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.sqlite");
        std::fs::write(
            &path,
            b"this is not a database, just some bytes ".repeat(200),
        )
        .unwrap();
        let err = Journal::open(&path).unwrap_err();
        assert!(matches!(err, JournalError::Corrupt { .. }), "{err:?}");
        assert!(err.to_string().contains("corrupt"));
    }

    #[test]
    fn full_disk_is_a_clear_error_and_keeps_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.sqlite");
        let mut j = Journal::open(&path).unwrap();
        j.set_size_limit(16 * 4096).unwrap();
        let mut written = Vec::new();
        let err = loop {
            match j.record(&entry(TransactionType::Purchase, 100, "Approved", 9)) {
                Ok(id) => written.push(id),
                Err(e) => break e,
            }
            assert!(written.len() < 100_000, "size limit never reached");
        };
        assert!(matches!(err, JournalError::DiskFull { .. }), "{err:?}");
        drop(j);
        assert_eq!(Journal::open(&path).unwrap().ids().unwrap(), written);
    }

    #[test]
    fn locked_journal_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.sqlite");
        let mut j = Journal::open_with(&path, Duration::from_millis(50)).unwrap();
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let err = j
            .record(&entry(TransactionType::Purchase, 100, "Approved", 9))
            .unwrap_err();
        assert!(matches!(err, JournalError::Locked { .. }), "{err:?}");
        other.execute_batch("COMMIT").unwrap();
        assert!(
            j.record(&entry(TransactionType::Purchase, 100, "Approved", 9))
                .is_ok()
        );
    }

    #[test]
    fn new_journal_opened_by_several_at_once_gets_one_schema() {
        for round in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("j.sqlite");
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let path = path.clone();
                    // Generous wait: the test is about one schema, not the lock timeout
                    // (a loaded machine can keep another opener's lock past 2 s).
                    std::thread::spawn(move || {
                        Journal::open_with(&path, Duration::from_secs(60)).map(|_| ())
                    })
                })
                .collect();
            for opener in openers {
                let opened = opener.join().unwrap();
                assert!(opened.is_ok(), "round {round}: {opened:?}");
            }
            let mut j = Journal::open(&path).unwrap();
            assert!(
                j.record(&entry(TransactionType::Purchase, 100, "Approved", 9))
                    .is_ok()
            );
        }
    }

    #[test]
    fn hand_edited_full_pan_is_refused_on_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.sqlite");
        let mut j = Journal::open(&path).unwrap();
        let id = j
            .record(&entry(TransactionType::Purchase, 100, "Approved", 9))
            .unwrap();
        j.conn
            .execute(
                "UPDATE transactions SET masked_pan = '4761739001010119'",
                [],
            )
            .unwrap();
        assert!(matches!(j.get(id), Err(JournalError::BadRow { .. })));
    }

    #[test]
    fn pan_in_a_text_field_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("j.sqlite")).unwrap();
        let mut e = entry(TransactionType::Purchase, 100, "Approved", 9);
        e.host_reason = Some("declined card 4761739001010119".into());
        assert!(matches!(
            j.record(&e),
            Err(JournalError::Unmasked {
                field: "host_reason"
            })
        ));
        assert!(j.ids().unwrap().is_empty());
    }

    #[test]
    fn parses_days() {
        assert_eq!(parse_day("2026-11-26", Zone::Local).unwrap(), day());
        assert!(parse_day("26/11/2026", Zone::Local).is_err());
        assert!(parse_day("today", Zone::Local).is_ok());
    }
}

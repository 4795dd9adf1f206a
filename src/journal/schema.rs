//! Journal schema and its migrations, versioned with SQLite's `PRAGMA user_version`.
//!
//! Migration N takes the file from version N to N+1; the journal applies every pending one
//! inside one transaction, so a crash mid-migration leaves the old version intact. New
//! columns come as new migrations; a shipped migration never changes.

/// Every migration in order; index `i` upgrades version `i` to `i + 1`.
///
/// The `day` column holds the day in the terminal's time zone (`app.time_zone`, issue 11);
/// migration 0's comment, from before that, says UTC and stays as shipped.
pub const MIGRATIONS: &[&str] = &[
    // 0 -> 1: the transaction table.
    "CREATE TABLE transactions (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        time            TEXT    NOT NULL,  -- UTC, RFC 3339 with milliseconds
        day             TEXT    NOT NULL,  -- UTC date YYYY-MM-DD, for day lists and totals
        kind            TEXT    NOT NULL,  -- purchase | cash | cashback | refund
        amount_minor    INTEGER NOT NULL,  -- always >= 0; refunds are negated in totals
        currency        INTEGER NOT NULL,  -- ISO 4217 numeric
        exponent        INTEGER NOT NULL,  -- ISO 4217 minor unit digits
        outcome         TEXT    NOT NULL,  -- what the terminal showed
        approved        INTEGER NOT NULL,  -- 1 when the outcome was an approval
        cvm             TEXT    NOT NULL,
        masked_pan      TEXT,              -- first 6 / last 4 only, never the full PAN
        par             TEXT,
        aid             TEXT,
        label           TEXT,
        atc             TEXT,
        tvr             TEXT,
        cryptogram_type TEXT,
        cryptogram      TEXT,
        form_factor     TEXT,
        auth_code       TEXT,
        host_response   TEXT,
        host_reason     TEXT,
        reader          TEXT    NOT NULL,
        duration_ms     INTEGER NOT NULL
    );
    CREATE INDEX transactions_day ON transactions(day);",
    // 1 -> 2: what the verdict said and what had happened (issue 11: a cancelled
    // transaction is journalled with the exchanges so far). Command names and status words
    // only, never card data.
    "ALTER TABLE transactions ADD COLUMN detail TEXT;",
    // 2 -> 3: the electronic cash balance a UnionPay card reported (9F79, issue 10), in
    // major units of the transaction currency.
    "ALTER TABLE transactions ADD COLUMN ecash_balance TEXT;",
];

/// The version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

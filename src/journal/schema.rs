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
    // 3 -> 4: transit (issue 13), its own entry so it renumbers alone when merged beside others:
    // the gate's rides (refused ones too, with the reason), the durable queue of deferred
    // authorisations (each written with its ride, before the gate opens), the deny list and
    // the day's charges. Accounts are AccountKey's stored form (PAR or keyed hash of the
    // PAN), never a PAN; the queued request is sealed (encrypted under the terminal's queue
    // key), so the PAN the host needs is not readable from the file.
    "CREATE TABLE transit_rides (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        ride_id      TEXT    NOT NULL UNIQUE, -- the host's idempotency key
        time         TEXT    NOT NULL,        -- UTC, RFC 3339 with milliseconds
        day          TEXT    NOT NULL,        -- in the terminal's time zone
        account      TEXT,                    -- PAR or keyed PAN hash; NULL without card data
        masked_pan   TEXT,
        gate         TEXT    NOT NULL,        -- go | stop
        reason       TEXT    NOT NULL,
        fare_minor   INTEGER NOT NULL,
        currency     INTEGER NOT NULL,
        exponent     INTEGER NOT NULL,
        decision_ms  INTEGER NOT NULL,        -- card in field to gate decision
        reader       TEXT    NOT NULL,
        detail       TEXT
    );
    CREATE INDEX transit_rides_day ON transit_rides(day, account);
    CREATE TABLE transit_queue (
        ride_id       TEXT PRIMARY KEY REFERENCES transit_rides(ride_id),
        sealed        BLOB    NOT NULL,
        state         TEXT    NOT NULL,       -- queued | approved | declined
        attempts      INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        response_code TEXT,
        auth_code     TEXT,
        reason        TEXT,
        answered      TEXT
    );
    CREATE INDEX transit_queue_state ON transit_queue(state);
    CREATE TABLE transit_deny (
        account  TEXT PRIMARY KEY,
        since    TEXT NOT NULL,
        ride_id  TEXT,
        reason   TEXT NOT NULL
    );
    CREATE TABLE transit_charges (
        charge_id     TEXT PRIMARY KEY,       -- day/account: one charge per account and day
        day           TEXT    NOT NULL,
        account       TEXT    NOT NULL,
        rides         INTEGER NOT NULL,
        fares_minor   INTEGER NOT NULL,
        charged_minor INTEGER NOT NULL,
        currency      INTEGER NOT NULL,
        exponent      INTEGER NOT NULL,
        state         TEXT    NOT NULL,       -- pending | approved | declined
        response_code TEXT,
        reason        TEXT
    );",
    // 4 -> 5: the rewards ledger (issue 12). A member is an account key: `par:` and the
    // Payment Account Reference, or `pan-hmac:` and the keyed hash of the PAN; never a PAN.
    // Devices keep the last four digits shown on a receipt, no more. Each event is linked
    // to the journal row that caused it and carries the balance and visits after it.
    "CREATE TABLE members (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        account     TEXT    NOT NULL UNIQUE,   -- AccountKey::stored()
        points      INTEGER NOT NULL DEFAULT 0,
        visits      INTEGER NOT NULL DEFAULT 0,
        first_seen  TEXT    NOT NULL,          -- UTC, RFC 3339
        last_seen   TEXT    NOT NULL
    );
    CREATE TABLE member_devices (
        member      INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        scheme      TEXT    NOT NULL,          -- Visa | Mastercard | ... | the AID
        form        TEXT    NOT NULL,          -- phone | card | watch | ...
        token       INTEGER NOT NULL,          -- 1 when tokenised (9F19 present)
        last4       TEXT    NOT NULL,          -- last four PAN digits, as on the receipt
        first_seen  TEXT    NOT NULL,
        last_seen   TEXT    NOT NULL,
        PRIMARY KEY (member, scheme, form, token, last4)
    );
    CREATE TABLE reward_events (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        member         INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        transaction_id INTEGER REFERENCES transactions(id),
        time           TEXT    NOT NULL,
        kind           TEXT    NOT NULL,       -- earn | welcome | reversal | unlock | redeem
        points         INTEGER NOT NULL,       -- signed change of the balance
        offer          TEXT,                   -- unlock, redeem: the offer's name
        amount_minor   INTEGER,                -- unlock, redeem: the discount
        balance        INTEGER NOT NULL,       -- after the event
        visits         INTEGER NOT NULL        -- after the event
    );
    CREATE INDEX reward_events_member ON reward_events(member);
    CREATE INDEX reward_events_transaction ON reward_events(transaction_id);",
];

/// The version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

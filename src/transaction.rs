//! The kernel's [`Transaction`] as the till makes it, the same for the window and
//! `tapterm pay`: the amount, the local date and time (9A, 9F21) in the terminal's time zone,
//! and fresh unpredictable numbers (9F37) from the operating system's random source, one per
//! possible tap (Book A 5.4: a new one for every tap of a restart).
//!
//! An unpredictable number must be unpredictable (Book 4 6.5.6; EMVCo bulletins SU50 and
//! SB103: "truly unpredictable even given access to all previous such numbers", because the
//! card signs it to prove its cryptogram is fresh): without a random source the transaction
//! is refused, never built from the clock or a constant.
//!
//! The transaction types (tag 9C) are the kernel's [`TransactionType`]; this module names
//! them once, for the command line, the journal and the screens.

use chrono::{Datelike, Timelike, Utc};
use emv_kernel::config::{Date, Time, Transaction, TransactionType};
use rust_decimal::Decimal;

use crate::time_zone::Zone;

/// Unpredictable numbers drawn for one transaction: enough for two taps that each run C-2
/// relay resistance with both retries (one number per tap and one per EXCHANGE RELAY
/// RESISTANCE DATA, C-2 S3.60 and SR1.23: 2 × 4).
const TAPS: usize = 8;

/// Why no transaction could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no random source for the unpredictable number ({0}): transaction refused")]
pub struct NoRandomSource(pub String);

/// What the till asks for: the type and amounts in minor units of the currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sale {
    /// Purchase, refund, …
    pub kind: TransactionType,
    /// Amount, Authorised (9F02) in minor units.
    pub amount: u64,
    /// Amount, Other (9F03) in minor units.
    pub amount_other: u64,
    /// ISO 4217 numeric currency code (5F2A).
    pub currency: u16,
    /// The currency's exponent (5F36).
    pub currency_exponent: u8,
}

/// The transaction for `sale`, now, in `zone`; refused without a random source.
pub fn new_transaction(sale: Sale, zone: Zone) -> Result<Transaction, NoRandomSource> {
    let mut random = [0u8; 4 * TAPS];
    getrandom::fill(&mut random).map_err(|e| NoRandomSource(e.to_string()))?;
    Ok(transaction_with(sale, zone.local(Utc::now()), &random))
}

/// The transaction for `sale` at local time `now` with unpredictable numbers cut from
/// `random` (four bytes each).
fn transaction_with(sale: Sale, now: chrono::NaiveDateTime, random: &[u8]) -> Transaction {
    let narrow = |v: u32| u8::try_from(v).unwrap_or(0);
    Transaction {
        kind: sale.kind,
        amount: sale.amount,
        amount_other: sale.amount_other,
        currency: sale.currency,
        currency_exponent: sale.currency_exponent,
        date: Date {
            year: u16::try_from(now.year()).unwrap_or(2000),
            month: narrow(now.month()),
            day: narrow(now.day()),
        },
        time: Time {
            hour: narrow(now.hour()),
            minute: narrow(now.minute()),
            second: narrow(now.second()),
        },
        unpredictable_numbers: random
            .chunks_exact(4)
            .map(|c| [c[0], c[1], c[2], c[3]])
            .collect(),
    }
}

/// Minor units as a major-unit amount (`1234` with exponent 2 is `12.34`).
pub fn major(minor: u64, exponent: u8) -> Decimal {
    Decimal::new(
        i64::try_from(minor).unwrap_or(i64::MAX),
        u32::from(exponent),
    )
}

/// The electronic cash balance a card reported (9F79, n12 in minor units; Kernel 7 puts it
/// in the data record) in major units of `exponent`; `None` when absent or not BCD.
pub fn ecash_balance(record: &emv_kernel::config::TagMap, exponent: u8) -> Option<Decimal> {
    let value = record.get(&emv_kernel::tlv::Tag::new(0x9F79))?;
    if value.len() != 6 || value.iter().any(|b| b >> 4 > 9 || b & 0x0F > 9) {
        return None;
    }
    let minor = value.iter().fold(0u64, |acc, b| {
        acc * 100 + u64::from(b >> 4) * 10 + u64::from(b & 0x0F)
    });
    Some(major(minor, exponent))
}

/// Every transaction type, in the order the command line lists them.
pub const KINDS: [TransactionType; 4] = [
    TransactionType::Purchase,
    TransactionType::Refund,
    TransactionType::Cash,
    TransactionType::Cashback,
];

/// The type's name on the command line and in the journal (`purchase`, `refund`, `cash`,
/// `cashback`).
pub fn kind_name(kind: TransactionType) -> &'static str {
    match kind {
        TransactionType::Purchase => "purchase",
        TransactionType::Refund => "refund",
        TransactionType::Cash => "cash",
        TransactionType::Cashback => "cashback",
    }
}

/// The type for a name from [`kind_name`].
pub fn kind_from_name(name: &str) -> Option<TransactionType> {
    KINDS.into_iter().find(|k| kind_name(*k) == name)
}

/// The type in words for people (`Purchase`, `Refund`).
pub fn kind_text(kind: TransactionType) -> &'static str {
    match kind {
        TransactionType::Purchase => "Purchase",
        TransactionType::Refund => "Refund",
        TransactionType::Cash => "Cash",
        TransactionType::Cashback => "Cashback",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale() -> Sale {
        Sale {
            kind: TransactionType::Refund,
            amount: 1250,
            amount_other: 0,
            currency: 978,
            currency_exponent: 2,
        }
    }

    #[test]
    fn each_tap_gets_its_own_random_number() {
        let a = new_transaction(sale(), Zone::Local).unwrap();
        let b = new_transaction(sale(), Zone::Local).unwrap();
        assert_eq!(a.unpredictable_numbers.len(), TAPS);
        assert_ne!(a.unpredictable_numbers, b.unpredictable_numbers);
        assert_eq!(
            (a.kind, a.amount, a.currency),
            (TransactionType::Refund, 1250, 978)
        );
    }

    #[test]
    fn date_and_time_are_the_zones_wall_clock() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(0, 30, 5)
            .unwrap();
        let t = transaction_with(sale(), now, &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!((t.date.year, t.date.month, t.date.day), (2026, 12, 2));
        assert_eq!((t.time.hour, t.time.minute, t.time.second), (0, 30, 5));
        assert_eq!(t.unpredictable_numbers, [[1, 2, 3, 4], [5, 6, 7, 8]]);
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in KINDS {
            assert_eq!(kind_from_name(kind_name(kind)), Some(kind));
        }
        assert_eq!(kind_from_name("sale"), None);
    }
}

//! What the kernel is given: the terminal's configuration and one transaction's inputs.
//! Amounts are in minor units of the currency (n12 in the data objects).

use std::collections::BTreeMap;

use crate::tlv::Tag;

/// Data objects keyed by tag (terminal data, kernel configuration).
pub type TagMap = BTreeMap<Tag, Vec<u8>>;

/// Book B's Zero Amount Allowed flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ZeroAmount {
    /// A zero amount is refused for this combination.
    NotAllowed,
    /// A zero amount is allowed and needs an online cryptogram.
    #[default]
    Online,
}

/// A reader combination {AID, Kernel ID} with its Entry Point configuration (Book B 3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Combination {
    /// The AID (or AID prefix) this combination accepts.
    pub aid: Vec<u8>,
    /// The kernel this combination activates (Book B 3.1, 3.3.2.5).
    pub kernel: crate::kernel::KernelId,
    /// Terminal Transaction Qualifiers before pre-processing.
    pub ttq: Option<[u8; 4]>,
    /// Reader Contactless Transaction Limit, minor units; `None` = no limit.
    pub transaction_limit: Option<u64>,
    /// Reader Contactless Floor Limit, minor units; `None` = no limit.
    pub floor_limit: Option<u64>,
    /// Reader CVM Required Limit, minor units; `None` = no limit.
    pub cvm_required_limit: Option<u64>,
    /// Status Check Support flag.
    pub status_check: bool,
    /// Zero Amount Allowed flag.
    pub zero_amount: ZeroAmount,
    /// Kernel-specific configuration data objects.
    pub tags: TagMap,
}

/// A calendar date (the transaction date, key expiry dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Four-digit year.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
}

impl Date {
    /// The date as EMV's YYMMDD BCD (tag 9A).
    pub fn to_bcd(self) -> [u8; 3] {
        [
            bcd(self.year % 100),
            bcd(self.month as u16),
            bcd(self.day as u16),
        ]
    }
}

/// A time of day (tag 9F21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    /// Hour 0–23.
    pub hour: u8,
    /// Minute 0–59.
    pub minute: u8,
    /// Second 0–59.
    pub second: u8,
}

impl Time {
    /// The time as EMV's HHMMSS BCD.
    pub fn to_bcd(self) -> [u8; 3] {
        [
            bcd(self.hour as u16),
            bcd(self.minute as u16),
            bcd(self.second as u16),
        ]
    }
}

fn bcd(v: u16) -> u8 {
    (((v / 10) % 10) << 4 | (v % 10)) as u8
}

/// An amount in minor units as n12 BCD (tags 9F02, 9F03).
pub fn amount_bcd(minor_units: u64) -> [u8; 6] {
    let mut out = [0u8; 6];
    let mut v = minor_units % 1_000_000_000_000;
    for byte in out.iter_mut().rev() {
        let lo = (v % 10) as u8;
        v /= 10;
        let hi = (v % 10) as u8;
        v /= 10;
        *byte = (hi << 4) | lo;
    }
    out
}

/// A certification authority public key (Book 2 6.2, Book B).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capk {
    /// Registered application provider identifier.
    pub rid: [u8; 5],
    /// CA public key index (tag 8F).
    pub index: u8,
    /// Modulus, big-endian.
    pub modulus: Vec<u8>,
    /// Public exponent, big-endian (`03` or `010001`).
    pub exponent: Vec<u8>,
    /// Last day the key may be used.
    pub expiry: Date,
}

/// A revoked issuer certificate (Book 2 5.3 step 10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedCertificate {
    /// RID of the CA key.
    pub rid: [u8; 5],
    /// CA public key index.
    pub index: u8,
    /// Issuer certificate serial number.
    pub serial: [u8; 3],
}

/// The terminal's whole configuration for the kernel.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TerminalConfig {
    /// Terminal data objects answered when a DOL asks for them.
    pub terminal: TagMap,
    /// Reader combinations in priority order.
    pub combinations: Vec<Combination>,
    /// CA public keys.
    pub capks: Vec<Capk>,
    /// Certificate revocation list.
    pub revoked: Vec<RevokedCertificate>,
}

/// Transaction type (tag 9C).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionType {
    /// Goods and services, 9C = 00.
    Purchase,
    /// Cash, 9C = 01.
    Cash,
    /// Purchase with cashback, 9C = 09.
    Cashback,
    /// Refund, 9C = 20.
    Refund,
}

impl TransactionType {
    /// The tag 9C value.
    pub fn code(self) -> u8 {
        match self {
            TransactionType::Purchase => 0x00,
            TransactionType::Cash => 0x01,
            TransactionType::Cashback => 0x09,
            TransactionType::Refund => 0x20,
        }
    }
}

/// One transaction's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// Transaction type.
    pub kind: TransactionType,
    /// Amount, Authorised in minor units.
    pub amount: u64,
    /// Amount, Other in minor units.
    pub amount_other: u64,
    /// ISO 4217 numeric currency code (tag 5F2A).
    pub currency: u16,
    /// Minor-unit exponent of the currency (tag 5F36).
    pub currency_exponent: u8,
    /// Transaction date (tag 9A).
    pub date: Date,
    /// Transaction time (tag 9F21).
    pub time: Time,
    /// Unpredictable numbers (tag 9F37), used in order: one each time a card enters the
    /// field (Book A), and one for each EXCHANGE RELAY RESISTANCE DATA (C-2 S3.61, SR1.23).
    pub unpredictable_numbers: Vec<[u8; 4]>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_bcd_fields() {
        assert_eq!(amount_bcd(1234), [0, 0, 0, 0, 0x12, 0x34]);
        assert_eq!(amount_bcd(999_999_999_999), [0x99; 6]);
        let d = Date {
            year: 2026,
            month: 11,
            day: 26,
        };
        assert_eq!(d.to_bcd(), [0x26, 0x11, 0x26]);
        let t = Time {
            hour: 19,
            minute: 5,
            second: 0,
        };
        assert_eq!(t.to_bcd(), [0x19, 0x05, 0x00]);
    }
}

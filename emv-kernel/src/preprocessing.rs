//! Entry Point pre-processing (Book B 3.1.1): before any card is polled, each reader
//! combination gets its own copy of the TTQ and indicators from the amount and the
//! combination's limits, or is marked "not allowed".

use crate::config::{Combination, TerminalConfig, Transaction, ZeroAmount};
use crate::qualifiers::ttq::Ttq;
use crate::tlv::Tag;

/// Entry Point Pre-Processing Indicators of one combination (Book B Table 3-1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Indicators {
    /// Status check requested: the amount is one currency unit.
    pub status_check_requested: bool,
    /// The amount is zero.
    pub zero_amount: bool,
    /// The amount is at or above the Reader Contactless Transaction Limit.
    pub not_allowed: bool,
    /// The amount exceeds the Reader Contactless Floor Limit.
    pub floor_limit_exceeded: bool,
    /// The amount is at or above the Reader CVM Required Limit.
    pub cvm_required_limit_exceeded: bool,
    /// The combination's TTQ after pre-processing (kernel 3 and others that use one).
    pub ttq: Option<Ttq>,
    /// Why the combination was refused, for the decision list.
    pub reason: Option<&'static str>,
}

/// Runs Book B 3.1.1 for one combination.
pub fn process(config: &TerminalConfig, comb: &Combination, tx: &Transaction) -> Indicators {
    let mut ind = Indicators {
        ttq: comb.ttq.map(|t| {
            // 3.1.1.1: clear "online cryptogram required" and "CVM required".
            let mut t = Ttq(t);
            t.clear(Ttq::ONLINE_CRYPTOGRAM_REQUIRED);
            t.clear(Ttq::CVM_REQUIRED);
            t
        }),
        ..Indicators::default()
    };
    let amount = tx.amount;
    let one_unit = 10u64.saturating_pow(tx.currency_exponent as u32);
    if comb.status_check && amount == one_unit {
        ind.status_check_requested = true;
    }
    if amount == 0 {
        ind.zero_amount = true;
        let offline_only = ind.ttq.is_some_and(Ttq::is_offline_only);
        if comb.zero_amount == ZeroAmount::NotAllowed {
            ind.not_allowed = true;
            ind.reason = Some("zero amount not allowed");
        } else if offline_only {
            ind.not_allowed = true;
            ind.reason = Some("zero amount on an offline-only reader");
        }
    }
    if comb.transaction_limit.is_some_and(|limit| amount >= limit) {
        ind.not_allowed = true;
        ind.reason = Some("amount at or above the reader contactless transaction limit");
    }
    let floor = comb.floor_limit.or_else(|| terminal_floor_limit(config));
    if floor.is_some_and(|limit| amount > limit) {
        ind.floor_limit_exceeded = true;
    }
    if comb.cvm_required_limit.is_some_and(|limit| amount >= limit) {
        ind.cvm_required_limit_exceeded = true;
    }
    if let Some(t) = ind.ttq.as_mut() {
        if ind.status_check_requested || ind.zero_amount || ind.floor_limit_exceeded {
            t.set(Ttq::ONLINE_CRYPTOGRAM_REQUIRED);
        }
        if ind.cvm_required_limit_exceeded {
            t.set(Ttq::CVM_REQUIRED);
        }
    }
    ind
}

/// Terminal Floor Limit 9F1B (binary, minor units) when the combination has none.
fn terminal_floor_limit(config: &TerminalConfig) -> Option<u64> {
    let v = config.terminal.get(&Tag::new(0x9F1B))?;
    (v.len() <= 8).then(|| v.iter().fold(0u64, |acc, b| (acc << 8) | *b as u64))
}

/// A one-line summary for the decision list.
pub fn describe(comb: &Combination, ind: &Indicators) -> String {
    let aid = hex::encode_upper(&comb.aid);
    if ind.not_allowed {
        return format!(
            "pre-processing: {aid} kernel {} not allowed: {}",
            comb.kernel,
            ind.reason.unwrap_or("")
        );
    }
    let mut flags = Vec::new();
    if ind.status_check_requested {
        flags.push("status check");
    }
    if ind.zero_amount {
        flags.push("zero amount");
    }
    if ind.floor_limit_exceeded {
        flags.push("floor limit exceeded");
    }
    if ind.cvm_required_limit_exceeded {
        flags.push("CVM required limit reached");
    }
    let ttq = ind
        .ttq
        .map(|t| format!(", TTQ {}", hex::encode_upper(t.0)))
        .unwrap_or_default();
    format!(
        "pre-processing: {aid} kernel {} allowed [{}]{ttq}",
        comb.kernel,
        flags.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Date, Time, TransactionType};

    fn tx(amount: u64) -> Transaction {
        Transaction {
            kind: TransactionType::Purchase,
            amount,
            amount_other: 0,
            currency: 978,
            currency_exponent: 2,
            date: Date {
                year: 2026,
                month: 1,
                day: 1,
            },
            time: Time {
                hour: 0,
                minute: 0,
                second: 0,
            },
            unpredictable_numbers: vec![],
        }
    }

    fn comb() -> Combination {
        Combination {
            aid: vec![0xA0, 0, 0, 0, 3, 0x10, 0x10],
            kernel: crate::kernel::KernelId::Visa,
            ttq: Some([0x36, 0xC0, 0x40, 0x00]),
            transaction_limit: Some(10_000),
            floor_limit: Some(2_000),
            cvm_required_limit: Some(5_000),
            status_check: true,
            zero_amount: ZeroAmount::Online,
            tags: Default::default(),
        }
    }

    #[test]
    fn copies_and_clears_the_ttq_then_sets_bits_from_limits() {
        let cfg = TerminalConfig::default();
        let low = process(&cfg, &comb(), &tx(1_000));
        assert_eq!(low.ttq, Some(Ttq([0x36, 0x00, 0x40, 0x00])));
        let above_floor = process(&cfg, &comb(), &tx(2_001));
        assert_eq!(above_floor.ttq, Some(Ttq([0x36, 0x80, 0x40, 0x00])));
        let cvm = process(&cfg, &comb(), &tx(5_000));
        assert_eq!(cvm.ttq, Some(Ttq([0x36, 0xC0, 0x40, 0x00])));
        assert!(!cvm.not_allowed);
        assert!(process(&cfg, &comb(), &tx(10_000)).not_allowed);
        let status = process(&cfg, &comb(), &tx(100));
        assert!(status.status_check_requested);
        assert_eq!(status.ttq.unwrap().0[1], 0x80);
    }

    #[test]
    fn zero_amount_rules() {
        let cfg = TerminalConfig::default();
        let online = process(&cfg, &comb(), &tx(0));
        assert!(online.zero_amount && !online.not_allowed);
        assert_eq!(online.ttq.unwrap().0[1], 0x80);
        let mut refused = comb();
        refused.zero_amount = ZeroAmount::NotAllowed;
        assert!(process(&cfg, &refused, &tx(0)).not_allowed);
        let mut offline = comb();
        offline.ttq = Some([0x28, 0, 0, 0]);
        assert!(process(&cfg, &offline, &tx(0)).not_allowed);
    }

    #[test]
    fn falls_back_to_the_terminal_floor_limit() {
        let mut cfg = TerminalConfig::default();
        cfg.terminal
            .insert(Tag::new(0x9F1B), vec![0, 0, 0x03, 0xE8]);
        let mut c = comb();
        c.floor_limit = None;
        assert!(!process(&cfg, &c, &tx(1_000)).floor_limit_exceeded);
        assert!(process(&cfg, &c, &tx(1_001)).floor_limit_exceeded);
    }
}

//! A tap as a transaction vector (`tapterm-vector/1`, test-vectors/README.md): the inputs the
//! kernel ran with, every exchange per tap, and what happened as the expectation, so that
//! `tapterm replay` reproduces the same transaction byte for byte.
//!
//! A recorded vector holds full card data (PAN, track 2, cryptograms): fine for a virtual
//! wallet or a test card, never to be committed for a real card.

use std::collections::BTreeMap;

use emv_kernel::config::{TagMap, TerminalConfig, Transaction, ZeroAmount};
use emv_kernel::tlv::Tag;
use emv_kernel::transport::TransportError;
use emv_kernel::vector::{
    Exchange, ExchangeError, Expect, FORMAT, Hex, HexTag, Vector, VectorCapk, VectorCombination,
    VectorConfig, VectorRevoked, VectorTransaction,
};

use crate::checkout::CheckoutResult;
use crate::transaction::kind_name;

/// Data record tags a recorded vector asserts when the outcome has a data record: the
/// cryptogram and what it covers, the CVM and the card's identity.
const KEY_DATA: [u32; 14] = [
    0x5A, 0x5F2A, 0x5F34, 0x82, 0x95, 0x9C, 0x9F02, 0x9F03, 0x9F10, 0x9F26, 0x9F27, 0x9F34, 0x9F36,
    0x9F37,
];

/// The vector for one finished checkout; `name` and `source` are written as given
/// (`source` e.g. `virtual wallet visa-phone` or `recorded: <reader> / <device>`).
pub fn to_vector(
    config: &TerminalConfig,
    txn: &Transaction,
    checkout: &CheckoutResult,
    name: &str,
    source: &str,
) -> Vector {
    let mut notes = Vec::new();
    let mut taps: Vec<Vec<Exchange>> = vec![Vec::new(); checkout.taps];
    for x in &checkout.kernel.trace {
        let (r, error) = match &x.response {
            Ok(r) => (Some(Hex(r.clone())), None),
            Err(TransportError::Timeout) => (None, Some(ExchangeError::Timeout)),
            Err(TransportError::CardRemoved) => (None, Some(ExchangeError::CardRemoved)),
            Err(other) => {
                notes.push(format!(
                    "tap {}: the reader failed ({other}); recorded as card_removed",
                    x.tap + 1
                ));
                (None, Some(ExchangeError::CardRemoved))
            }
        };
        if taps.len() <= x.tap {
            taps.resize(x.tap + 1, Vec::new());
        }
        if let Some(tap) = taps.get_mut(x.tap) {
            tap.push(Exchange {
                c: Hex(x.command.clone()),
                r,
                error,
                us: Some(u64::try_from(x.elapsed.as_micros()).unwrap_or(u64::MAX)),
            });
        }
    }
    let result = &checkout.kernel;
    let data = result.data_record.as_ref().map(|record| {
        KEY_DATA
            .iter()
            .filter_map(|t| {
                let tag = Tag::new(*t);
                record.get(&tag).map(|v| (HexTag(tag), Hex(v.clone())))
            })
            .collect::<BTreeMap<_, _>>()
    });
    Vector {
        format: FORMAT.into(),
        name: name.into(),
        description: format!(
            "{} of {} (currency {:03}) ending in {} after {} tap(s)",
            kind_name(txn.kind),
            major(txn.amount, txn.currency_exponent),
            txn.currency,
            result.outcome.status.name(),
            checkout.taps
        ),
        source: source.into(),
        notes: (!notes.is_empty()).then(|| notes.join("; ")),
        config: vector_config(config, txn.currency_exponent),
        transaction: VectorTransaction {
            kind: kind_name(txn.kind).into(),
            amount: major(txn.amount, txn.currency_exponent),
            amount_other: major(txn.amount_other, txn.currency_exponent),
            currency: format!("{:03}", txn.currency),
            date: format!(
                "{:04}-{:02}-{:02}",
                txn.date.year, txn.date.month, txn.date.day
            ),
            time: format!(
                "{:02}:{:02}:{:02}",
                txn.time.hour, txn.time.minute, txn.time.second
            ),
            unpredictable_numbers: txn
                .unpredictable_numbers
                .iter()
                .map(|un| Hex(un.to_vec()))
                .collect(),
        },
        taps,
        expect: Expect {
            outcome: result.outcome.status.name().into(),
            cvm: Some(result.outcome.cvm.map_or("n/a", |c| c.name()).into()),
            ui: Some(result.ui.iter().map(|u| u.message.name().into()).collect()),
            tap_outcomes: Some(
                result
                    .tap_outcomes
                    .iter()
                    .map(|s| s.name().into())
                    .collect(),
            ),
            data: data.filter(|d| !d.is_empty()),
            absent: None,
            outcome_parameter_set: Some(Hex(result.outcome_parameter_set().0.to_vec())),
            tap_outcome_parameter_sets: Some(
                result
                    .tap_parameter_sets
                    .iter()
                    .map(|s| Hex(s.0.to_vec()))
                    .collect(),
            ),
        },
    }
}

/// Minor units as a major-unit decimal string (`1234`, 2 → `12.34`).
fn major(minor: u64, exponent: u8) -> String {
    crate::transaction::major(minor, exponent).to_string()
}

fn hex_map(map: &TagMap) -> BTreeMap<HexTag, Hex> {
    map.iter()
        .map(|(t, v)| (HexTag(*t), Hex(v.clone())))
        .collect()
}

fn vector_config(config: &TerminalConfig, exponent: u8) -> VectorConfig {
    let limit = |v: Option<u64>| v.map(|m| major(m, exponent));
    VectorConfig {
        terminal: hex_map(&config.terminal),
        combinations: config
            .combinations
            .iter()
            .map(|c| VectorCombination {
                aid: Hex(c.aid.clone()),
                kernel: c.kernel.number(),
                ttq: c.ttq.map(|t| Hex(t.to_vec())),
                transaction_limit: limit(c.transaction_limit),
                floor_limit: limit(c.floor_limit),
                cvm_required_limit: limit(c.cvm_required_limit),
                status_check: c.status_check,
                zero_amount: match c.zero_amount {
                    ZeroAmount::NotAllowed => "not_allowed",
                    ZeroAmount::Online => "online",
                }
                .into(),
                tags: hex_map(&c.tags),
            })
            .collect(),
        capks: config
            .capks
            .iter()
            .map(|k| VectorCapk {
                rid: Hex(k.rid.to_vec()),
                index: Hex(vec![k.index]),
                modulus: Hex(k.modulus.clone()),
                exponent: Hex(k.exponent.clone()),
                expiry: format!(
                    "{:04}-{:02}-{:02}",
                    k.expiry.year, k.expiry.month, k.expiry.day
                ),
            })
            .collect(),
        revoked: config
            .revoked
            .iter()
            .map(|r| VectorRevoked {
                rid: Hex(r.rid.to_vec()),
                index: Hex(vec![r.index]),
                serial: Hex(r.serial.to_vec()),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkout;
    use emv_kernel::config::{Capk, Combination, Date, Time};
    use emv_kernel::outcome::UiRequest;
    use emv_kernel::replay::{Verdict, run_vector};
    use emv_kernel::transport::{CardResponse, Transport};

    /// A card that answers PPSE with "file not found", then leaves on the second tap.
    struct NoPpse {
        taps: usize,
        max_taps: usize,
    }

    impl Transport for NoPpse {
        fn exchange(&mut self, _command: &[u8]) -> Result<CardResponse, TransportError> {
            if self.taps > 1 {
                return Err(TransportError::CardRemoved);
            }
            Ok(CardResponse::unmeasured(vec![0x6A, 0x82]))
        }
        fn next_tap(&mut self, _restart: &UiRequest) -> Result<bool, TransportError> {
            if self.taps == self.max_taps {
                return Ok(false);
            }
            self.taps += 1;
            Ok(true)
        }
    }

    fn config() -> TerminalConfig {
        let mut tags = TagMap::new();
        tags.insert(Tag::new(0xDF811B), vec![0x20]);
        let mut terminal = TagMap::new();
        terminal.insert(Tag::new(0x9F1A), vec![0x02, 0x50]);
        TerminalConfig {
            terminal,
            combinations: vec![Combination {
                aid: vec![0xA0, 0, 0, 0, 0x03, 0x10, 0x10],
                kernel: emv_kernel::kernel::KernelId::Visa,
                ttq: Some([0x36, 0x00, 0x40, 0x00]),
                transaction_limit: Some(50000),
                floor_limit: Some(0),
                cvm_required_limit: Some(5000),
                status_check: false,
                zero_amount: ZeroAmount::NotAllowed,
                tags,
            }],
            capks: vec![Capk {
                rid: [0xA0, 0, 0, 0, 0x03],
                index: 0x92,
                modulus: vec![0xC1; 16],
                exponent: vec![0x03],
                expiry: Date {
                    year: 2030,
                    month: 12,
                    day: 31,
                },
            }],
            revoked: vec![],
        }
    }

    fn transaction() -> Transaction {
        Transaction {
            kind: emv_kernel::config::TransactionType::Refund,
            amount: 2500,
            amount_other: 0,
            currency: 978,
            currency_exponent: 2,
            date: Date {
                year: 2026,
                month: 11,
                day: 26,
            },
            time: Time {
                hour: 23,
                minute: 5,
                second: 9,
            },
            unpredictable_numbers: vec![[1, 2, 3, 4], [5, 6, 7, 8]],
        }
    }

    #[test]
    fn inputs_survive_the_round_trip_through_the_vector() {
        let (cfg, txn) = (config(), transaction());
        let mut card = NoPpse {
            taps: 0,
            max_taps: 1,
        };
        let done = checkout::run(&cfg, &txn, &mut card, &mut |_| {});
        let vector = to_vector(&cfg, &txn, &done, "t", "unit test");
        let json = serde_json::to_string(&vector).unwrap();
        let parsed = emv_kernel::vector::parse(&json).unwrap();
        let (cfg2, txn2) = parsed.inputs().unwrap();
        assert_eq!(cfg2, cfg);
        assert_eq!(txn2, txn);
        assert_eq!(parsed.transaction.amount, "25.00");
        assert_eq!(parsed.taps.len(), 1);
    }

    #[test]
    fn a_recorded_checkout_replays_green() {
        let (cfg, txn) = (config(), transaction());
        let mut card = NoPpse {
            taps: 0,
            max_taps: 1,
        };
        let done = checkout::run(&cfg, &txn, &mut card, &mut |_| {});
        let vector = to_vector(&cfg, &txn, &done, "t", "unit test");
        assert_eq!(vector.expect.outcome, done.kernel.outcome.status.name());
        let (verdict, _) = run_vector(&vector, emv_kernel::entry_point::run);
        assert_eq!(verdict, Verdict::Pass);
    }

    #[test]
    fn a_card_that_leaves_is_recorded_as_card_removed() {
        let (cfg, txn) = (config(), transaction());
        let mut card = NoPpse {
            taps: 2,
            max_taps: 3,
        };
        let done = checkout::run(&cfg, &txn, &mut card, &mut |_| {});
        let vector = to_vector(&cfg, &txn, &done, "t", "unit test");
        let first = &vector.taps[0][0];
        assert_eq!(first.error, Some(ExchangeError::CardRemoved));
        assert_eq!(first.r, None);
    }

    #[test]
    fn amounts_use_the_currency_exponent() {
        assert_eq!(major(1234, 2), "12.34");
        assert_eq!(major(1500, 0), "1500");
        assert_eq!(major(5, 3), "0.005");
        assert_eq!(major(0, 2), "0.00");
    }
}

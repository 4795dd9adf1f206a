//! Transaction vectors, format `tapterm-vector/1` (see test-vectors/README.md): reading,
//! writing, turning them into kernel inputs and checking a result against their expectations.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::config::{
    Capk, Combination, Date, RevokedCertificate, TagMap, TerminalConfig, Time, Transaction,
    TransactionType, ZeroAmount,
};
use crate::outcome::{MessageId, OutcomeParameterSet, OutcomeStatus, TransactionResult};
use crate::tlv::Tag;

/// The only format string this version reads and writes.
pub const FORMAT: &str = "tapterm-vector/1";

/// Bytes written as upper-case hex in JSON.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Hex(pub Vec<u8>);

impl fmt::Debug for Hex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode_upper(&self.0))
    }
}

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode_upper(&self.0))
    }
}

impl<'de> Deserialize<'de> for Hex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Hex, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(&text)
            .map(Hex)
            .map_err(|e| serde::de::Error::custom(format!("bad hex {text:?}: {e}")))
    }
}

/// A tag written as hex in JSON (map keys and lists).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct HexTag(pub Tag);

impl Serialize for HexTag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for HexTag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<HexTag, D::Error> {
        let text = String::deserialize(d)?;
        Tag::from_str(&text)
            .map(HexTag)
            .map_err(|_| serde::de::Error::custom(format!("bad tag {text:?}")))
    }
}

/// One whole vector file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vector {
    /// Always [`FORMAT`].
    pub format: String,
    /// Short unique name.
    pub name: String,
    /// What the transaction shows.
    pub description: String,
    /// How the vector was made.
    pub source: String,
    /// Provenance, doubts, what is not asserted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Terminal configuration.
    pub config: VectorConfig,
    /// Transaction inputs.
    pub transaction: VectorTransaction,
    /// One list of exchanges per tap.
    pub taps: Vec<Vec<Exchange>>,
    /// What the terminal must reach.
    pub expect: Expect,
}

/// `config` of a vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorConfig {
    /// Terminal data objects.
    #[serde(default)]
    pub terminal: BTreeMap<HexTag, Hex>,
    /// Reader combinations in order.
    pub combinations: Vec<VectorCombination>,
    /// CA public keys.
    #[serde(default)]
    pub capks: Vec<VectorCapk>,
    /// Revoked issuer certificates.
    #[serde(default)]
    pub revoked: Vec<VectorRevoked>,
}

/// One reader combination in a vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorCombination {
    /// AID.
    pub aid: Hex,
    /// Kernel ID.
    pub kernel: u32,
    /// TTQ before pre-processing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttq: Option<Hex>,
    /// Reader contactless transaction limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_limit: Option<String>,
    /// Reader contactless floor limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor_limit: Option<String>,
    /// Reader CVM required limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvm_required_limit: Option<String>,
    /// Status check support.
    #[serde(default)]
    pub status_check: bool,
    /// Zero amount handling.
    #[serde(default = "default_zero_amount")]
    pub zero_amount: String,
    /// Kernel-specific data objects.
    #[serde(default)]
    pub tags: BTreeMap<HexTag, Hex>,
}

fn default_zero_amount() -> String {
    "online".into()
}

/// One CA public key in a vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorCapk {
    /// RID, 5 bytes.
    pub rid: Hex,
    /// Index, 1 byte.
    pub index: Hex,
    /// Modulus.
    pub modulus: Hex,
    /// Exponent.
    pub exponent: Hex,
    /// Expiry date, `YYYY-MM-DD`.
    pub expiry: String,
}

/// One revocation list entry in a vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorRevoked {
    /// RID, 5 bytes.
    pub rid: Hex,
    /// CA key index, 1 byte.
    pub index: Hex,
    /// Issuer certificate serial, 3 bytes.
    pub serial: Hex,
}

/// `transaction` of a vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorTransaction {
    /// `purchase | cash | cashback | refund`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Amount in major units.
    pub amount: String,
    /// Amount other in major units.
    #[serde(default = "zero")]
    pub amount_other: String,
    /// ISO 4217 numeric code, three digits.
    pub currency: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM:SS`.
    pub time: String,
    /// 9F37 values, 4 bytes each.
    pub unpredictable_numbers: Vec<Hex>,
}

fn zero() -> String {
    "0".into()
}

/// How an exchange ended when the card gave no response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeError {
    /// The card left the field.
    CardRemoved,
    /// The card did not answer.
    Timeout,
}

/// One command and what came back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// The command the terminal must send.
    pub c: Hex,
    /// The card's response with SW1 SW2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r: Option<Hex>,
    /// Or: no response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ExchangeError>,
    /// The card's processing time in microseconds as the reader measured it (informative,
    /// except for relay resistance); absent means 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub us: Option<u64>,
}

/// `expect` of a vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The final outcome.
    pub outcome: String,
    /// The CVM, or `n/a`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvm: Option<String>,
    /// UI messages that must appear in this order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui: Option<Vec<String>>,
    /// The outcome of each tap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tap_outcomes: Option<Vec<String>>,
    /// Data record values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<BTreeMap<HexTag, Hex>>,
    /// Tags that must not be in the data record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absent: Option<Vec<HexTag>>,
    /// The final outcome's Outcome Parameter Set (DF8129).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome_parameter_set: Option<Hex>,
    /// The Outcome Parameter Set at the end of each tap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tap_outcome_parameter_sets: Option<Vec<Hex>>,
}

/// Why a vector's own content is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidVector(pub String);

fn invalid<T>(text: impl Into<String>) -> Result<T, InvalidVector> {
    Err(InvalidVector(text.into()))
}

/// Parses a vector from JSON and checks every field, so later steps can trust it.
pub fn parse(json: &str) -> Result<Vector, InvalidVector> {
    let vector: Vector = serde_json::from_str(json).map_err(|e| InvalidVector(e.to_string()))?;
    vector.inputs()?;
    vector.expectations()?;
    for (t, tap) in vector.taps.iter().enumerate() {
        for (i, x) in tap.iter().enumerate() {
            if x.r.is_some() == x.error.is_some() {
                return invalid(format!(
                    "taps[{t}][{i}]: needs exactly one of `r` and `error`"
                ));
            }
            if x.r.as_ref().is_some_and(|r| r.0.len() < 2) {
                return invalid(format!(
                    "taps[{t}][{i}]: response shorter than a status word"
                ));
            }
        }
    }
    Ok(vector)
}

/// The ISO 4217 exponent of a numeric currency code.
pub fn currency_exponent(code: u16) -> Option<u8> {
    iso_currency::Currency::from_numeric(code)
        .and_then(|c| c.exponent())
        .and_then(|e| u8::try_from(e).ok())
}

/// Converts a major-unit decimal string into minor units, refusing more decimals than the
/// currency has, negative values and values beyond n12.
pub fn minor_units(text: &str, exponent: u8) -> Result<u64, InvalidVector> {
    let value =
        Decimal::from_str(text).map_err(|_| InvalidVector(format!("bad amount {text:?}")))?;
    if value.is_sign_negative() || value.scale() > exponent as u32 {
        return invalid(format!(
            "amount {text:?} is negative or has more than {exponent} decimals"
        ));
    }
    let scaled = value * Decimal::from(10u64.pow(exponent as u32));
    u64::try_from(scaled)
        .ok()
        .filter(|v| *v < 1_000_000_000_000)
        .ok_or_else(|| InvalidVector(format!("amount {text:?} does not fit 12 digits")))
}

fn parse_date(text: &str) -> Result<Date, InvalidVector> {
    let parts: Vec<&str> = text.split('-').collect();
    let bad = || InvalidVector(format!("bad date {text:?}, want YYYY-MM-DD"));
    let [y, m, d] = parts[..] else {
        return Err(bad());
    };
    let date = Date {
        year: y.parse().map_err(|_| bad())?,
        month: m.parse().map_err(|_| bad())?,
        day: d.parse().map_err(|_| bad())?,
    };
    let valid = y.len() == 4 && (1..=12).contains(&date.month) && (1..=31).contains(&date.day);
    if valid { Ok(date) } else { Err(bad()) }
}

fn parse_time(text: &str) -> Result<Time, InvalidVector> {
    let parts: Vec<&str> = text.split(':').collect();
    let bad = || InvalidVector(format!("bad time {text:?}, want HH:MM:SS"));
    let [h, m, s] = parts[..] else {
        return Err(bad());
    };
    let time = Time {
        hour: h.parse().map_err(|_| bad())?,
        minute: m.parse().map_err(|_| bad())?,
        second: s.parse().map_err(|_| bad())?,
    };
    let valid = time.hour < 24 && time.minute < 60 && time.second < 60;
    if valid { Ok(time) } else { Err(bad()) }
}

fn fixed<const N: usize>(hex: &Hex, what: &str) -> Result<[u8; N], InvalidVector> {
    <[u8; N]>::try_from(hex.0.as_slice())
        .map_err(|_| InvalidVector(format!("{what} must be {N} bytes, got {}", hex.0.len())))
}

fn tag_map(map: &BTreeMap<HexTag, Hex>) -> TagMap {
    map.iter().map(|(t, v)| (t.0, v.0.clone())).collect()
}

/// What a vector expects, in kernel terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    /// Final outcome.
    pub outcome: OutcomeStatus,
    /// CVM name (`no_cvm`, …, `n/a`).
    pub cvm: Option<String>,
    /// UI messages in order.
    pub ui: Option<Vec<MessageId>>,
    /// Outcome of each tap.
    pub tap_outcomes: Option<Vec<OutcomeStatus>>,
    /// Data record values.
    pub data: Option<TagMap>,
    /// Tags absent from the data record.
    pub absent: Option<Vec<Tag>>,
    /// The final Outcome Parameter Set.
    pub outcome_parameter_set: Option<OutcomeParameterSet>,
    /// The Outcome Parameter Set of each tap.
    pub tap_outcome_parameter_sets: Option<Vec<OutcomeParameterSet>>,
}

impl VectorCombination {
    /// The combination in kernel terms; limits are read in the major unit of a currency
    /// with `exponent` decimals. Shared with the terminal's own TOML configuration.
    pub fn to_combination(&self, exponent: u8) -> Result<Combination, InvalidVector> {
        let limit = |v: &Option<String>| v.as_deref().map(|s| minor_units(s, exponent)).transpose();
        Ok(Combination {
            aid: self.aid.0.clone(),
            kernel: self.kernel.into(),
            ttq: self
                .ttq
                .as_ref()
                .map(|t| fixed::<4>(t, "ttq"))
                .transpose()?,
            transaction_limit: limit(&self.transaction_limit)?,
            floor_limit: limit(&self.floor_limit)?,
            cvm_required_limit: limit(&self.cvm_required_limit)?,
            status_check: self.status_check,
            zero_amount: match self.zero_amount.as_str() {
                "online" => ZeroAmount::Online,
                "not_allowed" => ZeroAmount::NotAllowed,
                other => return invalid(format!("unknown zero_amount {other:?}")),
            },
            tags: tag_map(&self.tags),
        })
    }
}

impl VectorCapk {
    /// The key in kernel terms. Shared with the terminal's CA key files.
    pub fn to_capk(&self) -> Result<Capk, InvalidVector> {
        Ok(Capk {
            rid: fixed::<5>(&self.rid, "capk rid")?,
            index: fixed::<1>(&self.index, "capk index")?[0],
            modulus: self.modulus.0.clone(),
            exponent: self.exponent.0.clone(),
            expiry: parse_date(&self.expiry)?,
        })
    }
}

impl Vector {
    /// The terminal configuration and transaction this vector runs with.
    pub fn inputs(&self) -> Result<(TerminalConfig, Transaction), InvalidVector> {
        if self.format != FORMAT {
            return invalid(format!("format is {:?}, want {FORMAT:?}", self.format));
        }
        let t = &self.transaction;
        let currency: u16 = match t.currency.len() {
            3 => t
                .currency
                .parse()
                .map_err(|_| InvalidVector(format!("bad currency {:?}", t.currency)))?,
            _ => return invalid(format!("currency {:?} must be 3 digits", t.currency)),
        };
        let exponent = currency_exponent(currency)
            .ok_or_else(|| InvalidVector(format!("unknown ISO 4217 currency {currency:03}")))?;
        let kind = match t.kind.as_str() {
            "purchase" => TransactionType::Purchase,
            "cash" => TransactionType::Cash,
            "cashback" => TransactionType::Cashback,
            "refund" => TransactionType::Refund,
            other => return invalid(format!("unknown transaction type {other:?}")),
        };
        let unpredictable_numbers = t
            .unpredictable_numbers
            .iter()
            .map(|un| fixed::<4>(un, "unpredictable number"))
            .collect::<Result<_, _>>()?;
        let transaction = Transaction {
            kind,
            amount: minor_units(&t.amount, exponent)?,
            amount_other: minor_units(&t.amount_other, exponent)?,
            currency,
            currency_exponent: exponent,
            date: parse_date(&t.date)?,
            time: parse_time(&t.time)?,
            unpredictable_numbers,
        };
        let combinations = self
            .config
            .combinations
            .iter()
            .map(|c| c.to_combination(exponent))
            .collect::<Result<_, InvalidVector>>()?;
        let capks = self
            .config
            .capks
            .iter()
            .map(VectorCapk::to_capk)
            .collect::<Result<_, InvalidVector>>()?;
        let revoked = self
            .config
            .revoked
            .iter()
            .map(|r| {
                Ok(RevokedCertificate {
                    rid: fixed::<5>(&r.rid, "revoked rid")?,
                    index: fixed::<1>(&r.index, "revoked index")?[0],
                    serial: fixed::<3>(&r.serial, "revoked serial")?,
                })
            })
            .collect::<Result<_, InvalidVector>>()?;
        let config = TerminalConfig {
            terminal: tag_map(&self.config.terminal),
            combinations,
            capks,
            revoked,
        };
        Ok((config, transaction))
    }

    /// The `expect` block in kernel terms.
    pub fn expectations(&self) -> Result<Expectations, InvalidVector> {
        let e = &self.expect;
        let status = |name: &str| {
            OutcomeStatus::from_name(name)
                .ok_or_else(|| InvalidVector(format!("unknown outcome {name:?}")))
        };
        if let Some(cvm) = &e.cvm
            && !["no_cvm", "signature", "online_pin", "cdcvm", "n/a"].contains(&cvm.as_str())
        {
            return invalid(format!("unknown cvm {cvm:?}"));
        }
        Ok(Expectations {
            outcome: status(&e.outcome)?,
            cvm: e.cvm.clone(),
            ui: e
                .ui
                .as_ref()
                .map(|ui| {
                    ui.iter()
                        .map(|m| {
                            MessageId::from_name(m)
                                .ok_or_else(|| InvalidVector(format!("unknown ui message {m:?}")))
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
            tap_outcomes: e
                .tap_outcomes
                .as_ref()
                .map(|list| {
                    list.iter()
                        .map(|s| status(s))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
            data: e.data.as_ref().map(tag_map),
            absent: e.absent.as_ref().map(|a| a.iter().map(|t| t.0).collect()),
            outcome_parameter_set: e
                .outcome_parameter_set
                .as_ref()
                .map(|o| fixed::<8>(o, "outcome_parameter_set").map(OutcomeParameterSet))
                .transpose()?,
            tap_outcome_parameter_sets: e
                .tap_outcome_parameter_sets
                .as_ref()
                .map(|list| {
                    list.iter()
                        .map(|o| {
                            fixed::<8>(o, "tap_outcome_parameter_sets entry")
                                .map(OutcomeParameterSet)
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
        })
    }
}

fn ops_hex(set: &OutcomeParameterSet) -> String {
    hex::encode_upper(set.0)
}

/// Compares a transaction result with a vector's expectations; the error names the first
/// difference.
pub fn check(expect: &Expectations, result: &TransactionResult) -> Result<(), String> {
    let got = result.outcome.status;
    if got != expect.outcome {
        return Err(format!(
            "outcome {} but expected {}",
            got.name(),
            expect.outcome.name()
        ));
    }
    if let Some(cvm) = &expect.cvm {
        let got = result.outcome.cvm.map_or("n/a", |c| c.name());
        if got != cvm {
            return Err(format!("cvm {got} but expected {cvm}"));
        }
    }
    if let Some(list) = &expect.tap_outcomes {
        let got: Vec<_> = result.tap_outcomes.iter().map(|s| s.name()).collect();
        let want: Vec<_> = list.iter().map(|s| s.name()).collect();
        if got != want {
            return Err(format!("tap outcomes {got:?} but expected {want:?}"));
        }
    }
    if let Some(want) = expect.outcome_parameter_set {
        let got = result.outcome_parameter_set();
        if got != want {
            return Err(format!(
                "outcome parameter set {} but expected {}",
                ops_hex(&got),
                ops_hex(&want)
            ));
        }
    }
    if let Some(list) = &expect.tap_outcome_parameter_sets {
        let got: Vec<_> = result.tap_parameter_sets.iter().map(ops_hex).collect();
        let want: Vec<_> = list.iter().map(ops_hex).collect();
        if got != want {
            return Err(format!(
                "tap outcome parameter sets {got:?} but expected {want:?}"
            ));
        }
    }
    if let Some(ui) = &expect.ui {
        let mut shown = result.ui.iter().map(|u| u.message);
        for want in ui {
            if !shown.any(|m| m == *want) {
                let got: Vec<_> = result.ui.iter().map(|u| u.message.name()).collect();
                return Err(format!(
                    "ui message {} missing or out of order in {got:?}",
                    want.name()
                ));
            }
        }
    }
    let needs_record = expect.data.as_ref().is_some_and(|d| !d.is_empty());
    match (&result.data_record, needs_record) {
        (None, true) => return Err("expected a data record but the outcome has none".into()),
        (Some(record), _) => {
            for (tag, want) in expect.data.iter().flatten() {
                match record.get(tag) {
                    Some(got) if got == want => {}
                    Some(got) => {
                        return Err(format!(
                            "data {tag} = {} but expected {}",
                            hex::encode_upper(got),
                            hex::encode_upper(want)
                        ));
                    }
                    None => {
                        return Err(format!(
                            "data {tag} missing, expected {}",
                            hex::encode_upper(want)
                        ));
                    }
                }
            }
            for tag in expect.absent.iter().flatten() {
                if let Some(v) = record.get(tag) {
                    return Err(format!(
                        "data {tag} = {} but expected absent",
                        hex::encode_upper(v)
                    ));
                }
            }
        }
        (None, false) => {}
    }
    Ok(())
}

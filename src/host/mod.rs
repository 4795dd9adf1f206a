//! The acquirer/issuer simulator that answers online authorisation requests.
//!
//! Most contactless transactions end in Online Request (Book A 7.1, outcome "Online
//! Request"): the terminal sends the kernel's data record to the host and shows its answer.
//! This simulator plays acquirer and issuer at once:
//!
//! - for cards whose issuer master key it holds (the virtual wallets, `issuers.toml`) it
//!   derives the card's keys, recomputes the ARQC (Book 2 8.1) and answers with an ARPC
//!   (Book 2 8.2); a wrong cryptogram is declined "cryptogram invalid";
//! - for every other card it says the cryptogram was not verified and lets the rules
//!   (`rules.toml`) decide.
//!
//! It runs in-process ([`Host`]) or as a TCP service ([`server`]); both implement
//! [`Authoriser`]. A host that cannot be reached yields a [`HostError`], which
//! [`StandIn::respond`] turns into "Declined — host unreachable" or an offline stand-in.

pub mod crypto;
pub mod issuers;
pub mod rules;
pub mod server;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use emv_kernel::config::TagMap;
use emv_kernel::tlv::Tag;
use emv_kernel::vector::currency_exponent;

use crate::masking::{self, MaskedPan};
use crypto::{AcData, ArpcInput, Cvn};
use issuers::IssuerKeys;
use rules::{RuleInput, Rules};

/// The shipped issuer key file (test keys only), used when no file is configured.
pub const DEFAULT_ISSUERS: &str = include_str!("../../assets/host/issuers.toml");
/// The shipped rules file, used when no file is configured.
pub const DEFAULT_RULES: &str = include_str!("../../assets/host/rules.toml");

/// Extra terminal data sent with a request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TerminalData {
    /// Terminal identification (9F1C).
    pub terminal_id: String,
    /// Merchant identifier (9F16).
    pub merchant_id: String,
    /// Merchant name and location (9F4E).
    pub merchant_name: String,
}

/// An authorisation request: the kernel's data record plus the amount and terminal data.
/// The record holds the full PAN and track 2 because an issuer needs them; its `Debug`
/// output is masked.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorisationRequest {
    /// The data record (tag → value), hex in JSON.
    #[serde(with = "record_hex")]
    pub record: TagMap,
    /// Amount in major units of the currency.
    pub amount: Decimal,
    /// ISO 4217 numeric currency code (as in 5F2A).
    pub currency: u16,
    /// Terminal data.
    #[serde(default)]
    pub terminal: TerminalData,
    /// Whether this is a refund.
    #[serde(default)]
    pub refund: bool,
}

impl std::fmt::Debug for AuthorisationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorisationRequest")
            .field(
                "record",
                &record_hex_debug(&masking::masked_record(&self.record)),
            )
            .field("amount", &self.amount)
            .field("currency", &self.currency)
            .field("terminal", &self.terminal)
            .field("refund", &self.refund)
            .finish()
    }
}

/// A record as tag → hex value, for debug output.
fn record_hex_debug(record: &TagMap) -> std::collections::BTreeMap<String, String> {
    record
        .iter()
        .map(|(t, v)| (t.to_string(), hex::encode_upper(v)))
        .collect()
}

/// The host's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorisationResponse {
    /// Approved or declined.
    pub approved: bool,
    /// Authorisation code: 6 characters when approved, empty when declined.
    pub auth_code: String,
    /// ISO 8583 response code ("00" approved, "05", "51", "61", "62", "Y3"/"Z3" offline).
    pub response_code: String,
    /// Issuer Authentication Data (tag 91 value) when the cryptogram was verified.
    #[serde(with = "opt_hex", default)]
    pub arpc: Option<Vec<u8>>,
    /// Why, in words.
    pub reason: String,
    /// Whether the host recomputed the card's cryptogram and it matched.
    pub cryptogram_verified: bool,
}

/// Why an answer could not be had from a host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// Connecting failed (nothing listens, network down).
    #[error("host unreachable: {0}")]
    Unreachable(String),
    /// No complete answer within the configured time.
    #[error("host did not answer within {0:?}")]
    Timeout(Duration),
    /// The host answered something that is not a valid response.
    #[error("host answered garbage: {0}")]
    Protocol(String),
    /// The connection broke mid-exchange.
    #[error("connection to host lost: {0}")]
    Connection(String),
    /// The host refused the request (it could not parse it).
    #[error("host refused the request: {0}")]
    Refused(String),
}

/// What a deferred transit message is (issue 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeferredKind {
    /// The authorisation of one ride, sent after the gate opened (the card signed the
    /// gate's zero or nominal amount).
    Ride,
    /// A day's aggregated fares for one account, charged against the card data of an
    /// authorised ride: the amount differs from the one the card signed, by design.
    Charge,
}

/// A message sent after the fact, with the id that makes it idempotent: the host acts on
/// an id once and answers every repeat with its first answer, so a terminal that crashed
/// between sending and recording the answer can send again without charging twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deferred {
    /// Unique per ride (or per account and day for a charge).
    pub id: String,
    /// Ride or charge.
    pub kind: DeferredKind,
}

/// Anything that answers authorisation requests: the in-process [`Host`] or a
/// [`server::HostClient`].
pub trait Authoriser: Send + Sync {
    /// Sends the request and waits for the answer (bounded by the client's timeout).
    fn authorise(&self, request: &AuthorisationRequest)
    -> Result<AuthorisationResponse, HostError>;

    /// Sends a deferred transit message; the host answers a repeated id as it did the
    /// first time, without acting on it again.
    fn authorise_deferred(
        &self,
        request: &AuthorisationRequest,
        deferred: &Deferred,
    ) -> Result<AuthorisationResponse, HostError>;
}

/// What the terminal does when the host cannot be reached.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum StandIn {
    /// Decline ("Declined — host unreachable", response Z3).
    #[default]
    Decline,
    /// Approve offline up to a limit (response Y3), decline above it (Z3).
    Approve {
        /// Largest amount approved offline, in major units.
        limit: Decimal,
    },
}

impl StandIn {
    /// The answer the terminal uses in place of the host's.
    pub fn respond(
        &self,
        error: &HostError,
        request: &AuthorisationRequest,
    ) -> AuthorisationResponse {
        let approve = match self {
            StandIn::Decline => false,
            StandIn::Approve { limit } => !request.refund && request.amount <= *limit,
        };
        AuthorisationResponse {
            approved: approve,
            auth_code: if approve {
                "STNDIN".into()
            } else {
                String::new()
            },
            response_code: if approve { "Y3" } else { "Z3" }.into(),
            arpc: None,
            reason: if approve {
                format!("Approved offline (stand-in) — {error}")
            } else {
                format!("Declined — host unreachable ({error})")
            },
            cryptogram_verified: false,
        }
    }
}

/// Asks `authoriser`, falling back to `stand_in` on any [`HostError`]. Never hangs longer
/// than the authoriser's own timeout.
pub fn authorise_or_stand_in(
    authoriser: &dyn Authoriser,
    request: &AuthorisationRequest,
    stand_in: &StandIn,
) -> AuthorisationResponse {
    authoriser
        .authorise(request)
        .unwrap_or_else(|e| stand_in.respond(&e, request))
}

/// How the terminal reaches its host: a `[host]` table for the terminal configuration.
///
/// ```toml
/// [host]
/// address = "127.0.0.1:8583"            # absent: the in-process simulator
/// timeout_ms = 5000                     # bound on one whole exchange
/// stand_in = { mode = "decline" }       # or { mode = "approve", limit = "20.00" }
/// issuers = "my-issuers.toml"           # in-process only; absent: shipped test keys
/// rules = "my-rules.toml"               # in-process only; absent: shipped rules
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HostConfig {
    /// `host:port` of a `tapterm host --listen` service; `None` runs the host in-process.
    pub address: Option<String>,
    /// Timeout of one exchange with a remote host, in milliseconds.
    pub timeout_ms: u64,
    /// What to answer when the host cannot be reached.
    pub stand_in: StandIn,
    /// Issuer key file for the in-process host.
    pub issuers: Option<std::path::PathBuf>,
    /// Rules file for the in-process host.
    pub rules: Option<std::path::PathBuf>,
}

impl Default for HostConfig {
    fn default() -> HostConfig {
        HostConfig {
            address: None,
            timeout_ms: 5000,
            stand_in: StandIn::Decline,
            issuers: None,
            rules: None,
        }
    }
}

impl HostConfig {
    /// The authoriser this configuration names.
    pub fn authoriser(&self) -> Result<Box<dyn Authoriser>, HostConfigError> {
        Ok(match &self.address {
            Some(addr) => Box::new(server::HostClient::new(
                addr.clone(),
                Duration::from_millis(self.timeout_ms),
            )),
            None => Box::new(Host::load(self.issuers.as_deref(), self.rules.as_deref())?),
        })
    }
}

/// A host configuration file that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum HostConfigError {
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        message: String,
    },
    /// The issuer key file is invalid.
    #[error(transparent)]
    Issuers(#[from] issuers::IssuerKeysError),
    /// The rules file is invalid.
    #[error(transparent)]
    Rules(#[from] rules::RulesError),
}

/// The in-process issuer/acquirer simulator.
#[derive(Debug, Clone)]
pub struct Host {
    keys: IssuerKeys,
    rules: Rules,
    /// First answers to deferred messages, by id (kept while the host runs).
    deferred: Arc<Mutex<HashMap<String, AuthorisationResponse>>>,
}

const PAR: Tag = Tag::new(0x9F24);
const CRYPTOGRAM: Tag = Tag::new(0x9F26);
const CID: Tag = Tag::new(0x9F27);
const PSN: Tag = Tag::new(0x5F34);
const AMOUNT: Tag = Tag::new(0x9F02);
const CURRENCY: Tag = Tag::new(0x5F2A);
const AID_TAGS: [Tag; 3] = [Tag::new(0x4F), Tag::new(0x9F06), Tag::new(0x84)];

/// A cryptogram that matched, with what the ARPC needs.
struct Verified {
    cvn: Cvn,
    data: AcData,
    ac: [u8; 8],
    imk: [u8; 16],
    pan: String,
    psn: u8,
}

impl Verified {
    /// Issuer Authentication Data (tag 91) for the decision: ARC = the response code's
    /// characters for method 1; CSU with the "issuer approves" bit for method 2.
    fn arpc(&self, approved: bool, code: &str) -> Option<Vec<u8>> {
        let input = if self.cvn.uses_arpc_method2() {
            // Visa CSU byte 2 bit 8: issuer approves online transaction (VIS CSU layout;
            // jPOS CVN18DataBuilder sends 0083 for approval, adding counter updates).
            ArpcInput::Method2 {
                csu: [0, if approved { 0x80 } else { 0 }, 0, 0],
                proprietary: vec![],
            }
        } else {
            let b = code.as_bytes();
            ArpcInput::Method1 {
                arc: [
                    b.first().copied().unwrap_or(b'0'),
                    b.get(1).copied().unwrap_or(b'5'),
                ],
            }
        };
        crypto::generate_arpc(
            self.cvn, &self.imk, &self.pan, self.psn, &self.data, &self.ac, &input,
        )
        .ok()
    }
}

/// Outcome of the cryptogram check.
enum Check {
    /// Keys known, cryptogram matched.
    Verified(Box<Verified>),
    /// Keys known, cryptogram did not match or could not be recomputed.
    Invalid(String),
    /// No keys for this card.
    UnknownKeys,
}

impl Host {
    /// A host with the given key table and rules.
    pub fn new(keys: IssuerKeys, rules: Rules) -> Host {
        Host {
            keys,
            rules,
            deferred: Arc::default(),
        }
    }

    /// The host with the shipped test keys and rules.
    pub fn with_defaults() -> Result<Host, HostConfigError> {
        Ok(Host::new(
            IssuerKeys::from_toml(DEFAULT_ISSUERS)?,
            Rules::from_toml(DEFAULT_RULES)?,
        ))
    }

    /// A host reading its key table and rules from files; `None` uses the shipped file.
    pub fn load(issuers: Option<&Path>, rules: Option<&Path>) -> Result<Host, HostConfigError> {
        let read = |path: Option<&Path>, default: &str| -> Result<String, HostConfigError> {
            match path {
                None => Ok(default.to_string()),
                Some(p) => std::fs::read_to_string(p).map_err(|e| HostConfigError::Read {
                    path: p.display().to_string(),
                    message: e.to_string(),
                }),
            }
        };
        Ok(Host::new(
            IssuerKeys::from_toml(&read(issuers, DEFAULT_ISSUERS)?)?,
            Rules::from_toml(&read(rules, DEFAULT_RULES)?)?,
        ))
    }

    /// Recomputes the card's cryptogram when the issuer key is known.
    fn check_cryptogram(&self, record: &TagMap, pan: &str) -> Check {
        let Some(entry) = self.keys.find(pan) else {
            return Check::UnknownKeys;
        };
        let aid = AID_TAGS
            .iter()
            .find_map(|t| record.get(t))
            .map_or(&[][..], Vec::as_slice);
        let iad = record.get(&Tag::new(0x9F10)).map_or(&[][..], Vec::as_slice);
        let Some(cvn) = entry.cvn.or_else(|| Cvn::detect(aid, iad)) else {
            return Check::Invalid("cryptogram invalid: unsupported cryptogram version".into());
        };
        let Some(ac) = record
            .get(&CRYPTOGRAM)
            .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
        else {
            return Check::Invalid("cryptogram invalid: no 8-byte cryptogram (9F26)".into());
        };
        let psn = record
            .get(&PSN)
            .and_then(|v| v.first().copied())
            .unwrap_or(0);
        let data = match AcData::from_tags(record) {
            Ok(d) => d,
            Err(e) => return Check::Invalid(format!("cryptogram invalid: {e}")),
        };
        match crypto::verify_ac(cvn, &entry.imk_ac, pan, psn, &data, &ac) {
            Ok(true) => Check::Verified(Box::new(Verified {
                cvn,
                data,
                ac,
                imk: entry.imk_ac,
                pan: pan.into(),
                psn,
            })),
            Ok(false) => Check::Invalid(format!("cryptogram invalid ({cvn:?})")),
            Err(e) => Check::Invalid(format!("cryptogram invalid: {e}")),
        }
    }

    /// Answers one request. Never fails: every problem is a decline with a reason.
    pub fn decide(&self, request: &AuthorisationRequest) -> AuthorisationResponse {
        self.decide_signed(request, true)
    }

    /// Answers a deferred message: the first time by [`Host::decide`] (a charge without
    /// comparing its amount to the one the card signed), every repeat of its id with the
    /// first answer. The flag says whether this was a repeat.
    pub fn decide_deferred(
        &self,
        request: &AuthorisationRequest,
        deferred: &Deferred,
    ) -> (AuthorisationResponse, bool) {
        let Ok(mut seen) = self.deferred.lock() else {
            return (declined("96", "host error: deferred store", false), false);
        };
        if let Some(first) = seen.get(&deferred.id) {
            return (first.clone(), true);
        }
        let answer = self.decide_signed(request, deferred.kind == DeferredKind::Ride);
        seen.insert(deferred.id.clone(), answer.clone());
        (answer, false)
    }

    /// [`Host::decide`], comparing the amount with the card's 9F02 only when `signed`.
    fn decide_signed(&self, request: &AuthorisationRequest, signed: bool) -> AuthorisationResponse {
        let record = &request.record;
        let exponent = currency_exponent(request.currency).unwrap_or(2);
        let scaled = request.amount * Decimal::from(10u64.pow(u32::from(exponent)));
        let minor = if request.amount.is_sign_negative() || scaled.fract() != Decimal::ZERO {
            None
        } else {
            u64::try_from(scaled)
                .ok()
                .filter(|m| *m < 1_000_000_000_000)
        };
        let Some(minor) = minor else {
            return declined("13", "invalid amount", false);
        };
        if signed
            && let Some(card_amount) = record.get(&AMOUNT)
            && *card_amount != emv_kernel::config::amount_bcd(minor)
        {
            return declined(
                "13",
                "amount differs from the amount the card signed (9F02)",
                false,
            );
        }
        if let Some(code) = record.get(&CURRENCY)
            && *code != hex::decode(format!("{:04}", request.currency)).unwrap_or_default()
        {
            return declined(
                "13",
                "currency differs from the card's record (5F2A)",
                false,
            );
        }
        let Some(pan) = masking::record_pan(record) else {
            return declined("30", "format error: no PAN in the data record", false);
        };
        let check = self.check_cryptogram(record, &pan);
        let (verified, note) = match &check {
            Check::Invalid(reason) => return declined("05", reason, false),
            Check::UnknownKeys => (
                false,
                "cryptogram not verified (unknown issuer keys)".to_string(),
            ),
            Check::Verified(v) => (true, format!("cryptogram verified ({:?})", v.cvn)),
        };
        let par = record
            .get(&PAR)
            .map(|v| String::from_utf8_lossy(v).into_owned());
        let decision = self.rules.decide(&RuleInput {
            amount: request.amount,
            minor_units: minor,
            pan: &pan,
            par: par.as_deref(),
            refund: request.refund,
        });
        let (approved, code, reason) = match decision {
            None => (true, "00".to_string(), format!("approved; {note}")),
            Some(d) => (false, d.response_code, format!("{}; {note}", d.reason)),
        };
        let arpc = match &check {
            Check::Verified(v) => v.arpc(approved, &code),
            _ => None,
        };
        AuthorisationResponse {
            approved,
            auth_code: if approved {
                auth_code(record, minor)
            } else {
                String::new()
            },
            response_code: code,
            arpc,
            reason,
            cryptogram_verified: verified,
        }
    }
}

impl Authoriser for Host {
    fn authorise(
        &self,
        request: &AuthorisationRequest,
    ) -> Result<AuthorisationResponse, HostError> {
        Ok(self.decide(request))
    }

    fn authorise_deferred(
        &self,
        request: &AuthorisationRequest,
        deferred: &Deferred,
    ) -> Result<AuthorisationResponse, HostError> {
        Ok(self.decide_deferred(request, deferred).0)
    }
}

fn declined(code: &str, reason: &str, verified: bool) -> AuthorisationResponse {
    AuthorisationResponse {
        approved: false,
        auth_code: String::new(),
        response_code: code.into(),
        arpc: None,
        reason: reason.into(),
        cryptogram_verified: verified,
    }
}

/// A 6-character authorisation code derived from the cryptogram, ATC and amount, so the
/// same request always gets the same code (reproducible tests and receipts).
fn auth_code(record: &TagMap, minor: u64) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut hasher = Sha1::new();
    for tag in [CRYPTOGRAM, Tag::new(0x9F36), CID] {
        hasher.update(record.get(&tag).map_or(&[][..], Vec::as_slice));
    }
    hasher.update(minor.to_be_bytes());
    hasher
        .finalize()
        .iter()
        .take(6)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// One log line for a request and its answer, with the PAN masked.
pub fn log_line(request: &AuthorisationRequest, response: &AuthorisationResponse) -> String {
    let pan = MaskedPan::from_record(&request.record)
        .map_or_else(|| "(no PAN)".to_string(), |p| p.to_string());
    format!(
        "authorise pan={pan} amount={} currency={:03} refund={} -> {} {} ({})",
        request.amount,
        request.currency,
        request.refund,
        response.response_code,
        if response.approved {
            "approved"
        } else {
            "declined"
        },
        response.reason
    )
}

/// Serde helpers: a data record as a JSON object of hex tag → hex value.
mod record_hex {
    use std::collections::BTreeMap;

    use emv_kernel::config::TagMap;
    use emv_kernel::tlv::Tag;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(record: &TagMap, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(
            record
                .iter()
                .map(|(t, v)| (t.to_string(), hex::encode_upper(v))),
        )
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TagMap, D::Error> {
        let raw = BTreeMap::<String, String>::deserialize(d)?;
        raw.into_iter()
            .map(|(t, v)| {
                let tag: Tag = t
                    .parse()
                    .map_err(|_| serde::de::Error::custom(format!("bad tag {t:?}")))?;
                let value = hex::decode(&v).map_err(serde::de::Error::custom)?;
                Ok((tag, value))
            })
            .collect()
    }
}

/// Serde helpers: optional bytes as hex.
mod opt_hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_some(&hex::encode_upper(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| hex::decode(t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::str::FromStr;

    const IMK: [u8; 16] = [
        0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32,
        0x10,
    ];

    /// A Visa CVN 18 data record for a virtual-wallet PAN with a correct ARQC.
    pub(crate) fn visa_record(pan: &str, amount_minor: u64) -> TagMap {
        let mut r = TagMap::new();
        let h = |s: &str| hex::decode(s).unwrap();
        r.insert(Tag::new(0x4F), h("A0000000031010"));
        r.insert(Tag::new(0x5A), h(pan));
        r.insert(Tag::new(0x57), h(&format!("{pan}D28122011234567800000F")));
        r.insert(Tag::new(0x5F34), h("01"));
        r.insert(
            AMOUNT,
            emv_kernel::config::amount_bcd(amount_minor).to_vec(),
        );
        r.insert(Tag::new(0x9F03), h("000000000000"));
        r.insert(Tag::new(0x9F1A), h("0978"));
        r.insert(Tag::new(0x95), h("0000000000"));
        r.insert(CURRENCY, h("0978"));
        r.insert(Tag::new(0x9A), h("261126"));
        r.insert(Tag::new(0x9C), h("00"));
        r.insert(Tag::new(0x9F37), h("11223344"));
        r.insert(Tag::new(0x82), h("2000"));
        r.insert(Tag::new(0x9F36), h("0042"));
        r.insert(Tag::new(0x9F10), h("06011203A00000"));
        r.insert(CID, h("80"));
        let data = AcData::from_tags(&r).unwrap();
        let ac = crypto::generate_ac(Cvn::Visa18, &IMK, pan, 0x01, &data).unwrap();
        r.insert(CRYPTOGRAM, ac.to_vec());
        r
    }

    fn request(record: TagMap, amount: &str) -> AuthorisationRequest {
        AuthorisationRequest {
            record,
            amount: Decimal::from_str(amount).unwrap(),
            currency: 978,
            terminal: TerminalData::default(),
            refund: false,
        }
    }

    #[test]
    fn verifies_a_virtual_wallet_arqc_and_answers_with_an_arpc() {
        let host = Host::with_defaults().unwrap();
        let record = visa_record("4761739001010119", 1250);
        let answer = host.decide(&request(record.clone(), "12.50"));
        assert!(answer.approved, "{answer:?}");
        assert!(answer.cryptogram_verified);
        assert_eq!(answer.response_code, "00");
        assert_eq!(answer.auth_code.len(), 6);
        // Tag 91 = ARPC (4) ‖ CSU (4), CSU byte 2 bit 8 set for approval; recompute it.
        let data = AcData::from_tags(&record).unwrap();
        let ac: [u8; 8] = record[&CRYPTOGRAM].clone().try_into().unwrap();
        let input = ArpcInput::Method2 {
            csu: [0, 0x80, 0, 0],
            proprietary: vec![],
        };
        let expected =
            crypto::generate_arpc(Cvn::Visa18, &IMK, "4761739001010119", 1, &data, &ac, &input)
                .unwrap();
        assert_eq!(answer.arpc, Some(expected));
    }

    #[test]
    fn tampered_arqc_is_declined() {
        let host = Host::with_defaults().unwrap();
        let mut record = visa_record("4761739001010119", 1250);
        record.get_mut(&CRYPTOGRAM).unwrap()[0] ^= 0x01;
        let answer = host.decide(&request(record, "12.50"));
        assert!(!answer.approved);
        assert!(!answer.cryptogram_verified);
        assert_eq!(answer.response_code, "05");
        assert!(
            answer.reason.contains("cryptogram invalid"),
            "{}",
            answer.reason
        );
        assert_eq!(answer.arpc, None);
        assert!(answer.auth_code.is_empty());
    }

    #[test]
    fn tampered_amount_is_declined() {
        let host = Host::with_defaults().unwrap();
        let mut record = visa_record("4761739001010119", 1250);
        record.insert(AMOUNT, emv_kernel::config::amount_bcd(125).to_vec());
        let answer = host.decide(&request(record.clone(), "1.25"));
        assert!(answer.reason.contains("cryptogram invalid"), "{answer:?}");
        let answer = host.decide(&request(record, "12.50"));
        assert_eq!(answer.response_code, "13");
    }

    #[test]
    fn rules_decline_verified_cards_with_an_arpc() {
        let host = Host::with_defaults().unwrap();
        let answer = host.decide(&request(visa_record("4761739001010119", 1251), "12.51"));
        assert!(!answer.approved);
        assert_eq!(answer.response_code, "51");
        assert!(answer.cryptogram_verified);
        assert!(answer.arpc.is_some());
    }

    #[test]
    fn unknown_cards_go_by_the_rules() {
        let host = Host::with_defaults().unwrap();
        let approved = host.decide(&request(visa_record("4111111111111111", 1250), "12.50"));
        assert!(approved.approved);
        assert!(!approved.cryptogram_verified);
        assert!(
            approved
                .reason
                .contains("cryptogram not verified (unknown issuer keys)")
        );
        assert_eq!(approved.arpc, None);
        let declined = host.decide(&request(visa_record("4111111111111111", 1251), "12.51"));
        assert_eq!(declined.response_code, "51");
        assert!(declined.reason.contains("unknown issuer keys"));
        let mut record = visa_record("4111111111111111", 100);
        record.insert(PAR, b"DENYPAR0000000000000000000001".to_vec());
        assert_eq!(host.decide(&request(record, "1.00")).response_code, "62");
    }

    #[test]
    fn bad_requests_are_defined_declines() {
        let host = Host::with_defaults().unwrap();
        assert_eq!(
            host.decide(&request(TagMap::new(), "1.00")).response_code,
            "30"
        );
        assert_eq!(
            host.decide(&request(TagMap::new(), "-1.00")).response_code,
            "13"
        );
        assert_eq!(
            host.decide(&request(TagMap::new(), "1.001")).response_code,
            "13"
        );
        let mut req = request(visa_record("4761739001010119", 100), "1.00");
        req.currency = 840;
        assert_eq!(host.decide(&req).response_code, "13");
    }

    #[test]
    fn stand_in_answers() {
        let req = request(TagMap::new(), "10.00");
        let err = HostError::Timeout(Duration::from_millis(200));
        let d = StandIn::Decline.respond(&err, &req);
        assert!(!d.approved);
        assert_eq!(d.response_code, "Z3");
        assert!(d.reason.starts_with("Declined — host unreachable"));
        let limit = StandIn::Approve {
            limit: Decimal::from(20),
        };
        assert_eq!(limit.respond(&err, &req).response_code, "Y3");
        let big = request(TagMap::new(), "25.00");
        assert_eq!(limit.respond(&err, &big).response_code, "Z3");
    }

    #[test]
    fn host_config_picks_the_authoriser() {
        let cfg: HostConfig = toml::from_str(
            "address = \"127.0.0.1:1\"\ntimeout_ms = 300\nstand_in = { mode = \"approve\", limit = \"20.00\" }",
        )
        .unwrap();
        assert_eq!(
            cfg.stand_in,
            StandIn::Approve {
                limit: Decimal::from(20)
            }
        );
        let req = request(visa_record("4761739001010119", 1250), "12.50");
        // Port 1 on loopback refuses: the configured stand-in answers.
        let answer = authorise_or_stand_in(cfg.authoriser().unwrap().as_ref(), &req, &cfg.stand_in);
        assert_eq!(answer.response_code, "Y3");
        let local = HostConfig::default().authoriser().unwrap();
        assert!(local.authorise(&req).unwrap().cryptogram_verified);
        assert!(toml::from_str::<HostConfig>("adress = \"x\"").is_err());
    }

    #[test]
    fn json_round_trip_and_masked_debug() {
        let req = request(visa_record("4761739001010119", 1250), "12.50");
        let json = serde_json::to_string(&req).unwrap();
        let back: AuthorisationRequest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, req);
        let debug = format!("{req:?}");
        assert!(!debug.contains("4761739001010119"));
        let line = log_line(&req, &Host::with_defaults().unwrap().decide(&req));
        assert!(line.contains("476173******0119"), "{line}");
        assert!(!line.contains("4761739001010119"));
    }
}

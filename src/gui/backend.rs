//! The seams between the window and the layers beside it: PC/SC readers (`src/reader`), the
//! in-process virtual wallets (`src/phone`) and the issuer host (`src/host`).
//!
//! TEMPORARY: those layers are being written on other branches. Until they are merged, the
//! demo wallets answer "file not found" to every command and no host answers, so an Online
//! Request ends as "host unavailable". Each function here is replaced by a call into the real
//! layer when it lands.

use emv_kernel::config::Transaction;
use emv_kernel::outcome::{OutcomeStatus, TransactionResult, UiRequest};
use emv_kernel::transport::{Transport, TransportError};

use super::worker::{DemoCard, HostAnswer};

/// The wallet profiles the demo reader offers.
pub const PROFILES: &[&str] = &[
    "visa-phone",
    "mastercard-phone",
    "visa-card",
    "mastercard-card",
];

/// The PC/SC readers present now (empty without pcscd).
pub fn list_readers() -> Vec<String> {
    Vec::new()
}

/// The in-process wallet for a profile.
pub fn card(_profile: &str, _locked: bool) -> Box<dyn DemoCard> {
    Box::new(NoApplication)
}

/// A transport to a PC/SC reader.
pub fn pcsc_transport(name: &str) -> Box<dyn Transport> {
    Box::new(Unavailable(name.to_string()))
}

/// Sends an Online Request to the host; `None` for any other outcome.
pub fn authorise(result: &TransactionResult, _transaction: &Transaction) -> Option<HostAnswer> {
    (result.outcome.status == OutcomeStatus::OnlineRequest).then(|| HostAnswer {
        approved: false,
        auth_code: None,
        response_code: "91".into(),
        reason: "host unavailable".into(),
    })
}

struct NoApplication;

impl DemoCard for NoApplication {
    fn respond(&mut self, _command: &[u8]) -> Vec<u8> {
        vec![0x6A, 0x82]
    }

    fn field_off(&mut self) {}
}

struct Unavailable(String);

impl Transport for Unavailable {
    fn exchange(&mut self, _command: &[u8]) -> Result<Vec<u8>, TransportError> {
        Err(TransportError::Reader(format!(
            "{}: PC/SC not available",
            self.0
        )))
    }

    fn next_tap(&mut self, _restart: &UiRequest) -> Result<bool, TransportError> {
        Err(TransportError::Reader(format!(
            "{}: PC/SC not available",
            self.0
        )))
    }
}

/// Masks a PAN to its first 6 and last 4 digits (PCI DSS 3.4; DESIGN.md "Card data is
/// secret"). Short PANs keep only the last 4.
pub fn mask_pan(pan: &str) -> String {
    let digits: Vec<char> = pan.chars().collect();
    let n = digits.len();
    digits
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if (n >= 13 && i < 6) || i + 4 >= n {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// What a status word means (ISO 7816-4 5.1.3, EMV Book 3 Annex A, C-3 for 6986).
pub fn explain_sw(sw: u16) -> String {
    let text = match sw {
        0x9000 => "success",
        0x6283 => "selected file deactivated (application blocked)",
        0x6700 => "wrong length",
        0x6984 => "referenced data invalidated",
        0x6985 => "conditions of use not satisfied",
        0x6986 => "command not allowed: the phone wants the customer (See phone)",
        0x6A81 => "function not supported",
        0x6A82 => "file or application not found",
        0x6A83 => "record not found",
        0x6A86 => "incorrect P1 P2",
        0x6D00 => "instruction not supported",
        0x6E00 => "class not supported",
        _ if sw >> 8 == 0x61 => "more data available (GET RESPONSE)",
        _ if sw >> 8 == 0x6C => "wrong Le: resend with the exact length",
        _ => "unknown status word",
    };
    format!("{sw:04X}: {text}")
}

/// The meaning of the set bits of a bit-field data object (TVR, TTQ, CTQ, AIP, …); empty
/// for tags that are not bit fields.
pub fn decode_bits(_tag: emv_kernel::tlv::Tag, _value: &[u8]) -> Vec<String> {
    Vec::new()
}

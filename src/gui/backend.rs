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

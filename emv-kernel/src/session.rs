//! One tap's conversation with the card: every exchange goes through [`Session::exchange`]
//! so that the trace (Book A's "what happened, and why") is complete, and every user
//! interface request goes through [`Session::show`] so the status lights follow Book A 9.

use std::time::Duration;

use crate::config::{Combination, TagMap, TerminalConfig, Transaction, amount_bcd};
use crate::outcome::{
    Cvm, MessageId, Outcome, OutcomeStatus, ReaderStatus, StartPoint, TraceEntry, UiRequest,
};
use crate::tlv::Tag;
use crate::transport::{CardResponse, Transport, TransportError};

/// What Entry Point hands a kernel at activation (Book B 3.4).
#[derive(Debug, Clone, Copy)]
pub struct KernelInput<'a> {
    /// The selected combination.
    pub combination: &'a Combination,
    /// Its pre-processing indicators (with the TTQ copy).
    pub indicators: &'a crate::preprocessing::Indicators,
    /// The ADF name selected.
    pub adf_name: &'a [u8],
    /// The FCI returned by the final SELECT (without status word).
    pub fci: &'a [u8],
}

/// What a kernel returns: its outcome and, for Approved, Declined and Online Request,
/// the data record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelResult {
    /// The outcome parameter set.
    pub outcome: Outcome,
    /// The data record.
    pub data_record: Option<TagMap>,
}

impl KernelResult {
    /// A kernel's final outcome with its data record (Book A 6.2): the CVM is N/A on a
    /// decline, the message shows as [`UiRequest::on_final_outcome`] says (held for
    /// `message_hold_time` except on Online Request and End Application), and a signature
    /// asks for a receipt.
    pub fn with_record(
        status: OutcomeStatus,
        cvm: Option<Cvm>,
        message: MessageId,
        record: TagMap,
        message_hold_time: Duration,
    ) -> KernelResult {
        let cvm = cvm.filter(|_| status != OutcomeStatus::Declined);
        KernelResult {
            outcome: Outcome {
                cvm,
                ui_on_outcome: Some(UiRequest::on_final_outcome(
                    status,
                    message,
                    message_hold_time,
                )),
                data_record_present: true,
                receipt: cvm == Some(Cvm::Signature),
                ..outcome(status)
            },
            data_record: Some(record),
        }
    }
}

impl KernelResult {
    /// Sets the outcome's Data Record Present (DF8129 byte 5 b6) to whether it carries a
    /// data record.
    pub fn mark_data_record(&mut self) {
        self.outcome.data_record_present = self.data_record.is_some();
    }
}

impl From<Outcome> for KernelResult {
    fn from(outcome: Outcome) -> KernelResult {
        KernelResult {
            outcome,
            data_record: None,
        }
    }
}

/// What a transaction has logged so far, across taps.
#[derive(Debug, Default)]
pub struct Log {
    /// Every exchange with its notes.
    pub trace: Vec<TraceEntry>,
    /// Every UI request, in order.
    pub ui: Vec<UiRequest>,
    /// Decisions not tied to one exchange.
    pub decisions: Vec<String>,
    /// How many of the transaction's unpredictable numbers are taken (one per tap, one per
    /// relay resistance exchange).
    pub unpredictable_numbers_taken: usize,
}

/// The context a kernel runs in during one tap.
pub struct Session<'a> {
    /// The terminal's configuration.
    pub config: &'a TerminalConfig,
    /// The transaction's inputs.
    pub transaction: &'a Transaction,
    transport: &'a mut dyn Transport,
    /// Which tap (0-based).
    pub tap: usize,
    /// This tap's unpredictable number (9F37).
    pub un: [u8; 4],
    /// What happened so far.
    pub log: &'a mut Log,
}

impl<'a> Session<'a> {
    /// A session for one tap.
    pub fn new(
        config: &'a TerminalConfig,
        transaction: &'a Transaction,
        transport: &'a mut dyn Transport,
        tap: usize,
        un: [u8; 4],
        log: &'a mut Log,
    ) -> Session<'a> {
        Session {
            config,
            transaction,
            transport,
            tap,
            un,
            log,
        }
    }

    /// Sends one command, records it in the trace with `why`, and returns the raw response.
    pub fn exchange(&mut self, command: Vec<u8>, why: &str) -> Result<Vec<u8>, TransportError> {
        self.exchange_timed(command, why).map(|r| r.apdu)
    }

    /// [`Session::exchange`] that also returns the time the transport measured, for the
    /// steps that judge it (C-2 relay resistance).
    pub fn exchange_timed(
        &mut self,
        command: Vec<u8>,
        why: &str,
    ) -> Result<CardResponse, TransportError> {
        let response = self.transport.exchange(&command);
        self.log.trace.push(TraceEntry {
            tap: self.tap,
            command,
            response: response
                .as_ref()
                .map(|r| r.apdu.clone())
                .map_err(Clone::clone),
            elapsed: response.as_ref().map_or(Duration::ZERO, |r| r.elapsed),
            notes: vec![why.to_string()],
        });
        response
    }

    /// C-2 S3.61, SR1.23: a new unpredictable number, which becomes this tap's 9F37 from
    /// now on; `None` when the transaction has no more.
    pub fn fresh_unpredictable_number(&mut self) -> Option<[u8; 4]> {
        let un = *self
            .transaction
            .unpredictable_numbers
            .get(self.log.unpredictable_numbers_taken)?;
        self.log.unpredictable_numbers_taken += 1;
        self.un = un;
        Some(un)
    }

    /// Adds a conclusion to the last exchange in the trace.
    pub fn note(&mut self, text: impl Into<String>) {
        if let Some(last) = self.log.trace.last_mut() {
            last.notes.push(text.into());
        }
    }

    /// Records a decision that is not about one exchange.
    pub fn decide(&mut self, text: impl Into<String>) {
        self.log.decisions.push(text.into());
    }

    /// Shows a UI request now.
    pub fn show(&mut self, request: UiRequest) {
        self.transport.ui(&request);
        self.log.ui.push(request);
    }

    /// The value the terminal answers when a DOL asks for `tag`, from the transaction, the
    /// combination's kernel configuration or the terminal data (in that order). Values the
    /// kernel computes itself (TVR, TTQ, CVM results) are passed in `own`.
    pub fn terminal_value(
        &self,
        tag: Tag,
        combination: &Combination,
        own: &TagMap,
    ) -> Option<Vec<u8>> {
        if let Some(v) = own.get(&tag) {
            return Some(v.clone());
        }
        let t = self.transaction;
        let value = match tag.value() {
            0x9F02 => amount_bcd(t.amount).to_vec(),
            0x9F03 => amount_bcd(t.amount_other).to_vec(),
            0x5F2A => currency_bcd(t.currency).to_vec(),
            0x5F36 => vec![t.currency_exponent],
            0x9A => t.date.to_bcd().to_vec(),
            0x9F21 => t.time.to_bcd().to_vec(),
            0x9C => vec![t.kind.code()],
            0x9F37 => self.un.to_vec(),
            _ => {
                return combination
                    .tags
                    .get(&tag)
                    .or_else(|| self.config.terminal.get(&tag))
                    .cloned();
            }
        };
        Some(value)
    }
}

/// The most DOL data a short command APDU carries once wrapped (`83 81 L` in GPO, Lc ≤ 255).
pub const MAX_DOL_DATA: usize = 252;

/// An ISO 4217 numeric code as n3 in two bytes (`826` → `08 26`).
pub fn currency_bcd(code: u16) -> [u8; 2] {
    let c = code % 1000;
    [(c / 100) as u8, ((((c / 10) % 10) << 4) | (c % 10)) as u8]
}

/// A UI request with no hold time.
pub fn ui(message: MessageId, status: ReaderStatus) -> UiRequest {
    UiRequest {
        message,
        status,
        hold: Duration::ZERO,
    }
}

/// An outcome with every optional field at N/A ([`Outcome::new`]).
pub fn outcome(status: OutcomeStatus) -> Outcome {
    Outcome::new(status)
}

/// The Message Hold Time of a combination: DF812D (n6, units of 100 ms) from its kernel
/// configuration, else the C-2 Annex A default 1.3 s.
pub fn message_hold_time(combination: &Combination) -> Duration {
    let digits = combination
        .tags
        .get(&crate::tags::MESSAGE_HOLD_TIME)
        .map(hex::encode)
        .filter(|d| d.len() == 6);
    digits
        .and_then(|d| d.parse::<u64>().ok())
        .map_or(crate::outcome::DEFAULT_MESSAGE_HOLD_TIME, |t| {
            Duration::from_millis(t * 100)
        })
}

/// Select Next at Start C: Entry Point drops this candidate and takes the next (Book B
/// 3.3.3.5; C-2 S1.7, S3.9; C-3 5.2.2.2).
pub fn select_next() -> Outcome {
    Outcome {
        start: Some(StartPoint::C),
        ..outcome(OutcomeStatus::SelectNext)
    }
}

/// How long "See phone" stays before the reader polls again (Book A, 1.3 s; the hold time
/// `00000D` both public Kernel 3 implementations give it).
pub const SEE_PHONE_HOLD: Duration = Duration::from_millis(1300);

/// Try Again at Start B with "See phone" held for [`SEE_PHONE_HOLD`] with the field off,
/// then "Present card" on restart: the phone asks the cardholder to act on it and tap
/// again (C-3 5.2.2.2; Kernel 4's mobile second tap, docs/kernels/c4.md).
pub fn see_phone() -> Outcome {
    Outcome {
        start: Some(StartPoint::B),
        ui_on_outcome: Some(UiRequest {
            hold: SEE_PHONE_HOLD,
            ..ui(MessageId::SeePhone, ReaderStatus::NotReady)
        }),
        ui_on_restart: Some(ui(MessageId::PresentCard, ReaderStatus::ReadyToRead)),
        field_off: Some(SEE_PHONE_HOLD),
        ..outcome(OutcomeStatus::TryAgain)
    }
}

/// The outcome for a communication (L1) error: Try Again at Start B, "Present card again"
/// on restart (Book B 3.2.1.3, C-2 S3.5, S4.5, S9.10; Kernel 3 the same, as dcemv's Kernel 3
/// does on an L1 error, no C-3 number established).
pub fn l1_error() -> Outcome {
    Outcome {
        start: Some(StartPoint::B),
        ui_on_restart: Some(ui(MessageId::PresentCardAgain, ReaderStatus::ReadyToRead)),
        ..outcome(OutcomeStatus::TryAgain)
    }
}

/// End Application for card data the kernel cannot use ("Insert, swipe or try another
/// card", status Not Ready, held for the Message Hold Time as C-2 S910.50–S910.53 and
/// S910.61–S910.62 do for an invalid response): malformed or missing data, unexpected
/// status words.
pub fn end_application_card_error(message_hold_time: Duration) -> Outcome {
    Outcome {
        ui_on_outcome: Some(UiRequest {
            hold: message_hold_time,
            ..ui(MessageId::TryAnotherCard, ReaderStatus::NotReady)
        }),
        ..outcome(OutcomeStatus::EndApplication)
    }
}

/// How a transport failure ends the tap: L1 errors ask for the card again, a cancelled
/// transaction or a broken reader ends it.
pub fn transport_failure(error: &TransportError) -> Outcome {
    match error {
        TransportError::CardRemoved | TransportError::Timeout => l1_error(),
        TransportError::Cancelled | TransportError::Reader(_) => {
            outcome(OutcomeStatus::EndApplication)
        }
    }
}

/// A YYMMDD BCD date (5F24, 5F25) as YYYYMMDD (years 50–99 are 19xx, Book 3 Annex A);
/// `None` when it is not a valid date.
pub fn bcd_date(value: &[u8]) -> Option<u32> {
    let (year, month, day) = crate::tags::yymmdd(value)?;
    Some(year * 10_000 + month * 100 + day)
}

/// The transaction date as YYYYMMDD.
pub fn transaction_date(tx: &Transaction) -> u32 {
    tx.date.year as u32 * 10_000 + tx.date.month as u32 * 100 + tx.date.day as u32
}

/// The PAN digits of track 2 equivalent data (57), up to the separator `D`.
pub fn track2_pan(track2: &[u8]) -> String {
    hex::encode_upper(track2)
        .chars()
        .take_while(|c| *c != 'D')
        .collect()
}

/// The PAN digits of 5A without the `F` padding.
pub fn pan_digits(pan: &[u8]) -> String {
    hex::encode_upper(pan).trim_end_matches('F').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dates_and_pans() {
        assert_eq!(bcd_date(&[0x23, 0x12, 0x31]), Some(20231231));
        assert_eq!(bcd_date(&[0x99, 0x01, 0x01]), Some(19990101));
        assert_eq!(bcd_date(&[0x23, 0x13, 0x01]), None);
        assert_eq!(bcd_date(&[0x2A, 0x01, 0x01]), None);
        assert_eq!(bcd_date(&[0x23]), None);
        assert_eq!(track2_pan(&[0x46, 0x42, 0xD2, 0x31]), "4642");
        assert_eq!(pan_digits(&[0x54, 0x13, 0x3F]), "54133");
    }

    #[test]
    fn currency_codes_are_n3() {
        assert_eq!(currency_bcd(826), [0x08, 0x26]);
        assert_eq!(currency_bcd(36), [0x00, 0x36]);
        assert_eq!(currency_bcd(392), [0x03, 0x92]);
    }
}

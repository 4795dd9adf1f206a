//! Why a kernel stopped before reaching a decision, typed, and the one place such a stop
//! becomes an outcome: a communication error asks for the card again (Book B 3.2.1.3,
//! C-2 S3.5, S4.5, S9.10), anything the card did wrong ends the application with "Insert,
//! swipe or try another card" (C-2 S3.90, S4.27, S456.17, S910.50–S910.53; C-3 5.4.2).

use std::fmt;
use std::time::Duration;

use crate::book3::responses::ResponseError;
use crate::data_record::CardDataError;
use crate::oda::OdaError;
use crate::outcome::Outcome;
use crate::records::ReadError;
use crate::session;
use crate::tags;
use crate::tlv::{Tag, TlvError};
use crate::transport::TransportError;

/// The commands a kernel sends after the final SELECT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// GET PROCESSING OPTIONS (Book 3 6.5.8).
    GetProcessingOptions,
    /// READ RECORD (Book 3 6.5.11).
    ReadRecord,
    /// EXCHANGE RELAY RESISTANCE DATA (C-2 S3.62, state R1).
    ExchangeRelayResistanceData,
    /// GENERATE AC (Book 3 6.5.5).
    GenerateAc,
    /// GET DATA (Book 3 6.5.7), e.g. the Electronic Cash Balance (Kernel 7).
    GetData,
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Command::GetProcessingOptions => "GET PROCESSING OPTIONS",
            Command::ReadRecord => "READ RECORD",
            Command::ExchangeRelayResistanceData => "EXCHANGE RELAY RESISTANCE DATA",
            Command::GenerateAc => "GENERATE AC",
            Command::GetData => "GET DATA",
        })
    }
}

/// Why a kernel ended the application without a decision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    /// The card left the field, timed out, or the reader failed (C-2 "L1 error").
    #[error("{command}: communication error: {error}")]
    Transport {
        /// The command that got no answer.
        command: Command,
        /// What the transport reported.
        error: TransportError,
    },
    /// The answer was shorter than a status word.
    #[error("{command}: response shorter than a status word")]
    NoStatusWord {
        /// The command answered.
        command: Command,
    },
    /// The card answered with a status word the state does not accept (C-2 "L2 STATUS
    /// BYTES").
    #[error("{command} answered {sw:04X}")]
    StatusWord {
        /// The command answered.
        command: Command,
        /// The status word.
        sw: u16,
    },
    /// A data object the kernel needs is absent (C-2 "L2 CARD DATA MISSING").
    #[error("mandatory {name} ({0}) missing", name = tag_name(*.0))]
    MissingData(Tag),
    /// A card data object has a value the kernel's book does not allow (C-2 "L2 CARD DATA
    /// ERROR").
    #[error("{name} ({tag}) {why}", name = tag_name(*.tag))]
    InvalidData {
        /// The data object.
        tag: Tag,
        /// What is wrong, with the rule.
        why: &'static str,
    },
    /// Two card data objects that must agree do not (C-3 5.4.2.1: the PAN in the Track 2
    /// Equivalent Data and the PAN).
    #[error("{first} ({0}) disagrees with {second} ({1})", first = tag_name(*.0), second = tag_name(*.1))]
    Inconsistent(Tag, Tag),
    /// A configuration data object the kernel needs is absent.
    #[error("configuration lacks {name} ({0})", name = tag_name(*.0))]
    MissingConfiguration(Tag),
    /// A data object list the card sent cannot be parsed (Book 3 5.4).
    #[error("{name} ({dol}) malformed: {error}", name = tag_name(*.dol))]
    MalformedDol {
        /// The DOL's tag (9F38, 8C, …).
        dol: Tag,
        /// The TLV error.
        error: TlvError,
    },
    /// The data a DOL asks for does not fit one short command APDU.
    #[error("{name} ({dol}) asks for {length} bytes", name = tag_name(*.dol))]
    DolTooLong {
        /// The DOL's tag.
        dol: Tag,
        /// The length of the related data.
        length: usize,
    },
    /// A response template is malformed or has the wrong form (C-2 "L2 PARSING ERROR").
    #[error("{command} response: {error}")]
    Response {
        /// The command answered.
        command: Command,
        /// What is wrong with the response.
        error: ResponseError,
    },
    /// Card data could not be stored (malformed TLV, a duplicate object).
    #[error("card data: {0}")]
    CardData(#[from] CardDataError),
    /// Reading the records failed for a reason other than communication.
    #[error("{0}")]
    Records(ReadError),
    /// The card returned a cryptogram the request does not allow (Book 3 9.2.1, C-2 S9.24).
    #[error("the card returned {returned} to a request for {requested}")]
    CryptogramNotAllowed {
        /// What the kernel asked for.
        requested: crate::cryptogram::Cryptogram,
        /// What the card returned.
        returned: crate::cryptogram::Cryptogram,
    },
    /// The CID names the RFU cryptogram type `11`.
    #[error("reserved cryptogram type in the CID {0:02X}")]
    ReservedCryptogramType(u8),
    /// Combined DDA/AC generation failed after GENERATE AC (C-2 S910.46, "L2 CAM FAILED").
    #[error("CDA failed: {0}")]
    CdaFailed(OdaError),
    /// State R1 ended the application (C-2 SR1.15–SR1.21).
    #[error("relay resistance: {0}")]
    RelayResistance(crate::kernel2::relay_resistance::RrpError),
    /// The card does not support the mode this kernel implements.
    #[error("{0}")]
    NotSupported(&'static str),
}

fn tag_name(tag: Tag) -> &'static str {
    tags::lookup(tag).map_or("data object", |i| i.name)
}

impl From<ReadError> for KernelError {
    fn from(error: ReadError) -> KernelError {
        match error {
            ReadError::Transport(error) => KernelError::Transport {
                command: Command::ReadRecord,
                error,
            },
            other => KernelError::Records(other),
        }
    }
}

impl KernelError {
    /// The outcome for this stop: Try Again for a communication error, End Application
    /// with "Insert, swipe or try another card" held for `message_hold_time` for everything
    /// else.
    pub fn outcome(&self, message_hold_time: Duration) -> Outcome {
        match self {
            KernelError::Transport { error, .. } => session::transport_failure(error),
            _ => session::end_application_card_error(message_hold_time),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::OutcomeStatus;

    #[test]
    fn communication_errors_ask_for_the_card_again() {
        let removed = KernelError::Transport {
            command: Command::GenerateAc,
            error: TransportError::CardRemoved,
        };
        assert_eq!(
            removed.outcome(Duration::ZERO).status,
            OutcomeStatus::TryAgain
        );
        let missing = KernelError::MissingData(tags::PAN);
        assert_eq!(
            missing.outcome(Duration::ZERO).status,
            OutcomeStatus::EndApplication
        );
        assert_eq!(
            missing.to_string(),
            "mandatory Application Primary Account Number (PAN) (5A) missing"
        );
        let sw = KernelError::StatusWord {
            command: Command::GenerateAc,
            sw: 0x6985,
        };
        assert_eq!(sw.to_string(), "GENERATE AC answered 6985");
        let read: KernelError = ReadError::Transport(TransportError::Timeout).into();
        assert_eq!(read.outcome(Duration::ZERO).status, OutcomeStatus::TryAgain);
    }
}

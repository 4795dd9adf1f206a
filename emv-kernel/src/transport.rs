//! The kernel's only way to the card: one exchange at a time, and a wait for the next tap.

use std::time::Duration;

use crate::outcome::UiRequest;

/// Why an exchange with the card did not produce a response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The card or phone left the field (PC/SC: removed card, not transacted, reset).
    #[error("card left the field")]
    CardRemoved,
    /// The card did not answer in time.
    #[error("card did not answer in time")]
    Timeout,
    /// The transaction was cancelled by the terminal (cashier, shutdown).
    #[error("cancelled")]
    Cancelled,
    /// The reader failed; the text says how.
    #[error("reader error: {0}")]
    Reader(String),
}

/// A card's answer to one command, with the time the transport measured for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardResponse {
    /// The full response APDU, status word included.
    pub apdu: Vec<u8>,
    /// The card's processing time as the transport measured it (last command byte out to
    /// first response byte in, or as close as the transport can tell); zero when it cannot
    /// measure. C-2 relay resistance compares it with the card's declared limits.
    pub elapsed: Duration,
}

impl CardResponse {
    /// A response whose time was not measured (in-process cards, scripted tests).
    pub fn unmeasured(apdu: Vec<u8>) -> CardResponse {
        CardResponse {
            apdu,
            elapsed: Duration::ZERO,
        }
    }
}

/// A card in the field, reached through a reader, a virtual wallet or a recorded vector.
/// The kernel never reads a clock: the transport measures each exchange and hands the
/// elapsed time back with the response.
pub trait Transport {
    /// Sends one command APDU and returns the full response with its measured time.
    fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError>;

    /// Ends the current tap (the card leaves the field) and waits for the next one.
    /// `restart` is the UI request shown meanwhile ("See phone", "Present card again").
    /// Returns `Ok(false)` when no further tap will come (a vector ran out of taps, the
    /// cashier gave up), so the pending outcome becomes final.
    fn next_tap(&mut self, restart: &UiRequest) -> Result<bool, TransportError>;

    /// Shows a Book A user interface request (status lights, messages) as it happens.
    fn ui(&mut self, _request: &UiRequest) {}
}

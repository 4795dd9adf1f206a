//! The kernel's only way to the card: one exchange at a time, and a wait for the next tap.

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

/// A card in the field, reached through a reader, a virtual wallet or a recorded vector.
pub trait Transport {
    /// Sends one command APDU and returns the full response, status word included.
    fn exchange(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// Ends the current tap (the card leaves the field) and waits for the next one.
    /// `restart` is the UI request shown meanwhile ("See phone", "Present card again").
    /// Returns `Ok(false)` when no further tap will come (a vector ran out of taps, the
    /// cashier gave up), so the pending outcome becomes final.
    fn next_tap(&mut self, restart: &UiRequest) -> Result<bool, TransportError>;

    /// Shows a Book A user interface request (status lights, messages) as it happens.
    fn ui(&mut self, _request: &UiRequest) {}
}

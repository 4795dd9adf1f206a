//! The seam between the window and the PC/SC reader layer (`src/reader`).
//!
//! TEMPORARY: the reader layer is being written on its own branch. Until it is merged no
//! PC/SC reader is listed, so the window always offers the demo reader.

use emv_kernel::outcome::UiRequest;
use emv_kernel::transport::{Transport, TransportError};

/// The PC/SC readers present now (empty without pcscd).
pub fn list_readers() -> Vec<String> {
    Vec::new()
}

/// A transport to a PC/SC reader.
pub fn pcsc_transport(name: &str) -> Box<dyn Transport> {
    Box::new(Unavailable(name.to_string()))
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

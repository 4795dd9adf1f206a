//! Test helpers shared by the scenario tests.

use emv_kernel::outcome::UiRequest;
use emv_kernel::transport::{CardResponse, Transport, TransportError};

/// A card that answers every command with the next scripted response, whatever the
/// command; `None` (or running out) is a card leaving the field.
pub struct ScriptedCard {
    /// The answers in order.
    pub responses: Vec<Option<Vec<u8>>>,
    /// Next answer.
    pub next: usize,
    /// How many more taps will come.
    pub taps_left: usize,
}

impl ScriptedCard {
    /// A card giving `responses` over at most `taps` taps.
    pub fn new(responses: Vec<Option<Vec<u8>>>, taps: usize) -> ScriptedCard {
        ScriptedCard {
            responses,
            next: 0,
            taps_left: taps,
        }
    }
}

impl Transport for ScriptedCard {
    fn exchange(&mut self, _command: &[u8]) -> Result<CardResponse, TransportError> {
        let r = self.responses.get(self.next).cloned();
        self.next += 1;
        match r {
            Some(Some(bytes)) => Ok(CardResponse::unmeasured(bytes)),
            _ => Err(TransportError::CardRemoved),
        }
    }

    fn next_tap(&mut self, _restart: &UiRequest) -> Result<bool, TransportError> {
        if self.taps_left == 0 {
            return Ok(false);
        }
        self.taps_left -= 1;
        Ok(true)
    }
}

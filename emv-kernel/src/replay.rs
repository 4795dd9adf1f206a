//! Replaying a vector: a transport that answers from the recorded taps and insists that the
//! kernel sends exactly the recorded commands, and the verdict for one vector.

use crate::config::{TerminalConfig, Transaction};
use crate::outcome::{TransactionResult, UiRequest};
use std::time::Duration;

use crate::transport::{CardResponse, Transport, TransportError};
use crate::vector::{self, Exchange, ExchangeError, Vector};

/// A transport answering from a vector's taps. The first difference is kept in
/// [`ReplayTransport::mismatch`] and the kernel gets an error for that command.
#[derive(Debug, Clone)]
pub struct ReplayTransport {
    taps: Vec<Vec<Exchange>>,
    /// Index of the current tap; `None` before the first poll.
    tap: Option<usize>,
    /// Next exchange within the current tap.
    next: usize,
    mismatch: Option<String>,
}

impl ReplayTransport {
    /// A transport over the given taps.
    pub fn new(taps: Vec<Vec<Exchange>>) -> ReplayTransport {
        ReplayTransport {
            taps,
            tap: None,
            next: 0,
            mismatch: None,
        }
    }

    /// The first difference between the kernel's commands and the recording, if any.
    pub fn mismatch(&self) -> Option<&str> {
        self.mismatch.as_deref()
    }

    fn fail(&mut self, text: String) -> TransportError {
        if self.mismatch.is_none() {
            self.mismatch = Some(text);
        }
        TransportError::Reader("replay: command differs from the recording".into())
    }

    fn unused_in_current_tap(&self) -> Option<String> {
        let tap = self.tap?;
        let left = self.taps[tap]
            .len()
            .checked_sub(self.next)
            .filter(|n| *n > 0)?;
        let next = &self.taps[tap][self.next];
        Some(format!(
            "tap {}: {left} recorded exchange(s) never sent, first: {}",
            tap + 1,
            describe(&next.c.0)
        ))
    }

    /// Checks that every recorded exchange was used; call after the kernel finished.
    pub fn finish(&mut self) -> Result<(), String> {
        if let Some(m) = &self.mismatch {
            return Err(m.clone());
        }
        if let Some(unused) = self.unused_in_current_tap() {
            return Err(unused);
        }
        let polled = self.tap.map_or(0, |t| t + 1);
        if polled < self.taps.len() {
            return Err(format!(
                "{} recorded tap(s) never polled; the kernel stopped after tap {polled}",
                self.taps.len() - polled
            ));
        }
        Ok(())
    }
}

/// A command in hex with its decoded name, for mismatch reports. SELECT shows the name it
/// selects (as text when printable, e.g. `2PAY.SYS.DDF01`, else the AID in hex).
pub fn describe(command: &[u8]) -> String {
    let name = match command {
        [0x00, 0xA4, 0x04, _, len, rest @ ..] => {
            let selected = rest.get(..usize::from(*len)).unwrap_or(rest);
            let printable = !selected.is_empty() && selected.iter().all(|b| b.is_ascii_graphic());
            let what = if printable {
                String::from_utf8_lossy(selected).into_owned()
            } else {
                hex::encode_upper(selected)
            };
            format!("SELECT {what}")
        }
        [0x80, 0xA8, ..] => "GET PROCESSING OPTIONS".into(),
        [0x00, 0xB2, record, p2, ..] => format!("READ RECORD SFI {} record {record}", p2 >> 3),
        [0x80, 0xAE, p1, ..] => {
            let kind = match p1 & 0xC0 {
                0x00 => "AAC",
                0x40 => "TC",
                0x80 => "ARQC",
                _ => "RFU",
            };
            let cda = if p1 & 0x10 != 0 { " with CDA" } else { "" };
            format!("GENERATE AC {kind}{cda}")
        }
        [0x80, 0xEA, ..] => "EXCHANGE RELAY RESISTANCE DATA".into(),
        [0x80, 0xCA, p1, p2, ..] => format!("GET DATA {p1:02X}{p2:02X}"),
        [0x00, 0xC0, ..] => "GET RESPONSE".into(),
        [0xFF, ..] => "reader pseudo-APDU".into(),
        _ => "unknown command".into(),
    };
    format!("{name} ({})", hex::encode_upper(command))
}

/// Where two commands first differ: the byte index, or the shorter length.
fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()))
}

impl Transport for ReplayTransport {
    fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError> {
        if self.mismatch.is_some() {
            return Err(TransportError::Reader("replay already failed".into()));
        }
        let Some(tap) = self.tap else {
            return Err(self.fail(format!("command before any tap: {}", describe(command))));
        };
        let Some(recorded) = self.taps[tap].get(self.next).cloned() else {
            return Err(self.fail(format!(
                "tap {}: extra command after the recorded ones: {}",
                tap + 1,
                describe(command)
            )));
        };
        if recorded.c.0 != command {
            return Err(self.fail(format!(
                "tap {} exchange {}: sent {} but recorded {} (first difference at byte {})",
                tap + 1,
                self.next + 1,
                describe(command),
                describe(&recorded.c.0),
                first_difference(command, &recorded.c.0)
            )));
        }
        self.next += 1;
        match (recorded.r, recorded.error) {
            (Some(r), _) => Ok(CardResponse {
                apdu: r.0,
                elapsed: Duration::from_micros(recorded.us.unwrap_or(0)),
            }),
            (None, Some(ExchangeError::Timeout)) => Err(TransportError::Timeout),
            (None, _) => Err(TransportError::CardRemoved),
        }
    }

    fn next_tap(&mut self, _restart: &UiRequest) -> Result<bool, TransportError> {
        if self.mismatch.is_some() {
            return Ok(false);
        }
        if let Some(unused) = self.unused_in_current_tap() {
            self.mismatch = Some(unused);
            return Ok(false);
        }
        let next = self.tap.map_or(0, |t| t + 1);
        if next >= self.taps.len() {
            return Ok(false);
        }
        self.tap = Some(next);
        self.next = 0;
        Ok(true)
    }
}

/// The verdict on one vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every command matched and every expectation held.
    Pass,
    /// The kernel differed from the vector; the text names the first difference.
    Fail(String),
    /// The vector itself is broken; the text says why.
    Invalid(String),
}

/// Runs `kernel` against a vector's recording and judges the result.
pub fn run_vector<K>(vector: &Vector, kernel: K) -> (Verdict, Option<TransactionResult>)
where
    K: FnOnce(&TerminalConfig, &Transaction, &mut dyn Transport) -> TransactionResult,
{
    let (config, transaction) = match vector.inputs() {
        Ok(inputs) => inputs,
        Err(e) => return (Verdict::Invalid(e.0), None),
    };
    let expect = match vector.expectations() {
        Ok(e) => e,
        Err(e) => return (Verdict::Invalid(e.0), None),
    };
    let mut transport = ReplayTransport::new(vector.taps.clone());
    let result = kernel(&config, &transaction, &mut transport);
    let verdict = match transport
        .finish()
        .and_then(|()| vector::check(&expect, &result))
    {
        Ok(()) => Verdict::Pass,
        Err(why) => Verdict::Fail(why),
    };
    (verdict, Some(result))
}

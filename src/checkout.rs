//! One whole transaction as the terminal runs it, shared by `tapterm pay` and the GUI.
//!
//! The kernel (`emv_kernel::entry_point::run`, Book B) sees a plain [`Transport`]; this module
//! puts a recorder in between that times every exchange and reports progress as it happens
//! (Book A user interface requests, each APDU, waiting for a tap, a card arriving), so the
//! cashier screen, the developer trace and the headless `pay` command all see the same events.

use std::time::{Duration, Instant};

use emv_kernel::config::{TerminalConfig, Transaction};
use emv_kernel::outcome::{TransactionResult, UiRequest};
use emv_kernel::transport::{Transport, TransportError};

/// One command/response pair as it went over the transport, with its timing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedExchange {
    /// Which tap (0-based) the exchange belongs to.
    pub tap: usize,
    /// The command APDU sent.
    pub command: Vec<u8>,
    /// The full response (data + SW), or why none came.
    pub response: Result<Vec<u8>, TransportError>,
    /// When the command was sent, counted from the start of the checkout.
    pub started: Duration,
    /// How long the card (and the reader stack) took to answer.
    pub took: Duration,
}

/// Something that happened during a checkout, reported while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The kernel asks to show a Book A user interface request.
    Ui(UiRequest),
    /// One exchange with the card finished.
    Exchange(TimedExchange),
    /// The terminal waits for a card or phone to enter the field.
    WaitingForTap,
    /// A card or phone entered the field; the kernel starts talking to it.
    CardDetected,
}

/// What a checkout produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The kernel's result (outcome, UI requests, data record, trace).
    pub result: TransactionResult,
    /// Every exchange with its timing, in order.
    pub exchanges: Vec<TimedExchange>,
    /// Wall time of the whole checkout, waits for taps included.
    pub duration: Duration,
    /// Time from the first card detection to the outcome (waits for later taps included);
    /// `None` when no card was ever detected.
    pub from_card: Option<Duration>,
    /// How many times a card entered the field.
    pub taps: usize,
}

/// A transport wrapper that times exchanges and reports progress.
struct Recorder<'a> {
    inner: &'a mut dyn Transport,
    progress: &'a mut dyn FnMut(Progress),
    start: Instant,
    first_card: Option<Instant>,
    taps: usize,
    exchanges: Vec<TimedExchange>,
}

impl Transport for Recorder<'_> {
    fn exchange(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let sent = Instant::now();
        let response = self.inner.exchange(command);
        let exchange = TimedExchange {
            tap: self.taps.saturating_sub(1),
            command: command.to_vec(),
            response: response.clone(),
            started: sent.duration_since(self.start),
            took: sent.elapsed(),
        };
        (self.progress)(Progress::Exchange(exchange.clone()));
        self.exchanges.push(exchange);
        response
    }

    fn next_tap(&mut self, restart: &UiRequest) -> Result<bool, TransportError> {
        (self.progress)(Progress::WaitingForTap);
        let more = self.inner.next_tap(restart)?;
        if more {
            self.taps += 1;
            self.first_card.get_or_insert_with(Instant::now);
            (self.progress)(Progress::CardDetected);
        }
        Ok(more)
    }

    fn ui(&mut self, request: &UiRequest) {
        self.inner.ui(request);
        (self.progress)(Progress::Ui(*request));
    }
}

/// Runs one transaction through the kernel over `transport`, timing every exchange and
/// reporting progress through `progress` as it happens.
pub fn run(
    config: &TerminalConfig,
    txn: &Transaction,
    transport: &mut dyn Transport,
    progress: &mut dyn FnMut(Progress),
) -> Checkout {
    let start = Instant::now();
    let mut recorder = Recorder {
        inner: transport,
        progress,
        start,
        first_card: None,
        taps: 0,
        exchanges: Vec::new(),
    };
    let result = emv_kernel::entry_point::run(config, txn, &mut recorder);
    let end = Instant::now();
    Checkout {
        result,
        duration: end.duration_since(start),
        from_card: recorder.first_card.map(|t| end.duration_since(t)),
        taps: recorder.taps,
        exchanges: recorder.exchanges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emv_kernel::config::{Date, Time, TransactionType};

    /// A card that answers every command with `6A82` (not found) for a fixed number of taps.
    struct Scripted {
        taps_left: usize,
        sent: Vec<Vec<u8>>,
    }

    impl Transport for Scripted {
        fn exchange(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
            self.sent.push(command.to_vec());
            Ok(vec![0x6A, 0x82])
        }
        fn next_tap(&mut self, _restart: &UiRequest) -> Result<bool, TransportError> {
            if self.taps_left == 0 {
                return Ok(false);
            }
            self.taps_left -= 1;
            Ok(true)
        }
    }

    /// One Visa combination, so that pre-processing lets the kernel poll for a card.
    fn visa_config() -> TerminalConfig {
        TerminalConfig {
            combinations: vec![emv_kernel::config::Combination {
                aid: vec![0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10],
                kernel: 3,
                ttq: Some([0x36, 0x00, 0x40, 0x00]),
                transaction_limit: None,
                floor_limit: None,
                cvm_required_limit: None,
                status_check: false,
                zero_amount: emv_kernel::config::ZeroAmount::Online,
                tags: Default::default(),
            }],
            ..TerminalConfig::default()
        }
    }

    fn sample_transaction() -> Transaction {
        Transaction {
            kind: TransactionType::Purchase,
            amount: 1234,
            amount_other: 0,
            currency: 978,
            currency_exponent: 2,
            date: Date {
                year: 2026,
                month: 11,
                day: 26,
            },
            time: Time {
                hour: 12,
                minute: 0,
                second: 0,
            },
            unpredictable_numbers: vec![[1, 2, 3, 4]],
        }
    }

    #[test]
    fn records_every_exchange_and_reports_progress_in_order() {
        let mut card = Scripted {
            taps_left: 1,
            sent: vec![],
        };
        let mut events = Vec::new();
        let checkout = run(&visa_config(), &sample_transaction(), &mut card, &mut |p| {
            events.push(p)
        });
        assert_eq!(checkout.taps, 1);
        assert!(checkout.from_card.is_some());
        assert_eq!(checkout.exchanges.len(), card.sent.len());
        assert!(!checkout.exchanges.is_empty());
        for (x, sent) in checkout.exchanges.iter().zip(&card.sent) {
            assert_eq!(&x.command, sent);
            assert_eq!(x.tap, 0);
            assert_eq!(x.response, Ok(vec![0x6A, 0x82]));
        }
        assert_eq!(events.first(), Some(&Progress::WaitingForTap));
        assert_eq!(events.get(1), Some(&Progress::CardDetected));
        let exchanged = events
            .iter()
            .filter(|e| matches!(e, Progress::Exchange(_)))
            .count();
        assert_eq!(exchanged, checkout.exchanges.len());
    }

    #[test]
    fn no_card_means_no_exchanges_and_no_card_time() {
        let mut card = Scripted {
            taps_left: 0,
            sent: vec![],
        };
        let checkout = run(
            &visa_config(),
            &sample_transaction(),
            &mut card,
            &mut |_| {},
        );
        assert_eq!(checkout.taps, 0);
        assert_eq!(checkout.from_card, None);
        assert!(checkout.exchanges.is_empty());
        assert!(card.sent.is_empty());
    }
}

//! Where the sale is, with what that stage needs and nothing else: the amount being typed
//! (kept by the cashier screen), the transaction running (its handle, what the reader shows,
//! its exchanges so far), or its outcome (banner, receipt). Leaving a stage drops its data,
//! so nothing is reset by hand.

use emv_kernel::config::TransactionType;
use emv_kernel::outcome::ReaderStatus;

use super::amount::Amount;
use super::banner::{self, Banner, Tone};
use super::prompt::Prompt;
use super::readers::ReaderChoice;
use super::receipt;
use super::worker::{Control, Event, Finished};
use crate::checkout::TimedExchange;
use crate::journal::StoredEntry;

/// The cashier's stage of a sale.
#[derive(Debug)]
pub enum Phase {
    /// Typing the amount.
    Entry,
    /// The transaction runs: waiting for a tap, or talking to the card and the host.
    Waiting(Box<Live>),
    /// The outcome banner and receipt.
    Outcome(Box<Outcome>),
}

/// A transaction running.
#[derive(Debug)]
pub struct Live {
    control: Control,
    amount: Amount,
    kind: TransactionType,
    reader: ReaderChoice,
    prompt: Prompt,
    /// The reader polls for a card (Book B 3.2): the demo reader's Tap button is live.
    polling: bool,
    exchanges: Vec<TimedExchange>,
    /// The window was closed: it goes once the transaction is journalled.
    close_when_done: bool,
}

/// How a transaction ended, as the cashier sees it.
#[derive(Debug, Clone)]
pub struct Outcome {
    amount: Amount,
    kind: TransactionType,
    banner: Banner,
    status: ReaderStatus,
    receipt: Option<receipt::State>,
}

impl Live {
    /// A transaction just started on `reader`.
    pub fn new(
        control: Control,
        amount: Amount,
        kind: TransactionType,
        reader: ReaderChoice,
    ) -> Live {
        Live {
            control,
            amount,
            kind,
            reader,
            prompt: Prompt::default(),
            polling: false,
            exchanges: Vec::new(),
            close_when_done: false,
        }
    }

    /// The amount charged.
    pub fn amount(&self) -> Amount {
        self.amount
    }

    /// Purchase or refund.
    pub fn kind(&self) -> TransactionType {
        self.kind
    }

    /// The reader it runs on.
    pub fn reader(&self) -> &ReaderChoice {
        &self.reader
    }

    /// What the reader shows.
    pub fn prompt(&self) -> &Prompt {
        &self.prompt
    }

    /// The hold timer ticked.
    pub fn tick(&mut self) {
        self.prompt.tick();
    }

    /// Whether the reader polls for a card.
    pub fn polling(&self) -> bool {
        self.polling
    }

    /// The exchanges so far.
    pub fn exchanges(&self) -> &[TimedExchange] {
        &self.exchanges
    }

    /// Puts the demo wallet in the field, once per poll.
    pub fn tap(&mut self) {
        if std::mem::take(&mut self.polling) {
            self.control.tap();
        }
    }

    /// Asks the transaction to stop.
    pub fn cancel(&self) {
        self.control.cancel();
    }

    /// The window was closed: cancel, and close once the transaction is journalled.
    pub fn close(&mut self) {
        self.close_when_done = true;
        self.control.cancel();
    }

    /// Whether the window waits for this transaction to close.
    pub fn closing(&self) -> bool {
        self.close_when_done
    }

    /// Applies a progress event from the transaction thread (not the last one, which
    /// ends the stage).
    pub fn progress(&mut self, event: Event) {
        match event {
            Event::Ui(request) => self.prompt.request(request),
            Event::WaitingForTap => self.polling = true,
            Event::CardDetected => {
                self.polling = false;
                self.prompt.card_detected();
            }
            Event::Exchange(record) => self.exchanges.push(record),
            Event::Notice(_) | Event::Done(_) | Event::Stopped => {}
        }
    }

    /// The outcome of this transaction: `finished` with its journal entry, or `None` when
    /// the thread stopped without a result.
    pub fn outcome(
        &self,
        finished: Option<&Finished>,
        stored: Option<StoredEntry>,
        merchant: &str,
    ) -> Outcome {
        let Some(finished) = finished else {
            return Outcome {
                amount: self.amount,
                kind: self.kind,
                banner: Banner {
                    tone: Tone::Bad,
                    title: "Processing error".into(),
                    detail: vec![
                        "The transaction stopped unexpectedly: check History before charging again"
                            .into(),
                    ],
                },
                status: ReaderStatus::ProcessingError,
                receipt: None,
            };
        };
        let checkout = &finished.checkout;
        let banner = banner::outcome_banner(
            &checkout.result,
            &checkout.exchanges,
            checkout.host.as_ref(),
            self.control.is_cancelled(),
        );
        // A receipt when the card or the host decided (Book A 6.2: receipt with the outcome).
        let decided = checkout.result.data_record.is_some()
            || checkout.host.is_some()
            || checkout.result.outcome.receipt;
        let receipt = stored
            .filter(|_| decided && banner.tone != Tone::Neutral)
            .map(|stored| receipt::State::new(stored, merchant));
        let status = match banner.tone {
            Tone::Good => ReaderStatus::CardReadSuccessfully,
            Tone::Neutral => ReaderStatus::Idle,
            _ => self.prompt.status(),
        };
        Outcome {
            amount: self.amount,
            kind: self.kind,
            banner,
            status,
            receipt,
        }
    }
}

impl Outcome {
    /// The amount charged.
    pub fn amount(&self) -> Amount {
        self.amount
    }

    /// Purchase or refund.
    pub fn kind(&self) -> TransactionType {
        self.kind
    }

    /// The banner.
    pub fn banner(&self) -> &Banner {
        &self.banner
    }

    /// The status lights left on.
    pub fn status(&self) -> ReaderStatus {
        self.status
    }

    /// The receipt, when the card or host decided and the journal holds the entry.
    pub fn receipt(&self) -> Option<&receipt::State> {
        self.receipt.as_ref()
    }
}

impl Phase {
    /// The status lights for the stage (Book A 9.1: idle while typing).
    pub fn status(&self) -> ReaderStatus {
        match self {
            Phase::Entry => ReaderStatus::Idle,
            Phase::Waiting(live) => live.prompt.status(),
            Phase::Outcome(outcome) => outcome.status,
        }
    }

    /// The running transaction, if one runs.
    pub fn live(&self) -> Option<&Live> {
        match self {
            Phase::Waiting(live) => Some(live),
            _ => None,
        }
    }

    /// The running transaction, to change.
    pub fn live_mut(&mut self) -> Option<&mut Live> {
        match self {
            Phase::Waiting(live) => Some(live),
            _ => None,
        }
    }

    /// The outcome shown, if one is.
    pub fn outcome(&self) -> Option<&Outcome> {
        match self {
            Phase::Outcome(outcome) => Some(outcome),
            _ => None,
        }
    }
}

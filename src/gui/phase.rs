//! Where the sale is, with what that stage needs and nothing else: the amount being typed
//! (kept by the cashier screen), the transaction running (its handle, what the reader shows,
//! its exchanges so far), or its outcome (banner, receipt). Leaving a stage drops its data,
//! so nothing is reset by hand.

use std::sync::Arc;

use emv_kernel::config::TransactionType;
use emv_kernel::outcome::{ReaderStatus, TraceEntry};

use super::amount::Amount;
use super::prompt::Prompt;
use super::readers::ReaderChoice;
use super::receipt;
use super::worker::{Control, Event};
use crate::checkout::CheckoutResult;
use crate::verdict::{Tone, Verdict};

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
    exchanges: Vec<TraceEntry>,
    /// The window was closed: it goes once the transaction is journalled.
    close_when_done: bool,
    /// A rewards check tap, not a sale.
    check: bool,
}

/// How a transaction ended, as the cashier sees it.
#[derive(Debug, Clone)]
pub struct Outcome {
    amount: Amount,
    kind: TransactionType,
    status: ReaderStatus,
    ended: Ended,
}

/// What ended the transaction.
#[derive(Debug, Clone)]
enum Ended {
    /// Checkout's result: its verdict is what the screen shows; the receipt when the
    /// verdict calls for one and the journal holds the entry.
    Checkout {
        result: Arc<CheckoutResult>,
        receipt: Option<Box<receipt::State>>,
    },
    /// The transaction thread stopped without a result (it panicked or never started).
    Stopped,
}

/// Said when the thread stopped: nothing is known about the card, so the cashier looks.
const STOPPED: &str = "The transaction stopped unexpectedly: check History before charging again";

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
            check: false,
        }
    }

    /// The same, as a rewards check tap (zero amount, nothing charged).
    pub fn checking(mut self) -> Live {
        self.check = true;
        self
    }

    /// Whether this is a rewards check tap.
    pub fn is_check(&self) -> bool {
        self.check
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
    pub fn exchanges(&self) -> &[TraceEntry] {
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
            Event::Notice(_) | Event::Done(_) | Event::Checked(_) | Event::Stopped => {}
        }
    }

    /// The outcome of this transaction: checkout's `result`, or `None` when the thread
    /// stopped without one.
    pub fn outcome(&self, result: Option<Arc<CheckoutResult>>, merchant: &str) -> Outcome {
        let Some(result) = result else {
            return Outcome {
                amount: self.amount,
                kind: self.kind,
                status: ReaderStatus::ProcessingError,
                ended: Ended::Stopped,
            };
        };
        let verdict = &result.verdict;
        let receipt = result
            .journal
            .stored()
            .filter(|_| verdict.receipt)
            .map(|stored| {
                let award = result.rewards.as_ref().ok().and_then(Option::as_ref);
                Box::new(receipt::State::new(stored.clone(), merchant, award))
            });
        // The lights stay as the kernel left them, but for a success (Book A 9.1.2) or a
        // transaction that ended without a card decision and needs nothing more.
        let status = match verdict.tone() {
            Tone::Good => ReaderStatus::CardReadSuccessfully,
            Tone::Neutral => ReaderStatus::Idle,
            Tone::Bad | Tone::Attention => self.prompt.status(),
        };
        Outcome {
            amount: self.amount,
            kind: self.kind,
            status,
            ended: Ended::Checkout { result, receipt },
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

    /// Checkout's verdict (`None`: the thread stopped without one).
    pub fn verdict(&self) -> Option<&Verdict> {
        match &self.ended {
            Ended::Checkout { result, .. } => Some(&result.verdict),
            Ended::Stopped => None,
        }
    }

    /// The banner's colour: the verdict's tone.
    pub fn tone(&self) -> Tone {
        self.verdict().map_or(Tone::Bad, Verdict::tone)
    }

    /// The banner's big words: the verdict's title.
    pub fn title(&self) -> &str {
        self.verdict().map_or("Processing error", |v| &v.title)
    }

    /// The lines under the title: the verdict's detail.
    pub fn detail(&self) -> Vec<&str> {
        match self.verdict() {
            Some(v) => v.detail.iter().map(String::as_str).collect(),
            None => vec![STOPPED],
        }
    }

    /// The status lights left on.
    pub fn status(&self) -> ReaderStatus {
        self.status
    }

    /// What the sale did to its rewards member, one `label: value` line each ("Points
    /// earned: +25", "Offer available: 5th visit: EUR 2.00 off"), or why the ledger could
    /// not be written; nothing when the sale earned nothing.
    pub fn rewards(&self) -> Vec<String> {
        let Ended::Checkout { result, .. } = &self.ended else {
            return Vec::new();
        };
        let txn = &result.transaction;
        match &result.rewards {
            Ok(Some(award)) => award
                .items(|m| crate::rewards::money(m, txn.currency, txn.currency_exponent))
                .into_iter()
                .map(|(label, value)| format!("{label}: {value}"))
                .collect(),
            Ok(None) => Vec::new(),
            Err(e) => vec![format!("Rewards not written: {e}")],
        }
    }

    /// The receipt, when the verdict calls for one and the journal holds the entry.
    pub fn receipt(&self) -> Option<&receipt::State> {
        match &self.ended {
            Ended::Checkout { receipt, .. } => receipt.as_deref(),
            Ended::Stopped => None,
        }
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

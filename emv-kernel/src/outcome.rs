//! Book A outcomes and user interface requests, and what a whole transaction returns.

use std::time::Duration;

use crate::config::TagMap;

/// Outcome Parameter Set status (DF8129 byte 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutcomeStatus {
    /// Offline approval (`10`).
    Approved,
    /// Offline decline (`20`).
    Declined,
    /// Send the data record to the host (`30`).
    OnlineRequest,
    /// The transaction ends (`40`).
    EndApplication,
    /// Try the next candidate (`50`).
    SelectNext,
    /// Use another interface (`60`).
    TryAnotherInterface,
    /// Ask for the card again (`70`).
    TryAgain,
}

impl OutcomeStatus {
    /// The name used in test vectors (`online_request`).
    pub fn name(self) -> &'static str {
        match self {
            OutcomeStatus::Approved => "approved",
            OutcomeStatus::Declined => "declined",
            OutcomeStatus::OnlineRequest => "online_request",
            OutcomeStatus::EndApplication => "end_application",
            OutcomeStatus::SelectNext => "select_next",
            OutcomeStatus::TryAnotherInterface => "try_another_interface",
            OutcomeStatus::TryAgain => "try_again",
        }
    }

    /// The DF8129 byte 1 value.
    pub fn code(self) -> u8 {
        match self {
            OutcomeStatus::Approved => 0x10,
            OutcomeStatus::Declined => 0x20,
            OutcomeStatus::OnlineRequest => 0x30,
            OutcomeStatus::EndApplication => 0x40,
            OutcomeStatus::SelectNext => 0x50,
            OutcomeStatus::TryAnotherInterface => 0x60,
            OutcomeStatus::TryAgain => 0x70,
        }
    }

    /// Parses a vector name.
    pub fn from_name(name: &str) -> Option<OutcomeStatus> {
        ALL_STATUSES.into_iter().find(|s| s.name() == name)
    }
}

const ALL_STATUSES: [OutcomeStatus; 7] = [
    OutcomeStatus::Approved,
    OutcomeStatus::Declined,
    OutcomeStatus::OnlineRequest,
    OutcomeStatus::EndApplication,
    OutcomeStatus::SelectNext,
    OutcomeStatus::TryAnotherInterface,
    OutcomeStatus::TryAgain,
];

/// Where Entry Point restarts (DF8129 byte 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StartPoint {
    /// Pre-processing.
    A,
    /// Protocol activation (poll for a card).
    B,
    /// Combination selection.
    C,
    /// Kernel activation.
    D,
}

/// The cardholder verification the outcome asks for (DF8129 byte 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cvm {
    /// No CVM.
    NoCvm,
    /// Obtain a signature.
    Signature,
    /// Online PIN.
    OnlinePin,
    /// Confirmation Code Verified: the phone verified the cardholder (CDCVM).
    Cdcvm,
}

impl Cvm {
    /// The name used in test vectors.
    pub fn name(self) -> &'static str {
        match self {
            Cvm::NoCvm => "no_cvm",
            Cvm::Signature => "signature",
            Cvm::OnlinePin => "online_pin",
            Cvm::Cdcvm => "cdcvm",
        }
    }
}

/// Book A message identifiers (User Interface Request Data byte 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageId {
    /// `03` Approved.
    Approved,
    /// `07` Not Authorised.
    NotAuthorised,
    /// `09` Enter PIN.
    EnterPin,
    /// `0F` Processing Error.
    ProcessingError,
    /// `10` Remove Card.
    RemoveCard,
    /// `14` Welcome.
    Welcome,
    /// `15` Present Card.
    PresentCard,
    /// `16` Processing.
    Processing,
    /// `17` Card Read OK, Please Remove Card.
    CardReadOk,
    /// `18` Insert or Swipe.
    InsertOrSwipe,
    /// `19` Present One Card Only.
    PresentOneCardOnly,
    /// `1A` Approved, Please Sign.
    ApprovedSign,
    /// `1B` Authorising, Please Wait.
    Authorising,
    /// `1C` Insert, Swipe or Try Another Card.
    TryAnotherCard,
    /// `1D` Insert Card.
    InsertCard,
    /// `1E` Clear Display.
    ClearDisplay,
    /// `20` See Phone for Instructions.
    SeePhone,
    /// `21` Present Card Again.
    PresentCardAgain,
}

const ALL_MESSAGES: [(MessageId, u8, &str); 18] = [
    (MessageId::Approved, 0x03, "approved"),
    (MessageId::NotAuthorised, 0x07, "not_authorised"),
    (MessageId::EnterPin, 0x09, "enter_pin"),
    (MessageId::ProcessingError, 0x0F, "processing_error"),
    (MessageId::RemoveCard, 0x10, "remove_card"),
    (MessageId::Welcome, 0x14, "welcome"),
    (MessageId::PresentCard, 0x15, "present_card"),
    (MessageId::Processing, 0x16, "processing"),
    (MessageId::CardReadOk, 0x17, "card_read_ok"),
    (MessageId::InsertOrSwipe, 0x18, "insert_or_swipe"),
    (MessageId::PresentOneCardOnly, 0x19, "present_one_card_only"),
    (MessageId::ApprovedSign, 0x1A, "approved_sign"),
    (MessageId::Authorising, 0x1B, "authorising"),
    (MessageId::TryAnotherCard, 0x1C, "try_another_card"),
    (MessageId::InsertCard, 0x1D, "insert_card"),
    (MessageId::ClearDisplay, 0x1E, "clear_display"),
    (MessageId::SeePhone, 0x20, "see_phone"),
    (MessageId::PresentCardAgain, 0x21, "present_card_again"),
];

impl MessageId {
    /// The Book A identifier byte.
    pub fn code(self) -> u8 {
        ALL_MESSAGES
            .iter()
            .find(|m| m.0 == self)
            .map_or(0xFF, |m| m.1)
    }

    /// The name used in test vectors (`see_phone`).
    pub fn name(self) -> &'static str {
        ALL_MESSAGES
            .iter()
            .find(|m| m.0 == self)
            .map_or("", |m| m.2)
    }

    /// Parses a vector name.
    pub fn from_name(name: &str) -> Option<MessageId> {
        ALL_MESSAGES.iter().find(|m| m.2 == name).map(|m| m.0)
    }

    /// Parses a Book A identifier byte.
    pub fn from_code(code: u8) -> Option<MessageId> {
        ALL_MESSAGES.iter().find(|m| m.1 == code).map(|m| m.0)
    }
}

/// Book A reader status (User Interface Request Data byte 2); drives the four status lights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReaderStatus {
    /// `00` Not Ready.
    NotReady,
    /// `01` Idle.
    Idle,
    /// `02` Ready to Read.
    ReadyToRead,
    /// `03` Processing.
    Processing,
    /// `04` Card Read Successfully.
    CardReadSuccessfully,
    /// `05` Processing Error.
    ProcessingError,
}

/// A Book A user interface request (a subset of DF8116).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UiRequest {
    /// The message to show.
    pub message: MessageId,
    /// The reader status (status lights).
    pub status: ReaderStatus,
    /// How long to hold the message.
    pub hold: Duration,
}

/// The Outcome Parameter Set (DF8129) of one kernel or Entry Point outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Status.
    pub status: OutcomeStatus,
    /// Where to restart, if anywhere.
    pub start: Option<StartPoint>,
    /// Cardholder verification to perform; `None` = N/A.
    pub cvm: Option<Cvm>,
    /// UI request to show with the outcome.
    pub ui_on_outcome: Option<UiRequest>,
    /// UI request to show when restarting.
    pub ui_on_restart: Option<UiRequest>,
    /// Field off request: how long the field stays off before the restart.
    pub field_off: Option<Duration>,
    /// Whether a receipt should be printed.
    pub receipt: bool,
}

/// One command/response pair as it went over the transport, with the kernel's notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEntry {
    /// Which tap (0-based) this exchange belongs to.
    pub tap: usize,
    /// The command sent.
    pub command: Vec<u8>,
    /// The response, or the transport error.
    pub response: Result<Vec<u8>, crate::transport::TransportError>,
    /// The card's processing time the transport measured (zero when it could not).
    pub elapsed: std::time::Duration,
    /// Why the kernel sent it and what it concluded from the answer.
    pub notes: Vec<String>,
}

/// Everything a whole (possibly multi-tap) transaction produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionResult {
    /// The final outcome.
    pub outcome: Outcome,
    /// The outcome at the end of each tap, in order.
    pub tap_outcomes: Vec<OutcomeStatus>,
    /// Every UI message requested, in order.
    pub ui: Vec<UiRequest>,
    /// The data record for authorisation (Approved, Declined, Online Request only).
    /// Holds the full PAN and track 2: mask before showing or storing.
    pub data_record: Option<TagMap>,
    /// Every exchange with the card.
    pub trace: Vec<TraceEntry>,
    /// Decisions not tied to one exchange (pre-processing, selection, ODA, CVM).
    pub decisions: Vec<String>,
}

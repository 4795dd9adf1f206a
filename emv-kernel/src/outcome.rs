//! Book A outcomes and user interface requests, the Outcome Parameter Set (DF8129) that
//! carries an outcome between a kernel and the terminal, and what a whole transaction returns.

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

    /// Parses a DF8129 byte 1 value (C-2 Annex A).
    pub fn from_code(code: u8) -> Option<OutcomeStatus> {
        ALL_STATUSES.into_iter().find(|s| s.code() == code)
    }

    /// The name C-2 Annex A gives the value (`ONLINE REQUEST`).
    pub fn label(self) -> &'static str {
        match self {
            OutcomeStatus::Approved => "APPROVED",
            OutcomeStatus::Declined => "DECLINED",
            OutcomeStatus::OnlineRequest => "ONLINE REQUEST",
            OutcomeStatus::EndApplication => "END APPLICATION",
            OutcomeStatus::SelectNext => "SELECT NEXT",
            OutcomeStatus::TryAnotherInterface => "TRY ANOTHER INTERFACE",
            OutcomeStatus::TryAgain => "TRY AGAIN",
        }
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

const ALL_STARTS: [(StartPoint, u8, &str); 4] = [
    (StartPoint::A, 0x00, "A"),
    (StartPoint::B, 0x10, "B"),
    (StartPoint::C, 0x20, "C"),
    (StartPoint::D, 0x30, "D"),
];

impl StartPoint {
    /// The DF8129 byte 2 value (C-2 Annex A).
    pub fn code(self) -> u8 {
        ALL_STARTS.iter().find(|p| p.0 == self).map_or(NA, |p| p.1)
    }

    /// Parses a DF8129 byte 2 value.
    pub fn from_code(code: u8) -> Option<StartPoint> {
        ALL_STARTS.iter().find(|p| p.1 == code).map(|p| p.0)
    }

    /// The book's letter.
    pub fn label(self) -> &'static str {
        ALL_STARTS.iter().find(|p| p.0 == self).map_or("", |p| p.2)
    }
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

    /// The DF8129 byte 4 value (C-2 Annex A).
    pub fn code(self) -> u8 {
        match self {
            Cvm::NoCvm => 0x00,
            Cvm::Signature => 0x10,
            Cvm::OnlinePin => 0x20,
            Cvm::Cdcvm => 0x30,
        }
    }

    /// Parses a DF8129 byte 4 value.
    pub fn from_code(code: u8) -> Option<Cvm> {
        [Cvm::NoCvm, Cvm::Signature, Cvm::OnlinePin, Cvm::Cdcvm]
            .into_iter()
            .find(|c| c.code() == code)
    }

    /// The name C-2 Annex A gives the value.
    pub fn label(self) -> &'static str {
        match self {
            Cvm::NoCvm => "No CVM",
            Cvm::Signature => "Obtain signature",
            Cvm::OnlinePin => "Online PIN",
            Cvm::Cdcvm => "Confirmation Code Verified",
        }
    }
}

/// The interface the card would rather be used with after Try Another Interface (DF8129
/// byte 6, Book A 6.2). C-2 Annex A defines only N/A for this byte; the codes here are
/// those of C-8 Annex A (Outcome Parameter Set): `10` contact chip, `20` magnetic stripe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlternateInterface {
    /// Contact chip (`10`).
    ContactChip,
    /// Magnetic stripe (`20`).
    Magstripe,
}

impl AlternateInterface {
    /// The DF8129 byte 6 value.
    pub fn code(self) -> u8 {
        match self {
            AlternateInterface::ContactChip => 0x10,
            AlternateInterface::Magstripe => 0x20,
        }
    }

    /// Parses a DF8129 byte 6 value.
    pub fn from_code(code: u8) -> Option<AlternateInterface> {
        [
            AlternateInterface::ContactChip,
            AlternateInterface::Magstripe,
        ]
        .into_iter()
        .find(|a| a.code() == code)
    }

    /// The book's name.
    pub fn label(self) -> &'static str {
        match self {
            AlternateInterface::ContactChip => "Contact Chip",
            AlternateInterface::Magstripe => "Mag-stripe",
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

impl UiRequest {
    /// The UI Request on Outcome of a kernel's final outcome (C-2 S910.75, also applied to
    /// Kernel 3): status Not Ready; Approved and Declined hold their message for the Message
    /// Hold Time, Online Request ("Authorising") holds nothing because the terminal goes on
    /// to the host and shows its answer.
    pub fn on_final_outcome(
        status: OutcomeStatus,
        message: MessageId,
        message_hold_time: Duration,
    ) -> UiRequest {
        let hold = match status {
            OutcomeStatus::Approved | OutcomeStatus::Declined => message_hold_time,
            _ => Duration::ZERO,
        };
        UiRequest {
            message,
            status: ReaderStatus::NotReady,
            hold,
        }
    }
}

/// The default Message Hold Time (DF812D), 13 × 100 ms, C-2 Annex A.
pub const DEFAULT_MESSAGE_HOLD_TIME: Duration = Duration::from_millis(1300);

/// One kernel or Entry Point outcome with its parameters (Book A 6.2); the Outcome Parameter
/// Set (DF8129) is its encoding, [`OutcomeParameterSet::from`]. Build one with
/// [`Outcome::new`] and set what differs from N/A.
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
    /// Whether the outcome carries a data record (set by Entry Point from the record it keeps).
    pub data_record_present: bool,
    /// Whether the outcome carries discretionary data; tapterm's kernels build none yet.
    pub discretionary_data_present: bool,
    /// Whether a receipt should be printed.
    pub receipt: bool,
    /// The interface to try after Try Another Interface; `None` = N/A.
    pub alternate_interface: Option<AlternateInterface>,
    /// Field off request: how long the field stays off before the restart; `None` = N/A.
    pub field_off: Option<Duration>,
    /// How long the terminal waits for the card to leave the field (zero: no wait).
    pub removal_timeout: Duration,
}

impl Outcome {
    /// An outcome with every parameter at its initial value: N/A, no, zero (the Outcome
    /// Parameter Set a kernel starts from, C-2 S1.7: `F0F0F0F000F0FF00` with the status).
    pub fn new(status: OutcomeStatus) -> Outcome {
        Outcome {
            status,
            start: None,
            cvm: None,
            ui_on_outcome: None,
            ui_on_restart: None,
            data_record_present: false,
            discretionary_data_present: false,
            receipt: false,
            alternate_interface: None,
            field_off: None,
            removal_timeout: Duration::ZERO,
        }
    }
}

/// The N/A value of the half-byte fields of DF8129.
const NA: u8 = 0xF0;

/// The Outcome Parameter Set (DF8129), 8 bytes, C-2 Annex A: Status, Start, Online Response
/// Data, CVM, the presence flags (UI Request on Outcome `80`, UI Request on Restart `40`,
/// Data Record `20`, Discretionary Data `10`, Receipt `08`), Alternate Interface
/// Preference, Field Off Request (hold time in 100 ms, `FF` N/A) and Removal Timeout
/// (100 ms). Online Response Data is always N/A (`F0`): C-2 and C-8 give Book A's other
/// values (EMV Data, Any) no code, and tapterm asks for no online response data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutcomeParameterSet(pub [u8; 8]);

/// The bits of each DF8129 byte that C-2 Annex A defines; the others are RFU.
pub const OUTCOME_PARAMETER_SET_DEFINED: [u8; 8] = [0xF0, 0xF0, 0xF0, 0xF0, 0xF8, 0xF0, 0xFF, 0xFF];

impl From<&Outcome> for OutcomeParameterSet {
    fn from(o: &Outcome) -> OutcomeParameterSet {
        let flag = |on: bool, bit: u8| if on { bit } else { 0 };
        OutcomeParameterSet([
            o.status.code(),
            o.start.map_or(NA, StartPoint::code),
            NA,
            o.cvm.map_or(NA, Cvm::code),
            flag(o.ui_on_outcome.is_some(), 0x80)
                | flag(o.ui_on_restart.is_some(), 0x40)
                | flag(o.data_record_present, 0x20)
                | flag(o.discretionary_data_present, 0x10)
                | flag(o.receipt, 0x08),
            o.alternate_interface.map_or(NA, AlternateInterface::code),
            o.field_off.map_or(0xFF, |d| tenths(d).min(0xFE)),
            tenths(o.removal_timeout),
        ])
    }
}

/// A duration in units of 100 ms, as one byte (saturating).
fn tenths(d: Duration) -> u8 {
    u8::try_from(d.as_millis() / 100).unwrap_or(u8::MAX)
}

/// One half-byte field of DF8129: a value, N/A, or a code C-2 leaves RFU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<T> {
    /// A defined value.
    Value(T),
    /// `F` (not applicable).
    NotApplicable,
    /// A code the book reserves, as it was (high half-byte, e.g. `0x80`).
    Rfu(u8),
}

impl<T> Field<T> {
    fn read(byte: u8, parse: impl Fn(u8) -> Option<T>) -> Field<T> {
        let code = byte & 0xF0;
        match parse(code) {
            Some(v) => Field::Value(v),
            None if code == NA => Field::NotApplicable,
            None => Field::Rfu(code),
        }
    }

    /// The defined value, if any.
    pub fn value(self) -> Option<T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    fn describe(self, label: impl Fn(T) -> &'static str) -> String {
        match self {
            Field::Value(v) => label(v).to_string(),
            Field::NotApplicable => "N/A".to_string(),
            Field::Rfu(code) => format!("RFU ({:X})", code >> 4),
        }
    }
}

impl OutcomeParameterSet {
    /// Byte 1: Status.
    pub fn status(&self) -> Field<OutcomeStatus> {
        Field::read(self.0[0], OutcomeStatus::from_code)
    }

    /// Byte 2: Start.
    pub fn start(&self) -> Field<StartPoint> {
        Field::read(self.0[1], StartPoint::from_code)
    }

    /// Byte 3: Online Response Data; only N/A is defined.
    pub fn online_response_data(&self) -> Field<()> {
        Field::read(self.0[2], |_| None)
    }

    /// Byte 4: CVM.
    pub fn cvm(&self) -> Field<Cvm> {
        Field::read(self.0[3], Cvm::from_code)
    }

    /// Byte 5 b8: UI Request on Outcome Present.
    pub fn ui_request_on_outcome(&self) -> bool {
        self.0[4] & 0x80 != 0
    }

    /// Byte 5 b7: UI Request on Restart Present.
    pub fn ui_request_on_restart(&self) -> bool {
        self.0[4] & 0x40 != 0
    }

    /// Byte 5 b6: Data Record Present.
    pub fn data_record(&self) -> bool {
        self.0[4] & 0x20 != 0
    }

    /// Byte 5 b5: Discretionary Data Present.
    pub fn discretionary_data(&self) -> bool {
        self.0[4] & 0x10 != 0
    }

    /// Byte 5 b4: Receipt.
    pub fn receipt(&self) -> bool {
        self.0[4] & 0x08 != 0
    }

    /// Byte 6: Alternate Interface Preference.
    pub fn alternate_interface(&self) -> Field<AlternateInterface> {
        Field::read(self.0[5], AlternateInterface::from_code)
    }

    /// Byte 7: Field Off Request, the hold time; `None` = N/A (`FF`).
    pub fn field_off(&self) -> Option<Duration> {
        (self.0[6] != 0xFF).then(|| Duration::from_millis(u64::from(self.0[6]) * 100))
    }

    /// Byte 8: Removal Timeout.
    pub fn removal_timeout(&self) -> Duration {
        Duration::from_millis(u64::from(self.0[7]) * 100)
    }

    /// The set in words, one line per field; Online Response Data, Alternate Interface
    /// Preference and Field Off Request only when not N/A, a flag only when set.
    pub fn explain(&self) -> Vec<String> {
        let mut lines = vec![
            format!("Status: {}", self.status().describe(OutcomeStatus::label)),
            format!("Start: {}", self.start().describe(StartPoint::label)),
        ];
        if self.online_response_data() != Field::NotApplicable {
            let text = self.online_response_data().describe(|()| "");
            lines.push(format!("Online Response Data: {text}"));
        }
        lines.push(format!("CVM: {}", self.cvm().describe(Cvm::label)));
        for (on, bit, text) in [
            (
                self.ui_request_on_outcome(),
                8,
                "UI Request on Outcome Present",
            ),
            (
                self.ui_request_on_restart(),
                7,
                "UI Request on Restart Present",
            ),
            (self.data_record(), 6, "Data Record Present"),
            (self.discretionary_data(), 5, "Discretionary Data Present"),
            (self.receipt(), 4, "Receipt required"),
        ] {
            if on {
                lines.push(format!("byte 5 b{bit}: {text}"));
            }
        }
        if self.alternate_interface() != Field::NotApplicable {
            let text = self
                .alternate_interface()
                .describe(AlternateInterface::label);
            lines.push(format!("Alternate Interface Preference: {text}"));
        }
        if let Some(hold) = self.field_off() {
            lines.push(format!(
                "Field Off Request: hold time {} x 100 ms",
                hold.as_millis() / 100
            ));
        }
        lines.push(format!(
            "Removal Timeout: {} x 100 ms",
            self.removal_timeout().as_millis() / 100
        ));
        lines
    }
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
    /// The Outcome Parameter Set at the end of each tap, in order.
    pub tap_parameter_sets: Vec<OutcomeParameterSet>,
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

impl TransactionResult {
    /// The final outcome's Outcome Parameter Set (DF8129).
    pub fn outcome_parameter_set(&self) -> OutcomeParameterSet {
        OutcomeParameterSet::from(&self.outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(hex: &str) -> OutcomeParameterSet {
        let bytes = hex::decode(hex).unwrap_or_default();
        OutcomeParameterSet(<[u8; 8]>::try_from(bytes.as_slice()).unwrap_or([0; 8]))
    }

    #[test]
    fn a_new_outcome_is_the_initial_parameter_set() {
        // C-2 S1.7: every field N/A, no flag, Field Off N/A, Removal Timeout 0.
        let o = Outcome::new(OutcomeStatus::EndApplication);
        assert_eq!(OutcomeParameterSet::from(&o), ops("40F0F0F000F0FF00"));
    }

    #[test]
    fn encodes_every_field_where_c2_annex_a_puts_it() {
        let approved = Outcome {
            cvm: Some(Cvm::Signature),
            ui_on_outcome: Some(UiRequest::on_final_outcome(
                OutcomeStatus::Approved,
                MessageId::ApprovedSign,
                DEFAULT_MESSAGE_HOLD_TIME,
            )),
            data_record_present: true,
            receipt: true,
            ..Outcome::new(OutcomeStatus::Approved)
        };
        assert_eq!(
            OutcomeParameterSet::from(&approved),
            ops("10F0F010A8F0FF00")
        );
        let see_phone = Outcome {
            start: Some(StartPoint::B),
            ui_on_outcome: Some(UiRequest {
                message: MessageId::SeePhone,
                status: ReaderStatus::NotReady,
                hold: DEFAULT_MESSAGE_HOLD_TIME,
            }),
            ui_on_restart: Some(UiRequest {
                message: MessageId::PresentCard,
                status: ReaderStatus::ReadyToRead,
                hold: Duration::ZERO,
            }),
            field_off: Some(DEFAULT_MESSAGE_HOLD_TIME),
            ..Outcome::new(OutcomeStatus::TryAgain)
        };
        assert_eq!(
            OutcomeParameterSet::from(&see_phone),
            ops("7010F0F0C0F00D00")
        );
        let other = Outcome {
            start: Some(StartPoint::C),
            cvm: Some(Cvm::Cdcvm),
            discretionary_data_present: true,
            alternate_interface: Some(AlternateInterface::ContactChip),
            removal_timeout: Duration::from_millis(2500),
            field_off: Some(Duration::from_secs(60)),
            ..Outcome::new(OutcomeStatus::TryAnotherInterface)
        };
        // A field off longer than 25.4 s saturates below the N/A value FF.
        assert_eq!(OutcomeParameterSet::from(&other), ops("6020F0301010FE19"));
    }

    #[test]
    fn decodes_what_it_encodes_and_names_reserved_codes() {
        let set = ops("3010F020B820FF05");
        assert_eq!(set.status(), Field::Value(OutcomeStatus::OnlineRequest));
        assert_eq!(set.start(), Field::Value(StartPoint::B));
        assert_eq!(set.online_response_data(), Field::NotApplicable);
        assert_eq!(set.cvm(), Field::Value(Cvm::OnlinePin));
        assert!(set.ui_request_on_outcome() && set.data_record() && set.discretionary_data());
        assert!(set.receipt() && !set.ui_request_on_restart());
        assert_eq!(
            set.alternate_interface(),
            Field::Value(AlternateInterface::Magstripe)
        );
        assert_eq!(set.field_off(), None);
        assert_eq!(set.removal_timeout(), Duration::from_millis(500));
        let odd = ops("8040104000000000");
        assert_eq!(odd.status(), Field::Rfu(0x80));
        assert_eq!(odd.start(), Field::Rfu(0x40));
        assert_eq!(odd.online_response_data(), Field::Rfu(0x10));
        assert_eq!(odd.field_off(), Some(Duration::ZERO));
        assert_eq!(
            odd.explain(),
            [
                "Status: RFU (8)",
                "Start: RFU (4)",
                "Online Response Data: RFU (1)",
                "CVM: RFU (4)",
                "Alternate Interface Preference: RFU (0)",
                "Field Off Request: hold time 0 x 100 ms",
                "Removal Timeout: 0 x 100 ms",
            ]
        );
    }

    #[test]
    fn final_outcomes_hold_their_message_except_online() {
        let hold = Duration::from_millis(2000);
        for (status, want) in [
            (OutcomeStatus::Approved, hold),
            (OutcomeStatus::Declined, hold),
            (OutcomeStatus::OnlineRequest, Duration::ZERO),
        ] {
            let ui = UiRequest::on_final_outcome(status, MessageId::Approved, hold);
            assert_eq!((ui.status, ui.hold), (ReaderStatus::NotReady, want));
        }
    }
}

//! The one verdict on a finished transaction: what the cashier sees, what the receipt says,
//! what the journal records, and why (issue 11). [`crate::checkout`] works it out once from
//! the kernel's outcome (Book A 7.1), the host's answer and the cancel token; the window,
//! `tapterm pay`, the journal and the receipt only present it.

use emv_kernel::outcome::{Cvm, MessageId, OutcomeStatus, TransactionResult};
use emv_kernel::transport::TransportError;

use crate::host::AuthorisationResponse;

/// What the transaction came to, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Approved by the card offline or by the host (or its stand-in).
    Approved,
    /// Declined by the card or by the host (or its stand-in).
    Declined,
    /// Stopped by the terminal (Cancel, window closed, Ctrl-C) before anything decided.
    Cancelled,
    /// The phone needs its owner and no second tap came (Book A 9.4 "See Phone").
    SeePhone,
    /// The card cannot be used here contactless (Book A 7.1 Try Another Interface, or
    /// the kernel's "Try Another Card").
    TryAnotherCard,
    /// The card asks for the contact or magnetic stripe interface.
    InsertOrSwipe,
    /// The card must be taken away first.
    RemoveCard,
    /// More than one card was in the field (Book B 3.2.1.2 collision).
    PresentOneCardOnly,
    /// The transaction ended without a decision: the card ended it, the reader failed, or
    /// an Online Request found no host.
    ProcessingError,
    /// No card or phone was presented.
    NoCard,
}

impl Ending {
    /// The name the journal and `tapterm pay --json` use (`approved`, `see_phone`, …).
    pub fn name(self) -> &'static str {
        match self {
            Ending::Approved => "approved",
            Ending::Declined => "declined",
            Ending::Cancelled => "cancelled",
            Ending::SeePhone => "see_phone",
            Ending::TryAnotherCard => "try_another_card",
            Ending::InsertOrSwipe => "insert_or_swipe",
            Ending::RemoveCard => "remove_card",
            Ending::PresentOneCardOnly => "present_one_card_only",
            Ending::ProcessingError => "processing_error",
            Ending::NoCard => "no_card",
        }
    }
}

/// Who decided an approval or a decline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decider {
    /// The card, offline (TC or AAC, Book 3 Table 14).
    Card,
    /// The issuer through the host.
    Host,
    /// The terminal's stand-in because the host could not be reached (ISO 8583 response
    /// code Y3 approved / Z3 declined "unable to go online", Book 4 Annex A6).
    StandIn,
}

/// Why the transaction ended as it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The card decided offline.
    Card,
    /// The host (or stand-in) answered; its words and response code.
    Host {
        /// ISO 8583 response code.
        response_code: String,
        /// The host's reason in words.
        text: String,
    },
    /// An Online Request with no host configured.
    NoHost,
    /// The terminal cancelled.
    Cancelled,
    /// The reader failed or the card left mid-exchange.
    Reader(TransportError),
    /// The kernel ended the transaction with this Book A message.
    Kernel(MessageId),
    /// The card or phone ended the transaction without saying why.
    CardEnded,
    /// No card came (the reader layer knows why: timeout, no reader, no pcscd).
    NoCard,
}

/// How a verdict is coloured on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Approved: green.
    Good,
    /// Declined, not completed: red.
    Bad,
    /// The customer must act (see phone, another card): amber.
    Attention,
    /// Cancelled, no card: grey.
    Neutral,
}

/// The verdict; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// What it came to.
    pub ending: Ending,
    /// Who decided, for approvals and declines.
    pub decider: Option<Decider>,
    /// The cardholder verification the outcome asked for (Book A 7.1 CVM).
    pub cvm: Option<Cvm>,
    /// Why.
    pub reason: Reason,
    /// The one big word or phrase the cashier reads ("Approved — please sign").
    pub title: String,
    /// Smaller lines under it: how it was verified, the host's words, the reader's error.
    pub detail: Vec<String>,
    /// Whether a receipt is printed (Book A 6.2: a receipt with the outcome when the card or
    /// host decided, or when the outcome asks for one).
    pub receipt: bool,
}

/// Said when the card asks for an online PIN: there is no PIN pad, so the request goes to
/// the issuer without one and its answer stands.
pub const ONLINE_PIN: &str =
    "Online PIN asked for, not supported here (no PIN pad): sent without PIN";

impl Verdict {
    /// Whether money moves: the only verdict that counts as an approval.
    pub fn approved(&self) -> bool {
        self.ending == Ending::Approved
    }

    /// The colour of the verdict.
    pub fn tone(&self) -> Tone {
        match self.ending {
            Ending::Approved => Tone::Good,
            Ending::Declined | Ending::ProcessingError => Tone::Bad,
            Ending::Cancelled | Ending::NoCard => Tone::Neutral,
            Ending::SeePhone
            | Ending::TryAnotherCard
            | Ending::InsertOrSwipe
            | Ending::RemoveCard
            | Ending::PresentOneCardOnly => Tone::Attention,
        }
    }

    /// The title and its detail as one line (`Declined: do not honour; Response code 05`).
    pub fn summary(&self) -> String {
        if self.detail.is_empty() {
            self.title.clone()
        } else {
            format!("{}: {}", self.title, self.detail.join("; "))
        }
    }

    /// Works out the verdict. `cancelled` is the cancel token's state at the end; a
    /// cancellation wins only when neither the card nor the host had decided.
    pub fn decide(
        result: &TransactionResult,
        host: Option<&AuthorisationResponse>,
        cancelled: bool,
    ) -> Verdict {
        let outcome = &result.outcome;
        let decided = matches!(
            outcome.status,
            OutcomeStatus::Approved | OutcomeStatus::Declined | OutcomeStatus::OnlineRequest
        );
        let trace_cancelled = result
            .trace
            .iter()
            .any(|e| e.response == Err(TransportError::Cancelled));
        let make = |ending, decider, reason, title: &str, detail: Vec<String>| Verdict {
            ending,
            decider,
            cvm: outcome.cvm,
            reason,
            title: title.to_string(),
            detail,
            receipt: matches!(ending, Ending::Approved | Ending::Declined)
                || (outcome.receipt && ending != Ending::Cancelled),
        };
        if !decided && (cancelled || trace_cancelled) {
            return make(
                Ending::Cancelled,
                None,
                Reason::Cancelled,
                "Cancelled",
                vec!["No money was taken".into()],
            );
        }
        if result.trace.is_empty() && !decided {
            return make(
                Ending::NoCard,
                None,
                Reason::NoCard,
                "No card",
                vec!["No card or phone was presented".into()],
            );
        }
        let shown = outcome.ui_on_outcome.map(|u| u.message);
        match outcome.status {
            OutcomeStatus::Approved => {
                let (title, detail) = approval_words(outcome.cvm);
                make(
                    Ending::Approved,
                    Some(Decider::Card),
                    Reason::Card,
                    title,
                    detail,
                )
            }
            OutcomeStatus::Declined => make(
                Ending::Declined,
                Some(Decider::Card),
                Reason::Card,
                "Declined",
                vec!["Declined by the card".into()],
            ),
            OutcomeStatus::OnlineRequest => match host {
                Some(answer) => {
                    let decider = if matches!(answer.response_code.as_str(), "Y3" | "Z3") {
                        Decider::StandIn
                    } else {
                        Decider::Host
                    };
                    let reason = Reason::Host {
                        response_code: answer.response_code.clone(),
                        text: answer.reason.clone(),
                    };
                    if answer.approved {
                        let (title, mut detail) = approval_words(outcome.cvm);
                        if !answer.auth_code.is_empty() {
                            detail.push(format!("Authorised online, code {}", answer.auth_code));
                        }
                        make(Ending::Approved, Some(decider), reason, title, detail)
                    } else {
                        let mut detail = vec![
                            answer.reason.clone(),
                            format!("Response code {}", answer.response_code),
                        ];
                        if outcome.cvm == Some(Cvm::OnlinePin) {
                            detail.push(ONLINE_PIN.into());
                        }
                        make(Ending::Declined, Some(decider), reason, "Declined", detail)
                    }
                }
                None => make(
                    Ending::ProcessingError,
                    None,
                    Reason::NoHost,
                    "Processing error",
                    vec!["No authorisation host answered".into()],
                ),
            },
            OutcomeStatus::TryAnotherInterface => match shown {
                Some(MessageId::InsertOrSwipe | MessageId::InsertCard) => make(
                    Ending::InsertOrSwipe,
                    None,
                    Reason::Kernel(MessageId::InsertOrSwipe),
                    "Insert or swipe",
                    vec!["This card cannot pay contactless here".into()],
                ),
                _ => make(
                    Ending::TryAnotherCard,
                    None,
                    Reason::Kernel(shown.unwrap_or(MessageId::TryAnotherCard)),
                    "Try another card",
                    vec!["This card or phone cannot be used contactless here".into()],
                ),
            },
            OutcomeStatus::EndApplication | OutcomeStatus::SelectNext | OutcomeStatus::TryAgain => {
                let kernel = |ending, message, title: &str, detail: &[&str]| {
                    make(
                        ending,
                        None,
                        Reason::Kernel(message),
                        title,
                        detail.iter().map(|d| d.to_string()).collect(),
                    )
                };
                match shown {
                    Some(MessageId::SeePhone) => kernel(
                        Ending::SeePhone,
                        MessageId::SeePhone,
                        "See phone",
                        &["The phone needs the customer: no second tap came"],
                    ),
                    Some(m @ (MessageId::RemoveCard | MessageId::CardReadOk)) => {
                        kernel(Ending::RemoveCard, m, "Remove card", &[])
                    }
                    Some(MessageId::TryAnotherCard) => kernel(
                        Ending::TryAnotherCard,
                        MessageId::TryAnotherCard,
                        "Try another card",
                        &[],
                    ),
                    Some(MessageId::PresentOneCardOnly) => kernel(
                        Ending::PresentOneCardOnly,
                        MessageId::PresentOneCardOnly,
                        "Present one card only",
                        &[],
                    ),
                    Some(m @ (MessageId::InsertOrSwipe | MessageId::InsertCard)) => {
                        kernel(Ending::InsertOrSwipe, m, "Insert or swipe", &[])
                    }
                    _ => match result
                        .trace
                        .iter()
                        .rev()
                        .find_map(|e| e.response.clone().err())
                    {
                        Some(error) => make(
                            Ending::ProcessingError,
                            None,
                            Reason::Reader(error.clone()),
                            "Processing error",
                            vec![format!("Reader: {error}")],
                        ),
                        None => make(
                            Ending::ProcessingError,
                            None,
                            Reason::CardEnded,
                            "Processing error",
                            vec!["The card or phone ended the transaction".into()],
                        ),
                    },
                }
            }
        }
    }
}

/// The words for a Book A message identifier (Book A Table 9.3).
pub fn message_text(message: MessageId) -> &'static str {
    match message {
        MessageId::Approved => "Approved",
        MessageId::NotAuthorised => "Not authorised",
        MessageId::EnterPin => "Enter PIN",
        MessageId::ProcessingError => "Processing error",
        MessageId::RemoveCard => "Remove card",
        MessageId::Welcome => "Welcome",
        MessageId::PresentCard => "Present card or phone",
        MessageId::Processing => "Processing — hold card or phone still",
        MessageId::CardReadOk => "Card read — remove card",
        MessageId::InsertOrSwipe => "Insert or swipe",
        MessageId::PresentOneCardOnly => "Present one card only",
        MessageId::ApprovedSign => "Approved — please sign",
        MessageId::Authorising => "Authorising, please wait",
        MessageId::TryAnotherCard => "Try another card",
        MessageId::InsertCard => "Insert card",
        MessageId::ClearDisplay => "",
        MessageId::SeePhone => "See phone",
        MessageId::PresentCardAgain => "Present card or phone again",
    }
}

/// An approval's title and first detail line, worded by the CVM (Book A 7.1 CVM).
fn approval_words(cvm: Option<Cvm>) -> (&'static str, Vec<String>) {
    let (title, detail) = match cvm {
        Some(Cvm::Cdcvm) => ("Approved", "Verified on phone"),
        Some(Cvm::Signature) => (
            "Approved — please sign",
            "Ask the customer to sign the receipt",
        ),
        Some(Cvm::OnlinePin) => ("Approved", ONLINE_PIN),
        Some(Cvm::NoCvm) | None => ("Approved", "No verification needed"),
    };
    (title, vec![detail.to_string()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use emv_kernel::outcome::{Outcome, ReaderStatus, TraceEntry, UiRequest};

    fn result(status: OutcomeStatus, cvm: Option<Cvm>, ui: Option<MessageId>) -> TransactionResult {
        TransactionResult {
            outcome: Outcome {
                cvm,
                ui_on_outcome: ui.map(|message| UiRequest {
                    message,
                    status: ReaderStatus::NotReady,
                    hold: std::time::Duration::ZERO,
                }),
                ..Outcome::new(status)
            },
            tap_outcomes: vec![status],
            tap_parameter_sets: vec![],
            ui: vec![],
            data_record: None,
            trace: vec![exchange(Ok(vec![0x90, 0x00]))],
            decisions: vec![],
        }
    }

    fn exchange(response: Result<Vec<u8>, TransportError>) -> TraceEntry {
        TraceEntry {
            tap: 0,
            command: vec![0x00, 0xA4, 0x04, 0x00],
            response,
            elapsed: std::time::Duration::from_millis(3),
            notes: vec![],
        }
    }

    fn answer(approved: bool, code: &str) -> AuthorisationResponse {
        AuthorisationResponse {
            approved,
            auth_code: if approved {
                "A1B2C3".into()
            } else {
                String::new()
            },
            response_code: code.into(),
            arpc: None,
            reason: if approved {
                "approved"
            } else {
                "do not honour"
            }
            .into(),
            cryptogram_verified: true,
        }
    }

    fn decide(r: &TransactionResult, host: Option<&AuthorisationResponse>) -> Verdict {
        Verdict::decide(r, host, false)
    }

    #[test]
    fn approvals_are_worded_by_cvm() {
        let v = decide(
            &result(OutcomeStatus::Approved, Some(Cvm::Cdcvm), None),
            None,
        );
        assert_eq!(
            (v.ending, v.tone(), v.title.as_str()),
            (Ending::Approved, Tone::Good, "Approved")
        );
        assert_eq!(v.detail, ["Verified on phone"]);
        assert_eq!((v.decider, v.receipt), (Some(Decider::Card), true));
        let sign = decide(
            &result(OutcomeStatus::Approved, Some(Cvm::Signature), None),
            None,
        );
        assert_eq!(sign.title, "Approved — please sign");
        let pin = result(OutcomeStatus::OnlineRequest, Some(Cvm::OnlinePin), None);
        let v = decide(&pin, Some(&answer(true, "00")));
        assert!(v.approved());
        assert!(v.detail[0].contains("not supported here"));
        let v = decide(&pin, Some(&answer(false, "05")));
        assert_eq!(v.ending, Ending::Declined);
        assert!(v.detail.iter().any(|d| d.contains("not supported here")));
    }

    #[test]
    fn online_requests_follow_the_host_or_its_stand_in() {
        let online = result(OutcomeStatus::OnlineRequest, Some(Cvm::NoCvm), None);
        let v = decide(&online, Some(&answer(true, "00")));
        assert_eq!(
            (v.ending, v.decider),
            (Ending::Approved, Some(Decider::Host))
        );
        assert!(v.detail.iter().any(|d| d.contains("A1B2C3")));
        let v = decide(&online, Some(&answer(false, "Z3")));
        assert_eq!(
            (v.ending, v.decider),
            (Ending::Declined, Some(Decider::StandIn))
        );
        assert_eq!(
            v.reason,
            Reason::Host {
                response_code: "Z3".into(),
                text: "do not honour".into()
            }
        );
        let v = decide(&online, None);
        assert_eq!(
            (v.ending, v.reason.clone(), v.receipt),
            (Ending::ProcessingError, Reason::NoHost, false)
        );
        // A decision by the card or host wins over a late Cancel.
        let v = Verdict::decide(&online, Some(&answer(true, "00")), true);
        assert!(v.approved());
    }

    #[test]
    fn other_outcomes_follow_the_ui_request() {
        let cases = [
            (OutcomeStatus::Declined, None, Ending::Declined),
            (
                OutcomeStatus::TryAnotherInterface,
                Some(MessageId::InsertOrSwipe),
                Ending::InsertOrSwipe,
            ),
            (
                OutcomeStatus::TryAnotherInterface,
                None,
                Ending::TryAnotherCard,
            ),
            (
                OutcomeStatus::EndApplication,
                Some(MessageId::SeePhone),
                Ending::SeePhone,
            ),
            (
                OutcomeStatus::EndApplication,
                Some(MessageId::RemoveCard),
                Ending::RemoveCard,
            ),
            (
                OutcomeStatus::EndApplication,
                Some(MessageId::TryAnotherCard),
                Ending::TryAnotherCard,
            ),
            (OutcomeStatus::EndApplication, None, Ending::ProcessingError),
        ];
        for (status, ui, want) in cases {
            let v = decide(&result(status, None, ui), None);
            assert_eq!(v.ending, want, "{status:?} {ui:?}");
            assert!(!v.approved());
        }
        let ended = decide(&result(OutcomeStatus::EndApplication, None, None), None);
        assert_eq!(ended.reason, Reason::CardEnded);
    }

    #[test]
    fn cancellation_and_reader_errors_are_told_apart() {
        let ended = result(OutcomeStatus::EndApplication, None, None);
        let v = Verdict::decide(&ended, None, true);
        assert_eq!(
            (v.ending, v.tone(), v.receipt),
            (Ending::Cancelled, Tone::Neutral, false)
        );
        assert_eq!(v.ending.name(), "cancelled");
        let mut cut = ended.clone();
        cut.trace.push(exchange(Err(TransportError::Cancelled)));
        assert_eq!(decide(&cut, None).ending, Ending::Cancelled);
        let mut broken = ended.clone();
        broken
            .trace
            .push(exchange(Err(TransportError::Reader("unplugged".into()))));
        let v = decide(&broken, None);
        assert_eq!(v.ending, Ending::ProcessingError);
        assert_eq!(
            v.reason,
            Reason::Reader(TransportError::Reader("unplugged".into()))
        );
        assert_eq!(v.detail, ["Reader: reader error: unplugged"]);
        let mut none = ended;
        none.trace.clear();
        let v = decide(&none, None);
        assert_eq!(
            (v.ending, v.summary().as_str()),
            (Ending::NoCard, "No card: No card or phone was presented")
        );
    }
}

//! What the cashier reads: Book A user interface messages in words, and the full-screen
//! banner an outcome becomes (Book A 7.1 Outcome, 9.4 standard messages).

use emv_kernel::outcome::{Cvm, MessageId, OutcomeStatus, TransactionResult};
use emv_kernel::transport::TransportError;

use crate::checkout::TimedExchange;
use crate::host::AuthorisationResponse;

/// How a banner is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Approved: green.
    Good,
    /// Declined, not completed: red.
    Bad,
    /// The customer must act (see phone, another card): amber.
    Attention,
    /// Cancelled, informational: grey.
    Neutral,
}

/// A full-screen outcome banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    /// Colour.
    pub tone: Tone,
    /// The one big word or phrase ("Approved").
    pub title: String,
    /// Smaller lines under it.
    pub detail: Vec<String>,
}

impl Banner {
    fn new(tone: Tone, title: &str, detail: &[&str]) -> Banner {
        Banner {
            tone,
            title: title.to_string(),
            detail: detail.iter().map(|s| s.to_string()).collect(),
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

/// The transaction type in words.
pub fn kind_text(kind: emv_kernel::config::TransactionType) -> &'static str {
    use emv_kernel::config::TransactionType;
    match kind {
        TransactionType::Purchase => "Purchase",
        TransactionType::Refund => "Refund",
        TransactionType::Cash => "Cash",
        TransactionType::Cashback => "Cashback",
    }
}

/// Said when the card asks for an online PIN: there is no PIN pad, so the request goes to
/// the issuer without one and its answer stands.
const ONLINE_PIN: &str = "Online PIN asked for, not supported here (no PIN pad): sent without PIN";

/// The banner for an approval, worded by the CVM the outcome asks for (Book A 7.1 CVM).
fn approved(cvm: Option<Cvm>, online: Option<&str>) -> Banner {
    let online = online.filter(|code| !code.is_empty());
    let mut banner = match cvm {
        Some(Cvm::Cdcvm) => Banner::new(Tone::Good, "Approved", &["Verified on phone"]),
        Some(Cvm::Signature) => Banner::new(
            Tone::Good,
            "Approved — please sign",
            &["Ask the customer to sign the receipt"],
        ),
        Some(Cvm::OnlinePin) => Banner::new(Tone::Good, "Approved", &[ONLINE_PIN]),
        Some(Cvm::NoCvm) | None => Banner::new(Tone::Good, "Approved", &["No verification needed"]),
    };
    if let Some(code) = online {
        banner
            .detail
            .push(format!("Authorised online, code {code}"));
    }
    banner
}

/// The banner for a finished transaction: the kernel's outcome, the host's answer to an
/// Online Request, and whether the cashier pressed Cancel (which only wins when the card had
/// not already produced a decision).
pub fn outcome_banner(
    result: &TransactionResult,
    exchanges: &[TimedExchange],
    host: Option<&AuthorisationResponse>,
    cancelled: bool,
) -> Banner {
    let outcome = &result.outcome;
    let decided = matches!(
        outcome.status,
        OutcomeStatus::Approved | OutcomeStatus::Declined | OutcomeStatus::OnlineRequest
    );
    let transport_cancelled = exchanges
        .iter()
        .any(|e| e.response == Err(TransportError::Cancelled));
    if !decided && (cancelled || transport_cancelled) {
        return Banner::new(Tone::Neutral, "Cancelled", &["No money was taken"]);
    }
    let shown = outcome.ui_on_outcome.map(|u| u.message);
    match outcome.status {
        OutcomeStatus::Approved => approved(outcome.cvm, None),
        OutcomeStatus::OnlineRequest => match host {
            Some(answer) if answer.approved => approved(outcome.cvm, Some(&answer.auth_code)),
            Some(answer) => {
                let mut detail = vec![
                    answer.reason.clone(),
                    format!("Response code {}", answer.response_code),
                ];
                if outcome.cvm == Some(Cvm::OnlinePin) {
                    detail.push(ONLINE_PIN.into());
                }
                Banner {
                    tone: Tone::Bad,
                    title: "Declined".into(),
                    detail,
                }
            }
            None => Banner::new(
                Tone::Bad,
                "Processing error",
                &["No authorisation host answered"],
            ),
        },
        OutcomeStatus::Declined => Banner::new(Tone::Bad, "Declined", &["Declined by the card"]),
        OutcomeStatus::TryAnotherInterface => match shown {
            Some(MessageId::InsertOrSwipe) | Some(MessageId::InsertCard) => Banner::new(
                Tone::Attention,
                "Insert or swipe",
                &["This card cannot pay contactless here"],
            ),
            _ => Banner::new(
                Tone::Attention,
                "Try another card",
                &["This card or phone cannot be used contactless here"],
            ),
        },
        OutcomeStatus::EndApplication | OutcomeStatus::SelectNext | OutcomeStatus::TryAgain => {
            match shown {
                Some(MessageId::SeePhone) => Banner::new(
                    Tone::Attention,
                    "See phone",
                    &["The phone needs the customer: no second tap came"],
                ),
                Some(MessageId::RemoveCard) | Some(MessageId::CardReadOk) => {
                    Banner::new(Tone::Attention, "Remove card", &[])
                }
                Some(MessageId::TryAnotherCard) => {
                    Banner::new(Tone::Attention, "Try another card", &[])
                }
                Some(MessageId::PresentOneCardOnly) => {
                    Banner::new(Tone::Attention, "Present one card only", &[])
                }
                Some(MessageId::InsertOrSwipe) | Some(MessageId::InsertCard) => {
                    Banner::new(Tone::Attention, "Insert or swipe", &[])
                }
                _ => {
                    let mut banner = Banner::new(Tone::Bad, "Processing error", &[]);
                    if let Some(error) = exchanges
                        .iter()
                        .rev()
                        .find_map(|e| e.response.as_ref().err())
                    {
                        banner.detail.push(format!("Reader: {error}"));
                    } else {
                        banner
                            .detail
                            .push("The card or phone ended the transaction".into());
                    }
                    banner
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emv_kernel::outcome::{Outcome, ReaderStatus, UiRequest};

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
            trace: vec![],
            decisions: vec![],
        }
    }

    fn answer(approved: bool) -> AuthorisationResponse {
        AuthorisationResponse {
            approved,
            auth_code: if approved {
                "A1B2C3".into()
            } else {
                String::new()
            },
            response_code: if approved { "00" } else { "05" }.into(),
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

    fn title(
        r: &TransactionResult,
        host: Option<&AuthorisationResponse>,
        cancelled: bool,
    ) -> String {
        outcome_banner(r, &[], host, cancelled).title
    }

    #[test]
    fn approvals_are_worded_by_cvm() {
        let b = outcome_banner(
            &result(OutcomeStatus::Approved, Some(Cvm::Cdcvm), None),
            &[],
            None,
            false,
        );
        assert_eq!((b.title.as_str(), b.tone), ("Approved", Tone::Good));
        assert_eq!(b.detail, ["Verified on phone"]);
        let sign = result(OutcomeStatus::Approved, Some(Cvm::Signature), None);
        assert_eq!(title(&sign, None, false), "Approved — please sign");
        let pin = result(OutcomeStatus::OnlineRequest, Some(Cvm::OnlinePin), None);
        let b = outcome_banner(&pin, &[], Some(&answer(true)), false);
        assert_eq!((b.title.as_str(), b.tone), ("Approved", Tone::Good));
        assert!(b.detail[0].contains("not supported here"));
        let b = outcome_banner(&pin, &[], Some(&answer(false)), false);
        assert_eq!(b.title, "Declined");
        assert!(b.detail.iter().any(|d| d.contains("not supported here")));
    }

    #[test]
    fn online_requests_follow_the_host() {
        let online = result(OutcomeStatus::OnlineRequest, Some(Cvm::NoCvm), None);
        let b = outcome_banner(&online, &[], Some(&answer(true)), false);
        assert_eq!(b.title, "Approved");
        assert!(b.detail.iter().any(|d| d.contains("A1B2C3")));
        assert_eq!(title(&online, Some(&answer(false)), false), "Declined");
        assert_eq!(title(&online, None, false), "Processing error");
        // A decision by the card or host wins over a late Cancel.
        assert_eq!(title(&online, Some(&answer(true)), true), "Approved");
    }

    #[test]
    fn other_outcomes_follow_the_ui_request() {
        let cases = [
            (OutcomeStatus::Declined, None, "Declined"),
            (
                OutcomeStatus::TryAnotherInterface,
                Some(MessageId::InsertOrSwipe),
                "Insert or swipe",
            ),
            (OutcomeStatus::TryAnotherInterface, None, "Try another card"),
            (
                OutcomeStatus::EndApplication,
                Some(MessageId::SeePhone),
                "See phone",
            ),
            (
                OutcomeStatus::EndApplication,
                Some(MessageId::RemoveCard),
                "Remove card",
            ),
            (
                OutcomeStatus::EndApplication,
                Some(MessageId::TryAnotherCard),
                "Try another card",
            ),
            (OutcomeStatus::EndApplication, None, "Processing error"),
        ];
        for (status, ui, want) in cases {
            assert_eq!(
                title(&result(status, None, ui), None, false),
                want,
                "{status:?} {ui:?}"
            );
        }
        let ended = result(OutcomeStatus::EndApplication, None, None);
        assert_eq!(title(&ended, None, true), "Cancelled");
    }
}

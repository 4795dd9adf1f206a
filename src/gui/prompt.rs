//! What the reader shows while a transaction runs: the Book A message and status lights the
//! kernel asked for last, each held for its hold time (Book A 9.2), so a short-lived prompt
//! ("Present one card only") is read before the next one replaces it.

use std::time::Instant;

use emv_kernel::outcome::{MessageId, ReaderStatus, UiRequest};

/// The message and lights on screen, and the request waiting for the hold to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    message: MessageId,
    status: ReaderStatus,
    held_until: Option<Instant>,
    queued: Option<UiRequest>,
}

impl Default for Prompt {
    /// A transaction starts by asking for the card (Book A 9.4, "Present card").
    fn default() -> Prompt {
        Prompt {
            message: MessageId::PresentCard,
            status: ReaderStatus::ReadyToRead,
            held_until: None,
            queued: None,
        }
    }
}

impl Prompt {
    /// The message shown.
    pub fn message(&self) -> MessageId {
        self.message
    }

    /// The status lights shown.
    pub fn status(&self) -> ReaderStatus {
        self.status
    }

    /// Whether a request waits behind a held one (the hold timer must tick).
    pub fn is_holding(&self) -> bool {
        self.queued.is_some()
    }

    /// The kernel asks to show `request`: now, or once the message held ends (the latest
    /// request wins).
    pub fn request(&mut self, request: UiRequest) {
        if self.held_until.is_some_and(|until| Instant::now() < until) {
            self.queued = Some(request);
        } else {
            self.show(request);
        }
    }

    /// The hold timer ticked: once the hold is over, the queued request shows.
    pub fn tick(&mut self) {
        if self.held_until.is_some_and(|until| Instant::now() < until) {
            return;
        }
        self.held_until = None;
        if let Some(request) = self.queued.take() {
            self.show(request);
        }
    }

    /// A card or phone entered the field: processing, whatever was held (Book A 9.4
    /// "Processing", the card must be held still).
    pub fn card_detected(&mut self) {
        self.held_until = None;
        self.queued = None;
        self.status = ReaderStatus::Processing;
        self.message = MessageId::Processing;
    }

    fn show(&mut self, request: UiRequest) {
        // "See phone" stays up until the phone comes back: the "present card" that Entry
        // Point shows for the restart (Book A 9.4) would hide what to do.
        let keep_see_phone = self.message == MessageId::SeePhone
            && matches!(
                request.message,
                MessageId::PresentCard | MessageId::PresentCardAgain
            );
        if request.message != MessageId::ClearDisplay && !keep_see_phone {
            self.message = request.message;
        }
        self.status = request.status;
        self.held_until = (!request.hold.is_zero()).then(|| Instant::now() + request.hold);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ui(message: MessageId, status: ReaderStatus, ms: u64) -> UiRequest {
        UiRequest {
            message,
            status,
            hold: Duration::from_millis(ms),
        }
    }

    #[test]
    fn a_held_message_stays_for_its_hold_time() {
        let mut p = Prompt::default();
        p.request(ui(
            MessageId::PresentOneCardOnly,
            ReaderStatus::ProcessingError,
            150,
        ));
        p.request(ui(
            MessageId::PresentCardAgain,
            ReaderStatus::ReadyToRead,
            0,
        ));
        assert!(p.is_holding());
        p.tick();
        assert_eq!(p.message(), MessageId::PresentOneCardOnly);
        assert_eq!(p.status(), ReaderStatus::ProcessingError);
        std::thread::sleep(Duration::from_millis(200));
        p.tick();
        assert_eq!(p.message(), MessageId::PresentCardAgain);
        assert_eq!(p.status(), ReaderStatus::ReadyToRead);
        assert!(!p.is_holding());
    }

    #[test]
    fn see_phone_is_not_hidden_by_the_restart_prompt() {
        let mut p = Prompt::default();
        p.request(ui(MessageId::SeePhone, ReaderStatus::NotReady, 0));
        p.request(ui(MessageId::PresentCard, ReaderStatus::ReadyToRead, 0));
        assert_eq!(p.message(), MessageId::SeePhone);
        assert_eq!(p.status(), ReaderStatus::ReadyToRead);
        p.card_detected();
        assert_eq!(p.message(), MessageId::Processing);
    }
}

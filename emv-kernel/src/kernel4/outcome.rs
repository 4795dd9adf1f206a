//! C-4 outcomes of the GENERATE AC response: TC → Approved, ARQC → Online Request (with
//! "card read OK, remove card" at a delayed authorisation terminal, which goes online after
//! the card has left), AAC → Declined, or End Application for a refund; and the mobile
//! device's second tap: an AAC from a phone whose verification failed or is blocked, or
//! that did not verify the cardholder where the terminal required a CVM, means "See phone"
//! and tap again.

use crate::config::TransactionType;
use crate::cryptogram::Cryptogram;
use crate::outcome::{Cvm, MessageId, OutcomeStatus};
use crate::qualifiers::EnhancedContactlessReaderCapabilities as Ecrc;
use crate::session::{self, KernelResult};

use super::Kernel4;

impl Kernel4<'_, '_, '_> {
    /// The outcome of a valid response.
    pub(super) fn outcome(&mut self, returned: Cryptogram) -> KernelResult {
        let tvr = hex::encode_upper(self.ctx.tvr.0);
        let (status, message) = match returned {
            Cryptogram::Aac if self.phone_asks_for_cvm() => {
                self.ctx.decide(
                    "kernel 4: AAC from a phone that has not verified the cardholder (9F71) → See phone, Try Again (C-4 Mobile CVM, docs/kernels/c4.md R11)",
                );
                return session::see_phone().into();
            }
            Cryptogram::Tc if self.ctx.outcome.cvm == Some(Cvm::Signature) => {
                (OutcomeStatus::Approved, MessageId::ApprovedSign)
            }
            Cryptogram::Tc => (OutcomeStatus::Approved, MessageId::Approved),
            Cryptogram::Arqc if self.enhanced.has(Ecrc::DELAYED_AUTHORISATION) => {
                (OutcomeStatus::OnlineRequest, MessageId::CardReadOk)
            }
            Cryptogram::Arqc => (OutcomeStatus::OnlineRequest, MessageId::Authorising),
            Cryptogram::Aac if self.ctx.session.transaction.kind == TransactionType::Refund => {
                (OutcomeStatus::EndApplication, MessageId::ClearDisplay)
            }
            Cryptogram::Aac => (OutcomeStatus::Declined, MessageId::NotAuthorised),
        };
        self.ctx.decide(format!(
            "kernel 4: {returned} → {} (TVR {tvr}, C-4 outcome)",
            status.name()
        ));
        let mut done = self.ctx.finish(status, message);
        if status == OutcomeStatus::EndApplication {
            done.outcome.cvm = None;
        }
        done
    }

    /// A phone's Mobile CVM Results say its verification failed or is blocked, or that it
    /// did not verify the cardholder where the terminal required a CVM for this amount.
    fn phone_asks_for_cvm(&self) -> bool {
        let required = self.ctx.limits.cvm_required_limit_exceeded;
        self.mobile_cvm_results()
            .is_some_and(|m| m.failed_or_blocked() || (required && !m.verified()))
    }
}

//! C-3 5.8 and 5.9: the indicators become the outcome, with the data record. Online
//! Request when Online Required by Reader is set and Decline Required by Reader is not
//! (5.8.1.1), Approved when neither is set (5.9.1.1), Declined otherwise (5.9.1.2).

use super::Quick;
use crate::outcome::{Cvm, MessageId, OutcomeStatus};
use crate::session::KernelResult;

impl Quick<'_, '_, '_> {
    /// C-3 5.8.1.1, 5.9.1.1, 5.9.1.2. An offline-only reader cannot send anything online,
    /// so there Online Required declines: decided without a C-3 source (neither public
    /// implementation handles it), the TTQ bit saying only that the reader is offline-only.
    pub(crate) fn outcome(&mut self) -> KernelResult {
        let (status, rule) = if self.reader.decline_required {
            (OutcomeStatus::Declined, "C-3 5.9.1.2")
        } else if self.reader.online_required && self.ttq.is_offline_only() {
            (
                OutcomeStatus::Declined,
                "Online Required on an offline-only reader",
            )
        } else if self.reader.online_required {
            (OutcomeStatus::OnlineRequest, "C-3 5.8.1.1")
        } else {
            (OutcomeStatus::Approved, "C-3 5.9.1.1")
        };
        self.ctx
            .decide(format!("decision: {} ({rule})", status.name()));
        let message = match (status, self.ctx.outcome.cvm) {
            (OutcomeStatus::Approved, Some(Cvm::Signature)) => MessageId::ApprovedSign,
            (OutcomeStatus::Approved, _) => MessageId::Approved,
            (OutcomeStatus::OnlineRequest, _) => MessageId::Authorising,
            _ => MessageId::NotAuthorised,
        };
        let tvr = self.ctx.tvr;
        self.ctx.decide(format!(
            "TVR {} {:?}",
            hex::encode_upper(tvr.0),
            tvr.describe()
        ));
        self.ctx.finish(status, message)
    }
}

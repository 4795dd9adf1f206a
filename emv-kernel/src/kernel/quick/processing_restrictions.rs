//! C-3 5.5, Processing Restrictions, on the way to an offline approval only (neither
//! indicator set, so the card returned a TC): the application's expiry (5.5.1.1). The
//! optional checks 5.5.1.2–5.5.1.5 are not implemented (see the module list).

use super::Quick;
use crate::session;
use crate::tags;
use crate::tvr::TvrBit;

impl Quick<'_, '_, '_> {
    /// C-3 5.5.1.1: an application that has expired, or whose Application Expiration Date
    /// (5F24) is absent or not a date, goes online when the CTQ says "Go Online if
    /// Application Expired" and is declined otherwise. Both public Kernel 3
    /// implementations treat an absent 5F24 as expired, and C-3 5.4.2.1 does not list it
    /// as mandatory, so its absence is no reason to end the application.
    pub(crate) fn processing_restrictions(&mut self) {
        let expiry = self
            .ctx
            .card
            .get(tags::APPLICATION_EXPIRATION_DATE)
            .map(session::bcd_date);
        let today = session::transaction_date(self.ctx.session.transaction);
        let why = match expiry {
            Some(Some(date)) if date >= today => return,
            Some(Some(_)) => "the application has expired",
            Some(None) => "the Application Expiration Date (5F24) is not a date",
            None => "the card gave no Application Expiration Date (5F24)",
        };
        self.ctx.tvr.set(TvrBit::EXPIRED);
        let name = self.name;
        if self.ctq().is_some_and(|c| c.online_if_expired()) {
            self.reader.online_required = true;
            self.ctx.decide(format!(
                "{name}: {why}; the CTQ says go online → Online Required by Reader (C-3 5.5.1.1)"
            ));
        } else {
            self.reader.decline_required = true;
            self.ctx.decide(format!(
                "{name}: {why} → Decline Required by Reader (C-3 5.5.1.1)"
            ));
        }
    }
}

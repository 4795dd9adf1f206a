//! C-2 7.5 CVM Selection: on device cardholder verification when both the card and the
//! kernel support it (CVM.1–CVM.4), otherwise Book 3 10.5 on the card's CVM List
//! (CVM.5–CVM.25, [`crate::book3::cvm`]).

use crate::book3;
use crate::cvm::{self, CvmContext, CvmSelection};
use crate::outcome::Cvm;
use crate::session;
use crate::tags;
use crate::tvr::Tsi;

use super::Kernel2;

impl Kernel2<'_, '_, '_> {
    /// CVM Selection: sets the CVM Results (9F34), the outcome's CVM and the TSI.
    pub(super) fn cvm_selection(&mut self) {
        let aip = self.ctx.aip();
        let selection = if aip.on_device_cvm_supported()
            && self.kernel_configuration().on_device_cvm_supported()
        {
            // CVM.2–CVM.4: above the CVM Required Limit the phone verified the cardholder.
            let selection = if self.ctx.limits.cvm_required_limit_exceeded {
                CvmSelection {
                    cvm: Cvm::Cdcvm,
                    results: cvm::CDCVM_RESULTS,
                }
            } else {
                CvmSelection {
                    cvm: Cvm::NoCvm,
                    results: cvm::NO_CVM_ODCVM,
                }
            };
            if selection.cvm != Cvm::NoCvm {
                self.ctx.tsi.set(Tsi::CVM_PERFORMED);
            }
            selection
        } else {
            let context = self.cvm_context();
            book3::cvm::cardholder_verification(
                aip,
                self.ctx.card.get(tags::CVM_LIST),
                &context,
                &mut self.ctx.tvr,
                &mut self.ctx.tsi,
            )
        };
        self.ctx
            .own
            .insert(tags::CVM_RESULTS, selection.results.to_vec());
        self.ctx.outcome.cvm = Some(selection.cvm);
        self.ctx.decide(format!(
            "CVM: {} (CVM Results {}, C-2 7.5)",
            selection.cvm.name(),
            hex::encode_upper(selection.results)
        ));
    }

    /// What the CVM List's conditions are evaluated against (Book 3 Annex C3).
    fn cvm_context(&self) -> CvmContext {
        let transaction = self.ctx.session.transaction;
        CvmContext {
            amount: transaction.amount,
            same_currency: self
                .ctx
                .card
                .get(tags::APPLICATION_CURRENCY_CODE)
                .is_some_and(|c| c == session::currency_bcd(transaction.currency)),
            kind: transaction.kind,
            // Terminal types x4–x6 are unattended (Book 4 Annex A1).
            unattended: (4..=6).contains(&(self.terminal_type() & 0x0F)),
            capability: self
                .ctx
                .own
                .get(&tags::TERMINAL_CAPABILITIES)
                .and_then(|c| c.get(1).copied())
                .unwrap_or(0),
        }
    }
}

//! C-2 7.5 CVM Selection: on device cardholder verification when both the card and the
//! kernel support it (CVM.1–CVM.4), otherwise Book 3 10.5 on the card's CVM List
//! (CVM.5–CVM.25, [`crate::book3::cvm`]).

use crate::cvm::{self, CvmSelection};
use crate::outcome::Cvm;
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
            let capability = self
                .ctx
                .own
                .get(&tags::TERMINAL_CAPABILITIES)
                .and_then(|c| c.get(1).copied())
                .unwrap_or(0);
            self.ctx.cvm_list(capability)
        };
        self.ctx.cvm_selected(selection, "C-2 7.5");
    }
}

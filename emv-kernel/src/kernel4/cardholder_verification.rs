//! C-4 Cardholder Verification: a mobile device that sends Mobile CVM Results (9F71) has
//! verified the cardholder itself, or not; any other card's CVM List is processed as Book
//! 3 10.5 says, against the CVMs the Enhanced Contactless Reader Capabilities (9F6E byte
//! 2) offer where a CVM is required; below the Reader CVM Required Limit only "No CVM",
//! above it "No CVM" only at a terminal exempt from No CVM checks (9F6E byte 4 b8).

use crate::cvm::{self, CvmSelection};
use crate::outcome::Cvm;
use crate::qualifiers::{EnhancedContactlessReaderCapabilities as Ecrc, MobileCvmResults};
use crate::tags;
use crate::tvr::{Tsi, TvrBit};

use super::Kernel4;

/// Mobile CVM (9F71) as the CVM of the transaction: a cardholder the phone verified is
/// CDCVM ("confirmation code verified", CVM Results 010002 as C-2 codes it); a phone that
/// did not verify where the terminal requires a CVM has no CVM that succeeded (TVR "CVM
/// not successful"); below the limit no CVM is needed (3F0002). Decided from the 9F71
/// table and C-2's coding of on-device CVM; docs/kernels/c4.md.
pub(super) fn mobile_cvm(results: MobileCvmResults, cvm_required: bool) -> CvmSelection {
    if results.verified() {
        CvmSelection {
            cvm: Cvm::Cdcvm,
            results: cvm::CDCVM_RESULTS,
        }
    } else if cvm_required {
        CvmSelection {
            cvm: Cvm::NoCvm,
            results: cvm::CVM_FAILED,
        }
    } else {
        CvmSelection {
            cvm: Cvm::NoCvm,
            results: cvm::NO_CVM_ODCVM,
        }
    }
}

impl Kernel4<'_, '_, '_> {
    /// The Mobile CVM Results of a mobile device, when it sent well-formed ones.
    pub(super) fn mobile_cvm_results(&self) -> Option<MobileCvmResults> {
        self.ctx
            .card
            .get(tags::MOBILE_CVM_RESULTS)
            .and_then(MobileCvmResults::from_value)
    }

    /// Selects the CVM: the outcome's CVM, the CVM Results (9F34), the TVR and TSI bits.
    pub(super) fn cardholder_verification(&mut self) {
        let cvm_required = self.ctx.limits.cvm_required_limit_exceeded;
        let mobile = self
            .mobile_cvm_results()
            .filter(|_| self.enhanced.has(Ecrc::MOBILE_CVM));
        let selection = match mobile {
            Some(results) => {
                let selection = mobile_cvm(results, cvm_required);
                if selection.results == cvm::CVM_FAILED {
                    self.ctx.tvr.set(TvrBit::CVM_NOT_SUCCESSFUL);
                }
                if selection.cvm != Cvm::NoCvm {
                    self.ctx.tsi.set(Tsi::CVM_PERFORMED);
                }
                selection
            }
            None => self
                .ctx
                .cvm_list(self.enhanced.cvm_capability(cvm_required)),
        };
        let rule = if mobile.is_some() {
            "C-4 Cardholder Verification, Mobile CVM Results 9F71"
        } else {
            "C-4 Cardholder Verification, CVM List, Book 3 10.5"
        };
        self.ctx.cvm_selected(selection, rule);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_cvm_by_result_and_limit() {
        let verified = MobileCvmResults([0x01, 0x03, 0x02]);
        assert_eq!(mobile_cvm(verified, true).cvm, Cvm::Cdcvm);
        assert_eq!(mobile_cvm(verified, false).results, [0x01, 0x00, 0x02]);
        let locked = MobileCvmResults([0x3F, 0x03, 0x01]);
        assert_eq!(mobile_cvm(locked, true).results, cvm::CVM_FAILED);
        assert_eq!(mobile_cvm(locked, false).results, cvm::NO_CVM_ODCVM);
    }
}

//! C-2 7.6 Prepare GENERATE AC Command, without data storage (GAC.20–GAC.29): whether to
//! ask for a CDA signature, the AAC a card with on device cardholder verification gets when
//! CDA is not possible, and the command with the CDOL1 related data.

use crate::cryptogram::Cryptogram;
use crate::kernel::KernelError;
use crate::qualifiers::NamedBit;
use crate::session::KernelResult;
use crate::tags;
use crate::tvr::TvrBit;

use super::Kernel2;

/// Application Capabilities Information (9F5D, C-2 Annex A) byte 2 b1: CDA supported over
/// TC, ARQC and AAC.
const CDA_OVER_AAC: NamedBit = NamedBit::new(2, 1, "CDA supported over TC, ARQC and AAC");

impl Kernel2<'_, '_, '_> {
    /// GAC.20–GAC.29, then S9.
    pub(super) fn prepare_generate_ac(&mut self) -> Result<KernelResult, KernelError> {
        // GAC.20, GAC.21: CDA is possible when ODA Status is CDA and it has not failed.
        let cda_possible = self.oda_status_cda && !self.ctx.tvr.is_set(TvrBit::CDA_FAILED);
        let cda_requested = if cda_possible {
            // GAC.24, GAC.25: an AAC is signed only when the card says it can (9F5D).
            self.ac_type != Cryptogram::Aac
                || self
                    .ctx
                    .card
                    .get(tags::APPLICATION_CAPABILITIES_INFORMATION)
                    .is_some_and(|aci| CDA_OVER_AAC.is_set(aci))
        } else {
            // GAC.22, GAC.23: without CDA, a card that verifies the cardholder on the device
            // is only asked for an AAC.
            if self.ctx.aip().on_device_cvm_supported()
                && self.kernel_configuration().on_device_cvm_supported()
                && self.ac_type != Cryptogram::Aac
            {
                self.ac_type = Cryptogram::Aac;
                self.ctx.decide(
                    "kernel 2: CDA not possible on an on-device-CVM card → request AAC (C-2 GAC.22, GAC.23)",
                );
            }
            false
        };
        // GAC.26, GAC.29: the Reference Control Parameter and the CDOL1 related data.
        let cdol1 = self.ctx.require(tags::CDOL1)?.to_vec();
        let cdol1_data = self.ctx.build_dol(tags::CDOL1, &cdol1)?;
        let answer =
            self.ctx
                .generate_ac(self.ac_type, cda_requested, &cdol1_data, "C-2 GAC.29")?;
        self.s9_waiting_for_generate_ac_response_1(answer, cda_requested, &cdol1_data)
    }
}

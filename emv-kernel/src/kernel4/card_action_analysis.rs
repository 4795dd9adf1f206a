//! C-4 Card Action Analysis: for a mobile device the ATC first (GET DATA 9F36, as the
//! recorded ExpressPay mobile reader does), then the one GENERATE AC with the CDOL1 data
//! and the cryptogram terminal action analysis chose, CDA requested when selected; the
//! response is checked (Book 3 6.5.5.4, 9.2.1) and its CDA signature verified.

use crate::cryptogram::Cryptogram;
use crate::kernel::KernelError;
use crate::session::KernelResult;
use crate::tags;

use super::Kernel4;

impl Kernel4<'_, '_, '_> {
    /// GENERATE AC and its response, then the outcome.
    pub(super) fn card_action_analysis(
        &mut self,
        requested: Cryptogram,
    ) -> Result<KernelResult, KernelError> {
        let atc_before = self.mobile_atc()?;
        let cdol1 = self.ctx.require(tags::CDOL1)?.to_vec();
        let cdol1_data = self.ctx.build_dol(tags::CDOL1, &cdol1)?;
        // CDA over a TC or an ARQC; an AAC is asked for unsigned (decided: C-4's rule for
        // CDA over an AAC not at hand, docs/kernels/c4.md).
        let cda_requested = self.cda && requested != Cryptogram::Aac;
        let answer = self.ctx.generate_ac(
            requested,
            cda_requested,
            &cdol1_data,
            "C-4 Card Action Analysis",
        )?;
        let (returned, cid) = self.ctx.generate_ac_response(&answer, requested)?;
        self.ctx.decide(format!(
            "kernel 4: card returned {returned}, ATC {}{}",
            hex::encode_upper(self.ctx.card.get(tags::ATC).unwrap_or_default()),
            atc_before.map_or(String::new(), |a| format!(
                " (GET DATA gave {})",
                hex::encode_upper(a)
            ))
        ));
        if self.ctx.card.has(tags::SIGNED_DYNAMIC_APPLICATION_DATA) {
            self.verify_cda(cid, &cdol1_data, &answer.data)?;
        } else {
            self.ctx
                .unsigned_response(returned, requested, cda_requested)?;
        }
        Ok(self.outcome(returned))
    }

    /// A mobile device (one that sent Mobile CVM Results) is asked for its ATC with GET
    /// DATA before GENERATE AC, as the recorded ExpressPay mobile reader did (decided from
    /// that recording, docs/kernels/c4.md). An answer other than a 9F36 with 9000 is noted
    /// and ignored: the ATC comes again with the cryptogram.
    fn mobile_atc(&mut self) -> Result<Option<Vec<u8>>, KernelError> {
        if !self.ctx.card.has(tags::MOBILE_CVM_RESULTS) {
            return Ok(None);
        }
        let (atc, sw) = self.ctx.get_data(
            tags::ATC,
            "GET DATA ATC of the mobile device (C-4, as the recorded reader)",
        )?;
        if atc.is_none() {
            self.ctx.decide(format!(
                "kernel 4: GET DATA ATC answered {sw:04X} without an ATC: ignored"
            ));
        }
        Ok(atc)
    }
}

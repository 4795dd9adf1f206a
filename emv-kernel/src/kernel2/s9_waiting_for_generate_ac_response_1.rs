//! C-2 S9 Waiting for GENERATE AC Response 1: the status word (S9.17), the response in
//! format 1 or 2 (S9.18–S9.20), ATC and CID (S9.21, S9.22), the cryptogram type against the
//! request (S9.23, S9.24), "card read successfully" (S9.27), then S910 with or without the
//! Signed Dynamic Application Data (S9.28).

use crate::kernel::{CardAnswer, KernelError};
use crate::session::KernelResult;
use crate::tags;

use super::Kernel2;

impl Kernel2<'_, '_, '_> {
    /// S9 on RA (the GENERATE AC response).
    pub(super) fn s9_waiting_for_generate_ac_response_1(
        &mut self,
        answer: CardAnswer,
        cda_requested: bool,
        cdol1_data: &[u8],
    ) -> Result<KernelResult, KernelError> {
        // S9.17–S9.24: status 9000, format 1 or 2, ATC and CID, a type the request
        // allows; S9.26, S9.27: "card read successfully".
        let (returned, cid) = self.ctx.generate_ac_response(&answer, self.ac_type)?;
        self.ctx
            .decide(format!("kernel 2: card returned {returned} (C-2 S9.23)"));
        // S9.28: with the Signed Dynamic Application Data the response is CDA's.
        if self.ctx.card.has(tags::SIGNED_DYNAMIC_APPLICATION_DATA) {
            self.s910_1_cda(cid, cdol1_data, &answer.data)?;
        } else {
            // S910.30–S910.37.
            self.ctx
                .unsigned_response(returned, self.ac_type, cda_requested)?;
        }
        Ok(self.s910_70_valid_response(returned))
    }
}

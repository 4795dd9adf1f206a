//! C-2 S9 Waiting for GENERATE AC Response 1: the status word (S9.17), the response in
//! format 1 or 2 (S9.18–S9.20), ATC and CID (S9.21, S9.22), the cryptogram type against the
//! request (S9.23, S9.24), "card read successfully" (S9.27), then S910 with or without the
//! Signed Dynamic Application Data (S9.28).

use crate::book3::responses;
use crate::cryptogram::Cryptogram;
use crate::kernel::{CardAnswer, Command, KernelError};
use crate::outcome::{MessageId, ReaderStatus};
use crate::session::{KernelResult, ui};
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
        // S9.17: a status word other than 9000 is an invalid response (S910.50).
        if !answer.is_ok() {
            return Err(KernelError::StatusWord {
                command: Command::GenerateAc,
                sw: answer.sw,
            });
        }
        // S9.18–S9.20: format 1 or 2, every object new.
        responses::store_generate_ac_response(&mut self.ctx.card, &answer.data).map_err(
            |error| KernelError::Response {
                command: Command::GenerateAc,
                error,
            },
        )?;
        // S9.21, S9.22: ATC and CID are mandatory.
        self.ctx.require(tags::ATC)?;
        let cid = self
            .ctx
            .require(tags::CID)?
            .first()
            .copied()
            .unwrap_or(0xFF);
        // S9.23, S9.24: the card may return the type asked for or a lower one.
        let returned = Cryptogram::from_cid(cid).ok_or(KernelError::ReservedCryptogramType(cid))?;
        if !self.ac_type.allows(returned) {
            return Err(KernelError::CryptogramNotAllowed {
                requested: self.ac_type,
                returned,
            });
        }
        // S9.26, S9.27: the card's part is done.
        self.ctx.session.show(ui(
            MessageId::CardReadOk,
            ReaderStatus::CardReadSuccessfully,
        ));
        self.ctx
            .decide(format!("kernel 2: card returned {returned} (C-2 S9.23)"));
        // S9.28: with the Signed Dynamic Application Data the response is CDA's.
        if self.ctx.card.has(tags::SIGNED_DYNAMIC_APPLICATION_DATA) {
            self.s910_1_cda(cid, cdol1_data, &answer.data)?;
        } else {
            self.s910_30_no_cda(returned, cda_requested)?;
        }
        Ok(self.s910_70_valid_response(returned))
    }
}

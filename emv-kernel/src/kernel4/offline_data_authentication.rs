//! C-4 Offline Data Authentication: Kernel 4 authenticates the card with CDA only (Book 2
//! 6.6). Before GENERATE AC it selects CDA when the card's AIP and the terminal's
//! capabilities both support it and the data CDA needs is there; on the response it
//! verifies the signature, whose failure ends the application.

use crate::kernel::KernelError;
use crate::tags;
use crate::tvr::TvrBit;

use super::Kernel4;

/// Terminal Capabilities (9F33) byte 3 b4: CDA (Book 4 Annex A2).
const TERMINAL_CDA: u8 = 0x08;

impl Kernel4<'_, '_, '_> {
    /// Selects CDA, or records "ODA not performed" for a card or terminal without it
    /// (Book 3 10.3); a card that asks for CDA without the data it needs gets "ICC data
    /// missing" and "CDA failed" ([`crate::kernel::KernelContext::cda_data`]).
    pub(super) fn offline_data_authentication(&mut self) -> Result<(), KernelError> {
        let terminal_cda = self
            .ctx
            .terminal(tags::TERMINAL_CAPABILITIES)
            .and_then(|c| c.get(2))
            .is_some_and(|b| b & TERMINAL_CDA != 0);
        if !(self.ctx.aip().cda_supported() && terminal_cda) {
            self.ctx.tvr.set(TvrBit::ODA_NOT_PERFORMED);
            self.ctx
                .decide("ODA: CDA not supported by card or terminal: not performed (Book 3 10.3)");
            return Ok(());
        }
        self.static_data = self
            .ctx
            .cda_data(&self.records, "C-4 ODA, as C-2 S456.25")?;
        self.cda = !self.ctx.tvr.is_set(TvrBit::CDA_FAILED);
        Ok(())
    }

    /// CDA on the GENERATE AC response (Book 2 6.6.2): the AC is the one the signature
    /// carries; a failure ends the application with "CDA failed" in the TVR.
    pub(super) fn verify_cda(
        &mut self,
        cid: u8,
        cdol1_data: &[u8],
        response: &[u8],
    ) -> Result<(), KernelError> {
        let result = self.ctx.verify_cda(
            &self.pdol_data,
            cdol1_data,
            response,
            cid,
            &self.static_data,
        );
        self.ctx.cda_result(result, "C-4 ODA, Book 2 6.6.2")
    }
}

//! C-2 S4 Waiting for EMV Read Record Response: one READ RECORD per record of the Active
//! AFL, in order (S3R1.7, S4.14, S4.19–S4.23); a status word other than 9000 ends the
//! application (S4.9, S4.10), a record that is not one `70` template in SFI 1–10 too
//! (S4.24–S4.27); the records signed for ODA are kept for the static data (S4.11–S4.13,
//! S4.34, S4.35). [`crate::records::read_all`] is the loop; S456 follows.

use crate::kernel::KernelError;
use crate::records;
use crate::session::KernelResult;

use super::Kernel2;

impl Kernel2<'_, '_, '_> {
    /// S4 for every record of the Active AFL, then S456.
    pub(super) fn s4_waiting_for_emv_read_record_response(
        &mut self,
    ) -> Result<KernelResult, KernelError> {
        self.records = records::read_all(self.ctx.session, &self.active_afl, &mut self.ctx.card)?;
        self.s456_common_processing()
    }
}

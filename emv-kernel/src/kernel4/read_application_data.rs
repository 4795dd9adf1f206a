//! C-4 Read Application Data: one READ RECORD per record of the AFL, in order, keeping the
//! records signed for offline data authentication ([`crate::records::read_all`]: SFI 1–10,
//! one `70` template each, 9000 only, at most `MAX_RECORDS`).

use crate::kernel::KernelError;
use crate::records;
use crate::tags;

use super::Kernel4;

impl Kernel4<'_, '_, '_> {
    /// Reads every record the AFL lists; then the PAN, the expiry date and CDOL1 must be
    /// there and not empty (Book 3 7.2, as C-2 S456.16 checks them).
    pub(super) fn read_application_data(&mut self) -> Result<(), KernelError> {
        let afl = records::parse_afl(self.ctx.require(tags::AFL)?)?;
        self.records = records::read_all(self.ctx.session, &afl, &mut self.ctx.card)?;
        for tag in [tags::APPLICATION_EXPIRATION_DATE, tags::PAN, tags::CDOL1] {
            if self.ctx.card.get(tag).is_none_or(<[u8]>::is_empty) {
                return Err(KernelError::MissingData(tag));
            }
        }
        Ok(())
    }
}

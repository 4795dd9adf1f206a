//! C-3 5.3, Read Application Data: READ RECORD for every record the AFL lists; a card
//! without an AFL has given everything in the GPO response.

use super::{Quick, Step};
use crate::kernel::KernelError;
use crate::records;
use crate::tags;

impl Quick<'_, '_, '_> {
    /// C-3 5.3: reads the AFL's records into the card data and keeps those flagged for
    /// offline data authentication.
    pub(crate) fn read_application_data(&mut self) -> Step<()> {
        let Some(afl) = self.ctx.card.get(tags::AFL).map(<[u8]>::to_vec) else {
            let name = self.name;
            self.ctx
                .decide(format!("{name}: no AFL, no records to read"));
            return Ok(());
        };
        let entries = records::parse_afl(&afl).map_err(KernelError::from)?;
        self.records = records::read_all(self.ctx.session, &entries, &mut self.ctx.card)
            .map_err(KernelError::from)?;
        Ok(())
    }
}

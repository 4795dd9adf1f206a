//! C-3 5.3, Read Application Data: READ RECORD for every record the AFL lists; a card
//! without an AFL has given everything in the GPO response.

use super::{Kernel3, Step};
use crate::records::{self, ReadError};
use crate::session;

impl Kernel3<'_, '_, '_> {
    /// C-3 5.3: reads the AFL's records into the card data and keeps those flagged for
    /// offline data authentication.
    pub(super) fn read_application_data(&mut self) -> Step<()> {
        let Some(afl) = self.card.get(0x94).map(<[u8]>::to_vec) else {
            self.s.decide("kernel 3: no AFL, no records to read");
            return Ok(());
        };
        let read =
            records::parse_afl(&afl).and_then(|e| records::read_all(self.s, &e, &mut self.card));
        match read {
            Ok(r) => {
                self.records = r;
                Ok(())
            }
            Err(ReadError::Transport(e)) => {
                self.s.note(format!("communication error: {e}"));
                Err(session::transport_failure(&e).into())
            }
            Err(e) => Err(self.end(e.to_string())),
        }
    }
}

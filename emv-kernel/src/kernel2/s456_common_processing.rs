//! C-2 S456, the processing common to states 4, 5 and 6 once the last record is read: the
//! transaction limit (S456.14, S456.15), mandatory data (S456.16, S456.17), the data CDA
//! needs (S456.24–S456.28), processing restrictions and CVM selection (S456.35), the floor
//! limit (S456.36–S456.38) and terminal action analysis (S456.39), then GENERATE AC
//! (S456.45).

use crate::book3::action_analysis::ActionCodes;
use crate::kernel::KernelError;
use crate::outcome::{Outcome, OutcomeStatus, StartPoint};
use crate::session::{KernelResult, outcome};
use crate::tags;

use super::Kernel2;

impl Kernel2<'_, '_, '_> {
    /// S456 after the last READ RECORD, to the GENERATE AC command and S9.
    pub(super) fn s456_common_processing(&mut self) -> Result<KernelResult, KernelError> {
        // S456.14, S456.15: above the Reader Contactless Transaction Limit: Select Next.
        if let Some(limit) = self.ctx.limits.transaction
            && self.ctx.amount() > limit
        {
            self.ctx.decide(
                "kernel 2: amount above the reader contactless transaction limit → Select Next (C-2 S456.15)",
            );
            return Ok(Outcome {
                start: Some(StartPoint::C),
                ..outcome(OutcomeStatus::SelectNext)
            }
            .into());
        }
        // S456.16, S456.17: expiration date, PAN and CDOL1 present and not empty.
        for tag in [tags::APPLICATION_EXPIRATION_DATE, tags::PAN, tags::CDOL1] {
            if self.ctx.card.get(tag).is_none_or(<[u8]>::is_empty) {
                return Err(KernelError::MissingData(tag));
            }
        }
        // S456.24–S456.28 for ODA Status CDA: the data CDA needs, and the static data.
        if self.oda_status_cda {
            self.static_data = self.ctx.cda_data(&self.records, "C-2 S456.25")?;
        }
        // S456.35: processing restrictions (C-2 7.7, Book 3 10.4) and CVM selection (7.5).
        self.ctx.processing_restrictions();
        self.cvm_selection();
        // S456.36–S456.38: the Reader Contactless Floor Limit (DF8123, else Entry Point's).
        self.ctx.floor_limit_check();
        // S456.39: terminal action analysis (C-2 7.8).
        self.ac_type = self.terminal_action_analysis();
        // S456.45 (no PUT DATA, no torn transaction log): prepare GENERATE AC, then S9.
        self.prepare_generate_ac()
    }

    /// C-2 7.8 Terminal Action Analysis (TAA.1–TAA.18, Book 3 10.7) with the TACs
    /// DF8121/DF8122/DF8120, which take their Annex A default when absent.
    fn terminal_action_analysis(&mut self) -> crate::cryptogram::Cryptogram {
        let terminal = ActionCodes {
            denial: self.terminal_action_code(tags::TAC_DENIAL),
            online: self.terminal_action_code(tags::TAC_ONLINE),
            default: self.terminal_action_code(tags::TAC_DEFAULT),
        };
        self.ctx.terminal_action_analysis(&terminal, "C-2 7.8")
    }
}

//! Kernel activation and C-3 5.2, Initiate Application Processing: the check that the
//! selected Visa application is a qVSDC one (Book B 3.3.3.6), then GET PROCESSING
//! OPTIONS with the PDOL data and what its status words mean (C-3 5.2.2.2).

use super::{Exit, Quick, Step};
use crate::apdu;
use crate::dol;
use crate::kernel::{Command, KernelError};
use crate::outcome::{MessageId, Outcome, OutcomeStatus, ReaderStatus};
use crate::selection;
use crate::session::{outcome, ui};
use crate::tags;

/// Select Next at Start C: this candidate is dropped and Entry Point takes the next.
fn select_next() -> Exit {
    Exit::Outcome(crate::session::select_next().into())
}

impl Quick<'_, '_, '_> {
    /// Book B 3.3.3.6: Kernel 3 runs a Visa application only when its PDOL asks for the
    /// TTQ (9F66); without a PDOL, or with one that does not ask for it, the card is no
    /// qVSDC card and the book hands it to Kernel 1. tapterm has no Kernel 1, so the
    /// candidate is dropped with Select Next, which is where dcemv's Entry Point sends it
    /// when Kernel 1 is absent. An FCI or PDOL that does not parse is dropped the same way
    /// (as dcemv's Kernel 3 does on activation; we found no C-3 number for it). Returns
    /// the PDOL.
    pub(crate) fn qvsdc_pdol(&mut self) -> Step<Vec<u8>> {
        let name = self.name;
        let fci = selection::parse_fci(self.ctx.input.fci).map_err(|e| {
            self.ctx
                .decide(format!("{name}: FCI unusable ({e}): Select Next"));
            select_next()
        })?;
        let df_name = fci
            .df_name
            .unwrap_or_else(|| self.ctx.input.adf_name.to_vec());
        self.ctx.own.insert(tags::DF_NAME, df_name);
        let pdol = fci.pdol.unwrap_or_default();
        let entries = dol::parse(&pdol).map_err(|e| {
            self.ctx
                .decide(format!("{name}: PDOL malformed ({e}): Select Next"));
            select_next()
        })?;
        if !entries.iter().any(|e| e.tag == tags::TTQ) {
            self.ctx.decide(format!(
                "{name}: the PDOL does not ask for the TTQ (9F66): not a qVSDC card, \
                 and there is no Kernel 1 → Select Next (Book B 3.3.3.6)"
            ));
            return Err(select_next());
        }
        Ok(pdol)
    }

    /// C-3 5.2: GET PROCESSING OPTIONS with the PDOL data (the pre-processed TTQ among
    /// them), and the GPO status words of C-3 5.2.2.2.
    pub(crate) fn initiate_application_processing(&mut self, pdol: &[u8]) -> Step<()> {
        let data = self.ctx.build_dol(tags::PDOL, pdol)?;
        let command = Command::GetProcessingOptions;
        let answer = self.ctx.exchange(
            command,
            apdu::get_processing_options(&data),
            "GET PROCESSING OPTIONS with the PDOL data (C-3 5.2)",
        )?;
        if !answer.is_ok() {
            return Err(self.gpo_status(answer.sw));
        }
        self.ctx.store_gpo_response(&answer)?;
        Ok(())
    }

    /// C-3 5.2.2.2: 6986 asks the cardholder to look at the phone and tap again, 6984
    /// refuses contactless, 6985 sends Entry Point to the next candidate; any other status
    /// word ends the application.
    fn gpo_status(&mut self, sw: u16) -> Exit {
        let name = self.name;
        let session = &mut *self.ctx.session;
        match sw {
            0x6986 => {
                session.note("6986: the device asks the cardholder to act on it (See Phone)");
                session.decide(format!(
                    "{name}: GPO 6986 → Try Again at Start B with See Phone (C-3 5.2.2.2)"
                ));
                Exit::Outcome(crate::session::see_phone().into())
            }
            0x6984 => {
                session.note("6984: the card refuses contactless for this transaction");
                session.decide(format!(
                    "{name}: GPO 6984 → Try Another Interface (C-3 5.2.2.2)"
                ));
                Exit::Outcome(
                    Outcome {
                        ui_on_outcome: Some(ui(MessageId::TryAnotherCard, ReaderStatus::NotReady)),
                        ..outcome(OutcomeStatus::TryAnotherInterface)
                    }
                    .into(),
                )
            }
            0x6985 => {
                session.note("6985: conditions of use not satisfied");
                session.decide(format!("{name}: GPO 6985 → Select Next (C-3 5.2.2.2)"));
                select_next()
            }
            sw => Exit::Error(KernelError::StatusWord {
                command: Command::GetProcessingOptions,
                sw,
            }),
        }
    }
}

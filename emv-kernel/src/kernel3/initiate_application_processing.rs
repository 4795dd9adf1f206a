//! Kernel activation and C-3 5.2, Initiate Application Processing: the check that the
//! selected Visa application is a qVSDC one (Book B 3.3.3.6), then GET PROCESSING
//! OPTIONS with the PDOL data and what its status words mean (C-3 5.2.2.2).

use std::time::Duration;

use super::{Kernel3, Step};
use crate::apdu::{self, Response};
use crate::dol::{self, DolEntry};
use crate::outcome::{MessageId, Outcome, OutcomeStatus, ReaderStatus, StartPoint, UiRequest};
use crate::selection;
use crate::session::{self, KernelResult, outcome, ui};
use crate::tlv::Tag;

/// How long "See phone" stays before the reader polls again (Book A, 1.3 s; the hold
/// time `00000D` both public Kernel 3 implementations give it).
const SEE_PHONE_HOLD: Duration = Duration::from_millis(1300);

/// Select Next at Start C: this candidate is dropped and Entry Point takes the next.
fn select_next() -> KernelResult {
    Outcome {
        start: Some(StartPoint::C),
        ..outcome(OutcomeStatus::SelectNext)
    }
    .into()
}

impl Kernel3<'_, '_, '_> {
    /// Book B 3.3.3.6: Kernel 3 runs a Visa application only when its PDOL asks for the
    /// TTQ (9F66); without a PDOL, or with one that does not ask for it, the card is no
    /// qVSDC card and the book hands it to Kernel 1. tapterm has no Kernel 1, so the
    /// candidate is dropped with Select Next, which is where dcemv's Entry Point sends it
    /// when Kernel 1 is absent. An FCI or PDOL that does not parse is dropped the same way
    /// (as dcemv's Kernel 3 does on activation; we found no C-3 number for it).
    pub(super) fn qvsdc_pdol(&mut self) -> Step<Vec<DolEntry>> {
        let fci = selection::parse_fci(self.input.fci).map_err(|e| {
            self.s
                .decide(format!("kernel 3: FCI unusable ({e}): Select Next"));
            select_next()
        })?;
        self.df_name = fci.df_name.unwrap_or_else(|| self.input.adf_name.to_vec());
        let entries = dol::parse(fci.pdol.as_deref().unwrap_or_default()).map_err(|e| {
            self.s
                .decide(format!("kernel 3: PDOL malformed ({e}): Select Next"));
            select_next()
        })?;
        if !entries.iter().any(|e| e.tag == Tag::new(0x9F66)) {
            self.s.decide(
                "kernel 3: the PDOL does not ask for the TTQ (9F66): not a qVSDC card, \
                 and there is no Kernel 1 → Select Next (Book B 3.3.3.6)",
            );
            return Err(select_next());
        }
        Ok(entries)
    }

    /// C-3 5.2: GET PROCESSING OPTIONS with the PDOL data (the pre-processed TTQ among
    /// them), and the GPO status words of C-3 5.2.2.2.
    pub(super) fn initiate_application_processing(&mut self, pdol: &[DolEntry]) -> Step<()> {
        let own = self.own_values();
        let comb = self.input.combination;
        let data = dol::build(pdol, |t| self.s.terminal_value(t, comb, &own));
        if data.len() > session::MAX_DOL_DATA {
            return Err(self.end(format!("the PDOL asks for {} bytes", data.len())));
        }
        let raw = match self.s.exchange(
            apdu::get_processing_options(&data),
            "GET PROCESSING OPTIONS with the PDOL data (C-3 5.2)",
        ) {
            Ok(r) => r,
            Err(e) => {
                self.s.note(format!("communication error: {e}"));
                return Err(session::transport_failure(&e).into());
            }
        };
        let Some(response) = Response::parse(&raw) else {
            return Err(self.end("GPO response shorter than a status word".into()));
        };
        if response.sw != 0x9000 {
            return Err(self.gpo_status(response.sw));
        }
        self.card
            .store_gpo_response(response.data)
            .map_err(|why| self.end(why))
    }

    /// C-3 5.2.2.2: 6986 asks the cardholder to look at the phone and tap again, 6984
    /// refuses contactless, 6985 sends Entry Point to the next candidate; any other status
    /// word ends the application.
    fn gpo_status(&mut self, sw: u16) -> KernelResult {
        match sw {
            0x6986 => {
                self.s
                    .note("6986: the device asks the cardholder to act on it (See Phone)");
                self.s.decide(
                    "kernel 3: GPO 6986 → Try Again at Start B with See Phone (C-3 5.2.2.2)",
                );
                Outcome {
                    start: Some(StartPoint::B),
                    ui_on_outcome: Some(UiRequest {
                        hold: SEE_PHONE_HOLD,
                        ..ui(MessageId::SeePhone, ReaderStatus::NotReady)
                    }),
                    ui_on_restart: Some(ui(MessageId::PresentCard, ReaderStatus::ReadyToRead)),
                    field_off: Some(SEE_PHONE_HOLD),
                    ..outcome(OutcomeStatus::TryAgain)
                }
                .into()
            }
            0x6984 => {
                self.s
                    .note("6984: the card refuses contactless for this transaction");
                self.s
                    .decide("kernel 3: GPO 6984 → Try Another Interface (C-3 5.2.2.2)");
                Outcome {
                    ui_on_outcome: Some(ui(MessageId::TryAnotherCard, ReaderStatus::NotReady)),
                    ..outcome(OutcomeStatus::TryAnotherInterface)
                }
                .into()
            }
            0x6985 => {
                self.s.note("6985: conditions of use not satisfied");
                self.s
                    .decide("kernel 3: GPO 6985 → Select Next (C-3 5.2.2.2)");
                select_next()
            }
            sw => self.end(format!("GPO answered {sw:04X} (C-3 5.2.2.2)")),
        }
    }
}

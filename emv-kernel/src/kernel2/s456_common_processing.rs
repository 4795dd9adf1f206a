//! C-2 S456, the processing common to states 4, 5 and 6 once the last record is read: the
//! transaction limit (S456.14, S456.15), mandatory data (S456.16, S456.17), the data CDA
//! needs (S456.24–S456.28), processing restrictions and CVM selection (S456.35), the floor
//! limit (S456.36–S456.38) and terminal action analysis (S456.39), then GENERATE AC
//! (S456.45).

use crate::book3::action_analysis::{self, ActionCodes, Connectivity};
use crate::book3::{restrictions, risk};
use crate::kernel::KernelError;
use crate::outcome::{Outcome, OutcomeStatus, StartPoint};
use crate::session::{self, KernelResult, outcome};
use crate::tags;
use crate::tvr::TvrBit;

use super::Kernel2;

/// The terminal type assumed when 9F35 is not configured: attended, offline with online
/// capability (Book 4 Annex A1 `22`), tapterm's kind of terminal.
const DEFAULT_TERMINAL_TYPE: u8 = 0x22;

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
        if self.oda_status_cda {
            self.s456_25_cda_data()?;
        }
        // S456.35: processing restrictions (C-2 7.7, Book 3 10.4) and CVM selection (7.5).
        self.processing_restrictions();
        self.cvm_selection();
        // S456.36–S456.38: the Reader Contactless Floor Limit (DF8123, else Entry Point's).
        risk::floor_limit_check(
            self.ctx.limits.floor_limit_exceeded,
            &mut self.ctx.tvr,
            &mut self.ctx.tsi,
        );
        // S456.39: terminal action analysis (C-2 7.8).
        self.ac_type = self.terminal_action_analysis();
        // S456.45 (no PUT DATA, no torn transaction log): prepare GENERATE AC, then S9.
        self.prepare_generate_ac()
    }

    /// S456.24–S456.28 for ODA Status CDA: the certificates and the CA key must be there
    /// (else "ICC data missing" and "CDA failed"), the SDA Tag List must be `82` (else End
    /// Application, S456.27), and the static data to authenticate must be complete.
    fn s456_25_cda_data(&mut self) -> Result<(), KernelError> {
        let needed = [
            tags::CA_PUBLIC_KEY_INDEX,
            tags::ISSUER_PUBLIC_KEY_CERTIFICATE,
            tags::ISSUER_PUBLIC_KEY_EXPONENT,
            tags::ICC_PUBLIC_KEY_CERTIFICATE,
            tags::ICC_PUBLIC_KEY_EXPONENT,
            tags::SDA_TAG_LIST,
        ];
        let missing: Vec<String> = needed
            .into_iter()
            .filter(|t| self.ctx.card.get(*t).is_none_or(<[u8]>::is_empty))
            .map(|t| t.to_string())
            .collect();
        if !missing.is_empty() {
            self.ctx.tvr.set(TvrBit::ICC_DATA_MISSING);
            self.ctx.tvr.set(TvrBit::CDA_FAILED);
            self.ctx.decide(format!(
                "ODA: ICC data missing for CDA: {} (C-2 S456.25)",
                missing.join(" ")
            ));
        }
        let rid = self
            .ctx
            .own
            .get(&tags::DF_NAME)
            .and_then(|n| n.get(..5))
            .unwrap_or(&[])
            .to_vec();
        let index = self
            .ctx
            .card
            .get(tags::CA_PUBLIC_KEY_INDEX)
            .and_then(|v| v.first().copied());
        let capk_known = self
            .ctx
            .session
            .config
            .capks
            .iter()
            .any(|k| k.rid[..] == rid[..] && Some(k.index) == index);
        if !capk_known {
            self.ctx.tvr.set(TvrBit::CDA_FAILED);
            self.ctx
                .decide("ODA: no CA public key for this RID and index (C-2 S456.25)");
        }
        // S456.26, S456.27: the SDA Tag List is there and holds the AIP and nothing else.
        match self.ctx.card.get(tags::SDA_TAG_LIST) {
            None | Some([]) => return Err(KernelError::MissingData(tags::SDA_TAG_LIST)),
            Some(list) if list != tags::AIP.to_bytes().as_slice() => {
                return Err(KernelError::InvalidData {
                    tag: tags::SDA_TAG_LIST,
                    why: "lists more than the AIP (C-2 S456.27)",
                });
            }
            Some(_) => {}
        }
        // S456.28 (S4.35): the static data, AIP appended.
        match self.records.static_data(&self.ctx.card) {
            Ok(data) => self.static_data = data,
            Err(e) => {
                self.ctx.tvr.0[0] |= e.tvr_byte1(crate::oda::OdaMethod::Cda);
                self.ctx.tvr.set(TvrBit::CDA_FAILED);
                self.ctx
                    .decide(format!("ODA: static data unusable: {e} (C-2 S456.28)"));
            }
        }
        if !self.ctx.tvr.is_set(TvrBit::CDA_FAILED) {
            self.ctx.decide("ODA: CDA selected");
        }
        Ok(())
    }

    /// C-2 7.7 Processing Restrictions: Book 3 10.4 with the terminal's 9F09 (terminal
    /// data, else the combination's).
    fn processing_restrictions(&mut self) {
        let terminal = restrictions::Terminal {
            application_version: self
                .ctx
                .terminal(tags::APPLICATION_VERSION_TERMINAL)
                .or_else(|| self.ctx.config(tags::APPLICATION_VERSION_TERMINAL)),
            country: self.ctx.terminal(tags::TERMINAL_COUNTRY_CODE),
            kind: self.ctx.session.transaction.kind,
            date: session::transaction_date(self.ctx.session.transaction),
        };
        restrictions::processing_restrictions(&self.ctx.card, &terminal, &mut self.ctx.tvr);
    }

    /// The Terminal Type (9F35) of the terminal data.
    pub(super) fn terminal_type(&self) -> u8 {
        self.ctx
            .terminal(tags::TERMINAL_TYPE)
            .and_then(|v| v.first().copied())
            .unwrap_or(DEFAULT_TERMINAL_TYPE)
    }

    /// C-2 7.8 Terminal Action Analysis (TAA.1–TAA.18, Book 3 10.7) with the TACs
    /// DF8121/DF8122/DF8120, which take their Annex A default when absent.
    fn terminal_action_analysis(&mut self) -> crate::cryptogram::Cryptogram {
        let terminal = ActionCodes {
            denial: self.terminal_action_code(tags::TAC_DENIAL),
            online: self.terminal_action_code(tags::TAC_ONLINE),
            default: self.terminal_action_code(tags::TAC_DEFAULT),
        };
        let card = &self.ctx.card;
        let issuer = ActionCodes::issuer(
            card.get(tags::IAC_DENIAL),
            card.get(tags::IAC_ONLINE),
            card.get(tags::IAC_DEFAULT),
        );
        let connectivity = Connectivity::from_terminal_type(self.terminal_type());
        let decision = action_analysis::terminal_action_analysis(
            &self.ctx.tvr,
            &terminal,
            &issuer,
            connectivity,
        );
        let tvr = self.ctx.tvr;
        self.ctx.decide(format!(
            "terminal action analysis: TVR {} {:?} → request {decision} (C-2 7.8)",
            hex::encode_upper(tvr.0),
            tvr.describe()
        ));
        decision
    }
}

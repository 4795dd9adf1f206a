//! C-3 5.6, Offline Data Authentication: fDDA over the Signed Dynamic Application Data
//! the GPO returned, on the way to an offline approval and, when the TTQ says so, on an
//! online transaction too (the "fDDA for online" option, C-3 3.3.4.1); and what the CTQ
//! asks for when it fails on the offline path. dcemv marks this whole block
//! 5.6.1.1–5.6.2.1 and Daniel Hu's kernel 5.6.1.2; we cite the section.

use super::Exit;
use super::{Quick, Step};
use crate::config::amount_bcd;
use crate::oda::{self, OdaError, OdaInput, OdaMethod};
use crate::outcome::{MessageId, Outcome, OutcomeStatus, ReaderStatus};
use crate::session::{self, outcome, ui};
use crate::tags;
use crate::tvr::{Tsi, TvrBit};

impl Quick<'_, '_, '_> {
    /// C-3 5.6: runs fDDA where it applies; a failure on the offline path goes online when
    /// the CTQ asks and the reader can, switches interface when the CTQ asks and the reader
    /// has a contact chip, and declines otherwise. On an online transaction the result
    /// only goes into the TVR for the issuer.
    pub(crate) fn offline_data_authentication(&mut self) -> Step<()> {
        let offline = self.reader.offline_so_far();
        let for_online = !self.reader.decline_required
            && self.reader.online_required
            && self.ttq.oda_for_online_supported();
        if !offline && !for_online {
            return Ok(());
        }
        if !self.ctx.card.has(tags::SIGNED_DYNAMIC_APPLICATION_DATA) {
            if offline {
                self.ctx.tvr.set(TvrBit::ICC_DATA_MISSING);
                self.ctx.tvr.set(TvrBit::DDA_FAILED);
                self.ctx
                    .decide("ODA: offline TC without signed dynamic data: fDDA failed");
                return self.oda_failed();
            }
            self.ctx.tvr.set(TvrBit::ODA_NOT_PERFORMED);
            self.ctx
                .decide("ODA: no signed dynamic data on the online transaction: not performed");
            return Ok(());
        }
        self.ctx.tsi.set(Tsi::ODA_PERFORMED);
        match self.fdda() {
            Ok(()) => {
                self.ctx.decide("ODA: fDDA succeeded");
                Ok(())
            }
            Err(why) => {
                self.ctx.tvr.0[0] |= why.tvr_byte1(OdaMethod::Dda);
                self.ctx.decide(format!("ODA: fDDA failed: {why}"));
                if offline { self.oda_failed() } else { Ok(()) }
            }
        }
    }

    /// C-3 5.6: the CTQ's answer to a failed fDDA on the offline path.
    fn oda_failed(&mut self) -> Step<()> {
        let ctq = self.ctq().unwrap_or_default();
        if ctq.online_if_oda_fails() && !self.ttq.is_offline_only() {
            self.reader.online_required = true;
            self.ctx
                .decide("ODA failed; the CTQ says go online → Online Required by Reader");
            return Ok(());
        }
        if ctq.switch_interface_if_oda_fails() && self.ttq.contact_chip_supported() {
            self.ctx
                .decide("ODA failed; the CTQ says switch interface → Try Another Interface");
            return Err(Exit::Outcome(
                Outcome {
                    ui_on_outcome: Some(ui(MessageId::InsertCard, ReaderStatus::NotReady)),
                    ..outcome(OutcomeStatus::TryAnotherInterface)
                }
                .into(),
            ));
        }
        self.reader.decline_required = true;
        self.ctx.decide("ODA failed → Decline Required by Reader");
        Ok(())
    }

    /// The one place Kernel 3 calls offline data authentication: ICC key recovery, then
    /// fDDA over what the GPO carried (Book 2 6.5 with C-3's fDDA input: unpredictable
    /// number, amount, currency and the Card Authentication Related Data 9F69).
    fn fdda(&self) -> Result<(), OdaError> {
        let card = &self.ctx.card;
        let static_data = self.records.static_data(card)?;
        let df_name = self
            .ctx
            .own
            .get(&tags::DF_NAME)
            .map_or(&[][..], Vec::as_slice);
        let input = OdaInput::from_tags(df_name, &card.tags, &static_data);
        let s = &*self.ctx.session;
        let (config, tx) = (s.config, s.transaction);
        let icc = oda::recover_icc_key(&input, &config.capks, &config.revoked, tx.date)?;
        let value = |tag| card.get(tag).unwrap_or_default();
        oda::verify_fdda(
            &icc,
            value(tags::SIGNED_DYNAMIC_APPLICATION_DATA),
            &s.un,
            &amount_bcd(tx.amount),
            &session::currency_bcd(tx.currency),
            value(tags::CARD_AUTHENTICATION_RELATED_DATA),
            value(tags::ATC),
        )
    }
}

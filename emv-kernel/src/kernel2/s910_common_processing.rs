//! C-2 S910, the processing common to states 9 and 10: CDA verification of the response
//! (S910.1–S910.6, failure S910.46), the checks without CDA (S910.30–S910.37), and the
//! outcome of a valid response (S910.70–S910.81): the phone's request for a second tap
//! (DF4B and the Phone Message Table) whatever the cryptogram, else Approved, Online
//! Request, or for an AAC Declined, Try Another Interface or End Application.
//! An invalid response ends the application without a data record (S910.50–S910.53) —
//! that happens through [`KernelError`].

use crate::config::TransactionType;
use crate::cryptogram::Cryptogram;
use crate::kernel::KernelError;
use crate::oda::{self, OdaInput, OdaMethod};
use crate::outcome::{Cvm, MessageId, Outcome, OutcomeStatus, ReaderStatus, StartPoint, UiRequest};
use crate::session::{KernelResult, outcome, ui};
use crate::tags;
use crate::tvr::{Tsi, TvrBit};

use super::Kernel2;
use super::configuration::phone_message;
use super::relay_resistance;

/// DF4B bits that ask the cardholder to act on the device before a second tap: byte 2
/// b2–b1 and byte 3 b4–b1 (C-2 S910.71).
const PCII_SECOND_TAP: [u8; 3] = [0x00, 0x03, 0x0F];

/// 9F33 byte 1 b6: IC with contacts (Book 4 Annex A2).
const IC_WITH_CONTACTS: u8 = 0x20;

/// Third Party Data (9F6E): Unique Identifier byte 1 b8 = 0 means a Device Type follows.
const UNIQUE_IDENTIFIER_PROPRIETARY: u8 = 0x80;

/// Device Type "00" (ASCII `3030`): a card.
const DEVICE_TYPE_CARD: [u8; 2] = [0x30, 0x30];

impl Kernel2<'_, '_, '_> {
    /// S910.1–S910.6: the CA key, then the SDAD and the transaction data hash (Book 2
    /// 6.6.2); the AC is the one the signature carries. A failure is S910.46: "CDA
    /// failed", invalid response.
    pub(super) fn s910_1_cda(
        &mut self,
        cid: u8,
        cdol1_data: &[u8],
        response: &[u8],
    ) -> Result<(), KernelError> {
        self.ctx.tsi.set(Tsi::ODA_PERFORMED);
        match self.verify_cda(cid, cdol1_data, response) {
            Ok(cda) => {
                self.ctx.decide("ODA: CDA verified (C-2 S910.4)");
                self.ctx
                    .card
                    .tags
                    .insert(tags::APPLICATION_CRYPTOGRAM, cda.ac.to_vec());
                self.ctx.card.tags.insert(tags::ICC_DYNAMIC_NUMBER, cda.idn);
                Ok(())
            }
            Err(e) => {
                self.ctx.decide(format!("ODA: CDA failed: {e}"));
                self.ctx.tvr.0[0] |= e.tvr_byte1(OdaMethod::Cda);
                self.ctx.tvr.set(TvrBit::CDA_FAILED);
                Err(KernelError::CdaFailed(e))
            }
        }
    }

    /// The one place Kernel 2 calls offline data authentication: ICC key recovery, then
    /// the SDAD with the transaction data hash, and after relay resistance the relay
    /// resistance data the signature must carry (S910.4.1).
    fn verify_cda(
        &self,
        cid: u8,
        cdol1_data: &[u8],
        response: &[u8],
    ) -> Result<oda::CdaData, oda::OdaError> {
        let hash_input = oda::cda_hash_input(&self.pdol_data, &[cdol1_data], response)?;
        let df_name = self
            .ctx
            .own
            .get(&tags::DF_NAME)
            .map_or(&[][..], Vec::as_slice);
        let input = OdaInput::from_tags(df_name, &self.ctx.card.tags, &self.static_data);
        let config = self.ctx.session.config;
        let today = self.ctx.session.transaction.date;
        let icc = oda::recover_icc_key(&input, &config.capks, &config.revoked, today)?;
        let sdad = self
            .ctx
            .card
            .get(tags::SIGNED_DYNAMIC_APPLICATION_DATA)
            .unwrap_or_default();
        let cda = oda::verify_cda(&icc, sdad, &self.ctx.session.un, cid, &hash_input)?;
        match &self.relay_resistance {
            Some(rrp)
                if !relay_resistance::cda_carries(
                    &cda.trailing,
                    rrp.terminal_entropy,
                    &rrp.device,
                ) =>
            {
                Err(oda::OdaError::InvalidDynamicData {
                    reason: "relay resistance data differs from the exchange (C-2 S910.4.1)",
                })
            }
            _ => Ok(cda),
        }
    }

    /// S910.30–S910.37 without Signed Dynamic Application Data: the AC must be there, and
    /// a CDA signature asked for must not be missing (an AAC to an AAC request excepted
    /// only without CDA).
    pub(super) fn s910_30_no_cda(
        &mut self,
        returned: Cryptogram,
        cda_requested: bool,
    ) -> Result<(), KernelError> {
        // S910.30, S910.31.
        self.ctx.require(tags::APPLICATION_CRYPTOGRAM)?;
        // S910.32–S910.37: a CDA request answered without a signature is a card data error,
        // except an AAC given to a request for a TC or an ARQC (the card declines unsigned).
        let unsigned_allowed =
            !cda_requested || (returned == Cryptogram::Aac && self.ac_type != Cryptogram::Aac);
        if !unsigned_allowed {
            return Err(KernelError::InvalidData {
                tag: tags::SIGNED_DYNAMIC_APPLICATION_DATA,
                why: "missing although CDA was requested (C-2 S910.34, S910.37)",
            });
        }
        Ok(())
    }

    /// S910.70–S910.81: the outcome of a valid response, always with the data record.
    pub(super) fn s910_70_valid_response(&mut self, returned: Cryptogram) -> KernelResult {
        // S910.71: the phone asks for an action on the device, whatever the cryptogram.
        if let Some(pcii) = self
            .ctx
            .card
            .get(tags::POS_CARDHOLDER_INTERACTION_INFORMATION)
            .and_then(|p| <[u8; 3]>::try_from(p).ok())
            .filter(|p| (0..3).any(|i| p[i] & PCII_SECOND_TAP[i] != 0))
        {
            return self.s910_72_second_tap(pcii);
        }
        // S910.74, S910.75.
        let tvr = hex::encode_upper(self.ctx.tvr.0);
        let (status, message) = match returned {
            Cryptogram::Tc if self.ctx.outcome.cvm == Some(Cvm::Signature) => {
                (OutcomeStatus::Approved, MessageId::ApprovedSign)
            }
            Cryptogram::Tc => (OutcomeStatus::Approved, MessageId::Approved),
            Cryptogram::Arqc => (OutcomeStatus::OnlineRequest, MessageId::Authorising),
            Cryptogram::Aac => return self.s910_74_aac(),
        };
        self.ctx.decide(format!(
            "kernel 2: {} (TVR {tvr}, C-2 S910.74)",
            status.name()
        ));
        self.ctx.finish(status, message)
    }

    /// S910.74, S910.75 for an AAC: a purchase or cash transaction goes to another
    /// interface when this reader has a contact slot and the device is a card, and is
    /// declined otherwise; any other transaction type (a refund) ends the application.
    fn s910_74_aac(&mut self) -> KernelResult {
        let purchase_or_cash = matches!(
            self.ctx.session.transaction.kind,
            TransactionType::Purchase | TransactionType::Cash | TransactionType::Cashback
        );
        if !purchase_or_cash {
            self.ctx.decide(
                "kernel 2: AAC for a transaction other than purchase or cash → End Application with the data record (C-2 S910.74)",
            );
            let mut done = self
                .ctx
                .finish(OutcomeStatus::EndApplication, MessageId::ClearDisplay);
            done.outcome.cvm = None;
            done.outcome.receipt = false;
            done.outcome.ui_on_outcome = Some(ui(MessageId::ClearDisplay, ReaderStatus::NotReady));
            return done;
        }
        let contact_slot = self
            .ctx
            .own
            .get(&tags::TERMINAL_CAPABILITIES)
            .and_then(|c| c.first())
            .is_some_and(|b| b & IC_WITH_CONTACTS != 0);
        if contact_slot && !self.device_is_not_a_card() {
            self.ctx.decide(
                "kernel 2: AAC for a purchase or cash, card and contact slot → Try Another Interface (C-2 S910.74)",
            );
            let mut done = self
                .ctx
                .finish(OutcomeStatus::TryAnotherInterface, MessageId::InsertCard);
            done.outcome.cvm = None;
            done.outcome.receipt = false;
            done.outcome.ui_on_outcome = Some(ui(MessageId::InsertCard, ReaderStatus::NotReady));
            return done;
        }
        self.ctx.decide(
            "kernel 2: AAC for a purchase or cash without a contact interface to try → Declined (C-2 S910.74)",
        );
        self.ctx
            .finish(OutcomeStatus::Declined, MessageId::NotAuthorised)
    }

    /// Third Party Data (9F6E) names a device type other than a card (C-2 S910.74; the
    /// clause is read from one public implementation only, see /work/wt/RULES.md point 4).
    fn device_is_not_a_card(&self) -> bool {
        self.ctx
            .card
            .get(tags::THIRD_PARTY_DATA)
            .filter(|d| {
                d.get(2)
                    .is_some_and(|u| u & UNIQUE_IDENTIFIER_PROPRIETARY == 0)
            })
            .and_then(|d| d.get(4..6))
            .is_some_and(|device| device != DEVICE_TYPE_CARD)
    }

    /// S910.72, S910.73, S910.79, S910.80: End Application with a restart at Start B,
    /// the message the Phone Message Table gives for DF4B, and the data record.
    fn s910_72_second_tap(&mut self, pcii: [u8; 3]) -> KernelResult {
        let hold = self.message_hold_time();
        let message = phone_message(self.phone_message_table(), &pcii);
        self.ctx.decide(format!(
            "kernel 2: DF4B {} asks for an action on the device → End Application, restart at Start B (C-2 S910.72); phone message table: {} (S910.73)",
            hex::encode_upper(pcii),
            message.map_or("none", |(m, _)| m.name()),
        ));
        let record = self.ctx.data_record();
        KernelResult {
            outcome: Outcome {
                start: Some(StartPoint::B),
                ui_on_outcome: message.map(|(message, status)| UiRequest {
                    message,
                    status,
                    hold,
                }),
                ui_on_restart: Some(ui(MessageId::PresentCard, ReaderStatus::ReadyToRead)),
                field_off: Some(hold),
                ..outcome(OutcomeStatus::EndApplication)
            },
            data_record: Some(record),
        }
    }
}

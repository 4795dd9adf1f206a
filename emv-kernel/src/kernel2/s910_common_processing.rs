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
use crate::oda;
use crate::outcome::{Cvm, MessageId, Outcome, OutcomeStatus, ReaderStatus, StartPoint, UiRequest};
use crate::session::{KernelResult, outcome, ui};
use crate::tags;

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
        let result = self.verify_cda(cid, cdol1_data, response);
        self.ctx.cda_result(result, "C-2 S910.4")
    }

    /// The one place Kernel 2 calls offline data authentication: CDA on the response, and
    /// after relay resistance the relay resistance data the signature must carry
    /// (S910.4.1).
    fn verify_cda(
        &self,
        cid: u8,
        cdol1_data: &[u8],
        response: &[u8],
    ) -> Result<oda::CdaData, oda::OdaError> {
        let cda = self.ctx.verify_cda(
            &self.pdol_data,
            cdol1_data,
            response,
            cid,
            &self.static_data,
        )?;
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

//! C-2 S3 Waiting for GPO Response: the status word (S3.8, S3.9), the response (S3.10–
//! S3.14), EMV mode (S3.15–S3.18), the active AFL (S3.30–S3.32), the transaction limit
//! (S3.33–S3.35), relay resistance (S3.60–S3.65), then the processing common to S3 and R1
//! (S3R1.17–S3R1.20: the ODA status) before the first READ RECORD.

use crate::kernel::{CardAnswer, KernelError};
use crate::outcome::{Outcome, OutcomeStatus, StartPoint};
use crate::records;
use crate::session::{KernelResult, outcome};
use crate::tags;
use crate::tvr::TvrBit;

use super::Kernel2;
use super::relay_resistance::{self, RrpStatus, TerminalRrpData};

/// 9F33 byte 3 b4: the terminal supports CDA (Book 4 Annex A2).
const TERMINAL_CDA: u8 = 0x08;

/// The AFL entry of the mag-stripe record that EMV mode skips (S3.30–S3.32).
const MAG_STRIPE_AFL_ENTRY: [u8; 4] = [0x08, 0x01, 0x01, 0x00];

impl Kernel2<'_, '_, '_> {
    /// S3 on RA (the GET PROCESSING OPTIONS response), through S3R1, to S4.
    pub(super) fn s3_waiting_for_gpo_response(
        &mut self,
        answer: CardAnswer,
    ) -> Result<KernelResult, KernelError> {
        // S3.8, S3.9: any status word but 9000 sends Entry Point to the next candidate.
        if !answer.is_ok() {
            self.ctx
                .session
                .note(format!("GPO answered {:04X}", answer.sw));
            self.ctx
                .decide("kernel 2: GPO status not 9000 → Select Next (C-2 S3.9)");
            return Ok(Outcome {
                start: Some(StartPoint::C),
                ..outcome(OutcomeStatus::SelectNext)
            }
            .into());
        }
        // S3.10–S3.12: format 1 or 2, parsed and stored.
        self.ctx.store_gpo_response(&answer)?;
        // S3.13, S3.14: the AIP and the AFL are mandatory.
        self.ctx.require(tags::AIP)?;
        let afl = self.ctx.require(tags::AFL)?.to_vec();
        // S3.15–S3.18: EMV mode when both the kernel and the card support it.
        let kc = self.kernel_configuration();
        if kc.emv_mode_not_supported() || !self.ctx.aip().emv_mode_supported() {
            return Err(KernelError::NotSupported(
                "EMV mode not possible and mag-stripe mode (C-2 S3.17, S7) is not implemented",
            ));
        }
        self.s3_30_active_afl(&afl)?;
        self.s3_33_transaction_limit();
        self.s3_60_relay_resistance()?;
        self.s3r1_17_oda_status();
        self.s4_waiting_for_emv_read_record_response()
    }

    /// S3.30–S3.32: the Active AFL is the AFL, without a first entry 08010100 (the
    /// mag-stripe record) when the kernel also supports mag-stripe mode.
    fn s3_30_active_afl(&mut self, afl: &[u8]) -> Result<(), KernelError> {
        let mut entries = records::parse_afl(afl)?;
        if afl.starts_with(&MAG_STRIPE_AFL_ENTRY)
            && !self.kernel_configuration().mag_stripe_mode_not_supported()
        {
            entries.remove(0);
            self.ctx.decide(
                "kernel 2: first AFL entry 08010100 is the mag-stripe record: skipped (C-2 S3.32)",
            );
        }
        self.active_afl = entries;
        Ok(())
    }

    /// S3.33–S3.35: the Reader Contactless Transaction Limit in force: DF8125 when card
    /// and kernel support on device cardholder verification, DF8124 otherwise.
    fn s3_33_transaction_limit(&mut self) {
        let on_device = self.ctx.aip().on_device_cvm_supported()
            && self.kernel_configuration().on_device_cvm_supported();
        self.ctx.limits.transaction = self.limit(if on_device {
            tags::READER_CONTACTLESS_TRANSACTION_LIMIT_ON_DEVICE_CVM
        } else {
            tags::READER_CONTACTLESS_TRANSACTION_LIMIT_NO_ON_DEVICE_CVM
        });
    }

    /// S3.60–S3.65: relay resistance (state R1) when the card's AIP and the Kernel
    /// Configuration both support it, otherwise "RRP not performed" (S3.65).
    fn s3_60_relay_resistance(&mut self) -> Result<(), KernelError> {
        if !relay_resistance::supported(self.ctx.aip(), self.kernel_configuration()) {
            self.ctx.tvr.set_relay_resistance(RrpStatus::NotPerformed);
            self.ctx
                .decide("kernel 2: relay resistance protocol not performed (C-2 S3.65)");
            return Ok(());
        }
        let terminal = TerminalRrpData::from_config(|tag| self.ctx.config(tag));
        let performed = relay_resistance::run(self.ctx.session, &terminal, &mut self.ctx.tvr)?;
        self.relay_resistance = Some(performed);
        Ok(())
    }

    /// S3R1.17–S3R1.20: ODA Status is CDA when the card (AIP byte 1 b1) and the terminal
    /// (9F33 byte 3 b4) support it; otherwise "ODA not performed".
    fn s3r1_17_oda_status(&mut self) {
        let terminal_cda = self
            .ctx
            .own
            .get(&tags::TERMINAL_CAPABILITIES)
            .and_then(|c| c.get(2))
            .is_some_and(|b| b & TERMINAL_CDA != 0);
        self.oda_status_cda = self.ctx.aip().cda_supported() && terminal_cda;
        if !self.oda_status_cda {
            self.ctx.tvr.set(TvrBit::ODA_NOT_PERFORMED);
            self.ctx
                .decide("ODA: CDA not supported by card or terminal: not performed (C-2 S3R1.20)");
        }
    }
}

//! C-2 S1 Idle: activation with the FCI of the final SELECT (S1.7, S1.8), initialisation of
//! the kernel's data (S1.9) and GET PROCESSING OPTIONS with the PDOL related data (S1.12–
//! S1.14).

use crate::apdu;
use crate::kernel::{Command, KernelError};
use crate::outcome::{Outcome, OutcomeStatus, StartPoint};
use crate::selection;
use crate::session::{KernelResult, outcome};
use crate::tags;

use super::Kernel2;

/// Select Next, restart at Start C (S1.7, S1.8).
fn select_next() -> KernelResult {
    Outcome {
        start: Some(StartPoint::C),
        ..outcome(OutcomeStatus::SelectNext)
    }
    .into()
}

impl Kernel2<'_, '_, '_> {
    /// S1 Idle on ACT: from the FCI to the GET PROCESSING OPTIONS command, then S3.
    pub(super) fn s1_idle(&mut self) -> Result<KernelResult, KernelError> {
        // S1.7: the FCI must parse; otherwise Select Next.
        let fci = match selection::parse_fci(self.ctx.input.fci) {
            Ok(fci) => fci,
            Err(e) => {
                self.ctx.decide(format!(
                    "kernel 2: FCI unusable ({e}): Select Next (C-2 S1.7)"
                ));
                return Ok(select_next());
            }
        };
        // S1.8: the DF Name must be there.
        let Some(df_name) = fci.df_name.filter(|n| !n.is_empty()) else {
            self.ctx
                .decide("kernel 2: FCI without DF Name (84): Select Next (C-2 S1.8)");
            return Ok(select_next());
        };
        self.ctx.own.insert(tags::DF_NAME, df_name);
        self.s1_9_initialise();
        // S1.12–S1.14: the PDOL related data; an unusable PDOL is an FCI parsing error (S1.7).
        let pdol = fci.pdol.unwrap_or_default();
        self.pdol_data = match self.ctx.build_dol(tags::PDOL, &pdol) {
            Ok(data) => data,
            Err(e) => {
                self.ctx
                    .decide(format!("kernel 2: {e}: Select Next (C-2 S1.7)"));
                return Ok(select_next());
            }
        };
        let answer = self.ctx.exchange(
            Command::GetProcessingOptions,
            apdu::get_processing_options(&self.pdol_data),
            "GET PROCESSING OPTIONS (C-2 S1.13)",
        )?;
        self.s3_waiting_for_gpo_response(answer)
    }

    /// S1.9: the kernel's own data objects at activation: CVM Results "no CVM performed",
    /// TVR all zeros, AC Type TC, and the Terminal Capabilities from DF8117 (byte 1),
    /// DF8118/DF8119 (byte 2, S456.30–S456.33: the amount is known at activation) and
    /// DF811F (byte 3), each falling back to the terminal's 9F33. The limits DF8123 and
    /// DF8126 replace Entry Point's indicators when configured (S456.30, S456.36).
    fn s1_9_initialise(&mut self) {
        let amount = self.ctx.amount();
        if let Some(floor) = self.limit(tags::READER_CONTACTLESS_FLOOR_LIMIT) {
            self.ctx.limits.floor_limit_exceeded = amount > floor;
        }
        if let Some(cvm) = self.limit(tags::READER_CVM_REQUIRED_LIMIT) {
            self.ctx.limits.cvm_required_limit_exceeded = amount > cvm;
        }
        let base: [u8; 3] = self
            .ctx
            .terminal(tags::TERMINAL_CAPABILITIES)
            .and_then(|v| <[u8; 3]>::try_from(v).ok())
            .unwrap_or([0; 3]);
        let byte = |tag, default: u8| {
            self.ctx
                .config(tag)
                .and_then(|v| v.first().copied())
                .unwrap_or(default)
        };
        let cvm_capability = if self.ctx.limits.cvm_required_limit_exceeded {
            tags::CVM_CAPABILITY_CVM_REQUIRED
        } else {
            tags::CVM_CAPABILITY_NO_CVM_REQUIRED
        };
        let capabilities = [
            byte(tags::CARD_DATA_INPUT_CAPABILITY, base[0]),
            byte(cvm_capability, base[1]),
            byte(tags::SECURITY_CAPABILITY, base[2]),
        ];
        self.ctx
            .own
            .insert(tags::TERMINAL_CAPABILITIES, capabilities.to_vec());
        self.ctx
            .own
            .insert(tags::CVM_RESULTS, crate::cvm::NO_CVM_PERFORMED.to_vec());
    }
}

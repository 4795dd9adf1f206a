//! C-4 Initiate Application Processing: the FCI of the final SELECT, the data the card's
//! PDOL asks for — the Terminal Type ORed with the Contactless Reader Capabilities (9F6D,
//! C-4 4.3.3) and the Enhanced Contactless Reader Capabilities (9F6E, C-4 4.3.4), both with
//! "CVM Required" when the amount reaches the Reader CVM Required Limit — and GET
//! PROCESSING OPTIONS with its response (Book 3 6.5.8.4: AIP and AFL).

use crate::apdu;
use crate::kernel::{Command, KernelError};
use crate::selection;
use crate::session::{self, KernelResult};
use crate::tags;

use super::Kernel4;

impl Kernel4<'_, '_, '_> {
    /// The PDOL data and GET PROCESSING OPTIONS; `Some` outcome when the candidate is
    /// dropped (Select Next), `None` to go on to the records.
    pub(super) fn initiate_application_processing(
        &mut self,
    ) -> Result<Option<KernelResult>, KernelError> {
        // An FCI or PDOL that cannot be used drops the candidate, as C-2 S1.7 does (C-4's
        // own rule not at hand; decided, docs/kernels/c4.md).
        let Ok(fci) = selection::parse_fci(self.ctx.input.fci) else {
            self.ctx
                .decide("kernel 4: FCI unusable → Select Next (decided as C-2 S1.7)");
            return Ok(Some(session::select_next().into()));
        };
        let df_name = fci
            .df_name
            .unwrap_or_else(|| self.ctx.input.adf_name.to_vec());
        self.ctx.own.insert(tags::DF_NAME, df_name);
        self.modified_terminal_data();
        self.pdol_data = match self
            .ctx
            .build_dol(tags::PDOL, &fci.pdol.unwrap_or_default())
        {
            Ok(data) => data,
            Err(e) => {
                self.ctx
                    .decide(format!("kernel 4: {e} → Select Next (decided as C-2 S1.7)"));
                return Ok(Some(session::select_next().into()));
            }
        };
        let answer = self.ctx.exchange(
            Command::GetProcessingOptions,
            apdu::get_processing_options(&self.pdol_data),
            "GET PROCESSING OPTIONS with the PDOL data (C-4 Initiate Application Processing)",
        )?;
        // Any status word but 9000: the card refuses this application here; decided as
        // C-2 S3.9 (Select Next), docs/kernels/c4.md.
        if !answer.is_ok() {
            self.ctx.decide(format!(
                "kernel 4: GPO answered {:04X} → Select Next (decided as C-2 S3.9)",
                answer.sw
            ));
            return Ok(Some(session::select_next().into()));
        }
        self.ctx.store_gpo_response(&answer)?;
        // The AIP and the AFL are mandatory (Book 3 6.5.8.4, 10.2).
        self.ctx.require(tags::AIP)?;
        self.ctx.require(tags::AFL)?;
        Ok(None)
    }

    /// C-4 4.3.3, 4.3.4: the Terminal Type the card receives is 9F35 ORed with 9F6D, and
    /// with b4 "CVM Required" when Entry Point found the amount at or above the Reader CVM
    /// Required Limit; 9F6E carries the same fact in byte 3 b7. Both become the kernel's
    /// own data objects, so the PDOL, the CDOL1 and the data record see them, with the CVM
    /// Results "no CVM performed" until cardholder verification sets them.
    fn modified_terminal_data(&mut self) {
        let cvm_required = self.ctx.limits.cvm_required_limit_exceeded;
        let terminal_type = self
            .reader_capabilities()
            .modified_terminal_type(self.ctx.terminal_type(), cvm_required);
        self.enhanced = self
            .configured_enhanced_capabilities()
            .with_cvm_required(cvm_required);
        self.ctx
            .own
            .insert(tags::TERMINAL_TYPE, vec![terminal_type]);
        self.ctx.own.insert(
            tags::ENHANCED_CONTACTLESS_READER_CAPABILITIES,
            self.enhanced.0.to_vec(),
        );
        self.ctx.own.insert(
            tags::CONTACTLESS_READER_CAPABILITIES,
            vec![self.reader_capabilities().0],
        );
        self.ctx
            .own
            .insert(tags::CVM_RESULTS, crate::cvm::NO_CVM_PERFORMED.to_vec());
        self.ctx.decide(format!(
            "kernel 4: Terminal Type {terminal_type:02X} (9F35 OR 9F6D, C-4 4.3.3), 9F6E {} (C-4 4.3.4), CVM {}required",
            hex::encode_upper(self.enhanced.0),
            if cvm_required { "" } else { "not " }
        ));
    }
}

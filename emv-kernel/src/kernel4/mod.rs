//! Kernel 4, American Express ExpressPay (EMV Contactless Book C-4), in EMV mode: one
//! module per step of the book's transaction flow, which follows Book 3's chapters.
//!
//! | C-4 step | what it does | module |
//! |---|---|---|
//! | Initiate Application Processing (4.3) | PDOL data with the modified Terminal Type (9F35 OR 9F6D, 4.3.3) and 9F6E (4.3.4); GET PROCESSING OPTIONS | [`initiate_application_processing`] |
//! | Read Application Data | READ RECORD by the AFL | [`read_application_data`] |
//! | Offline Data Authentication | CDA selected before GENERATE AC, verified on its response | [`offline_data_authentication`] |
//! | Processing Restrictions | Book 3 10.4 | [`crate::kernel::emv_mode`] |
//! | Cardholder Verification | Mobile CVM (9F71) for a phone, the CVM List otherwise | [`cardholder_verification`] |
//! | Terminal Risk Management | floor limit (Book 3 10.6.1) | [`crate::kernel::emv_mode`] |
//! | Terminal Action Analysis | Book 3 10.7 with the Amex TACs | [`terminal_action_analysis`] |
//! | Card Action Analysis | GET DATA ATC of a phone, one GENERATE AC, its response | [`card_action_analysis`] |
//! | Outcome | Approved, Online Request (immediate or delayed authorisation), Declined, See Phone | [`outcome`] |
//!
//! The book was not at hand: section numbers 4.3.3 and 4.3.4 are those openemv/emv-utils
//! cites for 9F6D and 9F6E; the step names are Book 3's, which public summaries of C-4
//! give as its chapters. Every rule and where it comes from, and what was decided without
//! a source: docs/kernels/c4.md.
//!
//! Not implemented (the kernel behaves as a reader configured without them): mag-stripe
//! mode, the legacy full online mode (second GENERATE AC), SDA and DDA (CDA only), random
//! transaction selection and velocity checking, exception files.

mod card_action_analysis;
mod cardholder_verification;
mod configuration;
mod initiate_application_processing;
mod offline_data_authentication;
mod outcome;
mod read_application_data;
mod terminal_action_analysis;

pub use configuration::{DEFAULT_ENHANCED_CAPABILITIES, DEFAULT_READER_CAPABILITIES};

use crate::kernel::{KernelContext, KernelError};
use crate::qualifiers::EnhancedContactlessReaderCapabilities;
use crate::records::RecordsRead;
use crate::session::KernelResult;

/// Runs Kernel 4 from activation to its outcome.
pub fn run(ctx: KernelContext<'_, '_, '_>) -> Result<KernelResult, KernelError> {
    let mut kernel = Kernel4 {
        enhanced: DEFAULT_ENHANCED_CAPABILITIES,
        ctx,
        pdol_data: Vec::new(),
        records: RecordsRead::default(),
        cda: false,
        static_data: Vec::new(),
    };
    if let Some(done) = kernel.initiate_application_processing()? {
        return Ok(done);
    }
    kernel.read_application_data()?;
    kernel.offline_data_authentication()?;
    kernel.ctx.processing_restrictions();
    kernel.cardholder_verification();
    kernel.ctx.floor_limit_check();
    let requested = kernel.terminal_action_analysis();
    kernel.card_action_analysis(requested)
}

/// Kernel 4's data beyond the shared context.
struct Kernel4<'s, 'a, 'i> {
    /// The shared kernel context.
    ctx: KernelContext<'s, 'a, 'i>,
    /// The Enhanced Contactless Reader Capabilities of this transaction (9F6E, CVM
    /// Required as the amount has it).
    enhanced: EnhancedContactlessReaderCapabilities,
    /// PDOL related data sent in GET PROCESSING OPTIONS; part of the CDA hash.
    pdol_data: Vec<u8>,
    /// The records read, with those signed for offline data authentication.
    records: RecordsRead,
    /// CDA is requested with GENERATE AC.
    cda: bool,
    /// Static data to be authenticated.
    static_data: Vec<u8>,
}

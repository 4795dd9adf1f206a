//! Kernel 2, Mastercard (EMV Contactless Book C-2), as the book's states: each state is a
//! module named after it and each requirement is cited by the number C-2 gives it.
//!
//! | C-2 state or procedure | module |
//! |---|---|
//! | S1 Idle (S1.7–S1.14) | [`s1_idle`] |
//! | S3 Waiting for GPO Response (S3.8–S3.65), S3R1 common processing (S3R1.17–S3R1.20) | [`s3_waiting_for_gpo_response`] |
//! | R1 Waiting for Exchange Relay Resistance Data Response (S3.60–S3.65, SR1.3–SR1.32) | [`relay_resistance`] |
//! | S4 Waiting for EMV Read Record Response (S4.9–S4.34) | [`s4_waiting_for_emv_read_record_response`] |
//! | S456 common processing (S456.12–S456.45) | [`s456_common_processing`] |
//! | 7.5 CVM Selection (CVM.1–CVM.25) | [`cvm_selection`] |
//! | 7.6 Prepare GENERATE AC (GAC.20–GAC.29) | [`prepare_generate_ac`] |
//! | S9 Waiting for GENERATE AC Response 1 (S9.17–S9.28) | [`s9_waiting_for_generate_ac_response_1`] |
//! | S910 common processing (S910.1–S910.81) | [`s910_common_processing`] |
//!
//! Not implemented (the kernel behaves as one configured without them): mag-stripe mode
//! (S7, S8, S78), data storage
//! (IDS), torn transaction recovery (S10), PUT DATA before and after GENERATE AC (S12,
//! S15), balance reading (S16, S17), second GENERATE AC (S11) and the DEK/DET exchange with
//! the terminal (S2, S5, S6: every data object comes from the configuration).

mod configuration;
mod cvm_selection;
mod prepare_generate_ac;
pub mod relay_resistance;
mod s1_idle;
mod s3_waiting_for_gpo_response;
mod s456_common_processing;
mod s4_waiting_for_emv_read_record_response;
mod s910_common_processing;
mod s9_waiting_for_generate_ac_response_1;

pub use configuration::{KernelConfiguration, phone_message};

use crate::cryptogram::Cryptogram;
use crate::kernel::{KernelContext, KernelError};
use crate::records::{AflEntry, RecordsRead};
use crate::session::KernelResult;

/// Runs Kernel 2 from activation (S1 Idle, signal ACT) to its outcome.
pub fn run(ctx: KernelContext<'_, '_, '_>) -> Result<KernelResult, KernelError> {
    let mut kernel = Kernel2 {
        ctx,
        pdol_data: Vec::new(),
        active_afl: Vec::new(),
        records: RecordsRead::default(),
        oda_status_cda: false,
        static_data: Vec::new(),
        ac_type: Cryptogram::Tc,
        relay_resistance: None,
    };
    kernel.s1_idle()
}

/// Kernel 2's data beyond the shared context, named as C-2 names it.
struct Kernel2<'s, 'a, 'i> {
    /// The shared kernel context.
    ctx: KernelContext<'s, 'a, 'i>,
    /// PDOL Related Data (DF8111) sent in GET PROCESSING OPTIONS; part of the CDA
    /// transaction data hash.
    pdol_data: Vec<u8>,
    /// Active AFL (S3.30–S3.32).
    active_afl: Vec<AflEntry>,
    /// The records read, with those signed for offline data authentication.
    records: RecordsRead,
    /// ODA Status = CDA (S3R1.19).
    oda_status_cda: bool,
    /// Static Data to be Authenticated (S4.35, S456.28).
    static_data: Vec<u8>,
    /// AC Type: TC at S1.9, then terminal action analysis (S456.39) and GAC.23.
    ac_type: Cryptogram,
    /// What state R1 exchanged, when the relay resistance protocol was performed; the CDA
    /// check needs it (S910.4.1).
    relay_resistance: Option<relay_resistance::Performed>,
}

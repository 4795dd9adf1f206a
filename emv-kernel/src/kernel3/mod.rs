//! Kernel 3, Visa qVSDC (EMV Contactless Book C-3). Its sections are the shared "quick"
//! flow of `kernel::quick`, one module per C-3 section, which Kernel 7 runs too;
//! this module gives their order.
//!
//! The section numbers are those of C-3 v2.x as two independent public implementations
//! mark their code with them (vicente-da-silva/dcemv, `Kernel3/States`; Daniel Hu's
//! `contactless_k3.h`, in MohamedHassanNasr/emv). Every number here is marked in at least
//! one of them, and where both mark a rule they give it the same number; 5.3 alone is
//! inferred, from the gap between 5.2 and 5.4. The book's own text was not available to
//! us; where we decided something without it, the code says so.
//!
//! Not implemented: the optional processing restrictions 5.5.1.2–5.5.1.5 (exception file,
//! AUC checks for cash and cashback, contactless ATM; tapterm has no exception file and
//! no ATM), the Available Offline Spending Amount display (4.3.1.1), Issuer Update
//! Processing (5.8.1.2) and SDA for online (3.3.4.2).

use crate::kernel::quick::{self, Quick, Step};
use crate::kernel::{KernelContext, KernelError};
use crate::session::KernelResult;

/// Runs Kernel 3 from activation to outcome, section by section.
pub fn run(ctx: KernelContext<'_, '_, '_>) -> Result<KernelResult, KernelError> {
    let mut k = Quick::start(ctx, "kernel 3")?;
    quick::finish(sections(&mut k))
}

/// C-3 5.2 to 5.9 in the book's order.
fn sections(k: &mut Quick<'_, '_, '_>) -> Step<KernelResult> {
    let pdol = k.qvsdc_pdol()?;
    k.initiate_application_processing(&pdol)?;
    k.read_application_data()?;
    let cryptogram = k.card_read_complete()?;
    if k.reader.offline_so_far() {
        k.processing_restrictions();
    }
    k.offline_data_authentication()?;
    if !k.reader.decline_required {
        k.cardholder_verification(cryptogram);
    }
    Ok(k.outcome())
}

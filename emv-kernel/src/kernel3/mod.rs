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

use crate::kernel::quick;
use crate::kernel::{KernelContext, KernelError};
use crate::session::KernelResult;

/// Runs Kernel 3 from activation to outcome: the quick flow's sections, C-3 5.2 to 5.9, with
/// nothing of its own between them.
pub fn run(ctx: KernelContext<'_, '_, '_>) -> Result<KernelResult, KernelError> {
    quick::run(ctx, "kernel 3", |_| Ok(())).map(|(result, ())| result)
}

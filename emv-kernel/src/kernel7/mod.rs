//! Kernel 7, UnionPay QuickPass qUICS (EMV Contactless Book C-7). The flow is C-3's
//! (`kernel::quick`): the card answers GET PROCESSING OPTIONS with its cryptogram, the
//! reader reads the fDDA data by the AFL and decides from the cryptogram type, the expiry,
//! fDDA and the CTQ. What is UnionPay's own is the electronic cash balance read.
//!
//! | step | rule and public source (docs/kernels/c7.md) | module |
//! |---|---|---|
//! | PDOL with the TTQ | C-7 via payprobe's summary; Book B 3.3.3.6 | `kernel::quick` |
//! | GPO, status words 6984/6985/6986 | JR/T 0025.12 7.8; 6986 "See phone" as C-3 5.2.2.2 (decided) | `kernel::quick` |
//! | READ RECORD by the AFL | Book 3 10.2 (billzbh/XML2Java reads the AFL the same way) | `kernel::quick` |
//! | GET DATA 9F79, e-cash balance | UICS Part II H.2.2; billzbh/XML2Java `EmvModul.c` | [`electronic_cash_balance`] |
//! | cryptogram type (CID or IAD byte 5) | JR/T 0025.12 6.5.4 (billzbh/XML2Java) | `kernel::quick` |
//! | expiry, CTQ b1.b4 | Chinese qPBOC kernel headers (`QPBOC_EXPIRATION_OVERDUE_*`) | `kernel::quick` |
//! | fDDA, version 01, CTQ b1.b6/b5 | JR/T 0025.12 Annex B (billzbh/XML2Java `EmvDAuth.c`); payprobe | `kernel::quick` |
//! | CVM from the CTQ, 9F69 CTQ copy | JR/T 0025.12 7.6, 7.8.2, 7.8.3; C-3 5.7 | `kernel::quick` |
//! | outcome with the balance in the data record | C-3 5.8/5.9 | `outcome` |
//!
//! C-7's own text was not available; every step above is settled from the public sources
//! named, and what was decided without one is marked in docs/kernels/c7.md.
//!
//! Not implemented: the full (non-quick) contactless debit/credit path (TTQ byte 1 b7,
//! AIP byte 2 b8), MSD, offline e-cash spending rules on the reader side (9F7B, 9F74),
//! issuer scripts, SM algorithms, and the optional restrictions C-3 leaves out too.

pub mod electronic_cash_balance;
mod outcome;

use crate::kernel::quick;
use crate::kernel::{KernelContext, KernelError};
use crate::session::KernelResult;

/// Runs Kernel 7 from activation to outcome: the quick flow with the electronic cash
/// balance read after the last record, while the card is still in the field, and the
/// balance added to the outcome's data record.
pub fn run(ctx: KernelContext<'_, '_, '_>) -> Result<KernelResult, KernelError> {
    let (result, balance) = quick::run(ctx, "kernel 7", electronic_cash_balance::read)?;
    Ok(outcome::with_balance(result, balance))
}

//! The "quick" transaction flow of the kernels that exchange Terminal and Card Transaction
//! Qualifiers (TTQ 9F66, CTQ 9F6C): one GET PROCESSING OPTIONS returns the cryptogram, READ
//! RECORD fetches the fDDA data, and the reader decides from the cryptogram type, the
//! expiry, fDDA and the CTQ. Kernel 3 (Visa qVSDC, Book C-3) is specified this way, and
//! Kernel 7 (UnionPay qUICS, Book C-7) follows the same steps (docs/kernels/c7.md gives
//! the public sources that show it), so both kernels run these sections and add only what
//! is theirs.
//!
//! One module per section of C-3's transaction flow, named and numbered as C-3 numbers
//! them (the numbers two independent public Kernel 3 implementations mark, see
//! `kernel3`):
//!
//! | requirement | what it asks | module |
//! |---|---|---|
//! | Book B 3.3.3.6 | a PDOL without the TTQ is no qVSDC/qUICS card | `initiate_application_processing` |
//! | C-3 5.2, 5.2.2.2 | GET PROCESSING OPTIONS; the status words 6984, 6985, 6986 | `initiate_application_processing` |
//! | C-3 5.3 | READ RECORD by the AFL | `read_application_data` |
//! | C-3 5.4.1.1 | "Card read successfully" | `card_read_complete` |
//! | C-3 5.4.3.1, 5.4.3.2 | the cryptogram type sets Decline / Online Required by Reader | `card_read_complete` |
//! | C-3 5.4.2.1 | the mandatory data objects, when not declining | `card_read_complete` |
//! | C-3 5.5.1.1 | application expiry (TC only) | `processing_restrictions` |
//! | C-3 5.6 | fDDA, and the CTQ's fallbacks when it fails | `offline_data_authentication` |
//! | C-3 5.7.1.1–5.7.1.3 | cardholder verification from the CTQ and the TTQ | `cardholder_verification` |
//! | C-3 5.8.1.1, 5.9.1.1, 5.9.1.2 | Online Request, Approved, Declined | `outcome` |

mod card_read_complete;
mod cardholder_verification;
mod initiate_application_processing;
mod offline_data_authentication;
mod outcome;
mod processing_restrictions;
mod read_application_data;

use crate::kernel::{KernelContext, KernelError};
use crate::qualifiers::{Ctq, Ttq};
use crate::records::RecordsRead;
use crate::session::KernelResult;
use crate::tags;

/// The two indicators C-3 5.4.3.2 to 5.7 set and 5.8/5.9 turn into the outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ReaderIndicators {
    /// Decline Required by Reader.
    pub(crate) decline_required: bool,
    /// Online Required by Reader.
    pub(crate) online_required: bool,
}

impl ReaderIndicators {
    /// Neither is set: the transaction is still on its way to an offline approval, which is
    /// when C-3 5.5 and 5.6 apply.
    pub(crate) fn offline_so_far(self) -> bool {
        !self.decline_required && !self.online_required
    }
}

/// How a section ends the kernel before 5.8/5.9: with an outcome the book gives (Select
/// Next, Try Again, Try Another Interface), or with a [`KernelError`] that the framework
/// turns into its outcome.
pub(crate) enum Exit {
    /// The outcome the book gives here.
    Outcome(KernelResult),
    /// The card did something the kernel cannot go on with.
    Error(KernelError),
}

impl From<KernelError> for Exit {
    fn from(error: KernelError) -> Exit {
        Exit::Error(error)
    }
}

/// A section either goes on with its result or ends the kernel.
pub(crate) type Step<T> = Result<T, Exit>;

/// The state carried between the sections of one activation: the framework's context
/// (card data, TVR, TSI, the kernel's own data objects 9F66 and 84) and what C-3 adds.
pub(crate) struct Quick<'s, 'a, 'i> {
    /// The framework's context.
    pub(crate) ctx: KernelContext<'s, 'a, 'i>,
    /// The kernel's name in the trace's decisions ("kernel 3", "kernel 7").
    pub(crate) name: &'static str,
    /// The pre-processed TTQ (Book B 3.1.1).
    pub(crate) ttq: Ttq,
    /// The records read, with those flagged for offline data authentication.
    pub(crate) records: RecordsRead,
    /// Decline / Online Required by Reader.
    pub(crate) reader: ReaderIndicators,
}

impl<'s, 'a, 'i> Quick<'s, 'a, 'i> {
    /// The state at activation, with the pre-processed TTQ among the kernel's own data
    /// objects (the PDOL asks for it).
    pub(crate) fn start(
        ctx: KernelContext<'s, 'a, 'i>,
        name: &'static str,
    ) -> Result<Quick<'s, 'a, 'i>, KernelError> {
        let ttq = ctx
            .input
            .indicators
            .ttq
            .ok_or(KernelError::MissingConfiguration(tags::TTQ))?;
        let mut k = Quick {
            ctx,
            name,
            ttq,
            records: RecordsRead::default(),
            reader: ReaderIndicators::default(),
        };
        k.ctx.own.insert(tags::TTQ, ttq.0.to_vec());
        Ok(k)
    }

    /// The card's CTQ (9F6C), when it sent a well-formed one.
    pub(crate) fn ctq(&self) -> Option<Ctq> {
        self.ctx.card.get(tags::CTQ).and_then(Ctq::from_value)
    }
}

/// Runs the sections of C-3 5.2 to 5.9 in the book's order for the kernel `name`;
/// `after_records` is the kernel's own step after the last record, while the card is still
/// in the field (Kernel 7 reads the electronic cash balance there), and its result comes
/// back with the outcome (its default when the kernel ended before it).
pub(crate) fn run<T: Default>(
    ctx: KernelContext<'_, '_, '_>,
    name: &'static str,
    after_records: impl FnOnce(&mut Quick<'_, '_, '_>) -> Step<T>,
) -> Result<(KernelResult, T), KernelError> {
    let mut k = Quick::start(ctx, name)?;
    match sections(&mut k, after_records) {
        Ok(done) => Ok(done),
        Err(Exit::Outcome(done)) => Ok((done, T::default())),
        Err(Exit::Error(error)) => Err(error),
    }
}

fn sections<T>(
    k: &mut Quick<'_, '_, '_>,
    after_records: impl FnOnce(&mut Quick<'_, '_, '_>) -> Step<T>,
) -> Step<(KernelResult, T)> {
    let pdol = k.qvsdc_pdol()?;
    k.initiate_application_processing(&pdol)?;
    k.read_application_data()?;
    let own = after_records(k)?;
    let cryptogram = k.card_read_complete()?;
    if k.reader.offline_so_far() {
        k.processing_restrictions();
    }
    k.offline_data_authentication()?;
    if !k.reader.decline_required {
        k.cardholder_verification(cryptogram);
    }
    Ok((k.outcome(), own))
}

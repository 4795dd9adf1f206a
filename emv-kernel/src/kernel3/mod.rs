//! Kernel 3, Visa qVSDC (EMV Contactless Book C-3), one module per section of the book's
//! transaction flow so that each requirement is found under its number:
//!
//! | requirement | what it asks | module |
//! |---|---|---|
//! | Book B 3.3.3.6 | a Visa AID whose PDOL lacks the TTQ is no qVSDC card | `initiate_application_processing` |
//! | C-3 5.2, 5.2.2.2 | GET PROCESSING OPTIONS; the status words 6984, 6985, 6986 | `initiate_application_processing` |
//! | C-3 5.3 | READ RECORD by the AFL | `read_application_data` |
//! | C-3 5.4.1.1 | "Card read successfully" | `card_read_complete` |
//! | C-3 5.4.3.1, 5.4.3.2 | the cryptogram type sets Decline / Online Required by Reader | `card_read_complete` |
//! | C-3 5.4.2.1 | the mandatory data objects, when not declining | `card_read_complete` |
//! | C-3 5.5.1.1 | application expiry (TC only) | `processing_restrictions` |
//! | C-3 5.6 | fDDA, and the CTQ's fallbacks when it fails | `offline_data_authentication` |
//! | C-3 5.7.1.1–5.7.1.3 | cardholder verification from the CTQ and the TTQ | `cardholder_verification` |
//! | C-3 5.8.1.1, 5.9.1.1, 5.9.1.2 | Online Request, Approved, Declined | `outcome` |
//!
//! The state is the framework's [`KernelContext`] plus the TTQ and C-3's two reader
//! indicators; card errors are [`KernelError`]s, turned into outcomes by
//! [`crate::kernel::activate`].
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
struct ReaderIndicators {
    /// Decline Required by Reader.
    decline_required: bool,
    /// Online Required by Reader.
    online_required: bool,
}

impl ReaderIndicators {
    /// Neither is set: the transaction is still on its way to an offline approval, which is
    /// when C-3 5.5 and 5.6 apply.
    fn offline_so_far(self) -> bool {
        !self.decline_required && !self.online_required
    }
}

/// How a section ends the kernel before 5.8/5.9: with an outcome the book gives (Select
/// Next, Try Again, Try Another Interface), or with a [`KernelError`] that the framework
/// turns into its outcome.
enum Exit {
    /// The outcome C-3 or Book B gives here.
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
type Step<T> = Result<T, Exit>;

/// Kernel 3 state carried between the sections of one activation: the framework's context
/// (card data, TVR, TSI, the kernel's own data objects 9F66 and 84) and what C-3 adds.
struct Kernel3<'s, 'a, 'i> {
    ctx: KernelContext<'s, 'a, 'i>,
    ttq: Ttq,
    records: RecordsRead,
    reader: ReaderIndicators,
}

/// Runs Kernel 3 from activation to outcome, section by section.
pub fn run(ctx: KernelContext<'_, '_, '_>) -> Result<KernelResult, KernelError> {
    let ttq = ctx
        .input
        .indicators
        .ttq
        .ok_or(KernelError::MissingConfiguration(tags::TTQ))?;
    let mut k = Kernel3 {
        ctx,
        ttq,
        records: RecordsRead::default(),
        reader: ReaderIndicators::default(),
    };
    k.ctx.own.insert(tags::TTQ, ttq.0.to_vec());
    match k.run() {
        Ok(done) | Err(Exit::Outcome(done)) => Ok(done),
        Err(Exit::Error(error)) => Err(error),
    }
}

impl Kernel3<'_, '_, '_> {
    fn run(&mut self) -> Step<KernelResult> {
        let pdol = self.qvsdc_pdol()?;
        self.initiate_application_processing(&pdol)?;
        self.read_application_data()?;
        let cryptogram = self.card_read_complete()?;
        if self.reader.offline_so_far() {
            self.processing_restrictions();
        }
        self.offline_data_authentication()?;
        if !self.reader.decline_required {
            self.cardholder_verification(cryptogram);
        }
        Ok(self.outcome())
    }

    /// The card's CTQ (9F6C), when it sent a well-formed one.
    fn ctq(&self) -> Option<Ctq> {
        self.ctx.card.get(tags::CTQ).and_then(Ctq::from_value)
    }
}

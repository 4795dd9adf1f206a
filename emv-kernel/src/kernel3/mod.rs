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
//! The section numbers are those of C-3 v2.x as two independent public implementations
//! mark their code with them (vicente-da-silva/dcemv, `Kernel3/States`; Daniel Hu's
//! `contactless_k3.h`, in MohamedHassanNasr/emv); the two agree on every number used
//! here. The book's own text was not available to us; where we decided something without
//! it, the code says so.
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

use crate::config::TagMap;
use crate::data_record::CardData;
use crate::qualifiers::ctq::Ctq;
use crate::qualifiers::ttq::Ttq;
use crate::records::RecordsRead;
use crate::session::{self, KernelInput, KernelResult, Session};
use crate::tlv::Tag;
use crate::tvr::{Tsi, Tvr};

/// The application cryptogram type (9F27 b8–b7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cryptogram {
    /// Application Authentication Cryptogram: declined.
    Aac,
    /// Transaction Certificate: approved offline.
    Tc,
    /// Authorisation Request Cryptogram: go online.
    Arqc,
}

impl Cryptogram {
    /// From the Cryptogram Information Data; `None` for the reserved value.
    pub fn from_cid(cid: u8) -> Option<Cryptogram> {
        match cid & 0xC0 {
            0x00 => Some(Cryptogram::Aac),
            0x40 => Some(Cryptogram::Tc),
            0x80 => Some(Cryptogram::Arqc),
            _ => None,
        }
    }

    /// The CID type bits.
    pub fn cid(self) -> u8 {
        match self {
            Cryptogram::Aac => 0x00,
            Cryptogram::Tc => 0x40,
            Cryptogram::Arqc => 0x80,
        }
    }
}

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

/// A step either goes on with its result or ends the kernel with an outcome.
type Step<T> = Result<T, KernelResult>;

/// Kernel 3 state carried between the sections of one activation.
struct Kernel3<'s, 'a, 'i> {
    s: &'s mut Session<'a>,
    input: KernelInput<'i>,
    ttq: Ttq,
    tvr: Tvr,
    tsi: Tsi,
    card: CardData,
    df_name: Vec<u8>,
    records: RecordsRead,
    reader: ReaderIndicators,
}

/// Runs Kernel 3 from activation to outcome, section by section.
pub fn run(s: &mut Session<'_>, input: KernelInput<'_>) -> KernelResult {
    let Some(ttq) = input.indicators.ttq else {
        s.decide("kernel 3: the combination has no TTQ; cannot build the PDOL data");
        return session::end_application_card_error().into();
    };
    let mut k = Kernel3 {
        s,
        input,
        ttq,
        tvr: Tvr::default(),
        tsi: Tsi::default(),
        card: CardData::default(),
        df_name: Vec::new(),
        records: RecordsRead::default(),
        reader: ReaderIndicators::default(),
    };
    k.run().unwrap_or_else(|ended| ended)
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
        let cvm = if self.reader.decline_required {
            None
        } else {
            self.cardholder_verification(cryptogram)
        };
        Ok(self.outcome(cvm))
    }

    /// End Application for card data the kernel cannot use.
    fn end(&mut self, why: String) -> KernelResult {
        self.s.decide(format!("kernel 3: End Application: {why}"));
        session::end_application_card_error().into()
    }

    /// The card's CTQ (9F6C), when it sent a well-formed one.
    fn ctq(&self) -> Option<Ctq> {
        self.card.get(0x9F6C).and_then(Ctq::from_value)
    }

    /// The values the kernel itself answers for in a DOL and the data record.
    fn own_values(&self) -> TagMap {
        let mut own = TagMap::new();
        own.insert(Tag::new(0x9F66), self.ttq.0.to_vec());
        own.insert(Tag::new(0x95), self.tvr.0.to_vec());
        own
    }
}

//! C-3 5.4, once the last record is read: "Card read successfully" (5.4.1.1), the
//! cryptogram type and the Decline / Online Required by Reader indicators it sets (5.4.3.1,
//! 5.4.3.2), then the mandatory data objects (5.4.2.1).
//!
//! The order is dcemv's: it applies 5.4.3 first and checks the mandatory data only when
//! the card has not declined, so that an AAC short of data ends Declined, as the card
//! asked, rather than End Application (issue 9). Daniel Hu's kernel checks the data first;
//! C-3's text, which would settle it, was not available. A decline never approves, so the
//! reading that reports the card's own decision is the one we keep.

use super::{Quick, Step};
use crate::cryptogram::Cryptogram;
use crate::data_record::CardData;
use crate::kernel::KernelError;
use crate::outcome::{MessageId, ReaderStatus};
use crate::session::{self, ui};
use crate::tags;
use crate::tlv::Tag;

/// The data objects C-3 5.4.2.1 requires of every qVSDC card (9F38, 84 and the terminal's
/// own objects are always present here: the kernel built the GPO from them).
const MANDATORY: [Tag; 5] = [
    tags::APPLICATION_CRYPTOGRAM,
    tags::AIP,
    tags::ATC,
    tags::ISSUER_APPLICATION_DATA,
    tags::TRACK2_EQUIVALENT_DATA,
];

/// Byte 1 of a Visa IAD in format 2, which carries the CVR elsewhere (VIS IAD formats).
const IAD_FORMAT_2: u8 = 0x1F;
/// IAD byte 5 (CVR byte 2) b6–b5: the cryptogram type, as 00 AAC, 01 TC, 10 ARQC.
const CVR_CRYPTOGRAM_TYPE: u8 = 0x30;

/// C-3 5.4.3.1: the Cryptogram Information Data, or, when the card sent none, the one the
/// reader makes from the Card Verification Results in the Visa IAD (formats 0, 1 and 3:
/// IAD byte 5 b6–b5 become CID b8–b7) and keeps with the card data. `Ok(None)` is the
/// reserved type `11`. Without a CID and without an IAD that carries the type (absent,
/// too short, or format 2 with byte 1 `1F`), the CID counts as missing.
fn cryptogram_type(card: &mut CardData) -> Result<Option<Cryptogram>, KernelError> {
    if let Some(cid) = card.get(tags::CID) {
        let cid = cid.first().ok_or(KernelError::MissingData(tags::CID))?;
        return Ok(Cryptogram::from_cid(*cid));
    }
    let cvr = card
        .get(tags::ISSUER_APPLICATION_DATA)
        .filter(|iad| iad.first() != Some(&IAD_FORMAT_2))
        .and_then(|iad| iad.get(4).copied())
        .ok_or(KernelError::MissingData(tags::CID))?;
    let cid = (cvr & CVR_CRYPTOGRAM_TYPE) << 2;
    card.store(tags::CID, &[cid])?;
    Ok(Cryptogram::from_cid(cid))
}

impl Quick<'_, '_, '_> {
    /// C-3 5.4: card read complete.
    pub(crate) fn card_read_complete(&mut self) -> Step<Option<Cryptogram>> {
        self.ctx.session.show(ui(
            MessageId::CardReadOk,
            ReaderStatus::CardReadSuccessfully,
        ));
        let cryptogram = cryptogram_type(&mut self.ctx.card)?;
        self.cryptogram_decision(cryptogram);
        if !self.reader.decline_required {
            self.check_mandatory()?;
        }
        Ok(cryptogram)
    }

    /// C-3 5.4.3.2: an AAC or an unknown type sets Decline Required by Reader; an ARQC, or
    /// a TC when the TTQ demanded an online cryptogram, sets Online Required by Reader.
    fn cryptogram_decision(&mut self, cryptogram: Option<Cryptogram>) {
        let why = match cryptogram {
            None => {
                self.reader.decline_required = true;
                "reserved cryptogram type → Decline Required by Reader"
            }
            Some(Cryptogram::Aac) => {
                self.reader.decline_required = true;
                "AAC → Decline Required by Reader"
            }
            Some(Cryptogram::Arqc) => {
                self.reader.online_required = true;
                "ARQC → Online Required by Reader"
            }
            Some(Cryptogram::Tc) if self.ttq.is_online_cryptogram_required() => {
                self.reader.online_required = true;
                "TC although the TTQ asked for an online cryptogram → Online Required by Reader"
            }
            Some(Cryptogram::Tc) => "TC: offline approval if the checks pass",
        };
        let name = self.name;
        self.ctx.decide(format!("{name}: {why} (C-3 5.4.3.2)"));
    }

    /// C-3 5.4.2.1: the mandatory data objects, and track 2 (57) agreeing with the PAN (5A).
    fn check_mandatory(&self) -> Result<(), KernelError> {
        let card = &self.ctx.card;
        if let Some(tag) = MANDATORY.iter().find(|tag| !card.has(**tag)) {
            return Err(KernelError::MissingData(*tag));
        }
        if let (Some(t2), Some(pan)) = (card.get(tags::TRACK2_EQUIVALENT_DATA), card.get(tags::PAN))
            && session::track2_pan(t2) != session::pan_digits(pan)
        {
            return Err(KernelError::Inconsistent(
                tags::TRACK2_EQUIVALENT_DATA,
                tags::PAN,
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cryptogram_from_cid_or_iad() {
        let mut card = CardData::default();
        card.store(
            tags::ISSUER_APPLICATION_DATA,
            &hex::decode("06010A03A00000").unwrap(),
        )
        .unwrap();
        assert_eq!(cryptogram_type(&mut card), Ok(Some(Cryptogram::Arqc)));
        assert_eq!(card.get(tags::CID), Some(&[0x80][..]));
        let mut card = CardData::default();
        card.store(tags::CID, &[0x40]).unwrap();
        assert_eq!(cryptogram_type(&mut card), Ok(Some(Cryptogram::Tc)));
    }

    #[test]
    fn reserved_and_unreadable_types() {
        let mut card = CardData::default();
        card.store(tags::CID, &[0xC0]).unwrap();
        assert_eq!(cryptogram_type(&mut card), Ok(None));
        let mut format2 = CardData::default();
        format2
            .store(
                tags::ISSUER_APPLICATION_DATA,
                &hex::decode("1F4300300000").unwrap(),
            )
            .unwrap();
        let missing = Err(KernelError::MissingData(tags::CID));
        assert_eq!(cryptogram_type(&mut format2), missing);
        assert_eq!(cryptogram_type(&mut CardData::default()), missing);
    }
}

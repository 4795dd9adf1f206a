//! C-3 5.4, once the last record is read: "Card read successfully" (5.4.1.1), the
//! cryptogram type and the Decline / Online Required by Reader indicators it sets (5.4.3.1,
//! 5.4.3.2), then the mandatory data objects (5.4.2.1).
//!
//! The order is dcemv's: it applies 5.4.3 first and checks the mandatory data only when
//! the card has not declined, so that an AAC short of data ends Declined, as the card
//! asked, rather than End Application (issue 9). Daniel Hu's kernel checks the data first;
//! C-3's text, which would settle it, was not available. A decline never approves, so the
//! reading that reports the card's own decision is the one we keep.

use super::{Cryptogram, Kernel3, Step};
use crate::data_record::CardData;
use crate::outcome::{MessageId, ReaderStatus};
use crate::session::{self, ui};
use crate::tlv::Tag;

/// The data objects C-3 5.4.2.1 requires of every qVSDC card (9F38, 84 and the terminal's
/// own objects are always present here: the kernel built the GPO from them).
const MANDATORY: [(u32, &str); 5] = [
    (0x9F26, "Application Cryptogram"),
    (0x82, "AIP"),
    (0x9F36, "ATC"),
    (0x9F10, "Issuer Application Data"),
    (0x57, "Track 2 Equivalent Data"),
];

/// C-3 5.4.3.1: the Cryptogram Information Data, or, when the card sent none, the one the
/// reader makes from the Card Verification Results in the Visa IAD (formats 0, 1 and 3:
/// IAD byte 5 b6–b5 become CID b8–b7) and keeps with the card data. `Ok(None)` is the
/// reserved type `11`.
fn cryptogram_type(card: &mut CardData) -> Result<Option<Cryptogram>, String> {
    if let Some(cid) = card.get(0x9F27) {
        let cid = cid.first().ok_or("the CID (9F27) is empty")?;
        return Ok(Cryptogram::from_cid(*cid));
    }
    let iad = card
        .get(0x9F10)
        .ok_or("neither a CID (9F27) nor an IAD (9F10) to read the cryptogram type from")?;
    // Format 2 IADs (byte 1 `1F`) carry the CVR elsewhere; C-3 5.4.3.1 reads byte 5 only.
    let cvr = iad
        .get(4)
        .filter(|_| iad.first() != Some(&0x1F))
        .ok_or("no CID (9F27) and the IAD format does not carry the cryptogram type")?;
    let cid = (cvr & 0x30) << 2;
    card.store(Tag::new(0x9F27), &[cid])
        .map_err(|e| e.to_string())?;
    Ok(Cryptogram::from_cid(cid))
}

impl Kernel3<'_, '_, '_> {
    /// C-3 5.4: card read complete.
    pub(super) fn card_read_complete(&mut self) -> Step<Option<Cryptogram>> {
        self.s.show(ui(
            MessageId::CardReadOk,
            ReaderStatus::CardReadSuccessfully,
        ));
        let cryptogram = cryptogram_type(&mut self.card).map_err(|why| self.end(why))?;
        self.cryptogram_decision(cryptogram);
        if !self.reader.decline_required {
            self.check_mandatory().map_err(|why| self.end(why))?;
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
        self.s.decide(format!("kernel 3: {why} (C-3 5.4.3.2)"));
    }

    /// C-3 5.4.2.1: the mandatory data objects, and track 2 (57) agreeing with the PAN (5A).
    fn check_mandatory(&self) -> Result<(), String> {
        if let Some((tag, name)) = MANDATORY.iter().find(|(tag, _)| !self.card.has(*tag)) {
            return Err(format!("mandatory {name} ({tag:X}) missing (C-3 5.4.2.1)"));
        }
        if let (Some(t2), Some(pan)) = (self.card.get(0x57), self.card.get(0x5A))
            && session::track2_pan(t2) != session::pan_digits(pan)
        {
            return Err("the PAN in track 2 (57) differs from 5A".into());
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
        card.store(Tag::new(0x9F10), &hex::decode("06010A03A00000").unwrap())
            .unwrap();
        assert_eq!(cryptogram_type(&mut card), Ok(Some(Cryptogram::Arqc)));
        assert_eq!(card.get(0x9F27), Some(&[0x80][..]));
        let mut card = CardData::default();
        card.store(Tag::new(0x9F27), &[0x40]).unwrap();
        assert_eq!(cryptogram_type(&mut card), Ok(Some(Cryptogram::Tc)));
    }

    #[test]
    fn reserved_and_unreadable_types() {
        let mut card = CardData::default();
        card.store(Tag::new(0x9F27), &[0xC0]).unwrap();
        assert_eq!(cryptogram_type(&mut card), Ok(None));
        let mut format2 = CardData::default();
        format2
            .store(Tag::new(0x9F10), &hex::decode("1F4300300000").unwrap())
            .unwrap();
        assert!(cryptogram_type(&mut format2).is_err());
        assert!(cryptogram_type(&mut CardData::default()).is_err());
    }
}

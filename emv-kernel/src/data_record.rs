//! The card's data as the kernel collects it (GPO response and records; duplicates refused
//! as C-3 5.4 and C-2 S4.x require, every object checked against the dictionary's length and
//! format as Book 3 Annex A and C-2's ParseAndStoreCardResponse require) and the data record handed to the host for
//! authorisation (Book A 6.2, C-2 Annex A "Data Record", C-3 Table 5-x).

use crate::config::TagMap;
use crate::tlv::{Tag, TlvError, TlvIter};

/// Why card data could not be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardDataError {
    /// The data is not well-formed BER-TLV.
    #[error("malformed TLV: {0}")]
    Malformed(#[from] TlvError),
    /// The card sent the same primitive data object twice.
    #[error("tag {0} sent twice")]
    Duplicate(Tag),
    /// A data object's length or content breaks its dictionary entry (Book 3 Annex A).
    #[error("{0}")]
    Format(#[from] crate::tags::FormatError),
}

/// Data objects received from the card in this tap.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardData {
    /// Values by tag.
    pub tags: TagMap,
}

impl CardData {
    /// Stores the objects of one template's value (the content of `77` or `70`): each
    /// object once; a second copy of any tag is an error.
    pub fn store_template(&mut self, value: &[u8]) -> Result<(), CardDataError> {
        for item in TlvIter::new(value) {
            let tlv = item?;
            self.store(tlv.tag, tlv.value)?;
        }
        Ok(())
    }

    /// Stores one object; refuses one that breaks its dictionary entry's length or format
    /// (Book 3 Annex A, C-2 4.x ParseAndStoreCardResponse) and a duplicate (C-3 5.4).
    pub fn store(&mut self, tag: Tag, value: &[u8]) -> Result<(), CardDataError> {
        crate::tags::check(tag, value)?;
        if self.tags.insert(tag, value.to_vec()).is_some() {
            return Err(CardDataError::Duplicate(tag));
        }
        Ok(())
    }

    /// The value of a tag.
    pub fn get(&self, tag: Tag) -> Option<&[u8]> {
        self.tags.get(&tag).map(Vec::as_slice)
    }

    /// Whether the card sent a tag.
    pub fn has(&self, tag: Tag) -> bool {
        self.tags.contains_key(&tag)
    }
}

/// Tags copied from the card into the data record when present.
const CARD_TAGS: &[u32] = &[
    0x4F, 0x50, 0x57, 0x5A, 0x5F24, 0x5F25, 0x5F28, 0x5F34, 0x82, 0x9F07, 0x9F08, 0x9F10, 0x9F19,
    0x9F24, 0x9F25, 0x9F26, 0x9F27, 0x9F36, 0x9F5D, 0x9F6C, 0x9F6E, 0x9F71, 0x9F7C, 0xDF4B,
];

/// Tags copied from the terminal side (transaction, configuration, kernel-computed values).
const TERMINAL_TAGS: &[u32] = &[
    0x5F2A, 0x5F36, 0x95, 0x9A, 0x9B, 0x9C, 0x9F02, 0x9F03, 0x9F09, 0x9F1A, 0x9F1E, 0x9F21, 0x9F33,
    0x9F34, 0x9F35, 0x9F37, 0x9F40, 0x9F4E, 0x9F66, 0x84,
];

/// Builds the data record: card objects plus the terminal values the host needs.
/// `terminal` yields the terminal's value for a tag (transaction data, kernel-computed
/// values such as 95, 9F34 and 9F66, then configuration). The full PAN stays in it.
pub fn build(card: &CardData, mut terminal: impl FnMut(Tag) -> Option<Vec<u8>>) -> TagMap {
    let mut record = TagMap::new();
    for tag in CARD_TAGS {
        if let Some(v) = card.get(Tag::new(*tag)) {
            record.insert(Tag::new(*tag), v.to_vec());
        }
    }
    for tag in TERMINAL_TAGS {
        let tag = Tag::new(*tag);
        if let Some(v) = terminal(tag) {
            record.insert(tag, v);
        }
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_duplicates_and_malformed_data() {
        let mut card = CardData::default();
        card.store_template(&hex::decode("82022040 9F360200 51".replace(' ', "")).unwrap())
            .unwrap();
        assert_eq!(card.get(Tag::new(0x82)), Some(&[0x20, 0x40][..]));
        assert_eq!(
            card.store_template(&hex::decode("9F36020052").unwrap()),
            Err(CardDataError::Duplicate(Tag::new(0x9F36)))
        );
        assert!(matches!(
            card.store_template(&[0x9F, 0x26, 0x08, 0x01]),
            Err(CardDataError::Malformed(_))
        ));
    }

    #[test]
    fn refuses_objects_that_break_the_dictionary() {
        let mut card = CardData::default();
        // The fuzzer's case: a 9-byte Application Cryptogram must not be stored.
        assert!(matches!(
            card.store(Tag::new(0x9F26), &[0x11; 9]),
            Err(CardDataError::Format(_))
        ));
        assert!(!card.has(Tag::new(0x9F26)));
        assert!(matches!(
            card.store_template(&hex::decode("5F2403301A31").unwrap()),
            Err(CardDataError::Format(_))
        ));
    }

    #[test]
    fn record_takes_card_and_terminal_values() {
        let mut card = CardData::default();
        card.store(Tag::new(0x9F26), &[1; 8]).unwrap();
        card.store(Tag::new(0x8C), &[0x9F, 0x02, 0x06]).unwrap();
        let record = build(&card, |t| (t == Tag::new(0x9C)).then(|| vec![0x00]));
        assert_eq!(record.get(&Tag::new(0x9F26)), Some(&vec![1; 8]));
        assert_eq!(record.get(&Tag::new(0x9C)), Some(&vec![0]));
        assert!(!record.contains_key(&Tag::new(0x8C)));
    }
}

//! The EMV data dictionary: names and formats of the tags a contactless terminal meets
//! (Book 3 Annex A, Book A/B, C-2, C-3, token and wallet tags).

use crate::tlv::Tag;

/// Data element formats of Book 3 4.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Numeric, BCD, right-aligned, left-padded with zeros.
    N,
    /// Compressed numeric, BCD, left-aligned, right-padded with `F`.
    Cn,
    /// Alphanumeric text.
    An,
    /// Alphanumeric and special characters.
    Ans,
    /// Binary.
    B,
}

/// What the dictionary knows about one tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagInfo {
    /// The tag.
    pub tag: Tag,
    /// The name used in the EMV books.
    pub name: &'static str,
    /// The data format.
    pub format: Format,
}

const fn info(tag: u32, name: &'static str, format: Format) -> TagInfo {
    TagInfo {
        tag: Tag::new(tag),
        name,
        format,
    }
}

/// The dictionary, sorted by tag value.
static DICTIONARY: &[TagInfo] = &[
    info(0x4F, "Application Identifier (AID) - card", Format::B),
    info(0x50, "Application Label", Format::Ans),
    info(0x57, "Track 2 Equivalent Data", Format::B),
    info(0x5A, "Application Primary Account Number (PAN)", Format::Cn),
    info(0x61, "Application Template", Format::B),
    info(0x6F, "File Control Information (FCI) Template", Format::B),
    info(0x70, "READ RECORD Response Message Template", Format::B),
    info(0x77, "Response Message Template Format 2", Format::B),
    info(0x80, "Response Message Template Format 1", Format::B),
    info(0x82, "Application Interchange Profile", Format::B),
    info(0x84, "Dedicated File (DF) Name", Format::B),
    info(0x87, "Application Priority Indicator", Format::B),
    info(0x94, "Application File Locator (AFL)", Format::B),
    info(0x95, "Terminal Verification Results", Format::B),
    info(0x9A, "Transaction Date", Format::N),
    info(0x9C, "Transaction Type", Format::N),
    info(
        0xA5,
        "File Control Information (FCI) Proprietary Template",
        Format::B,
    ),
    info(0x5F2A, "Transaction Currency Code", Format::N),
    info(0x5F34, "Application PAN Sequence Number", Format::N),
    info(0x9F02, "Amount, Authorised (Numeric)", Format::N),
    info(0x9F03, "Amount, Other (Numeric)", Format::N),
    info(0x9F1A, "Terminal Country Code", Format::N),
    info(0x9F21, "Transaction Time", Format::N),
    info(0x9F37, "Unpredictable Number", Format::B),
    info(0x9F4E, "Merchant Name and Location", Format::Ans),
    info(0x9F66, "Terminal Transaction Qualifiers (TTQ)", Format::B),
    info(
        0xBF0C,
        "File Control Information (FCI) Issuer Discretionary Data",
        Format::B,
    ),
];

/// Looks a tag up in the dictionary.
pub fn lookup(tag: Tag) -> Option<&'static TagInfo> {
    DICTIONARY
        .binary_search_by_key(&tag, |i| i.tag)
        .ok()
        .map(|i| &DICTIONARY[i])
}

/// The tag's format; binary when the dictionary does not know it.
pub fn format_of(tag: Tag) -> Format {
    lookup(tag).map_or(Format::B, |i| i.format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_is_sorted_and_unique() {
        for pair in DICTIONARY.windows(2) {
            assert!(
                pair[0].tag < pair[1].tag,
                "{} before {}",
                pair[0].tag,
                pair[1].tag
            );
        }
    }

    #[test]
    fn finds_names_and_formats() {
        assert_eq!(lookup(Tag::new(0x50)).unwrap().name, "Application Label");
        assert_eq!(format_of(Tag::new(0x9F02)), Format::N);
        assert_eq!(format_of(Tag::new(0xDF7F)), Format::B);
    }
}

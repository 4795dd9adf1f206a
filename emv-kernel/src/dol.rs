//! Data Object Lists (Book 3 5.4): a card's list of tags and lengths, and the terminal's
//! concatenated answer built from it.

use crate::tags::{Format, format_of};
use crate::tlv::{Tag, TlvError};

/// One entry of a DOL: the tag the card asks for and the length it wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DolEntry {
    /// The requested data object.
    pub tag: Tag,
    /// The length the card wants, in bytes.
    pub length: usize,
}

/// Parses a DOL: a sequence of BER tags, each followed by a one-byte length (Book 3 5.4).
pub fn parse(dol: &[u8]) -> Result<Vec<DolEntry>, TlvError> {
    let mut entries = Vec::new();
    let mut pos = 0;
    while pos < dol.len() {
        let (tag, used) = Tag::read(&dol[pos..], pos)?;
        let length = *dol
            .get(pos + used)
            .ok_or(TlvError::TruncatedLength { offset: pos })?;
        entries.push(DolEntry {
            tag,
            length: length as usize,
        });
        pos += used + 1;
    }
    Ok(entries)
}

/// Fits one value to the length the DOL asks for (Book 3 5.4):
/// numeric values are right-aligned (left zero padding, leftmost bytes dropped when too
/// long), compressed numeric values are padded with `FF`, everything else is left-aligned
/// with `00` padding and truncated on the right.
pub fn fit(value: &[u8], length: usize, format: Format) -> Vec<u8> {
    let mut out = Vec::with_capacity(length);
    match format {
        Format::N if value.len() >= length => out.extend_from_slice(&value[value.len() - length..]),
        Format::N => {
            out.resize(length - value.len(), 0x00);
            out.extend_from_slice(value);
        }
        Format::Cn | Format::An | Format::Ans | Format::B => {
            let pad = if format == Format::Cn { 0xFF } else { 0x00 };
            out.extend_from_slice(&value[..value.len().min(length)]);
            out.resize(length, pad);
        }
    }
    out
}

/// Builds the DOL related data: each entry's value from `lookup`, fitted to its length;
/// unknown tags and constructed tags give zeros (Book 3 5.4).
pub fn build(entries: &[DolEntry], mut lookup: impl FnMut(Tag) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in entries {
        match lookup(entry.tag) {
            Some(value) if !entry.tag.is_constructed() => {
                out.extend(fit(&value, entry.length, format_of(entry.tag)))
            }
            _ => out.resize(out.len() + entry.length, 0x00),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_visa_pdol() {
        let dol = hex::decode("9F66049F02069F03069F1A0295055F2A029A039C019F37049F4E14").unwrap();
        let entries = parse(&dol).unwrap();
        assert_eq!(entries.len(), 10);
        assert_eq!(
            entries[0],
            DolEntry {
                tag: Tag::new(0x9F66),
                length: 4
            }
        );
        assert_eq!(
            entries[9],
            DolEntry {
                tag: Tag::new(0x9F4E),
                length: 20
            }
        );
        assert!(parse(&hex::decode("9F66").unwrap()).is_err());
        assert!(parse(&hex::decode("9F").unwrap()).is_err());
    }

    #[test]
    fn fits_values_by_format() {
        assert_eq!(fit(&[0x12, 0x34], 4, Format::N), vec![0, 0, 0x12, 0x34]);
        assert_eq!(fit(&[0x12, 0x34, 0x56], 2, Format::N), vec![0x34, 0x56]);
        assert_eq!(fit(&[0x12], 3, Format::Cn), vec![0x12, 0xFF, 0xFF]);
        assert_eq!(fit(b"AB", 4, Format::Ans), b"AB\0\0".to_vec());
        assert_eq!(fit(b"ABCD", 2, Format::An), b"AB".to_vec());
        assert_eq!(fit(&[1, 2, 3], 2, Format::B), vec![1, 2]);
    }

    #[test]
    fn builds_with_zeros_for_unknown_tags() {
        let entries = parse(&hex::decode("9F02069F3704DF0102").unwrap()).unwrap();
        let data = build(&entries, |tag| match tag.value() {
            0x9F02 => Some(vec![0x12, 0x34]),
            0x9F37 => Some(vec![0xAA, 0xBB, 0xCC, 0xDD]),
            _ => None,
        });
        assert_eq!(hex::encode_upper(data), "000000001234AABBCCDD0000");
    }
}

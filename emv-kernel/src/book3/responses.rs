//! Response formats 1 and 2 of GET PROCESSING OPTIONS (Book 3 6.5.8.4) and GENERATE AC
//! (Book 3 6.5.5.4): a `77` template of data objects, or an `80` template whose value is
//! the data elements concatenated in a fixed order.

use crate::data_record::{CardData, CardDataError};
use crate::tags;
use crate::tlv::{Tag, TlvError, TlvIter};

/// Why a GET PROCESSING OPTIONS or GENERATE AC response is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The response is not well-formed BER-TLV.
    #[error("malformed TLV: {0}")]
    Malformed(#[from] TlvError),
    /// The response is not exactly one template.
    #[error("not exactly one template")]
    NotOneTemplate,
    /// The template is neither `77` nor `80`.
    #[error("template {0} is neither format 1 (80) nor format 2 (77)")]
    UnknownTemplate(Tag),
    /// A format 1 value has a length the format does not allow.
    #[error("format 1 value of {0} bytes")]
    Format1Length(usize),
    /// An object could not be stored (duplicate, malformed inner TLV).
    #[error("{0}")]
    Stored(#[from] CardDataError),
}

/// The single template of a response.
fn template(data: &[u8]) -> Result<(Tag, &[u8]), ResponseError> {
    let mut items = TlvIter::new(data);
    match (items.next(), items.next()) {
        (Some(Ok(t)), None) => Ok((t.tag, t.value)),
        (Some(Err(e)), _) => Err(e.into()),
        _ => Err(ResponseError::NotOneTemplate),
    }
}

/// Stores a GET PROCESSING OPTIONS response (Book 3 6.5.8.4): format 2 `77` with any
/// objects, or format 1 `80` holding the AIP (2 bytes) then the AFL.
pub fn store_gpo_response(card: &mut CardData, data: &[u8]) -> Result<(), ResponseError> {
    match template(data)? {
        (t, value) if t == tags::RESPONSE_TEMPLATE_FORMAT_2 => Ok(card.store_template(value)?),
        (t, value) if t == tags::RESPONSE_TEMPLATE_FORMAT_1 => {
            if value.len() < 2 {
                return Err(ResponseError::Format1Length(value.len()));
            }
            let (aip, afl) = value.split_at(2);
            card.store(tags::AIP, aip)?;
            card.store(tags::AFL, afl)?;
            Ok(())
        }
        (t, _) => Err(ResponseError::UnknownTemplate(t)),
    }
}

/// Format 1 GENERATE AC: CID (1), ATC (2), Application Cryptogram (8), then at most 32
/// bytes of Issuer Application Data (Book 3 6.5.5.4; C-2 S9.18 checks 11–43 bytes).
const GENERATE_AC_FORMAT_1: std::ops::RangeInclusive<usize> = 11..=43;

/// Stores a GENERATE AC response (Book 3 6.5.5.4): format 2 `77` with any objects, or
/// format 1 `80` holding CID, ATC, AC and optional IAD.
pub fn store_generate_ac_response(card: &mut CardData, data: &[u8]) -> Result<(), ResponseError> {
    match template(data)? {
        (t, value) if t == tags::RESPONSE_TEMPLATE_FORMAT_2 => Ok(card.store_template(value)?),
        (t, value) if t == tags::RESPONSE_TEMPLATE_FORMAT_1 => {
            if !GENERATE_AC_FORMAT_1.contains(&value.len()) {
                return Err(ResponseError::Format1Length(value.len()));
            }
            let (cid, rest) = value.split_at(1);
            let (atc, rest) = rest.split_at(2);
            let (ac, iad) = rest.split_at(8);
            card.store(tags::CID, cid)?;
            card.store(tags::ATC, atc)?;
            card.store(tags::APPLICATION_CRYPTOGRAM, ac)?;
            if !iad.is_empty() {
                card.store(tags::ISSUER_APPLICATION_DATA, iad)?;
            }
            Ok(())
        }
        (t, _) => Err(ResponseError::UnknownTemplate(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpo_formats_1_and_2() {
        let mut card = CardData::default();
        store_gpo_response(&mut card, &hex::decode("8006198008010100").unwrap()).unwrap();
        assert_eq!(card.get(tags::AIP), Some(&[0x19, 0x80][..]));
        assert_eq!(card.get(tags::AFL), Some(&[0x08, 1, 1, 0][..]));
        let mut card = CardData::default();
        store_gpo_response(&mut card, &hex::decode("7706820219809400").unwrap()).unwrap();
        assert_eq!(card.get(tags::AFL), Some(&[][..]));
        assert_eq!(
            store_gpo_response(&mut CardData::default(), &[0x80, 0x01, 0x19]),
            Err(ResponseError::Format1Length(1))
        );
        assert_eq!(
            store_gpo_response(&mut CardData::default(), &hex::decode("7000").unwrap()),
            Err(ResponseError::UnknownTemplate(Tag::new(0x70)))
        );
        assert!(matches!(
            store_gpo_response(&mut CardData::default(), &[0x77, 0x05, 0x82]),
            Err(ResponseError::Malformed(_))
        ));
        assert_eq!(
            store_gpo_response(&mut CardData::default(), &hex::decode("77008000").unwrap()),
            Err(ResponseError::NotOneTemplate)
        );
    }

    #[test]
    fn generate_ac_format_1_splits_the_fixed_fields() {
        let mut card = CardData::default();
        let value = "80 0E 80 0012 1122334455667788 0A0B0C".replace(' ', "");
        store_generate_ac_response(&mut card, &hex::decode(value).unwrap()).unwrap();
        assert_eq!(card.get(tags::CID), Some(&[0x80][..]));
        assert_eq!(card.get(tags::ATC), Some(&[0x00, 0x12][..]));
        assert_eq!(
            card.get(tags::ISSUER_APPLICATION_DATA),
            Some(&[10, 11, 12][..])
        );
        let mut long = vec![0x80, 44];
        long.extend([0; 44]);
        assert_eq!(
            store_generate_ac_response(&mut CardData::default(), &long),
            Err(ResponseError::Format1Length(44))
        );
        // A second CID in a format 2 response is a duplicate (C-2 S9.18).
        let mut card = CardData::default();
        card.store(tags::CID, &[0x40]).unwrap();
        assert!(matches!(
            store_generate_ac_response(&mut card, &hex::decode("77049F270140").unwrap()),
            Err(ResponseError::Stored(CardDataError::Duplicate(_)))
        ));
    }
}

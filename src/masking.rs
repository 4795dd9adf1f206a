//! Masking of cardholder data before anything is shown, printed, logged or stored.
//!
//! The kernel's data record keeps the full PAN and track 2 because the authorisation request
//! needs them (DESIGN.md, "Card data is secret"). Everything else sees them masked: the PAN
//! reduced to its first 6 and last 4 digits (PCI DSS 3.4 display rule), track data reduced to
//! the masked PAN and the expiry date. [`MaskedPan`] can only be built here, so a type that
//! holds one (the journal entry) cannot hold a full PAN.

use emv_kernel::config::TagMap;
use emv_kernel::tags;
use emv_kernel::tlv::Tag;

/// Application PAN (Book 3 Annex A, `cn` up to 19 digits).
const PAN: Tag = Tag::new(0x5A);
/// Track 2 Equivalent Data.
const TRACK2: Tag = Tag::new(0x57);
/// Cardholder Name.
const CARDHOLDER_NAME: Tag = Tag::new(0x5F20);
/// Track 2 Data under C-2; under C-3 the 6-byte Card CVM Limit.
const TRACK2_C2: Tag = Tag::new(0x9F6B);
/// Track 1 Discretionary Data.
const TRACK1_DD: Tag = Tag::new(0x9F1F);
/// Track 2 Discretionary Data.
const TRACK2_DD: Tag = Tag::new(0x9F20);

/// Masks a PAN to its first 6 and last 4 digits (fewer than 11 digits: fully hidden).
pub use emv_kernel::tags::mask_pan;

/// The full PAN digits from a `cn` value (tag 5A): up to the first `F` pad. `None` when
/// the value holds anything but digits.
pub fn pan_from_cn(value: &[u8]) -> Option<String> {
    let text = hex::encode_upper(value);
    let digits = text.trim_end_matches('F');
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.into())
}

/// The full PAN in track 2 equivalent data (tag 57 / 9F6B): the digits before `D`.
fn track2_pan(value: &[u8]) -> Option<String> {
    let text = hex::encode_upper(value);
    let (pan, _) = text.split_once('D')?;
    (!pan.is_empty() && pan.bytes().all(|b| b.is_ascii_digit())).then(|| pan.to_string())
}

/// Track 2 equivalent data reduced to masked PAN and expiry (the dictionary's display
/// form); service code and discretionary data are dropped.
pub fn mask_track2(value: &[u8]) -> String {
    tags::masked(TRACK2, value).unwrap_or_default()
}

/// The full PAN of the card in a data record: tag 5A, else the PAN part of track 2 (57,
/// then C-2's 9F6B). For the host's key look-up only; never display it.
pub fn record_pan(record: &TagMap) -> Option<String> {
    record.get(&PAN).and_then(|v| pan_from_cn(v)).or_else(|| {
        [TRACK2, TRACK2_C2]
            .iter()
            .filter_map(|t| record.get(t))
            .find_map(|v| track2_pan(v))
    })
}

/// A copy of the data record with cardholder data replaced by masked text: 5A by the
/// masked PAN, 57 / 9F6B (C-2 track 2; C-3's 6-byte Card CVM Limit is kept) / 56 by masked
/// PAN + expiry as the tag dictionary shows them, 5F20 and the track discretionary data
/// (9F1F, 9F20) by `*`. Replaced values are ASCII text, no longer in their tag's format.
/// Everything else is kept as it was.
pub fn masked_record(record: &TagMap) -> TagMap {
    record
        .iter()
        .map(|(&tag, value)| {
            let masked = match tag {
                CARDHOLDER_NAME | TRACK1_DD | TRACK2_DD => Some("*".to_string()),
                _ => tags::masked(tag, value),
            };
            (
                tag,
                masked.map_or_else(|| value.clone(), String::into_bytes),
            )
        })
        .collect()
}

/// Whether free text holds what could be a full PAN: a run of 12 or more digits
/// (PANs have 12–19). A safety net for text fields that should never carry one.
pub fn contains_pan_like(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 12 {
            return true;
        }
    }
    false
}

/// A PAN masked to first 6 / last 4 (or fully hidden). Built only by this module, so a
/// value of this type never holds a full PAN.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MaskedPan(String);

impl MaskedPan {
    /// Masks a PAN given as digits.
    pub fn from_digits(pan: &str) -> MaskedPan {
        MaskedPan(mask_pan(pan))
    }

    /// The masked PAN of the card in a data record, if the record has one.
    pub fn from_record(record: &TagMap) -> Option<MaskedPan> {
        record_pan(record).map(|p| MaskedPan::from_digits(&p))
    }

    /// Accepts text that is already masked (e.g. read back from the journal): at most 19
    /// characters, `*` everywhere except at most the first 6 and last 4, which are digits,
    /// and at least 11 characters when any digit shows. Anything else is refused, so a full
    /// PAN cannot pass.
    pub fn parse(text: &str) -> Option<MaskedPan> {
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        if n > 19 {
            return None;
        }
        let any_digit = chars.iter().any(char::is_ascii_digit);
        if any_digit && n < 11 {
            return None;
        }
        let ok = chars.iter().enumerate().all(|(i, c)| {
            let clear = i < 6 || i + 4 >= n;
            *c == '*' || (clear && c.is_ascii_digit())
        });
        (ok && chars.contains(&'*')).then(|| MaskedPan(text.to_string()))
    }

    /// The masked text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for MaskedPan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACK1: Tag = Tag::new(0x56);

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn masks_pans() {
        assert_eq!(mask_pan("4761739001010119"), "476173******0119");
        assert_eq!(mask_pan("5413330089020011012"), "541333*********1012");
        assert_eq!(mask_pan("12345678901"), "123456*8901");
        assert_eq!(mask_pan("1234567890"), "**********");
        assert_eq!(mask_pan(""), "");
    }

    #[test]
    fn masks_track_data() {
        let t2 = h("4761739001010119D22122011143804400000F");
        let text = mask_track2(&t2);
        assert_eq!(text, "PAN 476173******0119, expiry 22/12 (rest hidden)");
        assert!(!text.contains("1143804"));
        // No separator: all of it is treated as PAN and masked.
        assert_eq!(
            mask_track2(&h("4761739001010119")),
            "PAN 476173******0119, expiry ? (rest hidden)"
        );
    }

    #[test]
    fn finds_the_pan_in_a_record() {
        let mut record = TagMap::new();
        record.insert(TRACK2, h("5413330089020011D2512201"));
        assert_eq!(record_pan(&record).unwrap(), "5413330089020011");
        record.insert(PAN, h("4761739001010119"));
        assert_eq!(record_pan(&record).unwrap(), "4761739001010119");
        record.insert(PAN, h("5413330089020011012F"));
        assert_eq!(record_pan(&record).unwrap(), "5413330089020011012");
        assert_eq!(record_pan(&TagMap::new()), None);
    }

    #[test]
    fn masked_record_hides_cardholder_data_only() {
        let mut record = TagMap::new();
        record.insert(PAN, h("4761739001010119"));
        record.insert(TRACK2, h("4761739001010119D22122011143804400000F"));
        record.insert(TRACK1, b"B4761739001010119^DOE/JOHN^2212201".to_vec());
        record.insert(CARDHOLDER_NAME, b"DOE/JOHN".to_vec());
        record.insert(TRACK2_DD, h("1143804400000F"));
        record.insert(Tag::new(0x9F6B), h("000000010000"));
        record.insert(Tag::new(0x9F26), h("7A788EA6B8A3E733"));
        let masked = masked_record(&record);
        assert_eq!(masked[&PAN], b"476173******0119");
        assert_eq!(
            masked[&TRACK2],
            b"PAN 476173******0119, expiry 22/12 (rest hidden)"
        );
        assert_eq!(
            masked[&TRACK1],
            b"PAN 476173******0119, expiry 22/12 (rest hidden)"
        );
        assert_eq!(masked[&CARDHOLDER_NAME], b"*");
        assert_eq!(masked[&TRACK2_DD], b"*");
        // C-3 Card CVM Limit and the cryptogram are not cardholder data.
        assert_eq!(masked[&Tag::new(0x9F6B)], h("000000010000"));
        assert_eq!(masked[&Tag::new(0x9F26)], h("7A788EA6B8A3E733"));
        let mut c2 = TagMap::new();
        c2.insert(TRACK2_C2, h("5413330089020011D25122011234"));
        assert_eq!(
            masked_record(&c2)[&TRACK2_C2],
            b"PAN 541333******0011, expiry 25/12 (rest hidden)"
        );
        let all: Vec<u8> = masked.values().flatten().copied().collect();
        let text = String::from_utf8_lossy(&all);
        assert!(!text.contains("4761739001010119"));
        assert!(!hex::encode_upper(&all).contains("4761739001010119"));
    }

    #[test]
    fn spots_pan_like_text() {
        assert!(contains_pan_like("card 4761739001010119 ok"));
        assert!(contains_pan_like("123456789012"));
        assert!(!contains_pan_like("12345678901"));
        assert!(!contains_pan_like("476173******0119 at 2026-11-26 10:05"));
    }

    #[test]
    fn masked_pan_cannot_hold_a_full_pan() {
        assert_eq!(
            MaskedPan::from_digits("4761739001010119").as_str(),
            "476173******0119"
        );
        assert!(MaskedPan::parse("476173******0119").is_some());
        assert!(MaskedPan::parse("**********").is_some());
        assert!(MaskedPan::parse("4761739001010119").is_none());
        assert!(MaskedPan::parse("4761739*01010119").is_none());
        assert!(MaskedPan::parse("1234*").is_none());
        assert!(MaskedPan::parse("").is_none());
        assert!(MaskedPan::parse(&"*".repeat(20)).is_none());
        let mut record = TagMap::new();
        record.insert(PAN, h("4761739001010119"));
        assert_eq!(
            MaskedPan::from_record(&record).unwrap().to_string(),
            "476173******0119"
        );
    }
}

//! Masking of cardholder data before anything is shown, printed, logged or stored.
//!
//! The kernel's data record keeps the full PAN and track 2 because the authorisation request
//! needs them (DESIGN.md, "Card data is secret"). Everything else sees them masked: the PAN
//! reduced to its first 6 and last 4 digits (PCI DSS 3.4 display rule), track data reduced to
//! the masked PAN and the expiry date. [`MaskedPan`] can only be built here, so a type that
//! holds one (the journal entry) cannot hold a full PAN.

use emv_kernel::config::TagMap;
use emv_kernel::tlv::Tag;

/// Application PAN (Book 3 Annex A, `cn` up to 19 digits).
const PAN: Tag = Tag::new(0x5A);
/// Track 2 Equivalent Data.
const TRACK2: Tag = Tag::new(0x57);
/// Track 1 Data (C-2 / magstripe mode).
const TRACK1: Tag = Tag::new(0x56);
/// Cardholder Name.
const CARDHOLDER_NAME: Tag = Tag::new(0x5F20);
/// Track 2 Data under C-2; under C-3 the 6-byte Card CVM Limit.
const TRACK2_C2: Tag = Tag::new(0x9F6B);
/// Track 1 Discretionary Data.
const TRACK1_DD: Tag = Tag::new(0x9F1F);
/// Track 2 Discretionary Data.
const TRACK2_DD: Tag = Tag::new(0x9F20);

/// Masks a PAN to its first 6 and last 4 digits; PANs of fewer than 11 digits are hidden
/// completely (showing 10 of them would show almost all).
pub fn mask_pan(digits: &str) -> String {
    let n = digits.chars().count();
    if n < 11 {
        return "*".repeat(n);
    }
    digits
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 6 || i >= n - 4 { c } else { '*' })
        .collect()
}

/// The nibbles of a BCD / compressed-numeric value as upper-case hex text.
fn nibbles(value: &[u8]) -> String {
    hex::encode_upper(value)
}

/// The full PAN digits from a `cn` value (tag 5A): up to the first `F` pad. `None` when
/// the value holds anything but digits.
pub fn pan_from_cn(value: &[u8]) -> Option<String> {
    let text = nibbles(value);
    let digits = text.trim_end_matches('F');
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.into())
}

/// PAN and the text after the separator of track 2 equivalent data (tag 57 / 9F6B).
fn split_track2(value: &[u8]) -> Option<(String, String)> {
    let text = nibbles(value);
    let (pan, rest) = text.split_once('D')?;
    pan.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| (pan.to_string(), rest.to_string()))
}

/// `YYMM` as `YY/MM`, or `??/??` when the digits are missing.
fn expiry_text(yymm: &str) -> String {
    match yymm.get(0..4) {
        Some(d) if d.bytes().all(|b| b.is_ascii_digit()) => {
            format!(
                "{}/{}",
                d.get(0..2).unwrap_or("??"),
                d.get(2..4).unwrap_or("??")
            )
        }
        _ => "??/??".into(),
    }
}

/// Track 2 equivalent data reduced to masked PAN and expiry; service code and
/// discretionary data are dropped.
pub fn mask_track2(value: &[u8]) -> String {
    match split_track2(value) {
        Some((pan, rest)) => format!("{} exp {}", mask_pan(&pan), expiry_text(&rest)),
        None => "(unreadable track 2, hidden)".into(),
    }
}

/// Track 1 (`B` PAN `^` name `^` YYMM …) reduced to masked PAN and expiry.
pub fn mask_track1(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let mut fields = text.split('^');
    let pan = fields.next().unwrap_or("").trim_start_matches('B');
    let expiry = fields.nth(1).map_or("??/??".into(), expiry_text);
    format!("{} exp {expiry}", mask_pan(pan))
}

/// The full PAN of the card in a data record: tag 5A, else the PAN part of track 2 (57,
/// then C-2's 9F6B). For the host's key look-up only; never display it.
pub fn record_pan(record: &TagMap) -> Option<String> {
    record.get(&PAN).and_then(|v| pan_from_cn(v)).or_else(|| {
        [TRACK2, TRACK2_C2]
            .iter()
            .filter_map(|t| record.get(t))
            .find_map(|v| split_track2(v).map(|(pan, _)| pan))
    })
}

/// Whether 9F6B holds C-3's Card CVM Limit (6 bytes, n12) rather than C-2 track 2 data,
/// which is at least 8 bytes for any real PAN.
fn is_cvm_limit(tag: Tag, value: &[u8]) -> bool {
    tag == TRACK2_C2 && value.len() == 6
}

/// A copy of the data record with cardholder data replaced by masked text: 5A by the
/// masked PAN, 57 / 9F6B / 56 by masked PAN + expiry, 5F20 and the track discretionary
/// data (9F1F, 9F20) by `*`. Replaced values are ASCII text, no longer in their tag's
/// format. Everything else is kept as it was.
pub fn masked_record(record: &TagMap) -> TagMap {
    record
        .iter()
        .map(|(&tag, value)| {
            let masked = match tag {
                PAN => Some(match pan_from_cn(value) {
                    Some(pan) => mask_pan(&pan),
                    None => "*".repeat(value.len() * 2),
                }),
                TRACK2 => Some(mask_track2(value)),
                TRACK2_C2 if !is_cvm_limit(tag, value) => Some(mask_track2(value)),
                TRACK1 => Some(mask_track1(value)),
                CARDHOLDER_NAME | TRACK1_DD | TRACK2_DD => Some("*".into()),
                _ => None,
            };
            (
                tag,
                masked.map_or_else(|| value.clone(), String::into_bytes),
            )
        })
        .collect()
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
        assert_eq!(text, "476173******0119 exp 22/12");
        assert!(!text.contains("4761739001010119"));
        assert_eq!(mask_track2(&h("4761")), "(unreadable track 2, hidden)");
        assert_eq!(
            mask_track2(&h("4761739001010119D2")),
            "476173******0119 exp ??/??"
        );
        let t1 = b"B4761739001010119^CARDHOLDER/VISA^2212201";
        assert_eq!(mask_track1(t1), "476173******0119 exp 22/12");
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
        assert_eq!(masked[&TRACK2], b"476173******0119 exp 22/12");
        assert_eq!(masked[&TRACK1], b"476173******0119 exp 22/12");
        assert_eq!(masked[&CARDHOLDER_NAME], b"*");
        assert_eq!(masked[&TRACK2_DD], b"*");
        // C-3 Card CVM Limit and the cryptogram are not cardholder data.
        assert_eq!(masked[&Tag::new(0x9F6B)], h("000000010000"));
        assert_eq!(masked[&Tag::new(0x9F26)], h("7A788EA6B8A3E733"));
        let mut c2 = TagMap::new();
        c2.insert(TRACK2_C2, h("5413330089020011D25122011234"));
        assert_eq!(
            masked_record(&c2)[&TRACK2_C2],
            b"541333******0011 exp 25/12"
        );
        let all: Vec<u8> = masked.values().flatten().copied().collect();
        let text = String::from_utf8_lossy(&all);
        assert!(!text.contains("4761739001010119"));
        assert!(!hex::encode_upper(&all).contains("4761739001010119"));
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

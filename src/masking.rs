//! Masking of cardholder data before anything is shown, printed, logged or stored.
//!
//! The kernel's data record keeps the full PAN and track 2 because the authorisation request
//! needs them (DESIGN.md, "Card data is secret"). Everything else sees them masked: the PAN
//! reduced to its first 6 and last 4 digits (PCI DSS 3.4 display rule), track data reduced to
//! the masked PAN and the expiry date. [`MaskedPan`] can only be built here, so a type that
//! holds one (the journal entry) cannot hold a full PAN.

use emv_kernel::config::TagMap;
use emv_kernel::tags;
use emv_kernel::tlv::{Tag, TlvIter};

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

/// `text` with every run of 12 or more digits masked like a PAN (first 6 / last 4), so that
/// [`contains_pan_like`] finds nothing in it (an AID's digits in a command name, say).
pub fn mask_pan_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 12 {
            out.push_str(MaskedPan::from_digits(run).as_str());
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
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

/// Masks card data in hex dumps of APDUs (trace output, the developer screen): the PAN by
/// its TLV position (first 6 / last 4 digits kept), track 2 to masked PAN and expiry, track 1,
/// track discretionary data and the cardholder name whole, and any PAN learned earlier
/// wherever its digits appear again. Malformed answers are scanned for the card-data tags,
/// so a broken template cannot carry a PAN past the mask. Masked hex keeps its length.
#[derive(Debug, Default, Clone)]
pub struct TraceMasker {
    pans: Vec<String>,
}

/// How a card-data value is masked in hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Pan,
    Track2,
    Whole,
}

/// Whether `tag` with `value` is card data to mask, and how. A 6-byte 9F6B is the Visa
/// Card CVM Limit (C-3), not C-2's track 2.
fn card_data(tag: u32, value_len: Option<usize>) -> Option<Field> {
    match tag {
        0x5A => Some(Field::Pan),
        0x9F6B if value_len == Some(6) => None,
        0x57 | 0x9F6B => Some(Field::Track2),
        0x56 | 0x9F1F | 0x9F20 | 0x5F20 => Some(Field::Whole),
        _ => None,
    }
}

/// Whether a TLV object holds card data that must not be shown as it is.
pub fn is_card_data(tag: Tag, value: &[u8]) -> bool {
    card_data(tag.value(), Some(value.len())).is_some()
}

/// Where card data sits in a byte string: how to mask it, value offset and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    field: Field,
    start: usize,
    len: usize,
}

impl TraceMasker {
    /// Remembers the PANs in a response so later dumps mask them anywhere.
    pub fn learn(&mut self, response: &[u8]) {
        for span in spans(response) {
            if span.field == Field::Whole {
                continue;
            }
            let value = response
                .get(span.start..span.start + span.len)
                .unwrap_or(&[]);
            let digits: String = hex::encode_upper(value)
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if digits.len() >= 12 && !self.pans.contains(&digits) {
                self.pans.push(digits);
            }
        }
    }

    /// The bytes as upper-case hex with card data replaced by `*`.
    pub fn hex(&self, bytes: &[u8]) -> String {
        let mut text: Vec<u8> = hex::encode_upper(bytes).into_bytes();
        for span in spans(bytes) {
            let Some(field) = text.get_mut(2 * span.start..2 * (span.start + span.len)) else {
                continue;
            };
            match span.field {
                Field::Pan => star_pan(field),
                Field::Track2 => star_track2(field),
                Field::Whole => field.fill(b'*'),
            }
        }
        for pan in &self.pans {
            let needle = pan.as_bytes();
            let mut from = 0;
            while let Some(at) = text
                .get(from..)
                .and_then(|rest| rest.windows(needle.len()).position(|w| w == needle))
            {
                let start = from + at;
                if let Some(field) = text.get_mut(start..start + needle.len()) {
                    star_pan(field);
                }
                from = start + needle.len();
            }
        }
        String::from_utf8_lossy(&text).into_owned()
    }

    /// The first PAN learned, masked (`476173******0119`).
    pub fn masked_pan(&self) -> Option<String> {
        self.pans.first().map(|p| mask_pan(p))
    }
}

/// One response as masked hex, learning its own PANs first.
pub fn masked_response_hex(raw: &[u8]) -> String {
    let mut masker = TraceMasker::default();
    masker.learn(raw);
    masker.hex(raw)
}

/// Stars the digits of a PAN written in hex, keeping the first 6 and last 4 and any `F` pad.
fn star_pan(field: &mut [u8]) {
    let digits = field.iter().take_while(|c| c.is_ascii_digit()).count();
    for (i, c) in field.iter_mut().enumerate().take(digits) {
        if i >= 6 && i + 4 < digits {
            *c = b'*';
        }
    }
}

/// Stars track 2 written in hex: the PAN as [`star_pan`], the expiry (YYMM) kept, the rest
/// (service code, discretionary data) starred except the `F` pad.
fn star_track2(field: &mut [u8]) {
    let Some(d) = field.iter().position(|c| *c == b'D') else {
        field.fill(b'*');
        return;
    };
    if let Some(pan) = field.get_mut(..d) {
        star_pan(pan);
    }
    for c in field.iter_mut().skip(d + 5) {
        if *c != b'F' {
            *c = b'*';
        }
    }
}

/// The card-data fields of `bytes` (with or without a trailing status word): by a TLV walk
/// when the data is well formed, else by a conservative scan.
fn spans(bytes: &[u8]) -> Vec<Span> {
    let body = bytes.get(..bytes.len().saturating_sub(2)).unwrap_or(&[]);
    let well_formed = [bytes, body]
        .into_iter()
        .find(|b| emv_kernel::tlv::validate(b).is_ok());
    match well_formed {
        Some(data) => walk(data),
        None => scan(bytes),
    }
}

/// The card-data objects of well-formed `data`, depth first.
fn walk(data: &[u8]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut stack = vec![TlvIter::new(data)];
    while let Some(iter) = stack.last_mut() {
        let Some(Ok(tlv)) = iter.next() else {
            stack.pop();
            continue;
        };
        if tlv.is_constructed() {
            stack.push(tlv.children());
        } else if let Some(field) = card_data(tlv.tag.value(), Some(tlv.value.len())) {
            out.push(Span {
                field,
                start: tlv.offset + tlv.raw.len() - tlv.value.len(),
                len: tlv.value.len(),
            });
        }
    }
    out
}

/// Finds card-data tags anywhere in malformed data: a tag of one or two bytes, then a length
/// (`1`–`7F`, or `81 xx`); the value is cut at the end of the data. A stray byte that looks
/// like a tag hides a little too much; a PAN is never shown.
fn scan(bytes: &[u8]) -> Vec<Span> {
    let mut out = Vec::new();
    for i in 0..bytes.len() {
        let two = match bytes.get(i..i + 2) {
            Some([a, b]) => Some((u32::from(*a) << 8) | u32::from(*b)),
            _ => None,
        };
        let (field, tag_len) = match (two.and_then(|t| card_data(t, None)), bytes.get(i)) {
            (Some(f), _) => (f, 2),
            (None, Some(b)) => match card_data(u32::from(*b), None) {
                Some(f) => (f, 1),
                None => continue,
            },
            (None, None) => continue,
        };
        let (len, len_len) = match bytes.get(i + tag_len..) {
            Some([0x81, l, ..]) => (usize::from(*l), 2),
            Some([l, ..]) if (1..0x80).contains(l) => (usize::from(*l), 1),
            _ => continue,
        };
        let start = i + tag_len + len_len;
        let len = len.min(bytes.len().saturating_sub(start));
        out.push(Span { field, start, len });
    }
    out
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

    #[test]
    fn masks_pan_and_track2_inside_records() {
        // 70 { 57 (4761739001010119 D 2512 201 …F), 5A (4761739001010119) } 9000
        let record = hex::decode(
            "7021\
             5711 4761739001010119D2512201000000000F\
             5A08 4761739001010119\
             5F3401 01\
             9000"
                .replace(' ', ""),
        )
        .unwrap();
        let mut masker = TraceMasker::default();
        masker.learn(&record);
        let shown = masker.hex(&record);
        assert!(!shown.contains("4761739001010119"), "{shown}");
        assert!(
            shown.contains("476173******0119D2512************F"),
            "{shown}"
        );
        assert!(shown.contains("5A08476173******0119"), "{shown}");
        assert!(shown.ends_with("5F3401019000"), "{shown}");
        assert_eq!(masker.masked_pan().as_deref(), Some("476173******0119"));
    }

    #[test]
    fn a_pan_in_a_malformed_answer_is_masked_and_learned() {
        // 77 claims 0x40 bytes but holds fewer: the TLV walk fails, the scan still finds 57.
        let broken =
            hex::decode("77405711476173900101011 9D2512201000000000F9000".replace(' ', ""))
                .unwrap();
        let mut masker = TraceMasker::default();
        masker.learn(&broken);
        let shown = masker.hex(&broken);
        assert!(!shown.contains("4761739001010119"), "{shown}");
        assert!(
            shown.starts_with("77405711476173******0119D2512"),
            "{shown}"
        );
        assert_eq!(masker.masked_pan().as_deref(), Some("476173******0119"));
    }

    #[test]
    fn a_known_pan_is_masked_even_in_malformed_data() {
        let mut masker = TraceMasker::default();
        masker.learn(&hex::decode("5A0854133300896000139000").unwrap());
        // Broken TLV that still carries the PAN digits.
        let broken = hex::decode("77FF5413330089600013").unwrap();
        let shown = masker.hex(&broken);
        assert_eq!(shown, "77FF541333******0013");
    }

    #[test]
    fn long_digit_runs_are_masked_and_short_ones_kept() {
        let text = "SELECT A0000000031010 9000, READ RECORD SFI 1 record 2 9000";
        let masked = mask_pan_like(text);
        assert!(!contains_pan_like(&masked), "{masked}");
        assert!(
            masked.starts_with("SELECT A000000***1010 9000, READ RECORD SFI 1"),
            "{masked}"
        );
        assert_eq!(mask_pan_like("tap 1: SELECT 9000"), "tap 1: SELECT 9000");
    }
}

//! BER-TLV as EMV uses it (Book 3 Annex B): zero-copy decoding with typed errors, and encoding.
//!
//! EMV allows `00` bytes before, between and after objects (erased data); they are skipped.
//! Indefinite lengths, length fields of more than four bytes after the `8x` byte and tags
//! longer than three bytes are rejected, as is nesting deeper than [`MAX_DEPTH`].

use std::fmt;
use std::str::FromStr;

/// Deepest nesting of constructed objects the decoder follows. EMV templates nest at most
/// four levels (`6F` → `A5` → `BF0C` → `61`); eight leaves room and bounds the stack.
pub const MAX_DEPTH: usize = 8;

/// A BER-TLV tag of one to three bytes, kept as its big-endian value (`9F02` → `0x9F02`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(u32);

impl Tag {
    /// A tag from its numeric value as written in the books (`Tag::new(0x9F02)`).
    pub const fn new(value: u32) -> Tag {
        Tag(value)
    }

    /// The tag's numeric value.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// The tag's bytes, most significant first, without leading zero bytes.
    pub fn to_bytes(self) -> Vec<u8> {
        let bytes = self.0.to_be_bytes();
        let skip = bytes.iter().take(3).take_while(|b| **b == 0).count();
        bytes[skip..].to_vec()
    }

    /// Whether the tag's first byte marks a constructed object (b6 of the first byte).
    pub fn is_constructed(self) -> bool {
        // The first byte is the most significant non-zero one; no allocation, since the
        // decoder asks this for every object it walks.
        let first = match self.0 {
            v if v > 0xFFFF => v >> 16,
            v if v > 0xFF => v >> 8,
            v => v,
        };
        first & 0x20 != 0
    }

    /// Reads one tag from the start of `data`; returns the tag and how many bytes it took.
    /// `offset` is only used to report where an error happened.
    pub(crate) fn read(data: &[u8], offset: usize) -> Result<(Tag, usize), TlvError> {
        let first = *data.first().ok_or(TlvError::TruncatedTag { offset })?;
        if first & 0x1F != 0x1F {
            return Ok((Tag(first as u32), 1));
        }
        let mut value = first as u32;
        for (i, byte) in data.iter().enumerate().skip(1) {
            if i >= 3 {
                return Err(TlvError::TagTooLong { offset });
            }
            value = (value << 8) | *byte as u32;
            if byte & 0x80 == 0 {
                return Ok((Tag(value), i + 1));
            }
        }
        Err(TlvError::TruncatedTag { offset })
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.to_bytes() {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({self})")
    }
}

impl FromStr for Tag {
    type Err = TlvError;

    /// Parses a tag written in hex (`"9F02"`); it must be exactly one well-formed tag.
    fn from_str(s: &str) -> Result<Tag, TlvError> {
        let bytes = hex::decode(s).map_err(|_| TlvError::TruncatedTag { offset: 0 })?;
        let (tag, used) = Tag::read(&bytes, 0)?;
        if used != bytes.len() {
            return Err(TlvError::TagTooLong { offset: 0 });
        }
        Ok(tag)
    }
}

/// Why a byte string is not valid BER-TLV; `offset` is where the bad object starts,
/// counted from the start of the outermost input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    /// The data ends inside a tag.
    #[error("offset {offset}: data ends inside a tag")]
    TruncatedTag { offset: usize },
    /// A tag of more than three bytes.
    #[error("offset {offset}: tag longer than 3 bytes")]
    TagTooLong { offset: usize },
    /// The data ends inside a length field.
    #[error("offset {offset}: data ends inside a length field")]
    TruncatedLength { offset: usize },
    /// Length byte `80` (indefinite form), which EMV does not allow.
    #[error("offset {offset}: indefinite length is not allowed")]
    IndefiniteLength { offset: usize },
    /// A length field with more than four subsequent bytes.
    #[error("offset {offset}: length field longer than 4 bytes")]
    LengthTooLong { offset: usize },
    /// The value runs past the end of the enclosing data.
    #[error("offset {offset}: tag {tag} claims {length} bytes but only {available} remain")]
    ValueTooLong {
        offset: usize,
        tag: Tag,
        length: usize,
        available: usize,
    },
    /// Constructed objects nested deeper than [`MAX_DEPTH`].
    #[error("offset {offset}: nesting deeper than {MAX_DEPTH} levels")]
    TooDeep { offset: usize },
}

impl TlvError {
    /// Where in the input the error was found.
    pub fn offset(&self) -> usize {
        match *self {
            TlvError::TruncatedTag { offset }
            | TlvError::TagTooLong { offset }
            | TlvError::TruncatedLength { offset }
            | TlvError::IndefiniteLength { offset }
            | TlvError::LengthTooLong { offset }
            | TlvError::ValueTooLong { offset, .. }
            | TlvError::TooDeep { offset } => offset,
        }
    }
}

/// One decoded object: borrowed from the input, with its raw encoding kept for hashing (SDA/CDA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The object's tag.
    pub tag: Tag,
    /// The value field.
    pub value: &'a [u8],
    /// Tag, length and value exactly as they appeared in the input.
    pub raw: &'a [u8],
    /// Offset of the tag's first byte in the outermost input.
    pub offset: usize,
    depth: usize,
}

impl<'a> Tlv<'a> {
    /// Whether the object is constructed (its value is itself TLV).
    pub fn is_constructed(&self) -> bool {
        self.tag.is_constructed()
    }

    /// The children of a constructed object; empty for a primitive one.
    pub fn children(&self) -> TlvIter<'a> {
        let data: &'a [u8] = if self.is_constructed() {
            self.value
        } else {
            &[]
        };
        let value_offset = self.offset + (self.raw.len() - self.value.len());
        TlvIter {
            data,
            pos: 0,
            base: value_offset,
            depth: self.depth + 1,
            failed: false,
        }
    }
}

/// Iterates the objects of one level of a TLV byte string; yields an error once and then stops.
#[derive(Debug, Clone)]
pub struct TlvIter<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
    depth: usize,
    failed: bool,
}

impl<'a> TlvIter<'a> {
    /// Iterates the top level of `data`.
    pub fn new(data: &'a [u8]) -> TlvIter<'a> {
        TlvIter {
            data,
            pos: 0,
            base: 0,
            depth: 0,
            failed: false,
        }
    }

    fn read_one(&mut self) -> Result<Tlv<'a>, TlvError> {
        let start = self.pos;
        let offset = self.base + start;
        if self.depth > MAX_DEPTH {
            return Err(TlvError::TooDeep { offset });
        }
        let rest = &self.data[start..];
        let (tag, tag_len) = Tag::read(rest, offset)?;
        let (length, len_len) = read_length(&rest[tag_len..], offset)?;
        let header = tag_len + len_len;
        let available = rest.len() - header;
        if length > available {
            return Err(TlvError::ValueTooLong {
                offset,
                tag,
                length,
                available,
            });
        }
        let end = header + length;
        self.pos = start + end;
        Ok(Tlv {
            tag,
            value: &rest[header..end],
            raw: &rest[..end],
            offset,
            depth: self.depth,
        })
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, TlvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        while self.data.get(self.pos) == Some(&0x00) {
            self.pos += 1;
        }
        if self.pos >= self.data.len() {
            return None;
        }
        let item = self.read_one();
        self.failed = item.is_err();
        Some(item)
    }
}

/// Reads a BER length field; returns the length and how many bytes the field took.
fn read_length(data: &[u8], offset: usize) -> Result<(usize, usize), TlvError> {
    let first = *data.first().ok_or(TlvError::TruncatedLength { offset })?;
    if first < 0x80 {
        return Ok((first as usize, 1));
    }
    let count = (first & 0x7F) as usize;
    if count == 0 {
        return Err(TlvError::IndefiniteLength { offset });
    }
    if count > 4 {
        return Err(TlvError::LengthTooLong { offset });
    }
    let bytes = data
        .get(1..=count)
        .ok_or(TlvError::TruncatedLength { offset })?;
    let length = bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
    Ok((length, 1 + count))
}

/// Decodes the top level of `data` into a list of objects.
pub fn parse(data: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    TlvIter::new(data).collect()
}

/// Decodes a tag list: tags one after another without lengths or values (Book 3 10.3, the
/// Static Data Authentication Tag List 9F4A).
pub fn parse_tag_list(data: &[u8]) -> Result<Vec<Tag>, TlvError> {
    let mut tags = Vec::new();
    let mut pos = 0;
    while let Some(rest) = data.get(pos..).filter(|r| !r.is_empty()) {
        let (tag, used) = Tag::read(rest, pos)?;
        tags.push(tag);
        pos += used;
    }
    Ok(tags)
}

/// Checks that `data` and every constructed object inside it are well-formed TLV.
pub fn validate(data: &[u8]) -> Result<(), TlvError> {
    fn walk(iter: TlvIter<'_>) -> Result<(), TlvError> {
        for item in iter {
            let tlv = item?;
            walk(tlv.children())?;
        }
        Ok(())
    }
    walk(TlvIter::new(data))
}

/// Depth-first search for the first object with `tag`, looking inside constructed objects.
pub fn find<'a>(data: &'a [u8], tag: Tag) -> Result<Option<Tlv<'a>>, TlvError> {
    fn search<'a>(iter: TlvIter<'a>, tag: Tag) -> Result<Option<Tlv<'a>>, TlvError> {
        for item in iter {
            let tlv = item?;
            if tlv.tag == tag {
                return Ok(Some(tlv));
            }
            if let Some(found) = search(tlv.children(), tag)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }
    search(TlvIter::new(data), tag)
}

/// Appends a BER length field for `length` (shortest form).
pub fn encode_length(length: usize, out: &mut Vec<u8>) {
    if length < 0x80 {
        out.push(length as u8);
        return;
    }
    let bytes = (length as u64).to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    out.push(0x80 | (8 - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

/// Appends one object (tag, shortest length, value) to `out`.
pub fn encode(tag: Tag, value: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&tag.to_bytes());
    encode_length(value.len(), out);
    out.extend_from_slice(value);
}

/// One object as a new byte vector.
pub fn encoded(tag: Tag, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 5);
    encode(tag, value, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FCI: &str = "6F2F840E325041592E5359532E4444463031A51DBF0C1A61184F07A0000000031010500A56495341204445424954870101";

    #[test]
    fn decodes_nested_fci() {
        let data = hex::decode(FCI).unwrap();
        let top = parse(&data).unwrap();
        assert_eq!(top.len(), 1);
        assert_eq!(top[0].tag, Tag::new(0x6F));
        let kids: Vec<_> = top[0].children().map(Result::unwrap).collect();
        assert_eq!(kids[0].tag, Tag::new(0x84));
        assert_eq!(kids[0].value, b"2PAY.SYS.DDF01");
        assert_eq!(kids[1].tag, Tag::new(0xA5));
        let label = find(&data, Tag::new(0x50)).unwrap().unwrap();
        assert_eq!(label.value, b"VISA DEBIT");
        assert_eq!(label.raw[0], 0x50);
        assert_eq!(
            &data[label.offset..label.offset + label.raw.len()],
            label.raw
        );
        let kernel_entry = find(&data, Tag::new(0xBF0C)).unwrap().unwrap();
        assert_eq!(kernel_entry.offset, 20);
    }

    #[test]
    fn tag_lists_have_no_lengths() {
        assert_eq!(
            parse_tag_list(&[0x82, 0x9F, 0x36, 0xDF, 0x81, 0x29]),
            Ok(vec![Tag::new(0x82), Tag::new(0x9F36), Tag::new(0xDF8129)])
        );
        assert_eq!(
            parse_tag_list(&[0x82, 0x9F]),
            Err(TlvError::TruncatedTag { offset: 1 })
        );
        assert_eq!(parse_tag_list(&[]), Ok(vec![]));
    }

    #[test]
    fn skips_zero_padding() {
        let data = [
            0x00, 0x00, 0x5A, 0x01, 0x12, 0x00, 0x9F, 0x36, 0x02, 0x00, 0x01, 0x00,
        ];
        let items = parse(&data).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].offset, 2);
        assert_eq!(items[1].tag, Tag::new(0x9F36));
        assert_eq!(items[1].value, &[0x00, 0x01]);
    }

    #[test]
    fn rejects_bad_encodings_with_offsets() {
        let cases: &[(&str, TlvError)] = &[
            (
                "6F05",
                TlvError::ValueTooLong {
                    offset: 0,
                    tag: Tag::new(0x6F),
                    length: 5,
                    available: 0,
                },
            ),
            (
                "5A0212",
                TlvError::ValueTooLong {
                    offset: 0,
                    tag: Tag::new(0x5A),
                    length: 2,
                    available: 1,
                },
            ),
            ("5A01129F", TlvError::TruncatedTag { offset: 3 }),
            ("5A011270", TlvError::TruncatedLength { offset: 3 }),
            ("7080", TlvError::IndefiniteLength { offset: 0 }),
            ("70850000000001", TlvError::LengthTooLong { offset: 0 }),
            ("9F8181010100", TlvError::TagTooLong { offset: 0 }),
            ("7081", TlvError::TruncatedLength { offset: 0 }),
        ];
        for (input, expected) in cases {
            let data = hex::decode(input).unwrap();
            let got = parse(&data).and_then(|_| validate(&data));
            assert_eq!(got.as_ref().err(), Some(expected), "input {input}");
        }
        assert_eq!(TlvError::TooDeep { offset: 7 }.offset(), 7);
    }

    #[test]
    fn nested_errors_report_absolute_offsets() {
        // 70 04 [5A 01 12] [9F ..]: the inner tag at offset 5 is cut off.
        let data = hex::decode("70045A01129F").unwrap();
        assert!(parse(&data).is_ok());
        assert_eq!(validate(&data), Err(TlvError::TruncatedTag { offset: 5 }));
    }

    #[test]
    fn depth_is_capped_without_recursion_blowup() {
        let mut data = vec![0x5A, 0x00];
        for _ in 0..(MAX_DEPTH + 2) {
            data = encoded(Tag::new(0x70), &data);
        }
        assert!(matches!(validate(&data), Err(TlvError::TooDeep { .. })));
        // 50 KB of well-formed nested headers (70 83 LLLLLL): bounded by MAX_DEPTH.
        let levels = 10_000usize;
        let mut deep = Vec::with_capacity(levels * 5);
        for i in 0..levels {
            let inner = (levels - i - 1) * 5;
            deep.extend_from_slice(&[
                0x70,
                0x83,
                (inner >> 16) as u8,
                (inner >> 8) as u8,
                inner as u8,
            ]);
        }
        assert!(matches!(validate(&deep), Err(TlvError::TooDeep { .. })));
        assert!(find(&deep, Tag::new(0x5A)).is_err());
    }

    #[test]
    fn long_lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 65535, 65536] {
            let value = vec![0xAB; len];
            let enc = encoded(Tag::new(0x9F4B), &value);
            let items = parse(&enc).unwrap();
            assert_eq!(items.len(), 1);
            assert_eq!(items[0].value.len(), len);
            assert_eq!(items[0].raw, &enc[..]);
        }
    }

    #[test]
    fn tag_text_forms() {
        assert_eq!("9F02".parse::<Tag>().unwrap(), Tag::new(0x9F02));
        assert_eq!(Tag::new(0xDF8129).to_string(), "DF8129");
        assert_eq!(Tag::new(0x5A).to_bytes(), vec![0x5A]);
        assert!("9F".parse::<Tag>().is_err());
        assert!("5A5A".parse::<Tag>().is_err());
        assert!(Tag::new(0x77).is_constructed());
        assert!(!Tag::new(0x9F26).is_constructed());
    }

    fn arb_tag() -> impl Strategy<Value = Tag> {
        prop_oneof![
            (0x01u32..=0xFE)
                .prop_filter("single-byte", |b| b & 0x1F != 0x1F)
                .prop_map(Tag::new),
            (0u32..=7, 0x00u32..=0x7F).prop_map(|(c, b)| Tag::new(((0x1F | (c << 5)) << 8) | b)),
            (0u32..=7, 0x80u32..=0xFF, 0u32..=0x7F)
                .prop_map(|(c, b, d)| Tag::new(((0x1F | (c << 5)) << 16) | (b << 8) | d)),
        ]
        .prop_filter("no padding byte tags", |t| t.to_bytes()[0] != 0)
    }

    proptest! {
        #[test]
        fn encode_decode_round_trip(items in proptest::collection::vec((arb_tag(), proptest::collection::vec(any::<u8>(), 0..300)), 0..8)) {
            let mut data = Vec::new();
            for (tag, value) in &items {
                encode(*tag, value, &mut data);
            }
            let decoded = parse(&data).unwrap();
            prop_assert_eq!(decoded.len(), items.len());
            for (d, (tag, value)) in decoded.iter().zip(&items) {
                prop_assert_eq!(d.tag, *tag);
                prop_assert_eq!(d.value, &value[..]);
            }
        }

        #[test]
        fn decode_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = validate(&data);
            if let Ok(items) = parse(&data) {
                let total: usize = items.iter().map(|t| t.raw.len()).sum();
                prop_assert!(total <= data.len());
            }
        }
    }

    #[test]
    fn one_million_random_inputs_do_not_panic() {
        // xorshift keeps the test deterministic without a dev-dependency.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut buf = Vec::with_capacity(64);
        let mut errors = 0usize;
        for _ in 0..1_000_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 48) as usize;
            buf.clear();
            for i in 0..len {
                buf.push((state >> ((i % 8) * 8)) as u8 ^ (i as u8).wrapping_mul(31));
            }
            if validate(&buf).is_err() {
                errors += 1;
            }
        }
        assert!(errors > 0, "random input should sometimes be malformed");
    }
}

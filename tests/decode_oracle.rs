//! A second opinion on the decoder: the `tlv_parser` crate (named in DESIGN.md and rejected
//! as the codec) parses the same bytes. On every input both parse, the trees must be equal;
//! where only one parses, the difference must be one of the rules below, each of which makes
//! tapterm's reading the right one for EMV. Anything else fails the test with the input.
//!
//! Inputs: every card response of the project's vectors (test-vectors/), those of
//! shared/vectors when it is there, hand-made cases for each rule, and generated TLV trees
//! with and without padding and corruption.

use std::collections::BTreeMap;
use std::path::Path;

use emv_kernel::tlv::{self, MAX_DEPTH, Tag, TlvError};
use proptest::prelude::*;
use tapterm::decode::{Node, decode};

/// A tree both sides can be compared in: tag, then the value or the children.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tree {
    Primitive(u32, Vec<u8>),
    Constructed(u32, Vec<Tree>),
}

/// A private-class constructed tag that wraps the input, so that `tlv_parser` (which reads
/// one object) reads a sequence with its own loop, and both sides get one object.
const WRAPPER: u32 = 0xE1;

fn wrap(body: &[u8]) -> Vec<u8> {
    tlv::encoded(Tag::new(WRAPPER), body)
}

fn ours(node: &Node) -> Tree {
    let tag = u32::from_str_radix(&node.tag, 16).unwrap_or_default();
    if Tag::new(tag).is_constructed() {
        Tree::Constructed(tag, node.children.iter().map(ours).collect())
    } else {
        let value = hex::decode(node.hex.as_deref().unwrap_or_default()).unwrap_or_default();
        Tree::Primitive(tag, value)
    }
}

fn theirs(t: &tlv_parser::tlv::Tlv) -> Tree {
    let tag = u32::try_from(t.tag()).unwrap_or(u32::MAX);
    match t.val() {
        tlv_parser::tlv::Value::TlvList(list) => {
            Tree::Constructed(tag, list.iter().map(theirs).collect())
        }
        tlv_parser::tlv::Value::Val(v) => Tree::Primitive(tag, v.clone()),
        tlv_parser::tlv::Value::Nothing => Tree::Primitive(tag, Vec::new()),
    }
}

/// Our tree of the wrapped input, or our codec's error.
fn our_tree(body: &[u8]) -> Result<Tree, TlvError> {
    // The codec's error, for the rule; the decoder's tree, for the comparison.
    tlv::validate(&wrap(body))?;
    let decoded = decode(&wrap(body), true).map_err(|_| TlvError::TruncatedTag { offset: 0 })?;
    assert!(
        decoded.status_word.is_none(),
        "the wrapper leaves no status word"
    );
    Ok(ours(&decoded.objects[0]))
}

fn their_tree(body: &[u8]) -> Option<Tree> {
    tlv_parser::tlv::Tlv::from_vec(&wrap(body))
        .ok()
        .map(|t| theirs(&t))
}

/// Encodes a tree with minimal lengths and no padding.
fn encode(t: &Tree, out: &mut Vec<u8>) {
    match t {
        Tree::Primitive(tag, v) => tlv::encode(Tag::new(*tag), v, out),
        Tree::Constructed(tag, children) => {
            let mut inner = Vec::new();
            for c in children {
                encode(c, &mut inner);
            }
            tlv::encode(Tag::new(*tag), &inner, out);
        }
    }
}

/// The rules that make tapterm's reading right where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rule {
    /// Book 3 Annex B: `00` bytes before, between and after objects are padding (erased
    /// data); tlv_parser reads them as a tag and fails.
    Padding,
    /// Book 3 Annex B2 (ISO/IEC 8825-1 definite form, the only one EMV uses): length byte
    /// `80` is not a length; tlv_parser reads it as zero.
    IndefiniteLength,
    /// Book 3 Annex B2: a length field must hold the bytes its first byte announces;
    /// tlv_parser reads a cut-off length field as the bytes that remain.
    TruncatedLength,
    /// Book 3 Annex B1 and the dictionaries (Book 3 Annex A, C-2 Annex A): EMV tags have at
    /// most three bytes; longer ones are malformed card data.
    TagTooLong,
    /// The project's bound on length fields (four bytes after `8x`, more than any EMV value
    /// needs: Book 3 Annex B2 lengths go up to 65 535).
    LengthTooLong,
    /// The project's bound on nesting (MAX_DEPTH, DESIGN.md: no unbounded recursion on card
    /// bytes); tlv_parser recurses without bound.
    TooDeep,
}

/// What the comparison found for one input.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Agree,
    BothReject,
    Ours(Rule),
}

fn compare(body: &[u8]) -> Verdict {
    match (our_tree(body), their_tree(body)) {
        (Ok(a), Some(b)) => {
            assert_eq!(a, b, "the trees differ on {}", hex::encode_upper(body));
            Verdict::Agree
        }
        (Err(_), None) => Verdict::BothReject,
        (Ok(a), None) => {
            // Only padding may explain it: without it, tlv_parser reads our tree.
            let mut clean = Vec::new();
            encode(&a, &mut clean);
            let reread = tlv_parser::tlv::Tlv::from_vec(&clean).map(|t| theirs(&t));
            assert!(
                clean.len() < wrap(body).len() && reread.as_ref().ok() == Some(&a),
                "tlv_parser rejects {} for a reason no rule names",
                hex::encode_upper(body)
            );
            Verdict::Ours(Rule::Padding)
        }
        (Err(e), Some(_)) => Verdict::Ours(match e {
            TlvError::IndefiniteLength { .. } => Rule::IndefiniteLength,
            TlvError::TruncatedLength { .. } => Rule::TruncatedLength,
            TlvError::TagTooLong { .. } => Rule::TagTooLong,
            TlvError::LengthTooLong { .. } => Rule::LengthTooLong,
            TlvError::TooDeep { .. } => Rule::TooDeep,
            other => panic!(
                "tlv_parser accepts {} where tapterm says {other}: no rule names this",
                hex::encode_upper(body)
            ),
        }),
    }
}

/// Card responses (without SW) of every vector under `dir`.
fn responses(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(responses(&path));
            continue;
        }
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let Ok(v) = emv_kernel::vector::parse(&std::fs::read_to_string(&path).unwrap_or_default())
        else {
            continue;
        };
        for e in v.taps.iter().flatten() {
            if let Some(r) = &e.r {
                out.push(r.0[..r.0.len().saturating_sub(2)].to_vec());
            }
        }
    }
    out
}

#[test]
fn every_recorded_response_gives_the_same_tree() {
    let mut inputs = responses(&Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors"));
    let project = inputs.len();
    if let Some(shared) = option_env!("TAPTERM_SHARED_VECTORS") {
        inputs.extend(responses(Path::new(shared)));
    }
    assert!(project > 100, "the project's vectors were read ({project})");
    let mut verdicts: BTreeMap<String, usize> = BTreeMap::new();
    for body in &inputs {
        *verdicts.entry(format!("{:?}", compare(body))).or_default() += 1;
    }
    eprintln!("{} responses: {verdicts:?}", inputs.len());
    // The wallets' malformed-TLV answer is the one both reject; every other answer is
    // well-formed and both read it alike.
    assert!(
        verdicts.get("Agree").copied().unwrap_or_default() >= project - 5,
        "{verdicts:?}"
    );
}

#[test]
fn each_rule_is_met_on_a_hand_made_case() {
    let cases: [(&str, Verdict); 8] = [
        ("5A0112", Verdict::Agree),
        (
            "0000 5A0112 00 9F360200 01 00",
            Verdict::Ours(Rule::Padding),
        ),
        ("5A80", Verdict::Ours(Rule::IndefiniteLength)),
        ("5A81", Verdict::Ours(Rule::TruncatedLength)),
        ("DF818101 00", Verdict::Ours(Rule::TagTooLong)),
        ("5A 85 0000000001 12", Verdict::Ours(Rule::LengthTooLong)),
        ("5A0512", Verdict::BothReject),
        ("", Verdict::Agree),
    ];
    for (hex_text, want) in cases {
        let body = hex::decode(hex_text.replace(' ', "")).unwrap();
        assert_eq!(compare(&body), want, "{hex_text}");
    }
    // Nesting one level past MAX_DEPTH (the wrapper is a level too).
    let mut deep = vec![0x5A, 0x00];
    for _ in 0..MAX_DEPTH {
        deep = tlv::encoded(Tag::new(0x70), &deep);
    }
    assert_eq!(compare(&deep), Verdict::Ours(Rule::TooDeep));
}

/// Tags the decoder explains (so that its value decoders meet arbitrary bytes too).
const EXPLAINED: [u32; 34] = [
    0x56, 0x57, 0x5A, 0x82, 0x87, 0x8C, 0x8E, 0x94, 0x95, 0x9A, 0x9B, 0x9C, 0x5F24, 0x5F28, 0x5F2A,
    0x5F2D, 0x9F02, 0x9F07, 0x9F0A, 0x9F0D, 0x9F10, 0x9F15, 0x9F1A, 0x9F21, 0x9F27, 0x9F33, 0x9F34,
    0x9F35, 0x9F40, 0x9F4A, 0x9F66, 0x9F69, 0x9F6C, 0x9F6E,
];

fn tag() -> impl Strategy<Value = u32> {
    prop_oneof![
        proptest::sample::select(&EXPLAINED[..]),
        // One byte, not 00 (padding) and not xF/x1F (multi-byte).
        (0x01u32..=0xFE).prop_filter("one-byte tag", |t| t & 0x1F != 0x1F),
        (0u32..=7, 0x00u32..=0x7F).prop_map(|(c, b)| ((0x1F | (c << 5)) << 8) | b),
        (0u32..=7, 0x81u32..=0xFF, 0x00u32..=0x7F).prop_map(|(c, b, d)| ((((0x1F | (c << 5))
            << 8)
            | b)
            << 8)
            | d),
    ]
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = (tag(), proptest::collection::vec(any::<u8>(), 0..40))
        .prop_map(|(t, v)| {
            let top = 8 * ((32 - t.leading_zeros() - 1) / 8);
            Tree::Primitive(t & !(0x20 << top), v)
        })
        .prop_filter("00 is padding, not a tag", |t| {
            !matches!(t, Tree::Primitive(0, _))
        });
    leaf.prop_recursive(4, 24, 4, |inner| {
        (tag(), proptest::collection::vec(inner, 0..4)).prop_map(|(t, children)| {
            let top = 8 * ((32 - t.leading_zeros() - 1) / 8);
            Tree::Constructed(t | (0x20 << top), children)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Well-formed trees (minimal lengths, no padding) read alike, with and without an AID
    /// of each scheme for the scheme-dependent readings.
    #[test]
    fn generated_trees_agree(
        trees in proptest::collection::vec(tree(), 0..4),
        aid in proptest::sample::select(&["", "A0000000031010", "A0000000041010", "A00000002501"][..]),
    ) {
        let mut body = Vec::new();
        for t in &trees {
            encode(t, &mut body);
        }
        prop_assert_eq!(compare(&body), Verdict::Agree);
        let options = tapterm::decode::Options {
            reveal: false,
            aid: (!aid.is_empty()).then(|| hex::decode(aid).unwrap_or_default()),
            currency: Some(978),
        };
        prop_assert!(tapterm::decode::decode_with(&body, &options).is_ok());
    }

    /// Padding, cut-offs and flipped bytes: every difference is one a rule names.
    #[test]
    fn damaged_trees_differ_only_by_a_rule(
        trees in proptest::collection::vec(tree(), 1..3),
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        pad in any::<prop::sample::Index>(),
    ) {
        let mut body = Vec::new();
        for t in &trees {
            encode(t, &mut body);
        }
        let mut padded = body.clone();
        padded.insert(pad.index(padded.len() + 1), 0x00);
        compare(&padded);
        let mut flipped = body.clone();
        let i = flip.index(flipped.len());
        flipped[i] = byte;
        compare(&flipped);
        compare(&body[..cut.index(body.len() + 1)]);
    }
}

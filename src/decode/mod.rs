//! Bytes in, a TLV tree with EMV names out (Book 3 Annex A and B), for `tapterm decode`,
//! `tapterm pay --decode` and the developer screen; and the one name of each command.
//!
//! Values are shown the way the books define them: text for `an`/`ans`, digits for `n`/`cn`,
//! dates as YYYY-MM-DD, amounts with the currency of a 5F2A found in the same input, bit
//! explanations for bit-mapped objects and tag lists for DOLs. A status word at the end is
//! explained. PAN and track data are masked unless `--reveal` is given.
//!
//! One module per concern: [`scheme`] (which payment system an AID belongs to, for the
//! qualifiers that mean different things per kernel), [`iad`] (9F10 by scheme), [`fields`]
//! (issuer action codes, usage control, terminal data, 9F69/9F6C/9F6E; 9F70/9F71 by the
//! kernel's Amex tables), [`names`]
//! (countries, currencies, languages, merchant categories), [`modes`] (a DOL, a tag list,
//! an ATR on their own) and [`tap`] (a whole recorded tap with its ODA chain).

pub mod fields;
pub mod iad;
pub mod modes;
pub mod names;
pub mod scheme;
pub mod tap;

use emv_kernel::tags::{self, Format};
use emv_kernel::tlv::{self, Tag, TlvError, TlvIter};
use emv_kernel::{bits, dol, status_words};
use rust_decimal::Decimal;
use serde::Serialize;

/// Why the input could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// Not hex.
    #[error("bad hex: character {character:?} at position {position}")]
    BadHex { character: char, position: usize },
    /// An odd number of hex digits.
    #[error("bad hex: odd number of hex digits ({0})")]
    OddLength(usize),
    /// Nothing to decode.
    #[error("no input: give hex as arguments or on standard input")]
    Empty,
    /// Not BER-TLV (with or without a trailing status word).
    #[error("bad TLV at {0}")]
    Tlv(#[from] TlvError),
    /// The input could not be read.
    #[error("cannot read standard input: {0}")]
    Stdin(String),
}

/// One decoded object.
#[derive(Debug, Serialize)]
pub struct Node {
    /// Tag in hex.
    pub tag: String,
    /// Dictionary name, or `None` for an unknown tag.
    pub name: Option<&'static str>,
    /// Offset of the tag in the input.
    pub offset: usize,
    /// Length of the value.
    pub length: usize,
    /// Value in hex; `None` when masked or constructed (the children carry the bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// The value in the tag's own terms (text, digits, date, amount, masked PAN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Bit explanations, DOL entries, CVM rules or AFL entries, one line each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explain: Vec<String>,
    /// Children of a constructed object.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
}

/// A trailing status word.
#[derive(Debug, Serialize)]
pub struct StatusWord {
    /// SW1 SW2 in hex.
    pub sw: String,
    /// What it means.
    pub meaning: String,
}

/// The whole decoded input.
#[derive(Debug, Serialize)]
pub struct Decoded {
    /// Top-level objects.
    pub objects: Vec<Node>,
    /// The status word at the end, when the input is a card response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_word: Option<StatusWord>,
}

/// Turns text into bytes, ignoring white space.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, DecodeError> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() {
        return Err(DecodeError::Empty);
    }
    if let Some((position, character)) = digits
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_hexdigit())
    {
        return Err(DecodeError::BadHex {
            character,
            position,
        });
    }
    if !digits.len().is_multiple_of(2) {
        return Err(DecodeError::OddLength(digits.len()));
    }
    hex::decode(&digits).map_err(|_| DecodeError::OddLength(digits.len()))
}

/// How to decode: what the bytes alone cannot say.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Show PAN and track data in full.
    pub reveal: bool,
    /// The AID of the tap, for the scheme-dependent readings (9F10, 9F69, 9F6C, 9F6E);
    /// without it, a DF name (84) or AID (4F) in the input is used.
    pub aid: Option<Vec<u8>>,
    /// The transaction currency (5F2A) when the input has none, e.g. from the GPO's PDOL
    /// data.
    pub currency: Option<u16>,
}

/// Decodes bytes into a tree (see [`decode_with`]).
pub fn decode(data: &[u8], reveal: bool) -> Result<Decoded, DecodeError> {
    decode_with(
        data,
        &Options {
            reveal,
            ..Options::default()
        },
    )
}

/// Decodes bytes into a tree. When the input ends in two bytes that look like a status word
/// and the bytes before them are well-formed TLV (or nothing), those two bytes are taken as
/// the status word: a card response is the commonest input, and `9000` would otherwise read
/// as an empty tag 90.
pub fn decode_with(data: &[u8], options: &Options) -> Result<Decoded, DecodeError> {
    let split = data.len().checked_sub(2).and_then(|n| {
        let (body, sw) = data.split_at(n);
        let sw = u16::from_be_bytes([*sw.first()?, *sw.get(1)?]);
        (status_words::is_plausible_sw(sw) && tlv::validate(body).is_ok()).then_some((body, sw))
    });
    let (body, sw) = match split {
        Some((body, sw)) => (body, Some(sw)),
        None => {
            tlv::validate(data)?;
            (data, None)
        }
    };
    let found = |tag: u32| tlv::find(body, Tag::new(tag)).ok().flatten();
    let aid = options.aid.clone().or_else(|| {
        found(0x84)
            .or_else(|| found(0x4F))
            .map(|t| t.value.to_vec())
    });
    let context = Context {
        currency: found(0x5F2A)
            .and_then(|t| fields::bcd_number(t.value))
            .or(options.currency),
        reveal: options.reveal,
        app: aid.as_deref().map(scheme::Application::new),
    };
    let objects = nodes(TlvIter::new(body), &context)?;
    Ok(Decoded {
        objects,
        status_word: sw.map(|sw| StatusWord {
            sw: format!("{sw:04X}"),
            meaning: status_words::explain_sw(sw),
        }),
    })
}

struct Context {
    currency: Option<u16>,
    reveal: bool,
    app: Option<scheme::Application>,
}

fn nodes(iter: TlvIter<'_>, context: &Context) -> Result<Vec<Node>, TlvError> {
    iter.map(|item| {
        let t = item?;
        let children = nodes(t.children(), context)?;
        let masked = (!context.reveal)
            .then(|| tags::masked(t.tag, t.value))
            .flatten();
        let (value, explain) = match (&masked, t.is_constructed()) {
            (Some(m), _) => (Some(m.clone()), Vec::new()),
            (None, true) => (None, Vec::new()),
            (None, false) => describe(t.tag, t.value, context),
        };
        Ok(Node {
            tag: t.tag.to_string(),
            name: tags::lookup(t.tag).map(|i| i.name),
            offset: t.offset,
            length: t.value.len(),
            hex: (masked.is_none() && !t.is_constructed()).then(|| hex::encode_upper(t.value)),
            value,
            explain,
            children,
        })
    })
    .collect()
}

/// BCD digits as text (nibbles above 9 shown as hex letters).
fn digits(value: &[u8]) -> String {
    hex::encode_upper(value)
}

fn printable(value: &[u8]) -> Option<String> {
    let ok = !value.is_empty() && value.iter().all(|b| (0x20..0x7F).contains(b));
    ok.then(|| String::from_utf8_lossy(value).into_owned())
}

/// YYMMDD as YYYY-MM-DD; years 00–49 are 20xx and 50–99 are 19xx (Book 3 Annex A, 5F24).
fn date(value: &[u8]) -> Option<String> {
    let d = digits(value);
    if d.len() != 6 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yy: u16 = d.get(0..2)?.parse().ok()?;
    let century = if yy < 50 { 2000 } else { 1900 };
    Some(format!(
        "{}-{}-{}",
        century + yy,
        d.get(2..4)?,
        d.get(4..6)?
    ))
}

fn amount(value: &[u8], currency: Option<u16>) -> Option<String> {
    let d = digits(value);
    let minor: i64 = d.parse().ok()?;
    let Some(code) = currency else {
        return Some(format!("{minor} minor units (no 5F2A in the input)"));
    };
    let exponent = emv_kernel::vector::currency_exponent(code)?;
    let alpha = iso_currency::Currency::from_numeric(code)
        .map_or(String::new(), |c| format!(" {}", c.code()));
    Some(format!(
        "{}{alpha}",
        Decimal::new(minor, u32::from(exponent))
    ))
}

/// One line per DOL entry: tag, length and name (Book 3 5.4).
pub fn dol_lines(value: &[u8]) -> Vec<String> {
    match dol::parse(value) {
        Ok(entries) => entries
            .iter()
            .map(|e| {
                let name = tags::lookup(e.tag).map_or("unknown tag", |i| i.name);
                format!("{} ({} bytes) {name}", e.tag, e.length)
            })
            .collect(),
        Err(e) => vec![format!("not a valid DOL: {e}")],
    }
}

/// Book 3 Annex C3: amount X, amount Y, then two-byte CV Rules.
fn cvm_list_lines(value: &[u8]) -> Vec<String> {
    let (Some(x), Some(y), Some(rules)) = (value.get(0..4), value.get(4..8), value.get(8..)) else {
        return vec!["too short for a CVM List".into()];
    };
    let amount = |b: &[u8]| b.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut lines = vec![format!("X = {}, Y = {}", amount(x), amount(y))];
    for rule in rules.chunks(2) {
        let [code, condition] = rule else {
            lines.push("odd byte at the end of the CVM List".into());
            break;
        };
        let next = if code & 0x40 != 0 {
            "apply next rule if unsuccessful"
        } else {
            "fail if unsuccessful"
        };
        lines.push(format!(
            "{code:02X}{condition:02X}: {} / {} ({next})",
            bits::cvm_name(*code),
            bits::cvm_condition_name(*condition)
        ));
    }
    lines
}

/// Book 3 10.2: four bytes per entry: SFI, first record, last record, records for ODA.
fn afl_lines(value: &[u8]) -> Vec<String> {
    value
        .chunks(4)
        .map(|e| match e {
            [sfi, first, last, oda] => format!(
                "SFI {} records {first}-{last} ({oda} for offline data authentication)",
                sfi >> 3
            ),
            _ => "incomplete AFL entry".into(),
        })
        .collect()
}

/// Book 3 Annex A, tag 87: b4–b1 priority (1 highest, 0 none), b8 confirmation required.
fn priority_lines(value: &[u8]) -> Vec<String> {
    let Some(&byte) = value.first() else {
        return Vec::new();
    };
    let mut lines = vec![match byte & 0x0F {
        0 => "no priority assigned".to_string(),
        p => format!("priority {p} (1 is highest)"),
    }];
    if byte & 0x80 != 0 {
        lines.push("cannot be selected without confirmation of the cardholder".into());
    }
    lines
}

/// A numeric code (n3/n4) with its name from `name`.
fn named_code(value: &[u8], name: impl Fn(u16) -> Option<String>) -> Option<String> {
    let code = fields::bcd_number(value)?;
    Some(match name(code) {
        Some(n) => format!("{code:03}: {n}"),
        None => format!("{code:03}: not a known code"),
    })
}

/// The value in the tag's terms and explanation lines for a primitive object.
fn describe(tag: Tag, value: &[u8], context: &Context) -> (Option<String>, Vec<String>) {
    let app = context.app.as_ref();
    let text = match tag.value() {
        0x5F24 | 0x5F25 | 0x9A => date(value),
        0x9F21 => {
            let d = digits(value);
            (d.len() == 6).then(|| format!("{}:{}:{}", &d[0..2], &d[2..4], &d[4..6]))
        }
        0x9F02 | 0x9F03 | 0xDF8123..=0xDF8126 => amount(value, context.currency),
        0x5F2A | 0x9F42 => named_code(value, names::currency),
        0x5F28 | 0x9F1A => named_code(value, |c| names::country(c).map(str::to_string)),
        0x9F15 => fields::bcd_number(value)
            .and_then(|c| names::merchant_category(c).map(|n| format!("{c:04}: {n}"))),
        0x5F2D => names::languages(value),
        0x9C => fields::transaction_type(value),
        _ => match tags::format_of(tag) {
            Format::An | Format::Ans => printable(value),
            Format::N => Some(digits(value)),
            Format::Cn => Some(digits(value).trim_end_matches('F').to_string()),
            // Names like DF Names are often readable ("2PAY.SYS.DDF01").
            Format::B if matches!(tag.value(), 0x84 | 0x4F | 0x9D) => printable(value),
            Format::B => None,
        },
    };
    let explain = match tag.value() {
        0x9F38 | 0x8C | 0x8D | 0x9F49 | 0x97 | 0xDF811A => dol_lines(value),
        0x8E => cvm_list_lines(value),
        0x94 => afl_lines(value),
        0x87 => priority_lines(value),
        0x9F10 => iad::explain(value, app),
        0x9F0D..=0x9F0F => fields::issuer_action_code(value),
        0x9F07 => fields::application_usage_control(value),
        0x9F35 => fields::terminal_type(value, app),
        0x9F40 => fields::additional_terminal_capabilities(value),
        0x9F4A => fields::tag_list(value),
        0x9F0A => fields::asrpd(value),
        0x9F69 => fields::tag_9f69(value, app),
        0x9F6C => fields::tag_9f6c(value, app),
        0x9F6E => fields::tag_9f6e(value, app),
        // Under an Amex AID 9F70 and 9F71 have Kernel 4's meanings (C-4).
        _ => match app {
            Some(a) => bits::explain_for_aid(&a.aid, tag, value),
            None => bits::explain(tag, value),
        }
        .unwrap_or_default(),
    };
    (text, explain)
}

/// The tree as indented text.
pub fn render_text(decoded: &Decoded) -> String {
    fn walk(nodes: &[Node], depth: usize, out: &mut String) {
        for n in nodes {
            let pad = "  ".repeat(depth);
            let name = n.name.unwrap_or("unknown tag");
            out.push_str(&format!("{pad}{} {name} [{} bytes]", n.tag, n.length));
            if n.children.is_empty() {
                if let Some(h) = &n.hex {
                    out.push_str(&format!(": {h}"));
                }
                if let Some(v) = &n.value {
                    out.push_str(&format!(" = {v:?}"));
                }
            }
            out.push('\n');
            for line in &n.explain {
                out.push_str(&format!("{pad}    - {line}\n"));
            }
            walk(&n.children, depth + 1, out);
        }
    }
    let mut out = String::new();
    walk(&decoded.objects, 0, &mut out);
    if let Some(sw) = &decoded.status_word {
        out.push_str(&format!("SW {}\n", sw.meaning));
    }
    out
}

/// The command's name without its hex ("SELECT", "READ RECORD SFI 1 record 2"), from the
/// kernel's own description of the command (Book 3 6.5 commands, Book B PPSE).
pub fn command_name(command: &[u8]) -> String {
    let described = emv_kernel::replay::describe(command);
    match described.split_once(" (") {
        Some((name, _)) => name.trim_end().to_string(),
        None => described,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FCI: &str = "6F2F840E325041592E5359532E4444463031A51DBF0C1A61184F07A0000000031010\
                       500A564953412044454249548701019000";

    #[test]
    fn ppse_response_tree_and_status_word() {
        let d = decode(&parse_hex(FCI).unwrap(), false).unwrap();
        assert_eq!(d.objects.len(), 1);
        assert_eq!(d.status_word.as_ref().unwrap().sw, "9000");
        let text = render_text(&d);
        assert!(text.contains("6F File Control Information (FCI) Template [47 bytes]"));
        assert!(text.contains("\"2PAY.SYS.DDF01\""));
        assert!(
            text.contains("50 Application Label [10 bytes]: 56495341204445424954 = \"VISA DEBIT\"")
        );
        assert!(text.contains("SW 9000: success"));
    }

    #[test]
    fn dates_amounts_and_bits() {
        let data =
            parse_hex("9A03 261126 5F2403 251231 9F02 06 000000001234 5F2A 02 0978 82 02 1980")
                .unwrap();
        let d = decode(&data, false).unwrap();
        let v: Vec<_> = d.objects.iter().map(|n| n.value.clone()).collect();
        assert_eq!(v[0].as_deref(), Some("2026-11-26"));
        assert_eq!(v[1].as_deref(), Some("2025-12-31"));
        assert_eq!(v[2].as_deref(), Some("12.34 EUR"));
        assert_eq!(d.objects[4].explain.len(), 4);
        assert!(d.status_word.is_none());
    }

    #[test]
    fn dols_and_cvm_list() {
        let data = parse_hex("9F38 09 9F66 04 9F02 06 9F37 04").unwrap();
        let d = decode(&data, false).unwrap();
        assert_eq!(
            d.objects[0].explain,
            [
                "9F66 (4 bytes) Terminal Transaction Qualifiers (TTQ)",
                "9F02 (6 bytes) Amount, Authorised (Numeric)",
                "9F37 (4 bytes) Unpredictable Number",
            ]
        );
        let d = decode(
            &parse_hex("8E 0C 00000000 00000000 4203 1F03").unwrap(),
            false,
        )
        .unwrap();
        assert_eq!(d.objects[0].explain[0], "X = 0, Y = 0");
        assert!(d.objects[0].explain[1].starts_with("4203: Enciphered PIN verified online"));
    }

    #[test]
    fn pan_masked_unless_revealed() {
        let data = parse_hex("70 0A 5A 08 4761739001010119").unwrap();
        let d = decode(&data, false).unwrap();
        let pan = &d.objects[0].children[0];
        assert_eq!(pan.value.as_deref(), Some("476173******0119"));
        assert!(pan.hex.is_none());
        let json = serde_json::to_string(&d).unwrap();
        assert!(!json.contains("4761739001010119"));
        let d = decode(&data, true).unwrap();
        assert_eq!(
            d.objects[0].children[0].hex.as_deref(),
            Some("4761739001010119")
        );
    }

    #[test]
    fn errors_name_the_offset() {
        let e = decode(&parse_hex("6F05").unwrap(), false).unwrap_err();
        assert!(e.to_string().contains("offset 0"), "{e}");
        let e = parse_hex("00zz").unwrap_err();
        assert_eq!(e.to_string(), "bad hex: character 'z' at position 2");
        assert!(matches!(parse_hex("ABC"), Err(DecodeError::OddLength(3))));
        assert!(matches!(parse_hex("  "), Err(DecodeError::Empty)));
    }

    #[test]
    fn command_names_come_without_hex() {
        assert_eq!(command_name(&[0x00, 0xA4, 0x04, 0x00, 0x00]), "SELECT");
        assert_eq!(
            command_name(&[0x00, 0xB2, 0x02, 0x0C, 0x00]),
            "READ RECORD SFI 1 record 2"
        );
    }

    #[test]
    fn bare_status_word() {
        let d = decode(&[0x6A, 0x82], false).unwrap();
        assert!(d.objects.is_empty());
        assert!(d.status_word.unwrap().meaning.contains("not found"));
    }
}

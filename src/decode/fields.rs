//! Explanations of the terminal and card data objects that are not kernel qualifiers: issuer
//! action codes as TVR bits, Application Usage Control, Terminal Type, Additional Terminal
//! Capabilities, Transaction Type, the SDA tag list, ASRPD, Card Authentication Related
//! Data, and the scheme-dependent readings of 9F6E and 9F6C.

use emv_kernel::qualifiers::ContactlessReaderCapabilities;
use emv_kernel::tlv::{self, Tag};
use emv_kernel::{bits, tags};

use super::names;
use super::scheme::{Application, Scheme};

/// Lines for every set bit of `value` named in `table` (byte, mask, name), then the set bits
/// the table does not name, as RFU.
fn named_bits(value: &[u8], table: &[(usize, u8, &str)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut covered = vec![0u8; value.len()];
    for (byte, mask, name) in table {
        let Some(i) = byte.checked_sub(1) else {
            continue;
        };
        if let Some(c) = covered.get_mut(i) {
            *c |= mask;
        }
        if value.get(i).is_some_and(|v| v & mask != 0) {
            out.push(format!(
                "byte {byte} b{}: {name}",
                mask.trailing_zeros() + 1
            ));
        }
    }
    for (i, (v, c)) in value.iter().zip(&covered).enumerate() {
        for b in (1..=8u8).rev() {
            if (v & !c) & (1 << (b - 1)) != 0 {
                out.push(format!("byte {} b{b}: RFU bit set", i + 1));
            }
        }
    }
    out
}

/// Issuer Action Codes (9F0D default, 9F0E denial, 9F0F online) have the TVR's layout
/// (Book 3 10.7): each set bit names the TVR condition it acts on.
pub fn issuer_action_code(value: &[u8]) -> Vec<String> {
    match bits::explain(tags::TVR, value) {
        Some(lines) if lines.is_empty() => vec!["no TVR condition selected".into()],
        Some(lines) => lines,
        None => vec!["not 5 bytes: not a TVR bit map".into()],
    }
}

/// Application Usage Control (9F07), Book 3 Annex C2.
pub fn application_usage_control(value: &[u8]) -> Vec<String> {
    named_bits(
        value,
        &[
            (1, 0x80, "Valid for domestic cash transactions"),
            (1, 0x40, "Valid for international cash transactions"),
            (1, 0x20, "Valid for domestic goods"),
            (1, 0x10, "Valid for international goods"),
            (1, 0x08, "Valid for domestic services"),
            (1, 0x04, "Valid for international services"),
            (1, 0x02, "Valid at ATMs"),
            (1, 0x01, "Valid at terminals other than ATMs"),
            (2, 0x80, "Domestic cashback allowed"),
            (2, 0x40, "International cashback allowed"),
        ],
    )
}

/// Terminal Type (9F35, n2), Book 4 Annex A1 Table 24. Under an Amex AID the byte the card
/// receives is the Terminal Type ORed with the Contactless Reader Capabilities (9F6D, bits
/// b8, b7, b4; C-4 4.3.3), so those bits are read as 9F6D's first.
pub fn terminal_type(value: &[u8], app: Option<&Application>) -> Vec<String> {
    let &[byte] = value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let code = if app.and_then(|a| a.scheme) == Some(Scheme::Amex) {
        let caps = byte & ContactlessReaderCapabilities::MASK;
        out.push(format!(
            "{}: b8, b7, b4 are the Contactless Reader Capabilities (9F6D) {caps:02X} (C-4 4.3.3)",
            reading(app, "Terminal Type with 9F6D ORed in")
        ));
        out.extend(
            bits::explain(Tag::new(0x9F6D), &[caps])
                .unwrap_or_default()
                .into_iter()
                .map(|l| format!("9F6D {l}")),
        );
        byte & !ContactlessReaderCapabilities::MASK
    } else {
        byte
    };
    let control = match code >> 4 {
        1 => "financial institution",
        2 => "merchant",
        3 => "cardholder",
        _ => "not defined",
    };
    let environment = match code & 0x0F {
        1 => "attended, online only",
        2 => "attended, offline with online capability",
        3 => "attended, offline only",
        4 => "unattended, online only",
        5 => "unattended, offline with online capability",
        6 => "unattended, offline only",
        _ => "not defined",
    };
    out.push(format!(
        "terminal type {code:02X}: operational control: {control}"
    ));
    out.push(format!(
        "terminal type {code:02X}: environment: {environment}"
    ));
    out
}

/// Additional Terminal Capabilities (9F40), Book 4 Annex A3.
pub fn additional_terminal_capabilities(value: &[u8]) -> Vec<String> {
    let mut table = vec![
        (1, 0x80, "Transaction type: Cash"),
        (1, 0x40, "Transaction type: Goods"),
        (1, 0x20, "Transaction type: Services"),
        (1, 0x10, "Transaction type: Cashback"),
        (1, 0x08, "Transaction type: Inquiry"),
        (1, 0x04, "Transaction type: Transfer"),
        (1, 0x02, "Transaction type: Payment"),
        (1, 0x01, "Transaction type: Administrative"),
        (2, 0x80, "Transaction type: Cash deposit"),
        (3, 0x80, "Data input: Numeric keys"),
        (
            3,
            0x40,
            "Data input: Alphabetic and special characters keys",
        ),
        (3, 0x20, "Data input: Command keys"),
        (3, 0x10, "Data input: Function keys"),
        (4, 0x80, "Data output: Print, attendant"),
        (4, 0x40, "Data output: Print, cardholder"),
        (4, 0x20, "Data output: Display, attendant"),
        (4, 0x10, "Data output: Display, cardholder"),
        (4, 0x02, "Data output: Code table 10"),
        (4, 0x01, "Data output: Code table 9"),
    ];
    const TABLES: [&str; 8] = [
        "Data output: Code table 8",
        "Data output: Code table 7",
        "Data output: Code table 6",
        "Data output: Code table 5",
        "Data output: Code table 4",
        "Data output: Code table 3",
        "Data output: Code table 2",
        "Data output: Code table 1",
    ];
    for (i, name) in TABLES.iter().enumerate() {
        table.push((5, 0x80 >> i, name));
    }
    named_bits(value, &table)
}

/// Transaction Type (9C): the first two digits of the ISO 8583:1987 processing code (Book 3
/// Annex A), with the values the EMV books use.
pub fn transaction_type(value: &[u8]) -> Option<String> {
    let &[code] = value else {
        return None;
    };
    let name = match code {
        0x00 => "goods and services (purchase)",
        0x01 => "cash",
        0x09 => "purchase with cashback",
        0x20 => "refund",
        0x30 => "inquiry",
        _ => "an ISO 8583 processing code not named here",
    };
    Some(format!("{code:02X}: {name}"))
}

/// A tag list (9F4A and other lists of tags without lengths, Book 3 10.3): each tag named.
pub fn tag_list(value: &[u8]) -> Vec<String> {
    match tlv::parse_tag_list(value) {
        Ok(list) => list
            .into_iter()
            .map(|tag| {
                let name = tags::lookup(tag).map_or("unknown tag", |i| i.name);
                format!("{tag} {name}")
            })
            .collect(),
        Err(e) => vec![format!("not a valid tag list: {e}")],
    }
}

/// Application Selection Registered Proprietary Data (9F0A), Book 1 12.5: entries of an ID
/// (2 bytes), a length (1) and data. The IDs named are EMVCo's registrations as emv-utils
/// lists them.
pub fn asrpd(value: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let [a, b, len, tail @ ..] = rest else {
            out.push(format!("incomplete entry: {}", hex::encode_upper(rest)));
            break;
        };
        let id = u16::from_be_bytes([*a, *b]);
        let who = match id {
            0x0001 => "European Cards Stakeholders Group",
            0x0003 => "Technical Cooperation ep2 Association",
            0x0005 => "Universal Global Scientific Industrial",
            _ => "unregistered here",
        };
        let len = usize::from(*len);
        let Some(data) = tail.get(..len) else {
            out.push(format!(
                "ID {id:04X} ({who}): length {len} runs past the end"
            ));
            break;
        };
        out.push(format!("ID {id:04X} ({who}): {}", hex::encode_upper(data)));
        rest = tail.get(len..).unwrap_or_default();
    }
    out
}

/// Card Authentication Related Data (9F69, C-3 Annex A): fDDA version, the card's
/// unpredictable number, the CTQ copy.
fn card_authentication_related_data(value: &[u8]) -> Vec<String> {
    let [version, un @ .., c1, c2] = value else {
        return vec!["too short for Card Authentication Related Data".into()];
    };
    let mut out = vec![
        format!("byte 1: fDDA version {version:02X}"),
        format!(
            "bytes 2-{}: card unpredictable number {}",
            value.len() - 2,
            hex::encode_upper(un)
        ),
        format!("last 2 bytes: CTQ copy {c1:02X}{c2:02X}"),
    ];
    out.extend(
        bits::explain(tags::CTQ, &[*c1, *c2])
            .unwrap_or_default()
            .into_iter()
            .map(|l| format!("  CTQ {l}")),
    );
    out
}

/// The reading of a scheme-dependent tag, and the line saying which was used.
fn reading(app: Option<&Application>, name: &str) -> String {
    match app {
        Some(a) => format!("read as {name} ({})", a.because()),
        None => format!("read as {name} (no AID in the input: the default reading)"),
    }
}

/// 9F69: Card Authentication Related Data under C-3 (Visa), the UDOL under C-2 (Mastercard
/// mag-stripe).
pub fn tag_9f69(value: &[u8], app: Option<&Application>) -> Vec<String> {
    if app.and_then(|a| a.scheme) == Some(Scheme::Mastercard) {
        let mut out = vec![reading(app, "the UDOL (C-2)")];
        out.extend(super::dol_lines(value));
        return out;
    }
    let mut out = vec![reading(app, "Card Authentication Related Data (C-3)")];
    out.extend(card_authentication_related_data(value));
    out
}

/// 9F6C: the Card Transaction Qualifiers under C-3 (Visa), the Application Version Number
/// (Card) of mag-stripe mode under C-2 (Mastercard).
pub fn tag_9f6c(value: &[u8], app: Option<&Application>) -> Vec<String> {
    if app.and_then(|a| a.scheme) == Some(Scheme::Mastercard) {
        return vec![
            reading(app, "Mag-stripe Application Version Number (Card) (C-2)"),
            format!("version {}", hex::encode_upper(value)),
        ];
    }
    let mut out = vec![reading(app, "Card Transaction Qualifiers (C-3)")];
    out.extend(bits::explain(tags::CTQ, value).unwrap_or_else(|| vec!["not 2 bytes".into()]));
    out
}

/// 9F6E: the Form Factor Indicator under C-3 (Visa), Third Party Data under C-2
/// (Mastercard), Enhanced Contactless Reader Capabilities under C-4 (Amex). Without an AID,
/// a 4-byte value is read as the FFI and a 5–32-byte one as Third Party Data.
pub fn tag_9f6e(value: &[u8], app: Option<&Application>) -> Vec<String> {
    let scheme = app.and_then(|a| a.scheme);
    match scheme {
        Some(Scheme::Amex) => {
            let aid = app.map(|a| a.aid.as_slice()).unwrap_or_default();
            let mut out = vec![reading(
                app,
                "Enhanced Contactless Reader Capabilities (C-4)",
            )];
            out.extend(
                bits::explain_for_aid(aid, tags::THIRD_PARTY_DATA, value)
                    .unwrap_or_else(|| vec!["not 4 bytes: not the reader capabilities".into()]),
            );
            out
        }
        Some(Scheme::Mastercard) => third_party_data(value, app),
        None if value.len() != 4 => third_party_data(value, app),
        _ => {
            let mut out = vec![reading(app, "Form Factor Indicator (C-3)")];
            out.extend(
                bits::explain(tags::THIRD_PARTY_DATA, value)
                    .unwrap_or_else(|| vec!["not 4 bytes: not a Form Factor Indicator".into()]),
            );
            out
        }
    }
}

/// Mastercard Third Party Data (C-2 Annex A; M/Chip Requirements, Third Party Data, as
/// emv-utils reads it): country code (2), unique identifier (2), device type (2, `an`, when
/// b16 of the identifier is 0), proprietary data.
fn third_party_data(value: &[u8], app: Option<&Application>) -> Vec<String> {
    let mut out = vec![reading(app, "Third Party Data (C-2)")];
    let [c1, c2, u1, u2, rest @ ..] = value else {
        out.push("shorter than 5 bytes: not Third Party Data".into());
        return out;
    };
    let country = bcd_number(&[*c1, *c2]);
    let country_name = country
        .and_then(names::country)
        .unwrap_or("unknown country");
    out.push(format!(
        "bytes 1-2: country {:03} ({country_name})",
        country.unwrap_or_default()
    ));
    let id = u16::from_be_bytes([*u1, *u2]);
    out.push(format!("bytes 3-4: unique identifier {id:04X}"));
    let rest = if id & 0x8000 == 0 {
        let Some(device) = rest.get(..2) else {
            out.push("device type missing".into());
            return out;
        };
        let code = String::from_utf8_lossy(device).into_owned();
        out.push(format!(
            "bytes 5-6: device type {code} ({})",
            device_type(&code)
        ));
        rest.get(2..).unwrap_or_default()
    } else {
        rest
    };
    out.push(format!("proprietary data {}", hex::encode_upper(rest)));
    out
}

/// Mastercard device types 00–19 (M/Chip Requirements 2017, Third Party Data, as listed
/// by emv-utils).
fn device_type(code: &str) -> &'static str {
    match code {
        "00" => "card",
        "01" => "mobile phone with an MNO-controlled removable secure element",
        "02" => "key fob",
        "03" => "watch with a contactless chip or fixed secure element not controlled by the MNO",
        "04" => "mobile tag",
        "05" => "wristband",
        "06" => "mobile phone case or sleeve",
        "07" => "mobile phone with a fixed secure element controlled by the MNO",
        "08" => "removable secure element not controlled by the MNO, for a phone",
        "09" => "mobile phone with a fixed secure element not controlled by the MNO",
        "10" => "MNO-controlled removable secure element for a tablet or e-book",
        "11" => "tablet or e-book with a fixed secure element controlled by the MNO",
        "12" => "removable secure element not controlled by the MNO, for a tablet",
        "13" => "tablet or e-book with a fixed secure element not controlled by the MNO",
        "14" => "mobile phone with the payment application in a host processor",
        "15" => "tablet or e-book with the payment application in a host processor",
        "16" => "mobile phone with the payment application in the TEE",
        "17" => "tablet or e-book with the payment application in the TEE",
        "18" => "watch with the payment application in the TEE",
        "19" => "watch with the payment application in a host processor",
        _ => "not a device type listed here",
    }
}

/// One or two BCD bytes as a number (n3/n4 codes); `None` if a nibble is not a digit or
/// the value is longer (a card may send any length).
pub fn bcd_number(value: &[u8]) -> Option<u16> {
    if value.len() > 2 {
        return None;
    }
    value.iter().try_fold(0u16, |acc, b| {
        let v = tags::bcd_byte(*b)?;
        Some(acc * 100 + u16::from(v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(aid: &str) -> Application {
        Application::new(&hex::decode(aid).unwrap())
    }

    #[test]
    fn codes_of_any_length_do_not_overflow() {
        assert_eq!(bcd_number(&[0x08, 0x26]), Some(826));
        assert_eq!(bcd_number(&[0x99, 0x99, 0x99]), None);
        assert_eq!(bcd_number(&[0x0A]), None);
    }

    #[test]
    fn iac_is_read_as_tvr_bits() {
        let l = issuer_action_code(&hex::decode("FC50BCA000").unwrap());
        assert!(l.contains(&"byte 1 b8: Offline data authentication was not performed".into()));
        assert_eq!(issuer_action_code(&[0; 5]), ["no TVR condition selected"]);
    }

    #[test]
    fn auc_terminal_type_and_capabilities() {
        // The AUC of the Apple Pay transit tap's record 1: cash only.
        assert_eq!(
            application_usage_control(&[0xC0, 0x00]),
            [
                "byte 1 b8: Valid for domestic cash transactions",
                "byte 1 b7: Valid for international cash transactions"
            ]
        );
        assert_eq!(
            application_usage_control(&[0x00, 0x01]),
            ["byte 2 b1: RFU bit set"]
        );
        assert_eq!(
            terminal_type(&[0x22], None),
            [
                "terminal type 22: operational control: merchant",
                "terminal type 22: environment: attended, offline with online capability"
            ]
        );
        // The Amex mobile transcript's reader sent E2 for 9F35: C-4 9F6D C0 ORed into 22.
        let amex = app("A000000025010901");
        let l = terminal_type(&[0xE2], Some(&amex));
        assert!(l[0].contains("9F6D) C0 (C-4 4.3.3)"), "{l:?}");
        assert!(l.iter().any(|x| x.starts_with("9F6D b8-b7:")), "{l:?}");
        assert!(l.contains(&"terminal type 22: operational control: merchant".into()));
        let l = additional_terminal_capabilities(&hex::decode("6000F0A001").unwrap());
        assert_eq!(l[0], "byte 1 b7: Transaction type: Goods");
        assert!(l.contains(&"byte 3 b8: Data input: Numeric keys".into()));
        assert!(l.contains(&"byte 4 b6: Data output: Display, attendant".into()));
        assert!(l.contains(&"byte 5 b1: Data output: Code table 1".into()));
        assert_eq!(transaction_type(&[0x20]).as_deref(), Some("20: refund"));
    }

    #[test]
    fn tag_lists_and_asrpd() {
        assert_eq!(
            tag_list(&[0x82, 0x9F, 0x36]),
            [
                "82 Application Interchange Profile",
                "9F36 Application Transaction Counter (ATC)"
            ]
        );
        assert_eq!(
            tag_list(&[0x9F]),
            ["not a valid tag list: offset 0: data ends inside a tag"]
        );
        // The PPSE answer of the Apple Pay taps.
        assert_eq!(
            asrpd(&hex::decode("00010101").unwrap()),
            ["ID 0001 (European Cards Stakeholders Group): 01"]
        );
        assert_eq!(
            asrpd(&hex::decode("000105").unwrap()),
            ["ID 0001 (European Cards Stakeholders Group): length 5 runs past the end"]
        );
    }

    #[test]
    fn card_authentication_related_data_of_the_apple_pay_tap() {
        // 9F69 of the real transit tap: version 01, card UN 30A7A788, CTQ 0000.
        let l = tag_9f69(
            &hex::decode("0130A7A7880000").unwrap(),
            Some(&app("A0000000031010")),
        );
        assert_eq!(
            l,
            [
                "read as Card Authentication Related Data (C-3) (from the Visa AID A0000000031010)",
                "byte 1: fDDA version 01",
                "bytes 2-5: card unpredictable number 30A7A788",
                "last 2 bytes: CTQ copy 0000",
            ]
        );
        let l = tag_9f69(&[0x9F, 0x6A, 0x04], Some(&app("A0000000041010")));
        assert_eq!(
            l[0],
            "read as the UDOL (C-2) (from the Mastercard AID A0000000041010)"
        );
        assert_eq!(l[1], "9F6A (4 bytes) Unpredictable Number (Numeric) (C-2)");
    }

    #[test]
    fn scheme_dependent_9f6c_and_9f6e() {
        let visa = app("A0000000031010");
        let mc = app("A0000000041010");
        let l = tag_9f6c(&[0x00, 0x80], Some(&visa));
        assert_eq!(l[1], "byte 2 b8: Consumer Device CVM Performed");
        assert_eq!(
            tag_9f6c(&[0x00, 0x01], Some(&mc)),
            [
                "read as Mag-stripe Application Version Number (Card) (C-2) (from the Mastercard AID A0000000041010)",
                "version 0001"
            ]
        );
        let l = tag_9f6e(&hex::decode("23880000").unwrap(), Some(&visa));
        assert_eq!(
            l[0],
            "read as Form Factor Indicator (C-3) (from the Visa AID A0000000031010)"
        );
        assert_eq!(l[1], "byte 1: FFI version 1, device: Consumer mobile phone");
        // Third Party Data: UK, identifier 0000, device type "21" (a phone).
        let l = tag_9f6e(&hex::decode("0826000032310102").unwrap(), Some(&mc));
        assert_eq!(
            l,
            [
                "read as Third Party Data (C-2) (from the Mastercard AID A0000000041010)",
                "bytes 1-2: country 826 (United Kingdom of Great Britain and Northern Ireland)",
                "bytes 3-4: unique identifier 0000",
                "bytes 5-6: device type 21 (not a device type listed here)",
                "proprietary data 0102",
            ]
        );
        let l = tag_9f6e(&hex::decode("08408003AB").unwrap(), None);
        assert_eq!(
            l[0],
            "read as Third Party Data (C-2) (no AID in the input: the default reading)"
        );
        assert_eq!(l[3], "proprietary data AB");
        // C-4 Table 4-3 through the kernel's bit table: the Amex tap's 9F6E.
        let amex = tag_9f6e(
            &hex::decode("18A04043").unwrap(),
            Some(&app("A00000002501")),
        );
        assert_eq!(
            amex[0],
            "read as Enhanced Contactless Reader Capabilities (C-4) (from the American Express AID A00000002501)"
        );
        assert_eq!(
            amex[1..],
            emv_kernel::bits::explain_for_aid(
                &hex::decode("A00000002501").unwrap(),
                tags::THIRD_PARTY_DATA,
                &hex::decode("18A04043").unwrap()
            )
            .unwrap()[..]
        );
        assert!(
            amex.iter().any(|l| l.contains("C-4 kernel version")),
            "{amex:?}"
        );
    }
}

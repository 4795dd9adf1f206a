//! Bit-mapped data objects explained in words: every set bit of the AIP, TVR, TSI, CTQ, TTQ,
//! CID, terminal capabilities, CVM results, FFI and Outcome Parameter Set becomes one line;
//! UnionPay's Card Authentication Related Data (9F69) and e-cash balance (9F79) are read out.
//!
//! Bit numbering follows the books: byte 1 is the leftmost byte, `b8` its most significant
//! bit. The AIP, TVR, TSI, TTQ, CTQ and CID are explained from [`Aip`] (Book 3 Annex C1,
//! C-2 Annex A), [`Tvr`] (Book 3 Annex C5, C-2 Annex A for byte 5), [`Tsi`] (Book 3
//! Annex C6), [`Ttq`] (Book A 5.7 Table 5-4, C-3 Annex A.2), [`Ctq`] (C-3 Annex A.2) and
//! [`Cid`] (Book 3 6.5.5.4 Table 15), the same definitions the kernels read. The other
//! tables: terminal capabilities Book 4 Annex A2; CVM results Book 3 Annex C3 and Book 4
//! 6.3.4.5; FFI C-3 Annex A.2; Outcome Parameter Set, POS Cardholder Interaction
//! Information (DF4B) and Mobile Support Indicator (9F7E) C-2 Annex A; under an American
//! Express AID ([`explain_for_aid`]) Kernel 4's 9F6D, 9F6E, 9F70 and 9F71 (C-4,
//! [`crate::qualifiers::amex`]).
//!
//! A set bit that the tables do not name is reported as RFU, so nothing set goes unexplained.

use crate::cryptogram::{Cid, Cryptogram};
use crate::outcome::{OUTCOME_PARAMETER_SET_DEFINED, OutcomeParameterSet};
use crate::qualifiers::{
    Aip, ContactlessReaderCapabilities, Ctq, EnhancedContactlessReaderCapabilities,
    MobileCvmResults, NamedBit, Ttq,
};
use crate::tlv::Tag;
use crate::tvr::{Tsi, Tvr};

const fn bit(byte: usize, bit: u8, name: &'static str) -> NamedBit {
    NamedBit::new(byte, bit, name)
}

/// Collects explanations and remembers which bits were covered, so that leftover set bits
/// can be reported as RFU.
struct Explainer<'a> {
    value: &'a [u8],
    covered: Vec<u8>,
    lines: Vec<String>,
}

impl<'a> Explainer<'a> {
    fn new(value: &'a [u8]) -> Explainer<'a> {
        Explainer {
            value,
            covered: vec![0; value.len()],
            lines: Vec::new(),
        }
    }

    /// Marks `mask` of 1-based `byte` as covered and returns those bits shifted down.
    fn field(&mut self, byte: usize, mask: u8) -> u8 {
        let Some(i) = byte.checked_sub(1) else {
            return 0;
        };
        if let Some(c) = self.covered.get_mut(i) {
            *c |= mask;
        }
        let raw = self.value.get(i).copied().unwrap_or(0) & mask;
        raw >> mask.trailing_zeros()
    }

    fn flags(&mut self, table: &[NamedBit]) {
        for b in table {
            self.flag(*b);
        }
    }

    fn flag(&mut self, b: NamedBit) {
        if self.field(b.byte, b.mask()) != 0 {
            self.lines
                .push(format!("byte {} b{}: {}", b.byte, b.bit, b.name));
        }
    }

    fn push(&mut self, line: String) {
        self.lines.push(line);
    }

    fn finish(mut self) -> Vec<String> {
        for (i, (v, c)) in self.value.iter().zip(&self.covered).enumerate() {
            let rfu = v & !c;
            for b in (1..=8u8).rev() {
                if rfu & (1 << (b - 1)) != 0 {
                    self.lines.push(format!("byte {} b{b}: RFU bit set", i + 1));
                }
            }
        }
        self.lines
    }
}

/// Terminal Capabilities (9F33): Book 4 Annex A2.
static TERMINAL_CAPABILITIES: &[NamedBit] = &[
    bit(1, 8, "Card data input: Manual key entry"),
    bit(1, 7, "Card data input: Magnetic stripe"),
    bit(1, 6, "Card data input: IC with contacts"),
    bit(2, 8, "CVM: Plaintext PIN for ICC verification"),
    bit(2, 7, "CVM: Enciphered PIN for online verification"),
    bit(2, 6, "CVM: Signature (paper)"),
    bit(2, 5, "CVM: Enciphered PIN for offline verification"),
    bit(2, 4, "CVM: No CVM required"),
    bit(3, 8, "Security: SDA"),
    bit(3, 7, "Security: DDA"),
    bit(3, 6, "Security: Card capture"),
    bit(3, 4, "Security: CDA"),
];

/// Form Factor Indicator (9F6E) byte 2: C-3 Annex A.
static FFI_FEATURES: &[NamedBit] = &[
    bit(2, 8, "Passcode capable"),
    bit(2, 7, "Signature panel"),
    bit(2, 6, "Hologram"),
    bit(2, 5, "CVV2"),
    bit(2, 4, "Two-way messaging"),
    bit(2, 3, "Cloud based payment credentials"),
    bit(2, 2, "Biometric cardholder verification capable"),
];

/// POS Cardholder Interaction Information (DF4B) byte 2: C-2 Annex A (byte 1 is the version,
/// byte 3 RFU).
static PCII: &[NamedBit] = &[
    bit(
        2,
        5,
        "Offline PIN/passcode verification successful (OD-CVM verified)",
    ),
    bit(2, 4, "Context is conflicting"),
    bit(2, 3, "Offline change PIN required"),
    bit(2, 2, "ACK required"),
    bit(2, 1, "PIN required (on-device CVM needed)"),
];

/// Mobile Support Indicator (9F7E): C-2 Annex A.
static MOBILE_SUPPORT: &[NamedBit] = &[bit(1, 2, "OD-CVM required"), bit(1, 1, "Mobile supported")];

/// UnionPay's reading of the TTQ (9F66) where it differs from Book A's: byte 1 b7, RFU in
/// Book A, is qUICS's "contactless debit/credit application supported" (the full, not the
/// quick, contactless path), per the qPBOC TTQ table (emv.cool, "Terminal Transaction
/// Qualifiers (TTQ)(9F66)(qPBOC)") and billzbh/XML2Java `PbocCtls.c`. The other bits read
/// as Book A names them (byte 1 b6 "EMV mode" is qUICS's "qUICS supported", byte 4 b8
/// "fDDA version 01 supported"). UnionPay reads the CTQ (9F6C) bit for bit as C-3 does, so
/// it needs no table of its own.
static UNIONPAY_TTQ: &[NamedBit] = &[bit(
    1,
    7,
    "UnionPay: contactless debit/credit application (full path) supported (RFU in Book A)",
)];

/// Explains a bit-mapped data object in words, one line per set bit or field; `None` when
/// the tag is not bit-mapped or the value does not have the tag's length.
pub fn explain(tag: Tag, value: &[u8]) -> Option<Vec<String>> {
    let len = value.len();
    let mut e = Explainer::new(value);
    match (tag.value(), len) {
        (0x82, 2) => e.flags(&Aip::BITS),
        (0x95, 5) => {
            for b in Tvr::BITS.iter().map(|b| b.named()) {
                if b.byte != 5 || b.mask() & Tvr::RELAY_RESISTANCE_FIELD == 0 {
                    e.flag(b);
                }
            }
            relay_resistance(&mut e);
        }
        (0x9B, 2) => e.flags(Tsi::BITS),
        (0x9F6C, 2) => e.flags(Ctq::BITS),
        (0x9F66, 4) => {
            e.flags(Ttq::BITS);
            e.flags(UNIONPAY_TTQ);
        }
        (0x9F33, 3) => e.flags(TERMINAL_CAPABILITIES),
        (0x9F27, 1) => cryptogram_information(&mut e),
        (0x9F34, 3) => cvm_results(&mut e),
        (0x9F6E, 4) => form_factor(&mut e),
        (0xDF8129, 8) => outcome_parameter_set(&mut e),
        (0xDF4B, 3) => {
            let version = e.field(1, 0xFF);
            e.push(format!("byte 1: version {version}"));
            e.flags(PCII);
        }
        (0x9F7E, 1) => e.flags(MOBILE_SUPPORT),
        // One byte is only Kernel 4's reading (Kernel 2's 9F6D has two).
        (0x9F6D, 1) => reader_capabilities(&mut e),
        (0x9F69, 7..=16) if value[0] <= 1 => card_authentication_related_data(&mut e),
        (0x9F79, 6) if value.iter().all(|b| b >> 4 <= 9 && b & 0x0F <= 9) => {
            for byte in 1..=6 {
                e.field(byte, 0xFF);
            }
            let minor = hex::encode(value).parse::<u64>().unwrap_or_default();
            e.push(format!(
                "as Electronic Cash Balance (C-7, UICS): {minor} minor units of the card's currency"
            ));
        }
        _ => return None,
    }
    Some(e.finish())
}

/// The RID of American Express (A000000025): under its AIDs 9F6E, 9F70 and 9F71 have
/// Kernel 4's meanings (C-4).
const AMEX_RID: [u8; 5] = [0xA0, 0x00, 0x00, 0x00, 0x25];

/// [`explain`] for a data object of the application `aid`: under an American Express AID
/// 9F6E is the Enhanced Contactless Reader Capabilities, 9F70 the Card Interface and
/// Payment Capabilities and 9F71 the Mobile CVM Results (C-4), not Visa's Form Factor
/// Indicator or Mastercard's Third Party Data and Protected Data Envelopes.
pub fn explain_for_aid(aid: &[u8], tag: Tag, value: &[u8]) -> Option<Vec<String>> {
    if !aid.starts_with(&AMEX_RID) {
        return explain(tag, value);
    }
    let mut e = Explainer::new(value);
    match (tag.value(), value.len()) {
        (0x9F6E, 4) => {
            e.flags(EnhancedContactlessReaderCapabilities::BITS);
            let version = EnhancedContactlessReaderCapabilities::KERNEL_VERSION_MASK;
            e.field(4, version);
            let caps = EnhancedContactlessReaderCapabilities::from_value(value)?;
            e.push(format!(
                "byte 4 b3-b1: C-4 kernel version {}",
                caps.kernel_version()
            ));
        }
        (0x9F70, 1..=2) => e.flags(CARD_INTERFACE_CAPABILITIES),
        (0x9F71, 3) => mobile_cvm_results(&mut e),
        _ => return explain(tag, value),
    }
    Some(e.finish())
}

/// Card Interface and Payment Capabilities (9F70) byte 1 under an Amex AID, as
/// binaryfoo/emv-bertlv `amex-card-interface-capabilities.txt` gives it (C-4 not at hand).
static CARD_INTERFACE_CAPABILITIES: &[NamedBit] = &[
    bit(1, 8, "Keyed Data Entry Supported (Embossed or Printed PAN)"),
    bit(1, 7, "Physical Magnetic Stripe Supported"),
    bit(1, 6, "Contact EMV Interface Supported"),
    bit(1, 5, "Contactless EMV Interface Supported"),
    bit(1, 4, "Mobile Interface Supported"),
];

/// C-4 4.3.3 Table 4-2, Contactless Reader Capabilities (9F6D): b8b7 and b4; the other
/// bits are the Terminal Type's when 9F6D is ORed into 9F35, RFU in 9F6D itself.
fn reader_capabilities(e: &mut Explainer<'_>) {
    let value = e.field(1, ContactlessReaderCapabilities::MASK)
        << ContactlessReaderCapabilities::MASK.trailing_zeros();
    let [mode, cvm] = ContactlessReaderCapabilities(value).describe();
    e.push(format!("b8-b7: {mode}"));
    e.push(format!("b4: {cvm}"));
}

/// ExpressPay 3.0 Table 12, Mobile CVM Results (9F71): method, condition, result.
fn mobile_cvm_results(e: &mut Explainer<'_>) {
    let Some(results) = MobileCvmResults::from_value(e.value) else {
        return;
    };
    for (i, (label, words)) in ["CVM", "condition", "result"]
        .iter()
        .zip(results.describe())
        .enumerate()
    {
        e.field(i + 1, 0xFF);
        let text = words.map_or_else(|| format!("{:02X} (RFU)", results.0[i]), str::to_string);
        e.push(format!("byte {}: {label}: {text}", i + 1));
    }
}

/// TVR byte 5 b2–b1, C-2 Annex A.
fn relay_resistance(e: &mut Explainer<'_>) {
    let text = match e.field(5, Tvr::RELAY_RESISTANCE_FIELD) {
        0 => return,
        1 => "RRP not performed",
        2 => "RRP performed",
        _ => "RFU value 11",
    };
    e.push(format!("byte 5 b2-b1: Relay resistance: {text} (C-2)"));
}

/// Book 3 6.5.5.4, Table 15, with the names of [`Cid`] and [`Cryptogram`].
fn cryptogram_information(e: &mut Explainer<'_>) {
    let cid = Cid(e.value.first().copied().unwrap_or_default());
    e.field(1, Cid::TYPE);
    let kind = match cid.cryptogram() {
        Some(c) => {
            let what = match c {
                Cryptogram::Aac => "decline",
                Cryptogram::Tc => "approve offline",
                Cryptogram::Arqc => "go online",
            };
            format!("{} ({what})", c.name())
        }
        None => "RFU cryptogram type 11".into(),
    };
    e.push(format!("b8-b7: Cryptogram type {kind}"));
    let scheme = e.field(1, Cid::PAYMENT_SYSTEM_SPECIFIC);
    if scheme != 0 {
        e.push(format!(
            "b6-b5: Payment system-specific cryptogram bits {scheme:02b}"
        ));
    }
    e.flags(&[Cid::ADVICE_REQUIRED]);
    e.field(1, Cid::REASON);
    if let Some(reason) = cid.reason_name() {
        e.push(format!("b3-b1: Reason/advice: {reason}"));
    }
}

/// The name of a CVM code (b6–b1 of a CV Rule's first byte), Book 3 Annex C3 Table 43 and the
/// contactless use of `01` for CDCVM by C-2.
pub fn cvm_name(code: u8) -> &'static str {
    match code & 0x3F {
        0x00 => "Fail CVM processing",
        0x01 => "Plaintext PIN verification performed by ICC (C-2: on-device CVM)",
        0x02 => "Enciphered PIN verified online",
        0x03 => "Plaintext PIN verification performed by ICC and signature (paper)",
        0x04 => "Enciphered PIN verification performed by ICC",
        0x05 => "Enciphered PIN verification performed by ICC and signature (paper)",
        0x1E => "Signature (paper)",
        0x1F => "No CVM required",
        0x3F => "No CVM performed",
        0x06..=0x1D => "RFU (EMV)",
        0x20..=0x2F => "Payment system-specific",
        _ => "Issuer-specific",
    }
}

/// The name of a CVM condition code, Book 3 Annex C3 Table 44.
pub fn cvm_condition_name(code: u8) -> &'static str {
    match code {
        0x00 => "Always",
        0x01 => "If unattended cash",
        0x02 => "If not unattended cash and not manual cash and not purchase with cashback",
        0x03 => "If terminal supports the CVM",
        0x04 => "If manual cash",
        0x05 => "If purchase with cashback",
        0x06 => "If transaction is in the application currency and is under X value",
        0x07 => "If transaction is in the application currency and is over X value",
        0x08 => "If transaction is in the application currency and is under Y value",
        0x09 => "If transaction is in the application currency and is over Y value",
        0x0A..=0x7F => "RFU",
        _ => "Payment system-specific",
    }
}

/// Book 4 6.3.4.5 and Annex A4.
fn cvm_results(e: &mut Explainer<'_>) {
    let code = e.field(1, 0x3F);
    e.push(format!("CVM performed: {:02X} {}", code, cvm_name(code)));
    e.flags(&[bit(
        1,
        7,
        "Apply succeeding CV Rule if this CVM is unsuccessful",
    )]);
    let condition = e.field(2, 0xFF);
    e.push(format!(
        "CVM condition: {condition:02X} {}",
        cvm_condition_name(condition)
    ));
    let result = match e.field(3, 0xFF) {
        0 => "Unknown",
        1 => "Failed",
        2 => "Successful",
        _ => "RFU",
    };
    e.push(format!("CVM result: {result}"));
}

/// Card Authentication Related Data (9F69) as C-3 and C-7 lay it out for fDDA version 01
/// (docs/kernels/c7.md K7-11): version, card unpredictable number, copy of the CTQ. Under
/// C-2 the tag is the UDOL, a DOL that never starts with a byte 00 or 01.
fn card_authentication_related_data(e: &mut Explainer<'_>) {
    let version = e.field(1, 0xFF);
    e.push(format!(
        "as Card Authentication Related Data (C-3, C-7): byte 1: fDDA version {version:02X}"
    ));
    let value = e.value;
    e.push(format!(
        "bytes 2-5: card unpredictable number {}",
        hex::encode_upper(&value[1..5])
    ));
    e.push(format!(
        "bytes 6-7: copy of the CTQ {} (must equal 9F6C when the card claims CDCVM)",
        hex::encode_upper(&value[5..7])
    ));
    for byte in 2..=value.len() {
        e.field(byte, 0xFF);
    }
}

/// C-3 Annex A, Form Factor Indicator (Visa).
fn form_factor(e: &mut Explainer<'_>) {
    let version = e.field(1, 0xE0);
    let device = match e.field(1, 0x1F) {
        0 => "Standard card",
        1 => "Mini-card",
        2 => "Non-card form factor",
        3 => "Consumer mobile phone",
        4 => "Wrist-worn device",
        _ => "Other (RFU) form factor",
    };
    e.push(format!("byte 1: FFI version {version}, device: {device}"));
    e.flags(FFI_FEATURES);
    let technology = match e.field(4, 0x0F) {
        0 => "Proximity contactless interface (ISO 14443, including NFC)",
        1 => "Not used in VCPS",
        _ => "RFU",
    };
    e.push(format!(
        "byte 4: Payment transaction technology: {technology}"
    ));
}

/// C-2 Annex A, Outcome Parameter Set (DF8129): the words come from
/// [`OutcomeParameterSet::explain`]; bits outside the defined fields are RFU.
fn outcome_parameter_set(e: &mut Explainer<'_>) {
    let Ok(bytes) = <[u8; 8]>::try_from(e.value) else {
        return;
    };
    for line in OutcomeParameterSet(bytes).explain() {
        e.push(line);
    }
    for (i, mask) in OUTCOME_PARAMETER_SET_DEFINED.into_iter().enumerate() {
        e.field(i + 1, mask);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(tag: u32, hex: &str) -> Vec<String> {
        explain(Tag::new(tag), &hex::decode(hex).unwrap()).unwrap()
    }

    #[test]
    fn aip_names_each_set_bit() {
        let l = lines(0x82, "1980");
        assert_eq!(
            l,
            [
                "byte 1 b5: Cardholder verification is supported",
                "byte 1 b4: Terminal risk management is to be performed",
                "byte 1 b1: CDA supported",
                "byte 2 b8: EMV mode is supported (C-2) / MSD is supported (C-3)",
            ]
        );
    }

    #[test]
    fn rfu_bits_are_reported() {
        let l = lines(0x9B, "0201");
        assert_eq!(l, ["byte 1 b2: RFU bit set", "byte 2 b1: RFU bit set"]);
    }

    #[test]
    fn tvr_with_relay_resistance_field() {
        let l = lines(0x95, "8000000002");
        assert_eq!(
            l,
            [
                "byte 1 b8: Offline data authentication was not performed",
                "byte 5 b2-b1: Relay resistance: RRP performed (C-2)",
            ]
        );
        assert!(lines(0x95, "0000000000").is_empty());
    }

    #[test]
    fn ttq_of_the_default_visa_configuration() {
        let l = lines(0x9F66, "36004000");
        assert!(l.contains(&"byte 1 b6: EMV mode supported".to_string()));
        assert!(l.contains(&"byte 3 b7: Consumer Device CVM supported".to_string()));
        assert_eq!(l.len(), 5);
        let l = lines(0x9F66, "20000880");
        assert_eq!(
            l,
            [
                "byte 1 b6: EMV mode supported",
                "byte 3 b4: Consumer Device CVM required",
                "byte 4 b8: fDDA v1.0 Supported",
            ]
        );
    }

    #[test]
    fn unionpay_9f69_and_9f79() {
        let l = lines(0x9F69, "01A1B2C3D40080");
        assert_eq!(l.len(), 3, "{l:?}");
        assert!(l[0].ends_with("fDDA version 01"));
        assert!(l[1].ends_with("A1B2C3D4"));
        assert!(l[2].contains("CTQ 0080"));
        assert!(explain(Tag::new(0x9F69), &hex::decode("9F6A04").unwrap()).is_none());
        let l = lines(0x9F79, "000000008766");
        assert!(l[0].contains("8766 minor units"), "{l:?}");
        assert!(explain(Tag::new(0x9F79), &hex::decode("00000000876A").unwrap()).is_none());
    }

    #[test]
    fn unionpay_ttq_byte_1_b7_is_named() {
        let l = lines(0x9F66, "62004080");
        assert!(l.iter().any(|s| s.contains("byte 1 b7: UnionPay")), "{l:?}");
        assert!(!l.iter().any(|s| s.contains("RFU bit set")), "{l:?}");
    }

    #[test]
    fn cid_types_and_reasons() {
        assert_eq!(
            lines(0x9F27, "80"),
            ["b8-b7: Cryptogram type ARQC (go online)"]
        );
        let l = lines(0x9F27, "4A");
        assert_eq!(l[0], "b8-b7: Cryptogram type TC (approve offline)");
        assert_eq!(l[1], "byte 1 b4: Advice required");
        assert_eq!(l[2], "b3-b1: Reason/advice: PIN Try Limit exceeded");
    }

    #[test]
    fn cvm_results_three_parts() {
        let l = lines(0x9F34, "1E0300");
        assert_eq!(l[0], "CVM performed: 1E Signature (paper)");
        assert_eq!(l[1], "CVM condition: 03 If terminal supports the CVM");
        assert_eq!(l[2], "CVM result: Unknown");
        let l = lines(0x9F34, "420302");
        assert!(
            l.contains(&"byte 1 b7: Apply succeeding CV Rule if this CVM is unsuccessful".into())
        );
        assert!(l.contains(&"CVM result: Successful".into()));
    }

    #[test]
    fn ctq_and_ffi_and_capabilities() {
        assert_eq!(
            lines(0x9F6C, "0080"),
            ["byte 2 b8: Consumer Device CVM Performed"]
        );
        assert_eq!(
            lines(0x9F6C, "0101"),
            [
                "byte 1 b1: Not valid for contactless ATM transactions",
                "byte 2 b1: RFU bit set"
            ]
        );
        let l = lines(0x9F6E, "23880000");
        assert_eq!(l[0], "byte 1: FFI version 1, device: Consumer mobile phone");
        assert!(l.contains(&"byte 2 b8: Passcode capable".into()));
        assert!(l.contains(&"byte 2 b4: Two-way messaging".into()));
        assert!(lines(0x9F6E, "00000100").contains(&"byte 3 b1: RFU bit set".into()));
        let l = lines(0x9F33, "E0F8C8");
        assert_eq!(l.len(), 11);
        assert_eq!(l[0], "byte 1 b8: Card data input: Manual key entry");
    }

    #[test]
    fn outcome_parameter_set() {
        let l = lines(0xDF8129, "30F0F0F0A0F0FF00");
        assert_eq!(l[0], "Status: ONLINE REQUEST");
        assert_eq!(l[1], "Start: N/A");
        assert_eq!(l[2], "CVM: N/A");
        assert!(l.contains(&"byte 5 b6: Data Record Present".into()));
        let l = lines(0xDF8129, "7010F0F0C1F10D00");
        assert_eq!(l[0], "Status: TRY AGAIN");
        assert!(l.contains(&"Field Off Request: hold time 13 x 100 ms".into()));
        assert!(l.contains(&"byte 5 b1: RFU bit set".into()));
        assert!(l.contains(&"byte 6 b1: RFU bit set".into()));
    }

    #[test]
    fn pcii_see_phone_bits() {
        assert_eq!(
            lines(0xDF4B, "000100"),
            [
                "byte 1: version 0",
                "byte 2 b1: PIN required (on-device CVM needed)"
            ]
        );
        let l = lines(0xDF4B, "010A00");
        assert_eq!(l[1], "byte 2 b4: Context is conflicting");
        assert_eq!(l[2], "byte 2 b2: ACK required");
        assert_eq!(lines(0x9F7E, "03").len(), 2);
    }

    #[test]
    fn amex_reading_by_aid() {
        let amex = hex::decode("A000000025010901").unwrap();
        let visa = hex::decode("A0000000031010").unwrap();
        let l =
            explain_for_aid(&amex, Tag::new(0x9F6E), &hex::decode("18A04043").unwrap()).unwrap();
        assert!(l.contains(&"byte 1 b4: Contactless Mobile Supported".into()));
        assert!(l.contains(&"byte 2 b8: Mobile CVM supported".into()));
        assert!(l.contains(&"byte 3 b7: CVM Required".into()));
        assert!(l.contains(&"byte 4 b7: Delayed Authorisation Terminal".into()));
        assert!(l.contains(&"byte 4 b3-b1: C-4 kernel version 2.7".into()));
        assert!(!l.iter().any(|x| x.contains("RFU")), "{l:?}");
        // The same bytes under a Visa AID are a Form Factor Indicator.
        let ffi = explain_for_aid(&visa, Tag::new(0x9F6E), &hex::decode("18A04043").unwrap());
        assert!(ffi.unwrap()[0].starts_with("byte 1: FFI version"));
        assert_eq!(
            explain_for_aid(&amex, Tag::new(0x9F71), &[0x01, 0x00, 0x02]).unwrap(),
            [
                "byte 1: CVM: Mobile CVM Performed",
                "byte 2: condition: Mobile CVM Not Required",
                "byte 3: result: Mobile CVM Successful"
            ]
        );
        assert_eq!(
            explain_for_aid(&amex, Tag::new(0x9F71), &[0x3F, 0x07, 0x03]).unwrap()[1],
            "byte 2: condition: 07 (RFU)"
        );
        assert_eq!(
            explain_for_aid(&amex, Tag::new(0x9F70), &[0x18]).unwrap(),
            [
                "byte 1 b5: Contactless EMV Interface Supported",
                "byte 1 b4: Mobile Interface Supported"
            ]
        );
        assert_eq!(
            lines(0x9F6D, "EA"),
            [
                "b8-b7: Contactless EMV and Mag-stripe",
                "b4: CVM Required",
                "byte 1 b6: RFU bit set",
                "byte 1 b2: RFU bit set"
            ]
        );
    }

    #[test]
    fn wrong_length_or_other_tag_is_not_explained() {
        assert!(explain(Tag::new(0x82), &[0x19]).is_none());
        assert!(explain(Tag::new(0x50), b"VISA").is_none());
        assert!(explain(Tag::new(0x9F6E), &[0; 32]).is_none());
    }
}

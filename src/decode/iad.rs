//! Issuer Application Data (9F10) decoded by scheme: the layouts are proprietary, so each one
//! follows a named public source.
//!
//! - **Visa** (VSDC/qVSDC IAD formats 0, 1, 3 and 2, 4): the layout, the CVR bits and the
//!   format-2/4 byte-1 CVM fields as openemv/emv-utils `src/emv_fields.h` gives them (from
//!   the VCPS Supplemental Requirements 2.2, Appendix M; emv-utils marks CVR bytes 1 and 3–5
//!   "from unverified internet sources"), cross-checked with binaryfoo/emv-bertlv
//!   `fields/visa-cvr.txt` (VCPS 2.1 with VIS 1.4.0 A-12). Where the two differ (CVR byte 2
//!   b3–b1), emv-utils' newer source is followed and the difference is named in the line.
//! - **Mastercard** (M/Chip 4 and M/Chip Advance): emv-utils (M/Chip Requirements, Appendix
//!   B) for the CVN and CVR bits and the lengths 18 / 20 / 26 / 28; binaryfoo (M/Chip 4
//!   Issuer Guide A.24) for the DAC/IDN and counters fields.
//! - **CCD** (EMV Book 3 Annex C7, Common Core Definitions): emv-utils' layout and CVR bits.
//!
//! The reading is chosen by the tap's AID when there is one, else by the layout (the way
//! emv-utils' `emv_iad_get_format` recognises it), and the first line says which.

use super::scheme::{Application, Scheme};

/// One named bit (a one-bit mask) of a byte.
type Bit = (u8, &'static str);

/// Lines for the set bits of `byte` (1-based `n` in `label`), "CVR byte 3 b7: …".
fn flags(out: &mut Vec<String>, label: &str, n: usize, byte: u8, table: &[Bit]) {
    for (mask, name) in table {
        if byte & mask != 0 {
            out.push(format!(
                "{label} byte {n} b{}: {name}",
                mask.trailing_zeros() + 1
            ));
        }
    }
}

/// Which layout a 9F10 value is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Visa format 0, 1 or 3 (the format number).
    VisaShort(u8),
    /// Visa format 2 or 4.
    VisaLong(u8),
    /// M/Chip 4 (18 bytes) or M/Chip Advance (20, 26, 28).
    MChip,
    /// EMV Common Core Definitions.
    Ccd,
}

impl Layout {
    fn visa(iad: &[u8]) -> Option<Layout> {
        match iad {
            [0x06, _, cvn, 0x03, _, _, _, ..] if matches!(cvn >> 4, 0 | 1 | 3) => {
                Some(Layout::VisaShort(cvn >> 4))
            }
            [0x1F, cvn, ..] if iad.len() == 32 && matches!(cvn >> 4, 2 | 4) => {
                Some(Layout::VisaLong(cvn >> 4))
            }
            _ => None,
        }
    }

    fn mchip(iad: &[u8]) -> Option<Layout> {
        let cvn = *iad.get(1)?;
        (matches!(iad.len(), 18 | 20 | 26 | 28) && cvn & 0xF0 == 0x10 && cvn & 0x0A == 0)
            .then_some(Layout::MChip)
    }

    fn ccd(iad: &[u8]) -> Option<Layout> {
        let ok = iad.len() == 32
            && iad.first() == Some(&0x0F)
            && iad.get(16) == Some(&0x0F)
            && iad.get(1).is_some_and(|c| matches!(c, 0xA5 | 0xA6));
        ok.then_some(Layout::Ccd)
    }

    /// The layout for the scheme (`true`), else the first that fits (`false`; CCD, M/Chip,
    /// Visa: emv-utils' order; binaryfoo notes that Amex and JCB cards use the Visa layout
    /// "to some extent").
    fn choose(iad: &[u8], scheme: Option<Scheme>) -> Option<(Layout, bool)> {
        let by_scheme = match scheme {
            Some(Scheme::Visa) => Layout::visa(iad),
            Some(Scheme::Mastercard) => Layout::mchip(iad),
            _ => None,
        };
        if let Some(layout) = by_scheme {
            return Some((layout, true));
        }
        Layout::ccd(iad)
            .or_else(|| Layout::mchip(iad))
            .or_else(|| Layout::visa(iad))
            .map(|layout| (layout, false))
    }

    fn name(self) -> String {
        match self {
            Layout::VisaShort(f) | Layout::VisaLong(f) => format!("Visa IAD format {f}"),
            Layout::MChip => "Mastercard M/Chip IAD".into(),
            Layout::Ccd => "EMV Common Core Definitions IAD (Book 3 Annex C7)".into(),
        }
    }
}

/// The explanation lines of an Issuer Application Data value: the reading used and why,
/// then each field.
pub fn explain(iad: &[u8], app: Option<&Application>) -> Vec<String> {
    let scheme = app.and_then(|a| a.scheme);
    let Some((layout, by_scheme)) = Layout::choose(iad, scheme) else {
        let why = match app {
            Some(a) => a.because(),
            None => "no AID in the input".into(),
        };
        return vec![format!(
            "no published layout fits these {} bytes ({why})",
            iad.len()
        )];
    };
    let why = match (app, by_scheme) {
        (Some(a), true) => a.because(),
        (Some(a), false) => format!("by its layout; {}", a.because()),
        (None, _) => "by its layout: no AID in the input".into(),
    };
    let mut out = vec![format!("read as {} ({why})", layout.name())];
    match layout {
        Layout::VisaShort(format) => visa_short(iad, format, &mut out),
        Layout::VisaLong(format) => visa_long(iad, format, &mut out),
        Layout::MChip => mchip(iad, &mut out),
        Layout::Ccd => ccd(iad, &mut out),
    }
    out
}

/// The CVR line of an M/Chip or CCD IAD, then its byte 1 read as the two GENERATE AC answers.
fn cvr_with_cryptogram_types(bytes: &str, cvr: &[u8], out: &mut Vec<String>) {
    out.push(format!(
        "{bytes}: Card Verification Results {}",
        hex::encode_upper(cvr)
    ));
    if let Some(&byte1) = cvr.first() {
        cryptogram_types(
            byte1,
            "CVR byte 1 b8-b7",
            "CVR byte 1 b6-b5: first GENERATE AC returned",
            out,
        );
    }
}

fn cryptogram_types(cvr: u8, second: &str, first: &str, out: &mut Vec<String>) {
    let second_ac = match cvr >> 6 {
        0 => "AAC",
        1 => "TC",
        2 => "not requested",
        _ => "RFU value 11",
    };
    let first_ac = match (cvr >> 4) & 3 {
        0 => "AAC",
        1 => "TC",
        2 => "ARQC",
        _ => "RFU value 11",
    };
    out.push(format!("{second}: second GENERATE AC {second_ac}"));
    out.push(format!("{first}: {first_ac}"));
}

/// Visa CVR bytes 3 and 4 (common to all formats).
fn visa_cvr_3_4(b3: u8, b4: u8, out: &mut Vec<String>) {
    flags(
        out,
        "CVR",
        3,
        b3,
        &[
            (0x80, "Last online transaction not completed"),
            (0x40, "PIN Try Limit exceeded"),
            (0x20, "Exceeded velocity checking counters"),
            (0x10, "New card"),
            (
                0x08,
                "Issuer Authentication failure on last online transaction",
            ),
            (
                0x04,
                "Issuer Authentication not performed after online authorisation",
            ),
            (
                0x02,
                "Application blocked by card because PIN Try Limit exceeded",
            ),
            (
                0x01,
                "Offline static data authentication failed on last transaction",
            ),
        ],
    );
    let scripts = b4 >> 4;
    if scripts != 0 {
        out.push(format!(
            "CVR byte 4 b8-b5: {scripts} issuer script command(s) processed"
        ));
    }
    flags(
        out,
        "CVR",
        4,
        b4,
        &[
            (0x08, "Issuer Script processing failed"),
            (
                0x04,
                "Offline dynamic data authentication failed on last transaction",
            ),
            (0x02, "Offline dynamic data authentication performed"),
            (
                0x01,
                "PIN verification command not received for a PIN-expecting card",
            ),
        ],
    );
}

/// Visa CVR byte 2; b3 and b2 mean offline PIN in formats 0/1/3, CDCVM / RFU in 2/4.
fn visa_cvr_2(b2: u8, long: bool, out: &mut Vec<String>) {
    cryptogram_types(
        b2,
        "CVR byte 2 b8-b7",
        "CVR byte 2 b6-b5: GPO / first GENERATE AC returned",
        out,
    );
    let (b3, b2_name) = if long {
        ("CDCVM successfully performed", "RFU bit set")
    } else {
        (
            "Offline PIN verification performed (binaryfoo/VIS 1.4: same)",
            "Offline PIN verification failed (binaryfoo/VIS 1.4: offline enciphered PIN performed)",
        )
    };
    flags(
        out,
        "CVR",
        2,
        b2,
        &[
            (0x08, "Issuer Authentication performed and failed"),
            (0x04, b3),
            (0x02, b2_name),
            (
                0x01,
                "Unable to go online (binaryfoo/VIS 1.4: offline PIN verification successful)",
            ),
        ],
    );
}

/// Formats 0, 1, 3: length 06, DKI, CVN, CVR (03 and bytes 2–4), then optional issuer
/// discretionary data (its length, then the data; binaryfoo).
fn visa_short(iad: &[u8], format: u8, out: &mut Vec<String>) {
    let [_, dki, cvn, _, b2, b3, b4, rest @ ..] = iad else {
        return;
    };
    out.push(format!("byte 2: Derivation Key Index {dki:02X}"));
    out.push(format!(
        "byte 3: Cryptogram Version Number {cvn:02X} (CVN {cvn}, format {format})"
    ));
    out.push(format!(
        "bytes 4-7: Card Verification Results 03{b2:02X}{b3:02X}{b4:02X}"
    ));
    visa_cvr_2(*b2, false, out);
    visa_cvr_3_4(*b3, *b4, out);
    if let Some((&len, idd)) = rest.split_first() {
        let shown = idd.get(..usize::from(len)).unwrap_or(idd);
        out.push(format!(
            "byte 8: issuer discretionary data, {len} bytes: {}",
            hex::encode_upper(shown)
        ));
    }
}

/// Formats 2 and 4: 1F, CVN, DKI, CVR (5 bytes), IDD option ID, issuer discretionary data.
fn visa_long(iad: &[u8], format: u8, out: &mut Vec<String>) {
    let [_, cvn, dki, b1, b2, b3, b4, b5, option, idd @ ..] = iad else {
        return;
    };
    out.push(format!(
        "byte 2: Cryptogram Version Number {cvn:02X} (CVN '{cvn:02X}', format {format})"
    ));
    out.push(format!("byte 3: Derivation Key Index {dki:02X}"));
    out.push(format!(
        "bytes 4-8: Card Verification Results {}",
        hex::encode_upper([*b1, *b2, *b3, *b4, *b5])
    ));
    let entity = match b1 >> 4 {
        0 => "none (no CDCVM)",
        1 => "Visa Mobile Payment Application",
        2 => "MG",
        3 => "co-residing SE application",
        4 => "TEE application",
        5 => "mobile application",
        6 => "terminal",
        7 => "verified in the cloud",
        8 => "mobile device OS",
        _ => "RFU",
    };
    let kind = match b1 & 0x0F {
        0 => "none",
        1 => "passcode",
        2 => "finger biometric",
        3 => "mobile device pattern",
        4 => "facial biometric",
        5 => "iris biometric",
        6 => "voice biometric",
        7 => "palm biometric",
        0x0D => "signature",
        0x0E => "online PIN",
        _ => "RFU",
    };
    out.push(format!("CVR byte 1 b8-b5: CVM verifying entity: {entity}"));
    out.push(format!("CVR byte 1 b4-b1: CVM verified type: {kind}"));
    visa_cvr_2(*b2, true, out);
    visa_cvr_3_4(*b3, *b4, out);
    flags(
        out,
        "CVR",
        5,
        *b5,
        &[
            (0x80, "Consumer device is not in debug mode"),
            (0x40, "Consumer device is not a rooted device"),
            (0x20, "Mobile application is not hooked"),
            (0x10, "Mobile application integrity is intact"),
            (0x08, "Consumer device has data connectivity"),
            (0x04, "Consumer device is genuine"),
            (0x02, "CDCVM successfully performed"),
            (
                0x01,
                "Secure messaging uses EMV session key-based derivation",
            ),
        ],
    );
    out.push(format!(
        "byte 9: issuer discretionary data option ID {}",
        option & 0x0F
    ));
    out.push(format!(
        "bytes 10-32: issuer discretionary data {}",
        hex::encode_upper(idd)
    ));
}

/// M/Chip: DKI, CVN, CVR (6 bytes), DAC/IDN (2), counters (8), then M/Chip Advance data.
fn mchip(iad: &[u8], out: &mut Vec<String>) {
    let [dki, cvn, c1, c2, c3, c4, c5, c6, d1, d2, counters @ ..] = iad else {
        return;
    };
    let version = if iad.len() == 18 {
        "M/Chip 4"
    } else {
        "M/Chip Advance"
    };
    out.push(format!("{version}, {} bytes", iad.len()));
    out.push(format!("byte 1: Derivation Key Index {dki:02X}"));
    let session = if cvn & 0x04 != 0 {
        "EMV CSK session key"
    } else {
        "Mastercard proprietary SKD session key"
    };
    let counted = if cvn & 0x01 != 0 {
        "counters included in the AC data"
    } else {
        "counters not included in the AC data"
    };
    out.push(format!(
        "byte 2: Cryptogram Version Number {cvn:02X}: {session}, {counted}"
    ));
    cvr_with_cryptogram_types("bytes 3-8", &[*c1, *c2, *c3, *c4, *c5, *c6], out);
    flags(
        out,
        "CVR",
        1,
        *c1,
        &[
            (0x08, "Date check failed"),
            (0x04, "Offline PIN verification performed"),
            (0x02, "Offline encrypted PIN verification performed"),
            (0x01, "Offline PIN verification successful"),
        ],
    );
    flags(
        out,
        "CVR",
        2,
        *c2,
        &[
            (0x80, "DDA returned"),
            (0x40, "CDA returned in first GENERATE AC"),
            (0x20, "CDA returned in second GENERATE AC"),
            (0x10, "Issuer authentication performed"),
            (0x08, "CIAC-Default skipped on CAT3"),
            (0x04, "Offline change PIN result successful"),
            (0x02, "Issuer discretionary"),
            (0x01, "Issuer discretionary"),
        ],
    );
    out.push(format!(
        "CVR byte 3: script counter {}, PIN try counter {} (right nibbles)",
        c3 >> 4,
        c3 & 0x0F
    ));
    flags(
        out,
        "CVR",
        4,
        *c4,
        &[
            (0x80, "Last online transaction not completed"),
            (0x40, "Unable to go online"),
            (0x20, "Offline PIN verification not performed"),
            (0x10, "Offline PIN verification failed"),
            (0x08, "PIN Try Limit exceeded"),
            (0x04, "International transaction"),
            (0x02, "Domestic transaction"),
            (0x01, "Terminal erroneously considers offline PIN OK"),
        ],
    );
    flags(
        out,
        "CVR",
        5,
        *c5,
        &[
            (
                0x80,
                "Lower consecutive offline (Advance: counter 1) limit exceeded",
            ),
            (
                0x40,
                "Upper consecutive offline (Advance: counter 1) limit exceeded",
            ),
            (
                0x20,
                "Lower cumulative offline (Advance: accumulator 1) limit exceeded",
            ),
            (
                0x10,
                "Upper cumulative offline (Advance: accumulator 1) limit exceeded",
            ),
            (0x08, "Go online on next transaction was set"),
            (0x04, "Issuer authentication failed"),
            (0x02, "Script received"),
            (0x01, "Script failed"),
        ],
    );
    flags(
        out,
        "CVR",
        6,
        *c6,
        &[
            (0x80, "Lower consecutive counter 2 limit exceeded"),
            (0x40, "Upper consecutive counter 2 limit exceeded"),
            (0x20, "Lower cumulative accumulator 2 limit exceeded"),
            (0x10, "Upper cumulative accumulator 2 limit exceeded"),
            (0x08, "MTA limit exceeded"),
            (0x04, "Number of days offline limit exceeded"),
            (0x02, "Match found in additional check table"),
            (0x01, "No match found in additional check table"),
        ],
    );
    out.push(format!(
        "bytes 9-10: DAC / ICC Dynamic Number {}",
        hex::encode_upper([*d1, *d2])
    ));
    let (plain, more) = counters.split_at(counters.len().min(8));
    out.push(format!(
        "bytes 11-18: plaintext or encrypted counters {}",
        hex::encode_upper(plain)
    ));
    if !more.is_empty() {
        out.push(format!(
            "bytes 19-{}: M/Chip Advance data (layout not public here) {}",
            iad.len(),
            hex::encode_upper(more)
        ));
    }
}

/// CCD (Book 3 Annex C7): 0F, CCI, DKI, CVR (5 bytes), counters (8), 0F, issuer data (15).
fn ccd(iad: &[u8], out: &mut Vec<String>) {
    let [_, cci, dki, c1, c2, c3, c4, c5, rest @ ..] = iad else {
        return;
    };
    let cipher = if cci & 0x0F == 0x05 { "TDES" } else { "AES" };
    out.push(format!(
        "byte 2: Common Core Identifier {cci:02X}: CCD 4.1 format, {cipher} cryptogram"
    ));
    out.push(format!("byte 3: Derivation Key Index {dki:02X}"));
    cvr_with_cryptogram_types("bytes 4-8", &[*c1, *c2, *c3, *c4, *c5], out);
    flags(
        out,
        "CVR",
        1,
        *c1,
        &[
            (0x08, "CDA performed"),
            (0x04, "Offline DDA performed"),
            (0x02, "Issuer authentication not performed"),
            (0x01, "Issuer authentication failed"),
        ],
    );
    out.push(format!("CVR byte 2 b8-b5: PIN try counter {}", c2 >> 4));
    flags(
        out,
        "CVR",
        2,
        *c2,
        &[
            (0x08, "Offline PIN verification performed"),
            (
                0x04,
                "Offline PIN verification performed and PIN not verified",
            ),
            (0x02, "PIN Try Limit exceeded"),
            (0x01, "Last online transaction not completed"),
        ],
    );
    flags(
        out,
        "CVR",
        3,
        *c3,
        &[
            (0x80, "Lower offline transaction count limit exceeded"),
            (0x40, "Upper offline transaction count limit exceeded"),
            (0x20, "Lower cumulative offline amount limit exceeded"),
            (0x10, "Upper cumulative offline amount limit exceeded"),
            (0x08, "Issuer-discretionary bit 1"),
            (0x04, "Issuer-discretionary bit 2"),
            (0x02, "Issuer-discretionary bit 3"),
            (0x01, "Issuer-discretionary bit 4"),
        ],
    );
    out.push(format!(
        "CVR byte 4 b8-b5: {} secure-messaging script command(s) processed",
        c4 >> 4
    ));
    flags(
        out,
        "CVR",
        4,
        *c4,
        &[
            (0x08, "Issuer script processing failed"),
            (
                0x04,
                "Offline data authentication failed on previous transaction",
            ),
            (0x02, "Go online on next transaction was set"),
            (0x01, "Unable to go online"),
        ],
    );
    if *c5 != 0 {
        out.push(format!("CVR byte 5: {c5:02X} (RFU in CCD 4.1)"));
    }
    let (counters, issuer) = rest.split_at(rest.len().min(8));
    out.push(format!(
        "bytes 9-16: counters {}",
        hex::encode_upper(counters)
    ));
    out.push(format!(
        "bytes 18-32: issuer discretionary data {}",
        hex::encode_upper(issuer.get(1..).unwrap_or_default())
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visa() -> Application {
        Application::new(&hex::decode("A0000000031010").unwrap())
    }

    #[test]
    fn visa_format_4_fields_by_the_emv_utils_layout() {
        // The 9F10 of the real Apple Pay transit tap (shared/vectors/real/INDEX.md).
        let iad = hex::decode("1F4A6360A0000000001003027300000000400000000000000000000000000000")
            .unwrap();
        let l = explain(&iad, Some(&visa()));
        assert_eq!(
            l[0],
            "read as Visa IAD format 4 (from the Visa AID A0000000031010)"
        );
        assert!(l.contains(&"byte 2: Cryptogram Version Number 4A (CVN '4A', format 4)".into()));
        assert!(l.contains(&"byte 3: Derivation Key Index 63".into()));
        assert!(l.contains(&"CVR byte 1 b8-b5: CVM verifying entity: terminal".into()));
        assert!(l.contains(&"CVR byte 2 b8-b7: second GENERATE AC not requested".into()));
        assert!(l.contains(&"CVR byte 2 b6-b5: GPO / first GENERATE AC returned: ARQC".into()));
        assert!(l.contains(&"byte 9: issuer discretionary data option ID 0".into()));
        // No CVR byte 3-5 bit is set.
        assert!(
            !l.iter()
                .any(|x| x.starts_with("CVR byte 3") || x.starts_with("CVR byte 5"))
        );
    }

    #[test]
    fn visa_format_1_cvn_10_with_issuer_data() {
        // 06, DKI 01, CVN 0A (format 0), CVR 03 A4 A0 02; then CVN 12 (format 1) with
        // 15 bytes of issuer discretionary data.
        let iad = hex::decode("06010A03A4A002").unwrap();
        let l = explain(&iad, None);
        assert_eq!(
            l[0],
            "read as Visa IAD format 0 (by its layout: no AID in the input)"
        );
        assert!(l.contains(&"byte 3: Cryptogram Version Number 0A (CVN 10, format 0)".into()));
        assert!(l.contains(
            &"CVR byte 2 b3: Offline PIN verification performed (binaryfoo/VIS 1.4: same)".into()
        ));
        assert!(l.contains(&"CVR byte 3 b6: Exceeded velocity checking counters".into()));
        assert!(l.contains(&"CVR byte 4 b2: Offline dynamic data authentication performed".into()));
        let iad = hex::decode("06011203A000000F0102030405060708090A0B0C0D0E0F").unwrap();
        let l = explain(&iad, Some(&visa()));
        assert!(l[0].starts_with("read as Visa IAD format 1"));
        assert!(l.contains(
            &"byte 8: issuer discretionary data, 15 bytes: 0102030405060708090A0B0C0D0E0F".into()
        ));
    }

    #[test]
    fn mchip_4_cvr_dac_and_counters() {
        let iad = hex::decode("0110A04003A4000012345678000000FF0000").unwrap();
        let mc = Application::new(&hex::decode("A0000000041010").unwrap());
        let l = explain(&iad, Some(&mc));
        assert_eq!(
            l[0],
            "read as Mastercard M/Chip IAD (from the Mastercard AID A0000000041010)"
        );
        assert!(l.contains(&"M/Chip 4, 18 bytes".into()));
        assert!(l.contains(&"byte 2: Cryptogram Version Number 10: Mastercard proprietary SKD session key, counters not included in the AC data".into()));
        assert!(l.contains(&"CVR byte 1 b6-b5: first GENERATE AC returned: ARQC".into()));
        assert!(l.contains(&"CVR byte 2 b7: CDA returned in first GENERATE AC".into()));
        assert!(
            l.contains(&"CVR byte 3: script counter 0, PIN try counter 3 (right nibbles)".into())
        );
        assert!(l.contains(&"CVR byte 4 b8: Last online transaction not completed".into()));
        assert!(l.contains(&"CVR byte 4 b3: International transaction".into()));
        assert!(l.contains(&"bytes 9-10: DAC / ICC Dynamic Number 1234".into()));
        assert!(
            l.contains(&"bytes 11-18: plaintext or encrypted counters 5678000000FF0000".into())
        );
        assert!(
            !l.iter().any(|x| x.starts_with("bytes 19")),
            "no M/Chip Advance data"
        );
    }

    #[test]
    fn unknown_layouts_say_so() {
        let l = explain(&[0x01, 0x02, 0x03], Some(&visa()));
        assert_eq!(
            l,
            ["no published layout fits these 3 bytes (from the Visa AID A0000000031010)"]
        );
        assert_eq!(
            explain(&[], None),
            ["no published layout fits these 0 bytes (no AID in the input)"]
        );
    }

    #[test]
    fn ccd_layout() {
        let mut iad = vec![0x0F, 0xA5, 0x01, 0x90, 0x32, 0x00, 0x12, 0x00];
        iad.extend([0u8; 8]);
        iad.push(0x0F);
        iad.extend([0xEE; 15]);
        let l = explain(&iad, None);
        assert!(l[0].starts_with("read as EMV Common Core Definitions IAD"));
        assert!(l.contains(&"CVR byte 1 b8-b7: second GENERATE AC not requested".into()));
        assert!(l.contains(&"CVR byte 1 b6-b5: first GENERATE AC returned: TC".into()));
        assert!(l.contains(&"CVR byte 2 b8-b5: PIN try counter 3".into()));
        assert!(l.contains(&"CVR byte 2 b2: PIN Try Limit exceeded".into()));
        assert!(
            l.contains(&"CVR byte 4 b8-b5: 1 secure-messaging script command(s) processed".into())
        );
        assert!(l.contains(&"CVR byte 4 b2: Go online on next transaction was set".into()));
    }
}

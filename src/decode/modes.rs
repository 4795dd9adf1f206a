//! Inputs that are not TLV: a Data Object List on its own (`tapterm decode --dol`), a tag
//! list (`--tag-list`) and an Answer To Reset (`--atr`, ISO/IEC 7816-3 8.2, with the PC/SC
//! Part 3 contactless ATR a reader builds for a contactless card).

use super::{DecodeError, dol_lines, fields};

/// A DOL's entries, one line each (Book 3 5.4); an error when it is not a DOL.
pub fn dol(data: &[u8]) -> Result<Vec<String>, DecodeError> {
    emv_kernel::dol::parse(data)?;
    Ok(dol_lines(data))
}

/// A tag list's tags with their names (Book 3 10.3); an error when a tag is cut off.
pub fn tag_list(data: &[u8]) -> Result<Vec<String>, DecodeError> {
    emv_kernel::tlv::parse_tag_list(data)?;
    Ok(fields::tag_list(data))
}

/// Why bytes are not an ATR.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AtrError {
    /// TS is neither `3B` nor `3F`.
    #[error("TS {0:02X} is neither 3B (direct convention) nor 3F (inverse convention)")]
    BadTs(u8),
    /// The bytes end before the interface or historical bytes T0 and TDi announce.
    #[error("the ATR ends at byte {0} before the bytes T0 and TDi announce")]
    Truncated(usize),
    /// Bytes after the last one the ATR announces (and TCK).
    #[error("{0} byte(s) after the end of the ATR")]
    TrailingBytes(usize),
}

/// ISO/IEC 7816-3 Table 7: Fi from the high nibble of TA1 (`None` = RFU).
fn fi(code: u8) -> Option<u16> {
    const FI: [u16; 16] = [
        372, 372, 558, 744, 1116, 1488, 1860, 0, 0, 512, 768, 1024, 1536, 2048, 0, 0,
    ];
    FI.get(usize::from(code)).copied().filter(|f| *f != 0)
}

/// ISO/IEC 7816-3 Table 8: Di from the low nibble of TA1 (`None` = RFU).
fn di(code: u8) -> Option<u16> {
    const DI: [u16; 16] = [0, 1, 2, 4, 8, 16, 32, 64, 12, 20, 0, 0, 0, 0, 0, 0];
    DI.get(usize::from(code)).copied().filter(|d| *d != 0)
}

/// An ATR explained, one line per byte group: TS, T0, the interface bytes (TA1's Fi/Di and
/// the protocols TDi name), the historical bytes (with the PC/SC Part 3 storage-card
/// header `80 4F`), and TCK, checked (the XOR of T0 to TCK is 00).
pub fn atr(data: &[u8]) -> Result<Vec<String>, AtrError> {
    let at = |i: usize| data.get(i).copied().ok_or(AtrError::Truncated(i));
    let mut out = Vec::new();
    let ts = at(0)?;
    match ts {
        0x3B => out.push("TS 3B: direct convention".into()),
        0x3F => out.push("TS 3F: inverse convention".into()),
        other => return Err(AtrError::BadTs(other)),
    }
    let t0 = at(1)?;
    let historical = usize::from(t0 & 0x0F);
    out.push(format!("T0 {t0:02X}: {historical} historical byte(s)"));
    let mut y = t0 >> 4;
    let mut pos = 2;
    let mut level = 1;
    let mut protocols = Vec::new();
    loop {
        for (bit, name) in [(1u8, "TA"), (2, "TB"), (4, "TC")] {
            if y & bit != 0 {
                let b = at(pos)?;
                let meaning = match (name, level) {
                    ("TA", 1) => match (fi(b >> 4), di(b & 0x0F)) {
                        (Some(f), Some(d)) => format!(": Fi {f}, Di {d}"),
                        _ => ": Fi/Di RFU".into(),
                    },
                    ("TC", 1) => format!(": extra guard time {b}"),
                    _ => String::new(),
                };
                out.push(format!("{name}{level} {b:02X}{meaning}"));
                pos += 1;
            }
        }
        if y & 8 == 0 {
            break;
        }
        let td = at(pos)?;
        let protocol = td & 0x0F;
        protocols.push(protocol);
        let meaning = match protocol {
            15 => "global interface bytes follow".to_string(),
            t => format!("protocol T={t}"),
        };
        out.push(format!("TD{level} {td:02X}: {meaning}"));
        y = td >> 4;
        pos += 1;
        level += 1;
    }
    let hist = data
        .get(pos..pos + historical)
        .ok_or(AtrError::Truncated(data.len()))?;
    out.push(format!("historical bytes: {}", hex::encode_upper(hist)));
    out.extend(historical_lines(hist));
    pos += historical;
    if protocols.iter().any(|t| *t != 0) {
        let tck = at(pos)?;
        let check = data
            .get(1..=pos)
            .unwrap_or_default()
            .iter()
            .fold(0, |a, b| a ^ b);
        if check == 0 {
            out.push(format!("TCK {tck:02X}: correct"));
        } else {
            out.push(format!(
                "TCK {tck:02X}: wrong (the XOR of T0 to TCK is {check:02X}, not 00)"
            ));
        }
        pos += 1;
    }
    if pos < data.len() {
        return Err(AtrError::TrailingBytes(data.len() - pos));
    }
    Ok(out)
}

/// The historical bytes: the PC/SC Part 3 (3.1.3.2.3) header of a contactless storage card
/// (`80 4F 0C`, RID `A000000306`, standard, card name), else readable text when they are.
fn historical_lines(hist: &[u8]) -> Vec<String> {
    match hist {
        [
            0x80,
            0x4F,
            0x0C,
            0xA0,
            0x00,
            0x00,
            0x03,
            0x06,
            standard,
            n1,
            n2,
            ..,
        ] => {
            let standard = match standard {
                0x03 => "ISO 14443 A part 3",
                0x11 => "FeliCa",
                _ => "a standard not named here",
            };
            vec![format!(
                "PC/SC contactless storage card: {standard}, card name {n1:02X}{n2:02X}"
            )]
        }
        [0x80, ..] => vec!["category 80: compact-TLV data objects follow".into()],
        _ => match std::str::from_utf8(hist) {
            Ok(t) if !t.is_empty() && t.bytes().all(|b| (0x20..0x7F).contains(&b)) => {
                vec![format!("as text: {t:?}")]
            }
            _ => Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contactless_atr_of_a_phone() {
        // PC/SC Part 3 ATR of an ISO 14443-4 card with no historical bytes: 3B 80 80 01 01.
        let l = atr(&hex::decode("3B8080010101").unwrap_or_default());
        assert!(l.is_err(), "one byte too many");
        let l = atr(&hex::decode("3B80800101").unwrap()).unwrap();
        assert_eq!(
            l,
            [
                "TS 3B: direct convention",
                "T0 80: 0 historical byte(s)",
                "TD1 80: protocol T=0",
                "TD2 01: protocol T=1",
                "historical bytes: ",
                "TCK 01: correct",
            ]
        );
    }

    #[test]
    fn storage_card_and_wrong_tck() {
        // A MIFARE Classic 1K as PC/SC Part 3 presents it.
        let data = hex::decode("3B8F8001804F0CA000000306030001000000006A").unwrap();
        let l = atr(&data).unwrap();
        assert!(l.contains(
            &"PC/SC contactless storage card: ISO 14443 A part 3, card name 0001".into()
        ));
        assert_eq!(l.last().map(String::as_str), Some("TCK 6A: correct"));
        let mut bad = data.clone();
        if let Some(last) = bad.last_mut() {
            *last = 0x6B;
        }
        let l = atr(&bad).unwrap();
        assert_eq!(
            l.last().map(String::as_str),
            Some("TCK 6B: wrong (the XOR of T0 to TCK is 01, not 00)")
        );
    }

    #[test]
    fn contact_atr_with_ta1_and_errors() {
        let l = atr(&hex::decode("3B9596").unwrap_or_default());
        assert_eq!(l, Err(AtrError::Truncated(3)));
        let l = atr(&hex::decode("3B1196").unwrap()).unwrap_err();
        assert_eq!(l, AtrError::Truncated(3));
        let l = atr(&hex::decode("3B119641").unwrap()).unwrap();
        assert_eq!(l[2], "TA1 96: Fi 512, Di 32");
        assert_eq!(l[3], "historical bytes: 41");
        assert_eq!(l[4], "as text: \"A\"");
        assert_eq!(atr(&[0x3C]), Err(AtrError::BadTs(0x3C)));
    }

    #[test]
    fn dol_and_tag_list_modes() {
        assert_eq!(
            dol(&[0x9F, 0x37, 0x04]).unwrap(),
            ["9F37 (4 bytes) Unpredictable Number"]
        );
        assert!(dol(&[0x9F, 0x37]).is_err());
        assert_eq!(
            tag_list(&[0x5A, 0x82]).unwrap(),
            [
                "5A Application Primary Account Number (PAN)",
                "82 Application Interchange Profile"
            ]
        );
        assert!(tag_list(&[0x9F]).is_err());
    }
}

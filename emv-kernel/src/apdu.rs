//! Command APDUs the terminal sends and the status words cards answer with (ISO 7816-4, Book 1).

/// SELECT by name of the PPSE, "2PAY.SYS.DDF01" (Book B 3.3.2.2).
pub const PPSE_NAME: &[u8] = b"2PAY.SYS.DDF01";

/// A command with data and Le = 00 (ISO 7816-4 5.1): case 4 short (`Lc data 00`) up to 255
/// data bytes, case 4 extended (`00 Lc1 Lc2 data 00 00`) above. No data gives case 2
/// (`header 00`): a short Lc of 00 is not a valid encoding, so a card never receives one.
fn command(header: [u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = header.to_vec();
    match u8::try_from(data.len()) {
        Ok(0) => {}
        Ok(short) => c.push(short),
        Err(_) => {
            // DOL data stays below 65 536 bytes: at most 252 list bytes of 255-byte entries.
            let long = u16::try_from(data.len()).unwrap_or(u16::MAX);
            c.push(0x00);
            c.extend_from_slice(&long.to_be_bytes());
        }
    }
    c.extend_from_slice(data);
    c.push(0x00);
    if data.len() > 255 {
        c.push(0x00);
    }
    c
}

/// `00 A4 04 00 Lc name 00`: SELECT by DF name, first occurrence.
pub fn select(name: &[u8]) -> Vec<u8> {
    command([0x00, 0xA4, 0x04, 0x00], name)
}

/// `80 A8 00 00 Lc 83 L pdol-data 00`: GET PROCESSING OPTIONS.
pub fn get_processing_options(pdol_data: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(pdol_data.len() + 3);
    crate::tlv::encode(crate::tlv::Tag::new(0x83), pdol_data, &mut body);
    command([0x80, 0xA8, 0x00, 0x00], &body)
}

/// `00 B2 record (SFI<<3)|4 00`: READ RECORD.
pub fn read_record(sfi: u8, record: u8) -> Vec<u8> {
    vec![0x00, 0xB2, record, (sfi << 3) | 0x04, 0x00]
}

/// `80 AE P1 00 Lc cdol-data 00`: GENERATE APPLICATION CRYPTOGRAM.
pub fn generate_ac(p1: u8, cdol_data: &[u8]) -> Vec<u8> {
    command([0x80, 0xAE, p1, 0x00], cdol_data)
}

/// `80 CA tag 00`: GET DATA of a two-byte tag (Book 3 6.5.7), Le = 00.
pub fn get_data(tag: u16) -> Vec<u8> {
    let [p1, p2] = tag.to_be_bytes();
    vec![0x80, 0xCA, p1, p2, 0x00]
}

/// `80 EA 00 00 04 entropy 00`: EXCHANGE RELAY RESISTANCE DATA (C-2).
pub fn exchange_relay_resistance_data(entropy: [u8; 4]) -> Vec<u8> {
    let mut c = vec![0x80, 0xEA, 0x00, 0x00, 0x04];
    c.extend_from_slice(&entropy);
    c.push(0x00);
    c
}

/// A card's response split into data and status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response<'a> {
    /// Response data without the status word.
    pub data: &'a [u8],
    /// SW1 SW2 as one number (`0x9000`).
    pub sw: u16,
}

impl<'a> Response<'a> {
    /// Splits a raw response; `None` when it is shorter than the two status bytes.
    pub fn parse(raw: &'a [u8]) -> Option<Response<'a>> {
        let split = raw.len().checked_sub(2)?;
        let (data, sw) = raw.split_at(split);
        Some(Response {
            data,
            sw: u16::from_be_bytes([sw[0], sw[1]]),
        })
    }

    /// Whether the status word is `9000`.
    pub fn is_ok(&self) -> bool {
        self.sw == 0x9000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_commands() {
        assert_eq!(
            hex::encode_upper(select(PPSE_NAME)),
            "00A404000E325041592E5359532E444446303100"
        );
        assert_eq!(hex::encode_upper(read_record(3, 1)), "00B2011C00");
        assert_eq!(hex::encode_upper(get_data(0x9F36)), "80CA9F3600");
        assert_eq!(
            hex::encode_upper(get_processing_options(&[])),
            "80A80000028300".to_string() + "00"
        );
        assert_eq!(
            hex::encode_upper(generate_ac(0x90, &[1, 2])),
            "80AE9000020102".to_string() + "00"
        );
    }

    #[test]
    fn never_encodes_an_lc_of_zero_or_one_that_wraps() {
        // No data: case 2, no Lc byte at all.
        assert_eq!(hex::encode_upper(generate_ac(0x40, &[])), "80AE400000");
        // 255 bytes still fit a short Lc; 256 need the extended form.
        let short = generate_ac(0x80, &[0xAB; 255]);
        assert_eq!(short[4], 0xFF);
        assert_eq!(short.len(), 4 + 1 + 255 + 1);
        let long = generate_ac(0x80, &[0xAB; 300]);
        assert_eq!(&long[4..7], &[0x00, 0x01, 0x2C]);
        assert_eq!(&long[long.len() - 2..], &[0x00, 0x00]);
        assert_eq!(long.len(), 4 + 3 + 300 + 2);
    }

    #[test]
    fn splits_responses() {
        let r = Response::parse(&[0x6A, 0x82]).unwrap();
        assert_eq!(r.sw, 0x6A82);
        assert!(r.data.is_empty());
        assert!(!r.is_ok());
        assert!(Response::parse(&[0x90]).is_none());
    }
}

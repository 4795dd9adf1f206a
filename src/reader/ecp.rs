//! Apple's Enhanced Contactless Polling (ECP): the frame a transit reader adds to its
//! ISO 14443-A polling loop so that an iPhone or Apple Watch wakes its Express Transit card
//! without Face ID, Touch ID or passcode (issue 13).
//!
//! Apple does not publish ECP (its partners get it under licence); what is public comes from
//! sniffing real readers: kormax/apple-enhanced-contactless-polling (README "Frame format",
//! "Configuration byte", "EMV Transit Fallback", "Strong customer authentication") and
//! RfidResearchGroup/proxmark3 (`client/src/cmdhf14a.c` ECP_FRAME, `armsrc/iso14443a.c`
//! sends it before each WUPA; the Visa Apple Pay traces `hf_visa_apple_*.trace`):
//!
//! ```text
//! 6A        header
//! 02        version 2
//! C8        configuration: b7 automatic pass presentment, b6 authentication not required
//!           (express mode), low nibble = data length (8)
//! 01 00     terminal type transit, subtype 0
//! 03 00 02  TCI (Terminal Capabilities Identifier): transit, agency 0002 (London)
//! 79 00 00 00 00  open-loop (EMV) networks accepted: 20 Visa, 10 Mastercard, 08 Maestro,
//!           40 Electron, 01 Amex in the first byte
//! C2 D8     CRC_A (ISO/IEC 14443-3 Annex B), sent as a standard frame of 8-bit bytes
//! ```
//!
//! An iPhone whose Express Transit card is of an accepted network answers the following
//! WUPA and runs the EMV transaction locked; what the terminal must then ask for depends on
//! the network (kormax, "Strong customer authentication"): Visa wants the TTQ's "offline data
//! authentication for online authorisations" (the real trace: TTQ `32804000` without it is
//! answered `6986`, `33804000` with it gets an ARQC signed with fDDA); Mastercard wants a
//! transit MCC and CDA. How an ACR122U sends the frame: [`super::acr122u::ecp_commands`].

/// The ECP header byte.
pub const HEADER: u8 = 0x6A;
/// Terminal type "transit" in an ECP v2 frame.
pub const TYPE_TRANSIT: u8 = 0x01;
/// Open-loop mask, first byte: Visa.
pub const NETWORK_VISA: u8 = 0x20;
/// Open-loop mask, first byte: Mastercard.
pub const NETWORK_MASTERCARD: u8 = 0x10;

/// CRC_A of ISO/IEC 14443-3 Annex B (polynomial x^16 + x^12 + x^5 + 1, reflected, initial
/// value 6363), least significant byte first as it is sent.
pub fn crc_a(data: &[u8]) -> [u8; 2] {
    let mut crc: u16 = 0x6363;
    for &byte in data {
        let mut b = byte ^ (crc & 0xFF) as u8;
        b ^= b << 4;
        crc = (crc >> 8) ^ (u16::from(b) << 8) ^ (u16::from(b) << 3) ^ (u16::from(b) >> 4);
    }
    crc.to_le_bytes()
}

/// The frame with its CRC_A appended, as a reader transmits it.
pub fn with_crc(frame: &[u8]) -> Vec<u8> {
    let mut out = frame.to_vec();
    out.extend_from_slice(&crc_a(frame));
    out
}

/// What a phone learns from an ECP v2 transit frame (without CRC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitFrame {
    /// The reader lets the device answer without authentication (configuration b6).
    pub express: bool,
    /// The transit agency's TCI.
    pub tci: [u8; 3],
    /// First byte of the open-loop network mask (0 when the frame has none).
    pub networks: u8,
}

impl TransitFrame {
    /// Parses a v2 transit frame; `None` for anything else (v1 VAS frames, other terminal
    /// types, a data length that does not match the configuration byte, which a device
    /// ignores too).
    pub fn parse(frame: &[u8]) -> Option<TransitFrame> {
        let [HEADER, 0x02, config, TYPE_TRANSIT, _subtype, data @ ..] = frame else {
            return None;
        };
        if usize::from(config & 0x0F) != data.len() {
            return None;
        }
        let tci = <[u8; 3]>::try_from(data.get(..3)?).ok()?;
        Some(TransitFrame {
            express: config & 0x40 != 0 && config & 0x80 != 0,
            tci,
            networks: data.get(3).copied().unwrap_or(0),
        })
    }

    /// Whether express mode may run for a card of the network `bit`.
    pub fn allows(&self, bit: u8) -> bool {
        self.express && self.networks & bit != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The London frame without CRC.
    const LONDON: [u8; 13] = [
        0x6A, 0x02, 0xC8, 0x01, 0x00, 0x03, 0x00, 0x02, 0x79, 0x00, 0x00, 0x00, 0x00,
    ];

    #[test]
    fn crc_a_matches_the_sniffed_frame_and_the_standard() {
        // proxmark3 client/src/cmdhf14a.c ECP_FRAME ends in C2 D8.
        assert_eq!(crc_a(&LONDON), [0xC2, 0xD8]);
        // ISO/IEC 14443-3 Annex B.4 example: 00 00 -> CRC 1EA0, sent A0 1E.
        assert_eq!(crc_a(&[0x00, 0x00]), [0xA0, 0x1E]);
        // HLTA 50 00 -> 57 CD (its well-known CRC_A).
        assert_eq!(crc_a(&[0x50, 0x00]), [0x57, 0xCD]);
        assert_eq!(with_crc(&LONDON).len(), 15);
    }

    #[test]
    fn a_transit_frame_names_its_networks() {
        let f = TransitFrame::parse(&LONDON).unwrap();
        assert_eq!(f.tci, [0x03, 0x00, 0x02]);
        assert!(f.allows(NETWORK_VISA) && f.allows(NETWORK_MASTERCARD));
        let mut visa_only = LONDON;
        visa_only[8] = NETWORK_VISA;
        assert!(
            !TransitFrame::parse(&visa_only)
                .unwrap()
                .allows(NETWORK_MASTERCARD)
        );
        let mut authenticate = LONDON;
        authenticate[2] = 0x88; // b6 clear: terminal requests authentication
        assert!(
            !TransitFrame::parse(&authenticate)
                .unwrap()
                .allows(NETWORK_VISA)
        );
    }

    #[test]
    fn other_frames_are_not_transit_frames() {
        assert_eq!(
            TransitFrame::parse(&[0x6A, 0x01, 0x00, 0x00, 0x00]),
            None,
            "VAS v1"
        );
        assert_eq!(
            TransitFrame::parse(&LONDON[..12]),
            None,
            "length nibble mismatch"
        );
        let mut access = LONDON;
        access[3] = 0x02;
        assert_eq!(TransitFrame::parse(&access), None);
        assert_eq!(TransitFrame::parse(&[]), None);
    }
}

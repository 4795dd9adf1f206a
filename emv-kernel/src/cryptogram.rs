//! The application cryptogram types and the Cryptogram Information Data (9F27) that names
//! them (Book 3 6.5.5.4, Table 14 and Table 15): one type for the kernels, the virtual
//! wallets, the journal and replay.

use std::fmt;

use crate::qualifiers::NamedBit;

/// The three application cryptograms a card computes (Book 3 6.5.5.4 Table 15, b8–b7).
///
/// The order is the one of Book 3 9.2.1 (and C-2 S9.23): a card may answer GENERATE AC
/// with the type requested or a lower one, AAC < ARQC < TC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cryptogram {
    /// Application Authentication Cryptogram: transaction declined (`00`).
    Aac,
    /// Authorisation Request Cryptogram: online authorisation requested (`10`).
    Arqc,
    /// Transaction Certificate: approved offline (`01`).
    Tc,
}

impl Cryptogram {
    /// The type a CID byte (9F27) names; `None` for the RFU value `11` (Book 3 Table 15).
    pub fn from_cid(cid: u8) -> Option<Cryptogram> {
        Cid(cid).cryptogram()
    }

    /// The type a GENERATE AC reference control parameter (P1 b8–b7) asks for; `None`
    /// for the RFU value `11` (Book 3 6.5.5.2, Table 13).
    pub fn from_p1(p1: u8) -> Option<Cryptogram> {
        Cryptogram::from_cid(p1)
    }

    /// The type bits b8–b7 as they appear in the CID and in GENERATE AC P1.
    pub fn cid(self) -> u8 {
        match self {
            Cryptogram::Aac => 0x00,
            Cryptogram::Tc => 0x40,
            Cryptogram::Arqc => 0x80,
        }
    }

    /// The short name the books use (`AAC`, `TC`, `ARQC`).
    pub fn name(self) -> &'static str {
        match self {
            Cryptogram::Aac => "AAC",
            Cryptogram::Tc => "TC",
            Cryptogram::Arqc => "ARQC",
        }
    }

    /// Whether a card may answer a request for `self` with `returned` (Book 3 9.2.1,
    /// C-2 S9.23): the same type or a lower one.
    pub fn allows(self, returned: Cryptogram) -> bool {
        returned <= self
    }
}

impl fmt::Display for Cryptogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Cryptogram Information Data, tag 9F27 (Book 3 6.5.5.4 Table 15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cid(pub u8);

impl Cid {
    /// b8–b7 mask: the cryptogram type.
    pub const TYPE: u8 = 0xC0;
    /// b6–b5 mask: payment system-specific cryptogram bits.
    pub const PAYMENT_SYSTEM_SPECIFIC: u8 = 0x30;
    /// b4: advice required.
    pub const ADVICE_REQUIRED: NamedBit = NamedBit::new(1, 4, "Advice required");
    /// b3–b1 mask: reason/advice code.
    pub const REASON: u8 = 0x07;

    /// The cryptogram type; `None` for the RFU value `11`.
    pub fn cryptogram(self) -> Option<Cryptogram> {
        match self.0 & Cid::TYPE {
            0x00 => Some(Cryptogram::Aac),
            0x40 => Some(Cryptogram::Tc),
            0x80 => Some(Cryptogram::Arqc),
            _ => None,
        }
    }

    /// b4: the card asks for an advice.
    pub fn advice_required(self) -> bool {
        Cid::ADVICE_REQUIRED.is_set(&[self.0])
    }

    /// b3–b1: the reason/advice code (0 no information, 1 service not allowed, 2 PIN try
    /// limit exceeded, 3 issuer authentication failed).
    pub fn reason(self) -> u8 {
        self.0 & Cid::REASON
    }

    /// The reason/advice code in Book 3's words; `None` for code 0 (no information given).
    pub fn reason_name(self) -> Option<&'static str> {
        match self.reason() {
            0 => None,
            1 => Some("Service not allowed"),
            2 => Some("PIN Try Limit exceeded"),
            3 => Some("Issuer authentication failed"),
            _ => Some("RFU reason code"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_from_cid_and_p1() {
        assert_eq!(Cryptogram::from_cid(0x80), Some(Cryptogram::Arqc));
        assert_eq!(Cryptogram::from_cid(0x48), Some(Cryptogram::Tc));
        assert_eq!(Cryptogram::from_cid(0x07), Some(Cryptogram::Aac));
        assert_eq!(Cryptogram::from_cid(0xC0), None);
        assert_eq!(Cryptogram::from_p1(0x90), Some(Cryptogram::Arqc));
        for c in [Cryptogram::Aac, Cryptogram::Tc, Cryptogram::Arqc] {
            assert_eq!(Cryptogram::from_cid(c.cid()), Some(c));
        }
        assert!(Cid(0x49).advice_required());
        assert_eq!(Cid(0x49).reason(), 1);
        assert_eq!(Cid(0x49).reason_name(), Some("Service not allowed"));
        assert_eq!(Cid(0x80).reason_name(), None);
    }

    #[test]
    fn a_card_may_only_lower_the_request() {
        assert!(Cryptogram::Tc.allows(Cryptogram::Arqc));
        assert!(Cryptogram::Arqc.allows(Cryptogram::Aac));
        assert!(!Cryptogram::Arqc.allows(Cryptogram::Tc));
        assert!(!Cryptogram::Aac.allows(Cryptogram::Arqc));
        assert_eq!(Cryptogram::Arqc.to_string(), "ARQC");
    }
}

//! The payment system of a tap, from the RID of its AID (the first five bytes, ISO/IEC
//! 7816-5 registered application provider identifiers as Book B Table 3-6 and the kernels
//! use them). Qualifiers whose meaning depends on the kernel (9F6E, 9F6C, 9F10) are read by
//! it, and the decoder says which reading it used.

/// A payment system a RID belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `A000000003`, Kernel 3 (C-3).
    Visa,
    /// `A000000004` (and Maestro UK `A000000005`), Kernel 2 (C-2).
    Mastercard,
    /// `A000000025`, Kernel 4 (C-4).
    Amex,
    /// `A000000065`, Kernel 5 (C-5).
    Jcb,
    /// `A000000152`, Kernel 6 (C-6).
    Discover,
    /// `A000000333`, Kernel 7 (C-7).
    UnionPay,
}

impl Scheme {
    /// The scheme of an AID, by its RID; `None` for a RID not listed here.
    pub fn from_aid(aid: &[u8]) -> Option<Scheme> {
        match aid.get(..5)? {
            [0xA0, 0x00, 0x00, 0x00, 0x03] => Some(Scheme::Visa),
            [0xA0, 0x00, 0x00, 0x00, 0x04 | 0x05] => Some(Scheme::Mastercard),
            [0xA0, 0x00, 0x00, 0x00, 0x25] => Some(Scheme::Amex),
            [0xA0, 0x00, 0x00, 0x00, 0x65] => Some(Scheme::Jcb),
            [0xA0, 0x00, 0x00, 0x01, 0x52] => Some(Scheme::Discover),
            [0xA0, 0x00, 0x00, 0x03, 0x33] => Some(Scheme::UnionPay),
            _ => None,
        }
    }

    /// The scheme's name.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Visa => "Visa",
            Scheme::Mastercard => "Mastercard",
            Scheme::Amex => "American Express",
            Scheme::Jcb => "JCB",
            Scheme::Discover => "Discover",
            Scheme::UnionPay => "UnionPay",
        }
    }
}

/// The application a decode is about: its AID and the scheme of its RID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// The AID (84 or 4F), as the card gave it.
    pub aid: Vec<u8>,
    /// Its scheme, when the RID is known.
    pub scheme: Option<Scheme>,
}

impl Application {
    /// The application of an AID.
    pub fn new(aid: &[u8]) -> Application {
        Application {
            aid: aid.to_vec(),
            scheme: Scheme::from_aid(aid),
        }
    }

    /// "the Visa AID A0000000031010": where a reading came from.
    pub fn because(&self) -> String {
        let aid = hex::encode_upper(&self.aid);
        match self.scheme {
            Some(s) => format!("from the {} AID {aid}", s.name()),
            None => format!("the AID {aid} is of no scheme known here"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_by_rid() {
        assert_eq!(
            Scheme::from_aid(&hex::decode("A0000000031010").unwrap()),
            Some(Scheme::Visa)
        );
        assert_eq!(
            Scheme::from_aid(&hex::decode("A0000000041010").unwrap()),
            Some(Scheme::Mastercard)
        );
        assert_eq!(
            Scheme::from_aid(&hex::decode("A00000002501").unwrap()),
            Some(Scheme::Amex)
        );
        assert_eq!(
            Scheme::from_aid(&hex::decode("A000000333010101").unwrap()),
            Some(Scheme::UnionPay)
        );
        assert_eq!(Scheme::from_aid(&[0xA0, 0x00]), None);
        assert_eq!(
            Scheme::from_aid(&hex::decode("D27600002501").unwrap()),
            None
        );
    }
}

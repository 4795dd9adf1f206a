//! Card Transaction Qualifiers, tag 9F6C (C-3 Annex A.2): the CVM the card asks for and how
//! the reader should fall back when offline data authentication fails or the application
//! has expired (C-3 5.5–5.7).

use super::NamedBit;

/// Card Transaction Qualifiers (9F6C), 2 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ctq(pub [u8; 2]);

impl Ctq {
    /// Byte 1 b8.
    pub const ONLINE_PIN_REQUIRED: NamedBit = NamedBit::new(1, 8, "Online PIN Required");
    /// Byte 1 b7.
    pub const SIGNATURE_REQUIRED: NamedBit = NamedBit::new(1, 7, "Signature Required");
    /// Byte 1 b6.
    pub const ONLINE_IF_ODA_FAILS: NamedBit = NamedBit::new(
        1,
        6,
        "Go Online if Offline Data Authentication Fails and Reader is online capable",
    );
    /// Byte 1 b5.
    pub const SWITCH_INTERFACE_IF_ODA_FAILS: NamedBit = NamedBit::new(
        1,
        5,
        "Switch Interface if Offline Data Authentication fails and Reader supports contact chip",
    );
    /// Byte 1 b4.
    pub const ONLINE_IF_EXPIRED: NamedBit = NamedBit::new(1, 4, "Go Online if Application Expired");
    /// Byte 1 b3.
    pub const SWITCH_INTERFACE_FOR_CASH: NamedBit =
        NamedBit::new(1, 3, "Switch Interface for Cash Transactions");
    /// Byte 1 b2.
    pub const SWITCH_INTERFACE_FOR_CASHBACK: NamedBit =
        NamedBit::new(1, 2, "Switch Interface for Cashback Transactions");
    /// Byte 1 b1.
    pub const NOT_VALID_AT_ATM: NamedBit =
        NamedBit::new(1, 1, "Not valid for contactless ATM transactions");
    /// Byte 2 b8.
    pub const CDCVM_PERFORMED: NamedBit = NamedBit::new(2, 8, "Consumer Device CVM Performed");
    /// Byte 2 b7.
    pub const ISSUER_UPDATE: NamedBit =
        NamedBit::new(2, 7, "Card supports Issuer Update Processing at the POS");

    /// Every named bit, in the book's order.
    pub const BITS: &'static [NamedBit] = &[
        Ctq::ONLINE_PIN_REQUIRED,
        Ctq::SIGNATURE_REQUIRED,
        Ctq::ONLINE_IF_ODA_FAILS,
        Ctq::SWITCH_INTERFACE_IF_ODA_FAILS,
        Ctq::ONLINE_IF_EXPIRED,
        Ctq::SWITCH_INTERFACE_FOR_CASH,
        Ctq::SWITCH_INTERFACE_FOR_CASHBACK,
        Ctq::NOT_VALID_AT_ATM,
        Ctq::CDCVM_PERFORMED,
        Ctq::ISSUER_UPDATE,
    ];

    /// The CTQ of a card data object; `None` unless it is exactly 2 bytes.
    pub fn from_value(value: &[u8]) -> Option<Ctq> {
        <[u8; 2]>::try_from(value).ok().map(Ctq)
    }

    /// Whether `bit` is set.
    pub fn has(self, bit: NamedBit) -> bool {
        bit.is_set(&self.0)
    }

    /// Byte 1 b8: the card asks for online PIN.
    pub fn online_pin_required(self) -> bool {
        self.has(Ctq::ONLINE_PIN_REQUIRED)
    }

    /// Byte 1 b7: the card asks for a signature.
    pub fn signature_required(self) -> bool {
        self.has(Ctq::SIGNATURE_REQUIRED)
    }

    /// Byte 1 b6: go online when offline data authentication fails.
    pub fn online_if_oda_fails(self) -> bool {
        self.has(Ctq::ONLINE_IF_ODA_FAILS)
    }

    /// Byte 1 b5: switch to contact when offline data authentication fails.
    pub fn switch_interface_if_oda_fails(self) -> bool {
        self.has(Ctq::SWITCH_INTERFACE_IF_ODA_FAILS)
    }

    /// Byte 1 b4: go online when the application has expired.
    pub fn online_if_expired(self) -> bool {
        self.has(Ctq::ONLINE_IF_EXPIRED)
    }

    /// Byte 2 b8: the device verified the cardholder itself.
    pub fn cdcvm_performed(self) -> bool {
        self.has(Ctq::CDCVM_PERFORMED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_phone_ctq() {
        let ctq = Ctq::from_value(&[0x00, 0x80]).unwrap();
        assert!(ctq.cdcvm_performed());
        assert!(!ctq.online_pin_required() && !ctq.signature_required());
        let card = Ctq([0xE8, 0x00]);
        assert!(card.online_pin_required() && card.signature_required());
        assert!(card.online_if_oda_fails() && card.online_if_expired());
        assert!(!card.switch_interface_if_oda_fails());
    }

    #[test]
    fn only_two_bytes_make_a_ctq() {
        assert_eq!(Ctq::from_value(&[0x80]), None);
        assert_eq!(Ctq::from_value(&[0x80, 0, 0]), None);
    }
}

//! Terminal Transaction Qualifiers, tag 9F66 (Book A 5.7 Table 5-4, C-3 Annex A.2): what
//! the reader can do and, after Entry Point pre-processing (Book B 3.1.1), what this
//! transaction requires. Kernel 3 sends it in the PDOL data; the card chooses its
//! cryptogram and CVM from it.

use super::NamedBit;

/// Terminal Transaction Qualifiers (9F66), 4 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ttq(pub [u8; 4]);

impl Ttq {
    /// Byte 1 b8.
    pub const MAG_STRIPE_MODE: NamedBit = NamedBit::new(1, 8, "Mag-stripe mode supported");
    /// Byte 1 b6.
    pub const EMV_MODE: NamedBit = NamedBit::new(1, 6, "EMV mode supported");
    /// Byte 1 b5.
    pub const CONTACT_CHIP: NamedBit = NamedBit::new(1, 5, "EMV contact chip supported");
    /// Byte 1 b4.
    pub const OFFLINE_ONLY: NamedBit = NamedBit::new(1, 4, "Offline-only reader");
    /// Byte 1 b3.
    pub const ONLINE_PIN: NamedBit = NamedBit::new(1, 3, "Online PIN supported");
    /// Byte 1 b2.
    pub const SIGNATURE: NamedBit = NamedBit::new(1, 2, "Signature supported");
    /// Byte 1 b1 (C-3 3.3.4: fDDA on online transactions).
    pub const ODA_FOR_ONLINE: NamedBit = NamedBit::new(
        1,
        1,
        "Offline Data Authentication for Online Authorizations supported",
    );
    /// Byte 2 b8: set per transaction by pre-processing (Book B 3.1.1).
    pub const ONLINE_CRYPTOGRAM_REQUIRED: NamedBit =
        NamedBit::new(2, 8, "Online cryptogram required");
    /// Byte 2 b7: set per transaction by pre-processing (Book B 3.1.1).
    pub const CVM_REQUIRED: NamedBit = NamedBit::new(2, 7, "CVM required");
    /// Byte 2 b6.
    pub const OFFLINE_PIN: NamedBit = NamedBit::new(2, 6, "(Contact Chip) Offline PIN supported");
    /// Byte 3 b8.
    pub const ISSUER_UPDATE: NamedBit = NamedBit::new(3, 8, "Issuer Update Processing supported");
    /// Byte 3 b7.
    pub const CDCVM: NamedBit = NamedBit::new(3, 7, "Consumer Device CVM supported");
    /// Byte 3 b4 (Book A v2.10 Table 5-4).
    pub const CDCVM_REQUIRED: NamedBit = NamedBit::new(3, 4, "Consumer Device CVM required");
    /// Byte 4 b8 (Book A v2.10 Table 5-4).
    pub const FDDA_V1: NamedBit = NamedBit::new(4, 8, "fDDA v1.0 Supported");

    /// Every named bit, in the books' order.
    pub const BITS: &'static [NamedBit] = &[
        Ttq::MAG_STRIPE_MODE,
        Ttq::EMV_MODE,
        Ttq::CONTACT_CHIP,
        Ttq::OFFLINE_ONLY,
        Ttq::ONLINE_PIN,
        Ttq::SIGNATURE,
        Ttq::ODA_FOR_ONLINE,
        Ttq::ONLINE_CRYPTOGRAM_REQUIRED,
        Ttq::CVM_REQUIRED,
        Ttq::OFFLINE_PIN,
        Ttq::ISSUER_UPDATE,
        Ttq::CDCVM,
        Ttq::CDCVM_REQUIRED,
        Ttq::FDDA_V1,
    ];

    /// Whether `bit` is set.
    pub fn has(self, bit: NamedBit) -> bool {
        bit.is_set(&self.0)
    }

    /// Sets `bit`.
    pub fn set(&mut self, bit: NamedBit) {
        bit.set(&mut self.0);
    }

    /// Clears `bit`.
    pub fn clear(&mut self, bit: NamedBit) {
        bit.clear(&mut self.0);
    }

    /// Byte 1 b4: the reader cannot go online.
    pub fn is_offline_only(self) -> bool {
        self.has(Ttq::OFFLINE_ONLY)
    }

    /// Byte 1 b5: the reader has a contact interface to switch to.
    pub fn contact_chip_supported(self) -> bool {
        self.has(Ttq::CONTACT_CHIP)
    }

    /// Byte 1 b3: the reader has a PIN pad for online PIN.
    pub fn online_pin_supported(self) -> bool {
        self.has(Ttq::ONLINE_PIN)
    }

    /// Byte 1 b2: the reader can obtain a signature.
    pub fn signature_supported(self) -> bool {
        self.has(Ttq::SIGNATURE)
    }

    /// Byte 1 b1: the reader performs fDDA on online transactions too (C-3 3.3.4).
    pub fn oda_for_online_supported(self) -> bool {
        self.has(Ttq::ODA_FOR_ONLINE)
    }

    /// Byte 2 b8: this transaction must be authorised online.
    pub fn is_online_cryptogram_required(self) -> bool {
        self.has(Ttq::ONLINE_CRYPTOGRAM_REQUIRED)
    }

    /// Byte 2 b7: this transaction needs a cardholder verification.
    pub fn is_cvm_required(self) -> bool {
        self.has(Ttq::CVM_REQUIRED)
    }

    /// Byte 3 b7: the reader accepts a CVM performed on the consumer's device.
    pub fn cdcvm_supported(self) -> bool {
        self.has(Ttq::CDCVM)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_default_visa_configuration() {
        let ttq = Ttq([0x36, 0x00, 0x40, 0x00]);
        assert!(ttq.has(Ttq::EMV_MODE));
        assert!(ttq.contact_chip_supported());
        assert!(ttq.online_pin_supported());
        assert!(ttq.signature_supported());
        assert!(ttq.cdcvm_supported());
        assert!(!ttq.is_offline_only());
        assert!(!ttq.oda_for_online_supported());
        assert!(!ttq.is_cvm_required());
        assert!(!ttq.is_online_cryptogram_required());
    }

    #[test]
    fn byte_two_is_set_and_cleared_per_transaction() {
        let mut ttq = Ttq([0x28, 0xC0, 0x00, 0x00]);
        assert!(ttq.is_offline_only());
        assert!(ttq.is_cvm_required() && ttq.is_online_cryptogram_required());
        ttq.clear(Ttq::CVM_REQUIRED);
        assert_eq!(ttq.0, [0x28, 0x80, 0x00, 0x00]);
        ttq.set(Ttq::CVM_REQUIRED);
        ttq.clear(Ttq::ONLINE_CRYPTOGRAM_REQUIRED);
        assert_eq!(ttq.0, [0x28, 0x40, 0x00, 0x00]);
    }

    #[test]
    fn every_named_bit_is_distinct() {
        for (i, a) in Ttq::BITS.iter().enumerate() {
            for b in &Ttq::BITS[i + 1..] {
                assert!(
                    (a.byte, a.bit) != (b.byte, b.bit),
                    "{} and {}",
                    a.name,
                    b.name
                );
            }
        }
    }
}

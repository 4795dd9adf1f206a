//! Application Interchange Profile, tag 82 (Book 3 Annex C1; byte 1 b2, byte 2 b8 and
//! byte 2 b1 as C-2 Annex A defines them for Kernel 2).

use super::NamedBit;

/// Application Interchange Profile (82): what the card supports for this transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Aip(pub [u8; 2]);

impl Aip {
    /// Byte 1 b8 (EMV 4.4): XDA supported.
    pub const XDA: NamedBit = NamedBit::new(1, 8, "XDA supported (EMV 4.4)");
    /// Byte 1 b7: SDA supported.
    pub const SDA: NamedBit = NamedBit::new(1, 7, "SDA supported");
    /// Byte 1 b6: DDA supported.
    pub const DDA: NamedBit = NamedBit::new(1, 6, "DDA supported");
    /// Byte 1 b5: cardholder verification is supported.
    pub const CARDHOLDER_VERIFICATION: NamedBit =
        NamedBit::new(1, 5, "Cardholder verification is supported");
    /// Byte 1 b4: terminal risk management is to be performed.
    pub const TERMINAL_RISK_MANAGEMENT: NamedBit =
        NamedBit::new(1, 4, "Terminal risk management is to be performed");
    /// Byte 1 b3: issuer authentication is supported.
    pub const ISSUER_AUTHENTICATION: NamedBit =
        NamedBit::new(1, 3, "Issuer authentication is supported");
    /// Byte 1 b2 (C-2): on device cardholder verification is supported.
    pub const ON_DEVICE_CVM: NamedBit =
        NamedBit::new(1, 2, "On device cardholder verification is supported (C-2)");
    /// Byte 1 b1: CDA supported.
    pub const CDA: NamedBit = NamedBit::new(1, 1, "CDA supported");
    /// Byte 2 b8 (C-2: EMV mode; C-3: MSD) supported.
    pub const EMV_MODE: NamedBit =
        NamedBit::new(2, 8, "EMV mode is supported (C-2) / MSD is supported (C-3)");
    /// Byte 2 b1 (C-2): relay resistance protocol is supported.
    pub const RELAY_RESISTANCE: NamedBit =
        NamedBit::new(2, 1, "Relay resistance protocol is supported (C-2)");

    /// Every named bit, in book order.
    pub const BITS: [NamedBit; 10] = [
        Aip::XDA,
        Aip::SDA,
        Aip::DDA,
        Aip::CARDHOLDER_VERIFICATION,
        Aip::TERMINAL_RISK_MANAGEMENT,
        Aip::ISSUER_AUTHENTICATION,
        Aip::ON_DEVICE_CVM,
        Aip::CDA,
        Aip::EMV_MODE,
        Aip::RELAY_RESISTANCE,
    ];

    /// The AIP from its value; `None` unless it is exactly two bytes.
    pub fn from_value(value: &[u8]) -> Option<Aip> {
        <[u8; 2]>::try_from(value).ok().map(Aip)
    }

    /// Whether a bit is set.
    pub fn has(self, bit: NamedBit) -> bool {
        bit.is_set(&self.0)
    }

    /// Byte 1 b1: CDA supported.
    pub fn cda_supported(self) -> bool {
        self.has(Aip::CDA)
    }

    /// Byte 1 b5: cardholder verification is supported (a CVM List is to be processed).
    pub fn cardholder_verification_supported(self) -> bool {
        self.has(Aip::CARDHOLDER_VERIFICATION)
    }

    /// Byte 1 b2 (C-2): on device cardholder verification is supported.
    pub fn on_device_cvm_supported(self) -> bool {
        self.has(Aip::ON_DEVICE_CVM)
    }

    /// Byte 2 b8 (C-2): EMV mode is supported.
    pub fn emv_mode_supported(self) -> bool {
        self.has(Aip::EMV_MODE)
    }

    /// Byte 2 b1 (C-2): relay resistance protocol is supported.
    pub fn relay_resistance_supported(self) -> bool {
        self.has(Aip::RELAY_RESISTANCE)
    }

    /// The names of the bits that are set, for the trace.
    pub fn describe(self) -> Vec<&'static str> {
        Aip::BITS
            .iter()
            .filter(|b| self.has(**b))
            .map(|b| b.name)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_bits_the_kernels_use() {
        // A typical Mastercard M/Chip AIP: SDA, DDA, CV, TRM, CDA; EMV mode.
        let aip = Aip::from_value(&[0x79, 0x80]).unwrap();
        assert!(aip.cda_supported());
        assert!(aip.cardholder_verification_supported());
        assert!(aip.emv_mode_supported());
        assert!(!aip.on_device_cvm_supported());
        assert!(!aip.relay_resistance_supported());
        let phone = Aip([0x1B, 0x81]);
        assert!(phone.on_device_cvm_supported() && phone.relay_resistance_supported());
        assert_eq!(Aip::from_value(&[0x19]), None);
        assert_eq!(Aip([0x01, 0x00]).describe(), vec!["CDA supported"]);
    }
}

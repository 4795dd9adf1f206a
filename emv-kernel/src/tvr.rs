//! Terminal Verification Results (tag 95, Book 3 Annex C5, C-2 Annex A for byte 5) and
//! Transaction Status Information (tag 9B, Book 3 Annex C6): bit fields the kernels set as
//! they go and hand to the card (CDOL/PDOL) and to the host (data record). Every bit the
//! books name is defined here once; `tapterm decode` explains values from these names.

use crate::qualifiers::NamedBit;

/// One bit of the TVR: byte index (0-based) and mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TvrBit {
    byte: usize,
    mask: u8,
    /// The name Book 3 gives the bit.
    pub name: &'static str,
}

const fn bit(byte: usize, mask: u8, name: &'static str) -> TvrBit {
    TvrBit { byte, mask, name }
}

impl TvrBit {
    /// Byte 1 b8.
    pub const ODA_NOT_PERFORMED: TvrBit =
        bit(0, 0x80, "Offline data authentication was not performed");
    /// Byte 1 b7.
    pub const SDA_FAILED: TvrBit = bit(0, 0x40, "SDA failed");
    /// Byte 1 b6.
    pub const ICC_DATA_MISSING: TvrBit = bit(0, 0x20, "ICC data missing");
    /// Byte 1 b5.
    pub const EXCEPTION_FILE: TvrBit = bit(0, 0x10, "Card appears on terminal exception file");
    /// Byte 1 b4.
    pub const DDA_FAILED: TvrBit = bit(0, 0x08, "DDA failed");
    /// Byte 1 b3.
    pub const CDA_FAILED: TvrBit = bit(0, 0x04, "CDA failed");
    /// Byte 1 b2.
    pub const SDA_SELECTED: TvrBit = bit(0, 0x02, "SDA selected");
    /// Byte 2 b8.
    pub const DIFFERENT_VERSIONS: TvrBit = bit(
        1,
        0x80,
        "ICC and terminal have different application versions",
    );
    /// Byte 2 b7.
    pub const EXPIRED: TvrBit = bit(1, 0x40, "Expired application");
    /// Byte 2 b6.
    pub const NOT_YET_EFFECTIVE: TvrBit = bit(1, 0x20, "Application not yet effective");
    /// Byte 2 b5.
    pub const SERVICE_NOT_ALLOWED: TvrBit =
        bit(1, 0x10, "Requested service not allowed for card product");
    /// Byte 2 b4.
    pub const NEW_CARD: TvrBit = bit(1, 0x08, "New card");
    /// Byte 3 b8.
    pub const CVM_NOT_SUCCESSFUL: TvrBit =
        bit(2, 0x80, "Cardholder verification was not successful");
    /// Byte 3 b7.
    pub const UNRECOGNISED_CVM: TvrBit = bit(2, 0x40, "Unrecognised CVM");
    /// Byte 3 b6.
    pub const PIN_TRY_LIMIT_EXCEEDED: TvrBit = bit(2, 0x20, "PIN Try Limit exceeded");
    /// Byte 3 b5.
    pub const PIN_PAD_NOT_PRESENT: TvrBit = bit(
        2,
        0x10,
        "PIN entry required and PIN pad not present or not working",
    );
    /// Byte 3 b4.
    pub const PIN_NOT_ENTERED: TvrBit = bit(
        2,
        0x08,
        "PIN entry required, PIN pad present, but PIN was not entered",
    );
    /// Byte 3 b3.
    pub const ONLINE_PIN_ENTERED: TvrBit = bit(2, 0x04, "Online PIN entered");
    /// Byte 4 b8.
    pub const FLOOR_LIMIT_EXCEEDED: TvrBit = bit(3, 0x80, "Transaction exceeds floor limit");
    /// Byte 4 b7.
    pub const LOWER_OFFLINE_LIMIT_EXCEEDED: TvrBit =
        bit(3, 0x40, "Lower consecutive offline limit exceeded");
    /// Byte 4 b6.
    pub const UPPER_OFFLINE_LIMIT_EXCEEDED: TvrBit =
        bit(3, 0x20, "Upper consecutive offline limit exceeded");
    /// Byte 4 b5.
    pub const SELECTED_RANDOMLY: TvrBit = bit(
        3,
        0x10,
        "Transaction selected randomly for online processing",
    );
    /// Byte 4 b4.
    pub const MERCHANT_FORCED_ONLINE: TvrBit = bit(3, 0x08, "Merchant forced transaction online");
    /// Byte 5 b8.
    pub const DEFAULT_TDOL_USED: TvrBit = bit(4, 0x80, "Default TDOL used");
    /// Byte 5 b7.
    pub const ISSUER_AUTHENTICATION_FAILED: TvrBit = bit(4, 0x40, "Issuer authentication failed");
    /// Byte 5 b6.
    pub const SCRIPT_FAILED_BEFORE_FINAL_GAC: TvrBit =
        bit(4, 0x20, "Script processing failed before final GENERATE AC");
    /// Byte 5 b5.
    pub const SCRIPT_FAILED_AFTER_FINAL_GAC: TvrBit =
        bit(4, 0x10, "Script processing failed after final GENERATE AC");
    /// Byte 5 b4 (C-2 Annex A).
    pub const RRP_THRESHOLD_EXCEEDED: TvrBit = bit(4, 0x08, "Relay resistance threshold exceeded");
    /// Byte 5 b3 (C-2 Annex A).
    pub const RRP_TIME_LIMITS_EXCEEDED: TvrBit =
        bit(4, 0x04, "Relay resistance time limits exceeded");
    /// Byte 5 b2–b1 = 10 (C-2 SR1.32): the relay resistance protocol was performed.
    pub const RRP_PERFORMED: TvrBit = bit(4, 0x02, "Relay resistance protocol performed");
    /// Byte 5 b2–b1 = 01 (C-2 S3.65): the relay resistance protocol was not performed.
    pub const RRP_NOT_PERFORMED: TvrBit = bit(4, 0x01, "Relay resistance protocol not performed");

    /// The bit numbered as the books number it (byte 1–5, b1–b8).
    pub const fn named(self) -> NamedBit {
        NamedBit::new(
            self.byte + 1,
            self.mask.trailing_zeros() as u8 + 1,
            self.name,
        )
    }
}

/// Terminal Verification Results, tag 95.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tvr(pub [u8; 5]);

impl Tvr {
    /// Byte 5 b2–b1 (C-2 Annex A): a two-bit field, relay resistance not supported (00),
    /// not performed (01) or performed (10), rather than two flags.
    pub const RELAY_RESISTANCE_FIELD: u8 = 0x03;

    /// Every named bit, in Book 3 Annex C5 order (byte 5 b4–b1 from C-2 Annex A).
    pub const BITS: &'static [TvrBit] = &[
        TvrBit::ODA_NOT_PERFORMED,
        TvrBit::SDA_FAILED,
        TvrBit::ICC_DATA_MISSING,
        TvrBit::EXCEPTION_FILE,
        TvrBit::DDA_FAILED,
        TvrBit::CDA_FAILED,
        TvrBit::SDA_SELECTED,
        TvrBit::DIFFERENT_VERSIONS,
        TvrBit::EXPIRED,
        TvrBit::NOT_YET_EFFECTIVE,
        TvrBit::SERVICE_NOT_ALLOWED,
        TvrBit::NEW_CARD,
        TvrBit::CVM_NOT_SUCCESSFUL,
        TvrBit::UNRECOGNISED_CVM,
        TvrBit::PIN_TRY_LIMIT_EXCEEDED,
        TvrBit::PIN_PAD_NOT_PRESENT,
        TvrBit::PIN_NOT_ENTERED,
        TvrBit::ONLINE_PIN_ENTERED,
        TvrBit::FLOOR_LIMIT_EXCEEDED,
        TvrBit::LOWER_OFFLINE_LIMIT_EXCEEDED,
        TvrBit::UPPER_OFFLINE_LIMIT_EXCEEDED,
        TvrBit::SELECTED_RANDOMLY,
        TvrBit::MERCHANT_FORCED_ONLINE,
        TvrBit::DEFAULT_TDOL_USED,
        TvrBit::ISSUER_AUTHENTICATION_FAILED,
        TvrBit::SCRIPT_FAILED_BEFORE_FINAL_GAC,
        TvrBit::SCRIPT_FAILED_AFTER_FINAL_GAC,
        TvrBit::RRP_THRESHOLD_EXCEEDED,
        TvrBit::RRP_TIME_LIMITS_EXCEEDED,
        TvrBit::RRP_PERFORMED,
        TvrBit::RRP_NOT_PERFORMED,
    ];

    /// Sets one bit.
    pub fn set(&mut self, bit: TvrBit) {
        if let Some(b) = self.0.get_mut(bit.byte) {
            *b |= bit.mask;
        }
    }

    /// Whether a bit is set.
    pub fn is_set(&self, bit: TvrBit) -> bool {
        self.0.get(bit.byte).is_some_and(|b| b & bit.mask != 0)
    }

    /// Byte 5 b2–b1, the two-bit relay resistance field (C-2 S3.65, SR1.32).
    pub fn set_relay_resistance(&mut self, status: crate::kernel2::relay_resistance::RrpStatus) {
        self.0[4] = (self.0[4] & !0x03) | status.bits();
    }

    /// The names of the bits that are set, for the trace.
    pub fn describe(&self) -> Vec<&'static str> {
        Tvr::BITS
            .iter()
            .filter(|b| self.is_set(**b))
            .map(|b| b.name)
            .collect()
    }
}

/// Transaction Status Information, tag 9B (Book 3 Annex C6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tsi(pub [u8; 2]);

impl Tsi {
    /// Byte 1 b8.
    pub const ODA_PERFORMED: NamedBit =
        NamedBit::new(1, 8, "Offline data authentication was performed");
    /// Byte 1 b7.
    pub const CVM_PERFORMED: NamedBit =
        NamedBit::new(1, 7, "Cardholder verification was performed");
    /// Byte 1 b6.
    pub const CARD_RISK_MANAGEMENT: NamedBit =
        NamedBit::new(1, 6, "Card risk management was performed");
    /// Byte 1 b5.
    pub const ISSUER_AUTHENTICATION: NamedBit =
        NamedBit::new(1, 5, "Issuer authentication was performed");
    /// Byte 1 b4.
    pub const TERMINAL_RISK_MANAGEMENT: NamedBit =
        NamedBit::new(1, 4, "Terminal risk management was performed");
    /// Byte 1 b3.
    pub const SCRIPT_PROCESSING: NamedBit = NamedBit::new(1, 3, "Script processing was performed");

    /// Every named bit, in Book 3 Annex C6 order.
    pub const BITS: &'static [NamedBit] = &[
        Tsi::ODA_PERFORMED,
        Tsi::CVM_PERFORMED,
        Tsi::CARD_RISK_MANAGEMENT,
        Tsi::ISSUER_AUTHENTICATION,
        Tsi::TERMINAL_RISK_MANAGEMENT,
        Tsi::SCRIPT_PROCESSING,
    ];

    /// Sets one bit.
    pub fn set(&mut self, bit: NamedBit) {
        bit.set(&mut self.0);
    }

    /// Whether a bit is set.
    pub fn is_set(&self, bit: NamedBit) -> bool {
        bit.is_set(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_and_names_bits() {
        let mut tvr = Tvr::default();
        tvr.set(TvrBit::CDA_FAILED);
        tvr.set(TvrBit::FLOOR_LIMIT_EXCEEDED);
        tvr.set(TvrBit::RRP_NOT_PERFORMED);
        assert_eq!(tvr.0, [0x04, 0x00, 0x00, 0x80, 0x01]);
        assert!(tvr.is_set(TvrBit::CDA_FAILED));
        assert!(!tvr.is_set(TvrBit::DDA_FAILED));
        assert_eq!(tvr.describe().len(), 3);
        assert_eq!(
            TvrBit::PIN_PAD_NOT_PRESENT.named(),
            NamedBit::new(3, 5, TvrBit::PIN_PAD_NOT_PRESENT.name)
        );
        let mut tsi = Tsi::default();
        tsi.set(Tsi::ODA_PERFORMED);
        tsi.set(Tsi::CVM_PERFORMED);
        assert_eq!(tsi.0, [0xC0, 0x00]);
        assert!(tsi.is_set(Tsi::CVM_PERFORMED) && !tsi.is_set(Tsi::SCRIPT_PROCESSING));
    }
}

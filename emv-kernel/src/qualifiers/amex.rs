//! American Express ExpressPay (Kernel 4, Book C-4) qualifiers: the reader's Contactless
//! Reader Capabilities (9F6D, C-4 4.3.3 Table 4-2) and Enhanced Contactless Reader
//! Capabilities (9F6E, C-4 4.3.4 Table 4-4), and the phone's Mobile CVM Results (9F71,
//! ExpressPay 3.0 Table 12). Bit names and positions as openemv/emv-utils `emv_fields.h`
//! (9F6D, 9F6E) and binaryfoo/emv-bertlv `amex-mobile-cvm.txt` (9F71) publish them; the book
//! itself was not at hand.
//!
//! 9F6E is Visa's Form Factor Indicator (C-3) and Mastercard's Third Party Data (C-2)
//! elsewhere; this is its meaning under an American Express AID only.

use super::NamedBit;

/// Contactless Reader Capabilities (9F6D), 1 byte: only b8, b7 and b4 are used, and the
/// value is ORed into the Terminal Type (9F35) the card receives (C-4 4.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactlessReaderCapabilities(pub u8);

impl ContactlessReaderCapabilities {
    /// The bits of 9F6D; the rest of the byte is the Terminal Type's.
    pub const MASK: u8 = 0xC8;
    /// b8b7 = 11, b4 = 0: Contactless EMV and Mag-stripe, CVM not required.
    pub const EMV_AND_MAG_STRIPE: ContactlessReaderCapabilities =
        ContactlessReaderCapabilities(0xC0);
    /// b4: CVM Required (set per transaction when the amount reaches the Reader CVM
    /// Required Limit).
    pub const CVM_REQUIRED: NamedBit = NamedBit::new(1, 4, "CVM Required");

    /// The configured value, keeping only the bits 9F6D defines; `None` unless 1 byte.
    pub fn from_value(value: &[u8]) -> Option<ContactlessReaderCapabilities> {
        match value {
            [b] => Some(ContactlessReaderCapabilities(b & Self::MASK)),
            _ => None,
        }
    }

    /// The words for b8b7 and b4 (C-4 Table 4-2).
    pub fn describe(self) -> [&'static str; 2] {
        let mode = match self.0 & 0xC0 {
            0x40 => "Contactless Mag-stripe",
            0x80 => "Contactless EMV and Mag-stripe (deprecated coding)",
            0xC0 => "Contactless EMV and Mag-stripe",
            _ => "Deprecated (ExpressPay 1.0)",
        };
        let cvm = if Self::CVM_REQUIRED.is_set(&[self.0]) {
            "CVM Required"
        } else {
            "CVM Not Required"
        };
        [mode, cvm]
    }

    /// The Terminal Type as the card sees it: `terminal_type` (its b8, b7 and b4 cleared)
    /// ORed with these capabilities and, when `cvm_required`, b4 (C-4 4.3.3).
    pub fn modified_terminal_type(self, terminal_type: u8, cvm_required: bool) -> u8 {
        let cvm = if cvm_required {
            Self::CVM_REQUIRED.mask()
        } else {
            0
        };
        (terminal_type & !Self::MASK) | self.0 | cvm
    }
}

/// Enhanced Contactless Reader Capabilities (9F6E), 4 bytes (C-4 4.3.4 Table 4-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnhancedContactlessReaderCapabilities(pub [u8; 4]);

impl EnhancedContactlessReaderCapabilities {
    /// Byte 1 b8.
    pub const CONTACT_MODE: NamedBit = NamedBit::new(1, 8, "Contact mode supported");
    /// Byte 1 b7.
    pub const MAG_STRIPE_MODE: NamedBit =
        NamedBit::new(1, 7, "Contactless Mag-Stripe Mode supported");
    /// Byte 1 b6.
    pub const FULL_ONLINE_MODE: NamedBit = NamedBit::new(
        1,
        6,
        "Contactless EMV full online mode supported (legacy, no longer supported)",
    );
    /// Byte 1 b5.
    pub const PARTIAL_ONLINE_MODE: NamedBit =
        NamedBit::new(1, 5, "Contactless EMV partial online mode supported");
    /// Byte 1 b4.
    pub const MOBILE: NamedBit = NamedBit::new(1, 4, "Contactless Mobile Supported");
    /// Byte 1 b3.
    pub const TRY_ANOTHER_INTERFACE: NamedBit =
        NamedBit::new(1, 3, "Try Another Interface after a decline");
    /// Byte 2 b8.
    pub const MOBILE_CVM: NamedBit = NamedBit::new(2, 8, "Mobile CVM supported");
    /// Byte 2 b7.
    pub const ONLINE_PIN: NamedBit = NamedBit::new(2, 7, "Online PIN supported");
    /// Byte 2 b6.
    pub const SIGNATURE: NamedBit = NamedBit::new(2, 6, "Signature supported");
    /// Byte 2 b5.
    pub const OFFLINE_PIN: NamedBit = NamedBit::new(2, 5, "Plaintext Offline PIN supported");
    /// Byte 3 b8.
    pub const OFFLINE_ONLY: NamedBit = NamedBit::new(3, 8, "Reader is offline only");
    /// Byte 3 b7 (set per transaction, like 9F6D b4).
    pub const CVM_REQUIRED: NamedBit = NamedBit::new(3, 7, "CVM Required");
    /// Byte 4 b8.
    pub const EXEMPT_FROM_NO_CVM: NamedBit =
        NamedBit::new(4, 8, "Terminal exempt from No CVM checks");
    /// Byte 4 b7.
    pub const DELAYED_AUTHORISATION: NamedBit =
        NamedBit::new(4, 7, "Delayed Authorisation Terminal");
    /// Byte 4 b6.
    pub const TRANSIT: NamedBit = NamedBit::new(4, 6, "Transit Terminal");
    /// Byte 4 b3–b1: the C-4 kernel version.
    pub const KERNEL_VERSION_MASK: u8 = 0x07;

    /// Every named bit, in the table's order.
    pub const BITS: &'static [NamedBit] = &[
        Self::CONTACT_MODE,
        Self::MAG_STRIPE_MODE,
        Self::FULL_ONLINE_MODE,
        Self::PARTIAL_ONLINE_MODE,
        Self::MOBILE,
        Self::TRY_ANOTHER_INTERFACE,
        Self::MOBILE_CVM,
        Self::ONLINE_PIN,
        Self::SIGNATURE,
        Self::OFFLINE_PIN,
        Self::OFFLINE_ONLY,
        Self::CVM_REQUIRED,
        Self::EXEMPT_FROM_NO_CVM,
        Self::DELAYED_AUTHORISATION,
        Self::TRANSIT,
    ];

    /// The value of a data object; `None` unless it is exactly 4 bytes.
    pub fn from_value(value: &[u8]) -> Option<EnhancedContactlessReaderCapabilities> {
        value
            .try_into()
            .ok()
            .map(EnhancedContactlessReaderCapabilities)
    }

    /// Whether `bit` is set.
    pub fn has(self, bit: NamedBit) -> bool {
        bit.is_set(&self.0)
    }

    /// The value with byte 3 b7 "CVM Required" as this transaction has it.
    pub fn with_cvm_required(self, cvm_required: bool) -> EnhancedContactlessReaderCapabilities {
        let mut v = self.0;
        if cvm_required {
            Self::CVM_REQUIRED.set(&mut v);
        } else {
            Self::CVM_REQUIRED.clear(&mut v);
        }
        EnhancedContactlessReaderCapabilities(v)
    }

    /// The terminal's CVM capability coded as Terminal Capabilities (9F33) byte 2 (Book 4
    /// Annex A2). Where a CVM is required, the CVMs of byte 2: online PIN b7 and signature
    /// b6 sit in the same places in 9F6E byte 2, and "No CVM required" (b4) only for a
    /// terminal exempt from No CVM checks; below the CVM Required Limit only "No CVM",
    /// as Kernel 2 takes DF8119 there (decided, docs/kernels/c4.md).
    pub fn cvm_capability(self, cvm_required: bool) -> u8 {
        const NO_CVM: u8 = 0x08;
        if !cvm_required {
            return NO_CVM;
        }
        let same_place = Self::ONLINE_PIN.mask() | Self::SIGNATURE.mask();
        let exempt = if self.has(Self::EXEMPT_FROM_NO_CVM) {
            NO_CVM
        } else {
            0
        };
        (self.0[1] & same_place) | exempt
    }

    /// The C-4 kernel version in byte 4 b3–b1 (Table 4-4).
    pub fn kernel_version(self) -> &'static str {
        match self.0[3] & Self::KERNEL_VERSION_MASK {
            0 => "not given",
            1 => "2.2 - 2.3",
            2 => "2.4 - 2.6",
            3 => "2.7",
            _ => "RFU",
        }
    }
}

/// Mobile CVM Results (9F71), 3 bytes, from an ExpressPay mobile device: what the phone did
/// about cardholder verification (ExpressPay 3.0 Table 12, as binaryfoo/emv-bertlv has it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MobileCvmResults(pub [u8; 3]);

impl MobileCvmResults {
    /// Byte 1: Mobile CVM performed.
    pub const PERFORMED: u8 = 0x01;
    /// Byte 1: no CVM performed.
    pub const NOT_PERFORMED: u8 = 0x3F;
    /// Byte 2: Mobile CVM not required.
    pub const NOT_REQUIRED: u8 = 0x00;
    /// Byte 2: the terminal required a CVM.
    pub const TERMINAL_REQUIRED: u8 = 0x03;
    /// Byte 3: failed.
    pub const FAILED: u8 = 0x01;
    /// Byte 3: successful.
    pub const SUCCESSFUL: u8 = 0x02;
    /// Byte 3: blocked.
    pub const BLOCKED: u8 = 0x03;

    /// The value of a data object; `None` unless it is exactly 3 bytes.
    pub fn from_value(value: &[u8]) -> Option<MobileCvmResults> {
        value.try_into().ok().map(MobileCvmResults)
    }

    /// The phone verified the cardholder successfully.
    pub fn verified(self) -> bool {
        self.0[0] == Self::PERFORMED && self.0[2] == Self::SUCCESSFUL
    }

    /// The phone's verification failed or is blocked (byte 3 `01` or `03`): the cardholder
    /// has to act on the phone.
    pub fn failed_or_blocked(self) -> bool {
        matches!(self.0[2], Self::FAILED | Self::BLOCKED)
    }

    /// The words for each byte (Table 12); `None` for a code the table does not give.
    pub fn describe(self) -> [Option<&'static str>; 3] {
        let method = match self.0[0] {
            Self::PERFORMED => Some("Mobile CVM Performed"),
            Self::NOT_PERFORMED => Some("No CVM Performed"),
            _ => None,
        };
        let condition = match self.0[1] {
            Self::NOT_REQUIRED => Some("Mobile CVM Not Required"),
            Self::TERMINAL_REQUIRED => Some("Terminal Required CVM"),
            _ => None,
        };
        let result = match self.0[2] {
            Self::FAILED => Some("Mobile CVM Failed"),
            Self::SUCCESSFUL => Some("Mobile CVM Successful"),
            Self::BLOCKED => Some("Mobile CVM Blocked"),
            _ => None,
        };
        [method, condition, result]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_type_as_the_real_readers_sent_it() {
        let caps = ContactlessReaderCapabilities::EMV_AND_MAG_STRIPE;
        // binaryfoo amex-msd-mobile: E2; amex-cda-in (AUD 120.00, CVM required): EA.
        assert_eq!(caps.modified_terminal_type(0x22, false), 0xE2);
        assert_eq!(caps.modified_terminal_type(0x22, true), 0xEA);
        assert_eq!(
            ContactlessReaderCapabilities::from_value(&[0xFF]),
            Some(ContactlessReaderCapabilities(0xC8))
        );
        assert_eq!(ContactlessReaderCapabilities::from_value(&[]), None);
    }

    #[test]
    fn enhanced_capabilities_cvm() {
        let e = EnhancedContactlessReaderCapabilities([0x18, 0xE0, 0x00, 0x03]);
        assert_eq!(e.with_cvm_required(true).0, [0x18, 0xE0, 0x40, 0x03]);
        assert_eq!(e.with_cvm_required(true).with_cvm_required(false), e);
        assert_eq!(e.cvm_capability(false), 0x08);
        assert_eq!(e.cvm_capability(true), 0x60);
        let exempt = EnhancedContactlessReaderCapabilities([0x18, 0xA0, 0x00, 0x83]);
        assert_eq!(exempt.cvm_capability(true), 0x28);
        assert!(e.has(EnhancedContactlessReaderCapabilities::MOBILE_CVM));
        assert_eq!(e.kernel_version(), "2.7");
    }

    #[test]
    fn mobile_cvm_results() {
        let recorded = MobileCvmResults::from_value(&[0x01, 0x00, 0x02]).unwrap();
        assert!(recorded.verified());
        assert!(!MobileCvmResults([0x3F, 0x03, 0x01]).verified());
        assert!(MobileCvmResults([0x3F, 0x00, 0x01]).failed_or_blocked());
        assert!(!MobileCvmResults([0x3F, 0x00, 0x02]).failed_or_blocked());
        assert_eq!(
            MobileCvmResults([0x3F, 0x03, 0x03]).describe(),
            [
                Some("No CVM Performed"),
                Some("Terminal Required CVM"),
                Some("Mobile CVM Blocked")
            ]
        );
        assert_eq!(MobileCvmResults::from_value(&[1, 2]), None);
    }
}

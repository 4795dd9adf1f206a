//! Kernel 4's configuration data objects: the reader's 9F6D and 9F6E (C-4 4.3.3, 4.3.4)
//! and the Terminal Action Codes, with the values used when the combination gives none.

use crate::qualifiers::{ContactlessReaderCapabilities, EnhancedContactlessReaderCapabilities};
use crate::tags;

use super::Kernel4;

/// 9F6D when not configured: Contactless EMV and Mag-stripe, CVM not required (`C0`, what
/// both recorded Amex readers sent with Terminal Type 22).
pub const DEFAULT_READER_CAPABILITIES: ContactlessReaderCapabilities =
    ContactlessReaderCapabilities::EMV_AND_MAG_STRIPE;

/// 9F6E when not configured: partial online mode and mobile supported; mobile CVM and
/// signature (no online PIN: no PIN pad); no delayed authorisation; kernel version 2.7
/// (`18A00003`). Decided, not from a source: tapterm's own reader (docs/kernels/c4.md).
pub const DEFAULT_ENHANCED_CAPABILITIES: EnhancedContactlessReaderCapabilities =
    EnhancedContactlessReaderCapabilities([0x18, 0xA0, 0x00, 0x03]);

/// The Terminal Action Codes Default, Denial and Online used when the combination gives
/// none: the values American Express acquirer configurations publish (`DC50FC9800`,
/// `0010000000`, `DE00FC9800`, e.g. PAX and Verifone sample configurations).
pub const DEFAULT_TAC: [[u8; 5]; 3] = [
    [0xDC, 0x50, 0xFC, 0x98, 0x00],
    [0x00, 0x10, 0x00, 0x00, 0x00],
    [0xDE, 0x00, 0xFC, 0x98, 0x00],
];

impl Kernel4<'_, '_, '_> {
    /// The configured 9F6D, or its default.
    pub(super) fn reader_capabilities(&self) -> ContactlessReaderCapabilities {
        self.ctx
            .config(tags::CONTACTLESS_READER_CAPABILITIES)
            .and_then(ContactlessReaderCapabilities::from_value)
            .unwrap_or(DEFAULT_READER_CAPABILITIES)
    }

    /// The configured 9F6E, or its default.
    pub(super) fn configured_enhanced_capabilities(&self) -> EnhancedContactlessReaderCapabilities {
        self.ctx
            .config(tags::ENHANCED_CONTACTLESS_READER_CAPABILITIES)
            .and_then(EnhancedContactlessReaderCapabilities::from_value)
            .unwrap_or(DEFAULT_ENHANCED_CAPABILITIES)
    }
}

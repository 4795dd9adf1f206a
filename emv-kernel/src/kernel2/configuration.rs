//! Kernel 2's configuration data objects as C-2 Annex A defines them: the Kernel
//! Configuration qualifier (DF811B), the limits in n12 BCD (DF8123–DF8126), the Phone
//! Message Table (DF8131), and the Annex A default values used when the terminal
//! configures none.

use std::time::Duration;

use crate::outcome::{MessageId, ReaderStatus};
use crate::qualifiers::NamedBit;
use crate::tags;
use crate::tlv::Tag;

use super::Kernel2;

/// Kernel Configuration, DF811B (C-2 Annex A).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KernelConfiguration(pub u8);

impl KernelConfiguration {
    /// b8: only EMV mode transactions supported (mag-stripe mode not supported).
    pub const MAG_STRIPE_MODE_NOT_SUPPORTED: NamedBit = NamedBit::new(
        1,
        8,
        "Mag-stripe mode contactless transactions not supported",
    );
    /// b7: only mag-stripe mode transactions supported (EMV mode not supported).
    pub const EMV_MODE_NOT_SUPPORTED: NamedBit =
        NamedBit::new(1, 7, "EMV mode contactless transactions not supported");
    /// b6: on device cardholder verification supported.
    pub const ON_DEVICE_CVM_SUPPORTED: NamedBit =
        NamedBit::new(1, 6, "On device cardholder verification supported");
    /// b5: relay resistance protocol supported.
    pub const RELAY_RESISTANCE_SUPPORTED: NamedBit =
        NamedBit::new(1, 5, "Relay resistance protocol supported");

    fn has(self, bit: NamedBit) -> bool {
        bit.is_set(&[self.0])
    }

    /// b8: mag-stripe mode contactless transactions not supported.
    pub fn mag_stripe_mode_not_supported(self) -> bool {
        self.has(KernelConfiguration::MAG_STRIPE_MODE_NOT_SUPPORTED)
    }

    /// b7: EMV mode contactless transactions not supported.
    pub fn emv_mode_not_supported(self) -> bool {
        self.has(KernelConfiguration::EMV_MODE_NOT_SUPPORTED)
    }

    /// b6: on device cardholder verification supported.
    pub fn on_device_cvm_supported(self) -> bool {
        self.has(KernelConfiguration::ON_DEVICE_CVM_SUPPORTED)
    }

    /// b5: relay resistance protocol supported.
    pub fn relay_resistance_supported(self) -> bool {
        self.has(KernelConfiguration::RELAY_RESISTANCE_SUPPORTED)
    }
}

/// C-2 Annex A default of the Terminal Action Codes DF8120 (Default), DF8121 (Denial) and
/// DF8122 (Online): TVR byte 1 b8 "ODA not performed" and b3 "CDA failed", byte 5 b4–b3
/// the relay resistance thresholds. Source: /work/wt/RULES.md point 1 (the Annex A default
/// table of a public C-2 implementation).
pub const DEFAULT_TAC: [u8; 5] = [0x84, 0x00, 0x00, 0x00, 0x0C];

/// C-2 Annex A default of the Phone Message Table DF8131: entries of PCII mask (3), PCII
/// value (3), message identifier and status; the first match wins.
pub const DEFAULT_PHONE_MESSAGE_TABLE: [u8; 40] = [
    0x00, 0x08, 0x00, 0x00, 0x08, 0x00, 0x20, 0x00, //
    0x00, 0x04, 0x00, 0x00, 0x04, 0x00, 0x20, 0x00, //
    0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, //
    0x00, 0x02, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, //
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00,
];

/// A BCD n12 amount (DF8123–DF8126) in minor units; `None` if not valid BCD.
pub fn bcd_amount(value: &[u8]) -> Option<u64> {
    value.iter().try_fold(0u64, |acc, b| {
        acc.checked_mul(100)?
            .checked_add(u64::from(crate::tags::bcd_byte(*b)?))
    })
}

/// The first Phone Message Table entry whose mask and value match DF4B (C-2 S910.73):
/// its message and status.
pub fn phone_message(table: &[u8], pcii: &[u8]) -> Option<(MessageId, ReaderStatus)> {
    let pcii: [u8; 3] = pcii.try_into().ok()?;
    table.chunks_exact(8).find_map(|e| {
        let matches = (0..3).all(|i| pcii[i] & e[i] == e[3 + i]);
        matches.then(|| {
            let status = match e[7] {
                0x00 => ReaderStatus::NotReady,
                0x01 => ReaderStatus::Idle,
                0x02 => ReaderStatus::ReadyToRead,
                0x03 => ReaderStatus::Processing,
                0x04 => ReaderStatus::CardReadSuccessfully,
                _ => ReaderStatus::ProcessingError,
            };
            (
                MessageId::from_code(e[6]).unwrap_or(MessageId::NotAuthorised),
                status,
            )
        })
    })
}

impl Kernel2<'_, '_, '_> {
    /// The Kernel Configuration (DF811B); all bits clear when not configured.
    pub(super) fn kernel_configuration(&self) -> KernelConfiguration {
        KernelConfiguration(
            self.ctx
                .config(tags::KERNEL_CONFIGURATION)
                .and_then(|v| v.first().copied())
                .unwrap_or(0),
        )
    }

    /// A limit DF8123–DF8126 in minor units, if configured as valid BCD.
    pub(super) fn limit(&self, tag: Tag) -> Option<u64> {
        self.ctx.config(tag).and_then(bcd_amount)
    }

    /// A Terminal Action Code, or its Annex A default when absent or not five bytes.
    pub(super) fn terminal_action_code(&self, tag: Tag) -> [u8; 5] {
        crate::book3::action_analysis::five(self.ctx.config(tag), DEFAULT_TAC)
    }

    /// The Message Hold Time (DF812D), or its Annex A default.
    pub(super) fn message_hold_time(&self) -> Duration {
        crate::session::message_hold_time(self.ctx.combination())
    }

    /// The Phone Message Table (DF8131), or its Annex A default.
    pub(super) fn phone_message_table(&self) -> &[u8] {
        self.ctx
            .config(tags::PHONE_MESSAGE_TABLE)
            .unwrap_or(&DEFAULT_PHONE_MESSAGE_TABLE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::amount_bcd;

    #[test]
    fn phone_message_table_first_match_wins() {
        assert_eq!(
            phone_message(&DEFAULT_PHONE_MESSAGE_TABLE, &[0x00, 0x01, 0x00]),
            Some((MessageId::SeePhone, ReaderStatus::NotReady))
        );
        assert_eq!(
            phone_message(&DEFAULT_PHONE_MESSAGE_TABLE, &[0x00, 0x00, 0x00]),
            Some((MessageId::NotAuthorised, ReaderStatus::NotReady))
        );
        assert_eq!(phone_message(&DEFAULT_PHONE_MESSAGE_TABLE, &[0x00]), None);
    }

    #[test]
    fn reads_bcd_limits_and_configuration_bits() {
        assert_eq!(bcd_amount(&amount_bcd(10_001)), Some(10_001));
        assert_eq!(bcd_amount(&[0x00, 0x1A]), None);
        assert_eq!(bcd_amount(&[0x99; 20]), None);
        let kc = KernelConfiguration(0xA0);
        assert!(kc.mag_stripe_mode_not_supported() && kc.on_device_cvm_supported());
        assert!(!kc.emv_mode_not_supported() && !kc.relay_resistance_supported());
        assert!(KernelConfiguration(0x10).relay_resistance_supported());
    }
}

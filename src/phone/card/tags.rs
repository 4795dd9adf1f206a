//! The tags the wallets use, named as in the books.

use emv_kernel::tlv::Tag;

const fn t(value: u32) -> Tag {
    Tag::new(value)
}

pub(super) const FCI: Tag = t(0x6F);
pub(super) const DF_NAME: Tag = t(0x84);
pub(super) const FCI_PROPRIETARY: Tag = t(0xA5);
pub(super) const FCI_DISCRETIONARY: Tag = t(0xBF0C);
pub(super) const DIRECTORY_ENTRY: Tag = t(0x61);
pub(super) const ADF_NAME: Tag = t(0x4F);
pub(super) const LABEL: Tag = t(0x50);
pub(super) const PRIORITY: Tag = t(0x87);
pub(super) const KERNEL_ID: Tag = t(0x9F2A);
pub(super) const PDOL: Tag = t(0x9F38);
pub(super) const LANGUAGE: Tag = t(0x5F2D);
pub(super) const RECORD: Tag = t(0x70);
pub(super) const FORMAT2: Tag = t(0x77);
pub(super) const COMMAND_TEMPLATE: Tag = t(0x83);
pub(super) const AIP: Tag = t(0x82);
pub(super) const AFL: Tag = t(0x94);
pub(super) const TRACK2: Tag = t(0x57);
pub(super) const PAN: Tag = t(0x5A);
pub(super) const EXPIRY: Tag = t(0x5F24);
pub(super) const EFFECTIVE: Tag = t(0x5F25);
pub(super) const ISSUER_COUNTRY: Tag = t(0x5F28);
pub(super) const PSN: Tag = t(0x5F34);
pub(super) const CARDHOLDER_NAME: Tag = t(0x5F20);
pub(super) const IAD: Tag = t(0x9F10);
pub(super) const AC: Tag = t(0x9F26);
pub(super) const CID: Tag = t(0x9F27);
pub(super) const ATC: Tag = t(0x9F36);
pub(super) const SDAD: Tag = t(0x9F4B);
pub(super) const CTQ: Tag = t(0x9F6C);
pub(super) const FFI: Tag = t(0x9F6E);
pub(super) const CARD_AUTH_DATA: Tag = t(0x9F69);
pub(super) const TOKEN_REQUESTOR_ID: Tag = t(0x9F19);
pub(super) const PAR: Tag = t(0x9F24);
pub(super) const FPAN_LAST4: Tag = t(0x9F25);
pub(super) const AUC: Tag = t(0x9F07);
pub(super) const APP_VERSION: Tag = t(0x9F08);
pub(super) const IAC_DEFAULT: Tag = t(0x9F0D);
pub(super) const IAC_DENIAL: Tag = t(0x9F0E);
pub(super) const IAC_ONLINE: Tag = t(0x9F0F);
pub(super) const APP_CURRENCY: Tag = t(0x9F42);
pub(super) const SDA_TAG_LIST: Tag = t(0x9F4A);
pub(super) const CDOL1: Tag = t(0x8C);
pub(super) const CDOL2: Tag = t(0x8D);
pub(super) const CVM_LIST: Tag = t(0x8E);
pub(super) const CA_INDEX: Tag = t(0x8F);
pub(super) const ISSUER_CERT: Tag = t(0x90);
pub(super) const ISSUER_REMAINDER: Tag = t(0x92);
pub(super) const ISSUER_EXPONENT: Tag = t(0x9F32);
pub(super) const ICC_CERT: Tag = t(0x9F46);
pub(super) const ICC_EXPONENT: Tag = t(0x9F47);
pub(super) const ICC_REMAINDER: Tag = t(0x9F48);
pub(super) const PCII: Tag = t(0xDF4B);
pub(super) const TTQ: Tag = t(0x9F66);
pub(super) const AMOUNT: Tag = t(0x9F02);
pub(super) const AMOUNT_OTHER: Tag = t(0x9F03);
pub(super) const TERMINAL_COUNTRY: Tag = t(0x9F1A);
pub(super) const TVR: Tag = t(0x95);
pub(super) const CURRENCY: Tag = t(0x5F2A);
pub(super) const DATE: Tag = t(0x9A);
pub(super) const TYPE: Tag = t(0x9C);
pub(super) const UN: Tag = t(0x9F37);
pub(super) const RRP_RESPONSE: Tag = t(0x80);
pub(super) const ECASH_BALANCE: Tag = t(0x9F79);
pub(super) const MOBILE_CVM_RESULTS: Tag = t(0x9F71);
pub(super) const TERMINAL_TYPE: Tag = t(0x9F35);

//! The EMV data dictionary: names and formats of the tags a contactless terminal meets
//! (Book 3 Annex A, Book A/B, C-2 Annex A, C-3 Annex A, token and wallet tags).
//!
//! Some proprietary tags mean different things under different kernels (9F5D, 9F69, 9F6C,
//! 9F6E, …); their names give each meaning with the book it comes from, since a decoder
//! cannot know which kernel produced the bytes.

use crate::tlv::Tag;

/// Data element formats of Book 3 4.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Numeric, BCD, right-aligned, left-padded with zeros.
    N,
    /// Compressed numeric, BCD, left-aligned, right-padded with `F`.
    Cn,
    /// Alphanumeric text.
    An,
    /// Alphanumeric and special characters.
    Ans,
    /// Binary.
    B,
}

/// What the dictionary knows about one tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagInfo {
    /// The tag.
    pub tag: Tag,
    /// The name used in the EMV books.
    pub name: &'static str,
    /// The data format.
    pub format: Format,
    /// The shortest value the books allow, in bytes.
    pub min_length: usize,
    /// The longest value the books allow, in bytes (`usize::MAX` where they give no bound,
    /// e.g. key remainders and issuer scripts).
    pub max_length: usize,
}

const fn info(tag: u32, name: &'static str, format: Format) -> TagInfo {
    TagInfo {
        tag: Tag::new(tag),
        name,
        format,
        min_length: 0,
        max_length: usize::MAX,
    }
}

impl TagInfo {
    /// The entry with its length range in bytes (Book 3 Annex A, C-2 Annex A, C-3 Annex A).
    /// A tag whose meaning depends on the kernel (9F5D, 9F69, 9F6E, …) gets the union of
    /// its meanings' ranges, since the dictionary cannot know which kernel reads it.
    const fn length(self, min_length: usize, max_length: usize) -> TagInfo {
        TagInfo {
            min_length,
            max_length,
            ..self
        }
    }
}

/// Why a value does not fit its dictionary entry (Book 3 Annex A).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The value is shorter or longer than the dictionary allows.
    #[error("tag {tag} is {length} bytes long; the dictionary allows {min}..={max}")]
    Length {
        /// The tag.
        tag: Tag,
        /// The value's length.
        length: usize,
        /// The shortest allowed length.
        min: usize,
        /// The longest allowed length.
        max: usize,
    },
    /// The value's content is not of the tag's format (n, cn or an).
    #[error("tag {tag} is not valid {format:?} data")]
    Content {
        /// The tag.
        tag: Tag,
        /// The format it breaks.
        format: Format,
    },
    /// A date data object (n6 YYMMDD) that names no day of the calendar.
    #[error("tag {0} is not a YYMMDD date")]
    Date(Tag),
}

/// The card's date data objects, n6 YYMMDD (Book 3 Annex A: 5F24 Application Expiration
/// Date, 5F25 Application Effective Date).
const DATE_TAGS: [Tag; 2] = [Tag::new(0x5F24), Tag::new(0x5F25)];

/// One byte of two BCD digits as its value 0–99 (Book 3 4.3 format n); `None` if a nibble
/// is not a digit.
pub fn bcd_byte(b: u8) -> Option<u8> {
    let (hi, lo) = (b >> 4, b & 0x0F);
    (hi <= 9 && lo <= 9).then_some(hi * 10 + lo)
}

/// A YYMMDD BCD date as (year, month, day), the year 1950–2049 (Book 3 Annex A: YY 50–99
/// are 19xx); `None` unless it names a real day (30 February is not one).
pub fn yymmdd(value: &[u8]) -> Option<(u32, u32, u32)> {
    let [y, m, d] = <[u8; 3]>::try_from(value).ok()?;
    let dec = |b: u8| bcd_byte(b).map(u32::from);
    let (y, m, d) = (dec(y)?, dec(m)?, dec(d)?);
    let year = if y < 50 { 2000 + y } else { 1900 + y };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((year, m, d))
}

/// Checks a value against the dictionary (Book 3 Annex A and 4.3; C-2 4.x
/// ParseAndStoreCardResponse: a known data object of the wrong length is a parsing error):
/// its length must be in the entry's range, numeric (n) values are BCD digits, compressed
/// numeric (cn) values are digits padded on the right with `F`, alphanumeric (an) values are
/// ASCII letters and digits. `ans` and binary content is not checked (issuer code tables
/// allow more than ASCII). A tag the dictionary does not know passes: Book 3 has the
/// terminal ignore data objects it does not recognise.
pub fn check(tag: Tag, value: &[u8]) -> Result<(), FormatError> {
    let Some(info) = lookup(tag) else {
        return Ok(());
    };
    if !(info.min_length..=info.max_length).contains(&value.len()) {
        return Err(FormatError::Length {
            tag,
            length: value.len(),
            min: info.min_length,
            max: info.max_length,
        });
    }
    let nibbles = || value.iter().flat_map(|b| [b >> 4, b & 0x0F]);
    let valid = match info.format {
        Format::N => nibbles().all(|n| n <= 9),
        Format::Cn => {
            let digits = nibbles().take_while(|n| *n <= 9).count();
            nibbles().skip(digits).all(|n| n == 0x0F)
        }
        Format::An => value.iter().all(u8::is_ascii_alphanumeric),
        Format::Ans | Format::B => true,
    };
    if !valid {
        Err(FormatError::Content {
            tag,
            format: info.format,
        })
    } else if DATE_TAGS.contains(&tag) && yymmdd(value).is_none() {
        Err(FormatError::Date(tag))
    } else {
        Ok(())
    }
}

/// The dictionary, sorted by tag value (binary search in [`lookup`]).
static DICTIONARY: &[TagInfo] = &[
    info(0x42, "Issuer Identification Number (IIN)", Format::N).length(3, 3),
    info(0x4F, "Application Identifier (AID) - card", Format::B).length(5, 16),
    info(0x50, "Application Label", Format::Ans).length(1, 16),
    info(0x56, "Track 1 Data", Format::Ans).length(0, 76),
    // At least the PAN's first byte: an empty track 2 carries nothing to authorise
    // (decided; Book 3 Annex A gives "var. up to 19").
    info(0x57, "Track 2 Equivalent Data", Format::B).length(1, 19),
    // At least one byte, as for track 2: an empty PAN names no account (decided; Book 3
    // Annex A gives "var. up to 19" digits). The mutated-flow test found it on a declined
    // Kernel 7 flow, where no mandatory-data check runs.
    info(0x5A, "Application Primary Account Number (PAN)", Format::Cn).length(1, 10),
    info(0x61, "Application Template", Format::B).length(0, 252),
    info(0x6F, "File Control Information (FCI) Template", Format::B).length(0, 252),
    info(0x70, "READ RECORD Response Message Template", Format::B).length(0, 253),
    info(0x71, "Issuer Script Template 1", Format::B),
    info(0x72, "Issuer Script Template 2", Format::B),
    info(0x73, "Directory Discretionary Template", Format::B).length(0, 252),
    info(0x77, "Response Message Template Format 2", Format::B).length(0, 253),
    info(0x80, "Response Message Template Format 1", Format::B).length(0, 253),
    info(0x81, "Amount, Authorised (Binary)", Format::B).length(4, 4),
    info(0x82, "Application Interchange Profile", Format::B).length(2, 2),
    info(0x83, "Command Template", Format::B),
    info(0x84, "Dedicated File (DF) Name", Format::B).length(5, 16),
    info(0x86, "Issuer Script Command", Format::B),
    info(0x87, "Application Priority Indicator", Format::B).length(1, 1),
    info(0x88, "Short File Identifier (SFI)", Format::B).length(1, 1),
    info(0x89, "Authorisation Code", Format::An).length(6, 6),
    info(0x8A, "Authorisation Response Code", Format::An).length(2, 2),
    info(
        0x8C,
        "Card Risk Management Data Object List 1 (CDOL1)",
        Format::B,
    ).length(0, 252),
    info(
        0x8D,
        "Card Risk Management Data Object List 2 (CDOL2)",
        Format::B,
    ).length(0, 252),
    info(0x8E, "Cardholder Verification Method (CVM) List", Format::B).length(10, 252),
    info(0x8F, "Certification Authority Public Key Index", Format::B).length(1, 1),
    info(0x90, "Issuer Public Key Certificate", Format::B).length(0, 248),
    info(0x91, "Issuer Authentication Data", Format::B).length(8, 16),
    info(0x92, "Issuer Public Key Remainder", Format::B),
    info(0x93, "Signed Static Application Data", Format::B).length(0, 248),
    info(0x94, "Application File Locator (AFL)", Format::B).length(0, 252),
    info(0x95, "Terminal Verification Results", Format::B).length(5, 5),
    info(
        0x97,
        "Transaction Certificate Data Object List (TDOL)",
        Format::B,
    ).length(0, 252),
    info(0x98, "Transaction Certificate (TC) Hash Value", Format::B).length(20, 20),
    info(
        0x99,
        "Transaction Personal Identification Number (PIN) Data",
        Format::B,
    ),
    info(0x9A, "Transaction Date", Format::N).length(3, 3),
    info(0x9B, "Transaction Status Information", Format::B).length(2, 2),
    info(0x9C, "Transaction Type", Format::N).length(1, 1),
    info(0x9D, "Directory Definition File (DDF) Name", Format::B).length(5, 16),
    info(
        0xA5,
        "File Control Information (FCI) Proprietary Template",
        Format::B,
    ).length(0, 252),
    info(0x5F20, "Cardholder Name", Format::Ans).length(2, 26),
    info(0x5F24, "Application Expiration Date", Format::N).length(3, 3),
    info(0x5F25, "Application Effective Date", Format::N).length(3, 3),
    info(0x5F28, "Issuer Country Code", Format::N).length(2, 2),
    info(0x5F2A, "Transaction Currency Code", Format::N).length(2, 2),
    info(0x5F2D, "Language Preference", Format::An).length(2, 8),
    info(0x5F30, "Service Code", Format::N).length(2, 2),
    info(0x5F34, "Application PAN Sequence Number", Format::N).length(1, 1),
    info(0x5F36, "Transaction Currency Exponent", Format::N).length(1, 1),
    info(0x5F50, "Issuer URL", Format::Ans),
    info(
        0x5F53,
        "International Bank Account Number (IBAN)",
        Format::B,
    ).length(0, 34),
    info(0x5F54, "Bank Identifier Code (BIC)", Format::B).length(8, 11),
    info(0x5F55, "Issuer Country Code (alpha2 format)", Format::An).length(2, 2),
    info(0x5F56, "Issuer Country Code (alpha3 format)", Format::An).length(3, 3),
    info(0x5F57, "Account Type", Format::N).length(1, 1),
    info(0x9F01, "Acquirer Identifier", Format::N).length(6, 6),
    info(0x9F02, "Amount, Authorised (Numeric)", Format::N).length(6, 6),
    info(0x9F03, "Amount, Other (Numeric)", Format::N).length(6, 6),
    info(0x9F04, "Amount, Other (Binary)", Format::B).length(4, 4),
    info(0x9F05, "Application Discretionary Data", Format::B).length(1, 32),
    info(0x9F06, "Application Identifier (AID) - terminal", Format::B).length(5, 16),
    info(0x9F07, "Application Usage Control", Format::B).length(2, 2),
    info(0x9F08, "Application Version Number (card)", Format::B).length(2, 2),
    info(0x9F09, "Application Version Number (terminal)", Format::B).length(2, 2),
    info(
        0x9F0A,
        "Application Selection Registered Proprietary Data",
        Format::B,
    ),
    info(0x9F0B, "Cardholder Name Extended", Format::Ans).length(27, 45),
    info(0x9F0D, "Issuer Action Code - Default", Format::B).length(5, 5),
    info(0x9F0E, "Issuer Action Code - Denial", Format::B).length(5, 5),
    info(0x9F0F, "Issuer Action Code - Online", Format::B).length(5, 5),
    // The issuer's data starts with its own length byte (Visa, M/Chip formats): an empty
    // 9F10 is no IAD (decided; Book 3 Annex A gives "var. up to 32").
    info(0x9F10, "Issuer Application Data", Format::B).length(1, 32),
    info(0x9F11, "Issuer Code Table Index", Format::N).length(1, 1),
    info(0x9F12, "Application Preferred Name", Format::Ans).length(1, 16),
    info(
        0x9F13,
        "Last Online Application Transaction Counter (ATC) Register",
        Format::B,
    ).length(2, 2),
    info(0x9F14, "Lower Consecutive Offline Limit", Format::B).length(1, 1),
    info(0x9F15, "Merchant Category Code", Format::N).length(2, 2),
    info(0x9F16, "Merchant Identifier", Format::Ans).length(15, 15),
    info(
        0x9F17,
        "Personal Identification Number (PIN) Try Counter",
        Format::B,
    ).length(1, 1),
    info(0x9F18, "Issuer Script Identifier", Format::B).length(4, 4),
    info(0x9F19, "Token Requestor ID", Format::N).length(6, 6),
    info(0x9F1A, "Terminal Country Code", Format::N).length(2, 2),
    info(0x9F1B, "Terminal Floor Limit", Format::B).length(4, 4),
    info(0x9F1C, "Terminal Identification", Format::An).length(8, 8),
    info(0x9F1D, "Terminal Risk Management Data", Format::B).length(1, 8),
    info(0x9F1E, "Interface Device (IFD) Serial Number", Format::An).length(8, 8),
    info(0x9F1F, "Track 1 Discretionary Data", Format::Ans).length(0, 54),
    info(0x9F20, "Track 2 Discretionary Data", Format::Cn).length(0, 16),
    info(0x9F21, "Transaction Time", Format::N).length(3, 3),
    info(
        0x9F22,
        "Certification Authority Public Key Index (terminal)",
        Format::B,
    ).length(1, 1),
    info(0x9F23, "Upper Consecutive Offline Limit", Format::B).length(1, 1),
    info(0x9F24, "Payment Account Reference (PAR)", Format::An).length(29, 29),
    info(0x9F25, "Last 4 Digits of PAN", Format::N).length(2, 2),
    info(0x9F26, "Application Cryptogram", Format::B).length(8, 8),
    info(0x9F27, "Cryptogram Information Data", Format::B).length(1, 1),
    info(0x9F29, "Extended Selection", Format::B).length(0, 16),
    info(0x9F2A, "Kernel Identifier", Format::B).length(1, 8),
    info(
        0x9F2D,
        "ICC PIN Encipherment Public Key Certificate",
        Format::B,
    ),
    info(
        0x9F2E,
        "ICC PIN Encipherment Public Key Exponent",
        Format::B,
    ).length(1, 3),
    info(
        0x9F2F,
        "ICC PIN Encipherment Public Key Remainder",
        Format::B,
    ),
    info(0x9F32, "Issuer Public Key Exponent", Format::B).length(1, 3),
    info(0x9F33, "Terminal Capabilities", Format::B).length(3, 3),
    info(
        0x9F34,
        "Cardholder Verification Method (CVM) Results",
        Format::B,
    ).length(3, 3),
    info(0x9F35, "Terminal Type", Format::N).length(1, 1),
    info(0x9F36, "Application Transaction Counter (ATC)", Format::B).length(2, 2),
    info(0x9F37, "Unpredictable Number", Format::B).length(4, 4),
    info(
        0x9F38,
        "Processing Options Data Object List (PDOL)",
        Format::B,
    ).length(0, 252),
    info(0x9F39, "Point-of-Service (POS) Entry Mode", Format::N).length(1, 1),
    info(0x9F3A, "Amount, Reference Currency", Format::B).length(4, 4),
    info(0x9F3B, "Application Reference Currency", Format::N).length(2, 8),
    info(0x9F3C, "Transaction Reference Currency Code", Format::N).length(2, 2),
    info(0x9F3D, "Transaction Reference Currency Exponent", Format::N).length(1, 1),
    info(0x9F40, "Additional Terminal Capabilities", Format::B).length(5, 5),
    info(0x9F41, "Transaction Sequence Counter", Format::N).length(2, 4),
    info(0x9F42, "Application Currency Code", Format::N).length(2, 2),
    info(0x9F43, "Application Reference Currency Exponent", Format::N).length(1, 4),
    info(0x9F44, "Application Currency Exponent", Format::N).length(1, 1),
    info(0x9F45, "Data Authentication Code", Format::B).length(2, 2),
    info(0x9F46, "ICC Public Key Certificate", Format::B).length(0, 248),
    info(0x9F47, "ICC Public Key Exponent", Format::B).length(1, 3),
    info(0x9F48, "ICC Public Key Remainder", Format::B),
    info(
        0x9F49,
        "Dynamic Data Authentication Data Object List (DDOL)",
        Format::B,
    ).length(0, 252),
    info(0x9F4A, "Static Data Authentication Tag List", Format::B).length(0, 252),
    info(0x9F4B, "Signed Dynamic Application Data", Format::B).length(0, 248),
    info(0x9F4C, "ICC Dynamic Number", Format::B).length(2, 8),
    info(0x9F4D, "Log Entry", Format::B).length(2, 2),
    info(0x9F4E, "Merchant Name and Location", Format::Ans),
    info(0x9F4F, "Log Format", Format::B),
    info(0x9F50, "Offline Accumulator Balance (C-2)", Format::N).length(6, 6),
    info(0x9F53, "Transaction Category Code (C-2)", Format::An).length(1, 1),
    info(0x9F54, "DS ODS Card (C-2)", Format::B).length(0, 160),
    info(0x9F5A, "Application Program Identifier", Format::B).length(1, 16),
    info(
        0x9F5B,
        "DSDOL (C-2) / Issuer Script Results (C-3)",
        Format::B,
    ).length(0, 252),
    info(0x9F5C, "DS Requested Operator ID (C-2)", Format::B).length(8, 8),
    info(
        0x9F5D,
        "Application Capabilities Information (C-2) / Available Offline Spending Amount (C-3)",
        Format::B,
    ).length(3, 6),
    info(0x9F5E, "DS ID (C-2)", Format::B).length(8, 11),
    info(0x9F5F, "DS Slot Availability (C-2)", Format::B).length(1, 1),
    info(0x9F60, "CVC3 (Track1) (C-2)", Format::B).length(2, 2),
    info(0x9F61, "CVC3 (Track2) (C-2)", Format::B).length(2, 2),
    info(0x9F62, "PCVC3 (Track1) (C-2)", Format::B).length(6, 6),
    info(0x9F63, "PUNATC (Track1) (C-2)", Format::B).length(6, 6),
    info(0x9F64, "NATC (Track1) (C-2)", Format::B).length(1, 1),
    info(0x9F65, "PCVC3 (Track2) (C-2)", Format::B).length(2, 2),
    info(0x9F66, "Terminal Transaction Qualifiers (TTQ)", Format::B).length(2, 4),
    info(0x9F67, "NATC (Track2) (C-2)", Format::B).length(1, 1),
    info(
        0x9F68,
        "Mag-stripe CVM List (C-2) / Card Additional Processes (C-3)",
        Format::B,
    ),
    info(
        0x9F69,
        "UDOL (C-2) / Card Authentication Related Data (C-3, C-7)",
        Format::B,
    ).length(0, 250),
    info(0x9F6A, "Unpredictable Number (Numeric) (C-2)", Format::N).length(4, 4),
    info(
        0x9F6B,
        "Track 2 Data (C-2) / Card CVM Limit (C-3)",
        Format::B,
    ).length(0, 19),
    info(
        0x9F6C,
        "Card Transaction Qualifiers (CTQ) (C-3, C-7) / Mag-stripe Application Version Number (Card) (C-2)",
        Format::B,
    ).length(2, 2),
    info(
        0x9F6D,
        "Mag-stripe Application Version Number (Reader) (C-2) / Contactless Reader Capabilities (C-4)",
        Format::B,
    ).length(1, 2),
    info(
        0x9F6E,
        "Form Factor Indicator (C-3) / Third Party Data (C-2) / Enhanced Contactless Reader Capabilities (C-4)",
        Format::B,
    ).length(4, 32),
    info(0x9F6F, "DS Slot Management Control (C-2)", Format::B).length(1, 1),
    info(
        0x9F70,
        "Protected Data Envelope 1 (C-2) / Card Interface and Payment Capabilities (C-4)",
        Format::B,
    ).length(0, 192),
    info(
        0x9F71,
        "Protected Data Envelope 2 (C-2) / Mobile CVM Results (C-4)",
        Format::B,
    ).length(0, 192),
    info(0x9F72, "Protected Data Envelope 3 (C-2)", Format::B).length(0, 192),
    info(0x9F73, "Protected Data Envelope 4 (C-2)", Format::B).length(0, 192),
    info(0x9F74, "Protected Data Envelope 5 (C-2)", Format::B).length(0, 192),
    info(0x9F75, "Unprotected Data Envelope 1 (C-2)", Format::B).length(0, 192),
    info(0x9F76, "Unprotected Data Envelope 2 (C-2)", Format::B).length(0, 192),
    info(0x9F77, "Unprotected Data Envelope 3 (C-2)", Format::B).length(0, 192),
    info(0x9F78, "Unprotected Data Envelope 4 (C-2)", Format::B).length(0, 192),
    info(
        0x9F79,
        "Unprotected Data Envelope 5 (C-2) / Electronic Cash Balance (C-7, UICS)",
        Format::B,
    ).length(0, 192),
    info(
        0x9F7A,
        "Electronic Cash Terminal Support Indicator (C-7, UICS)",
        Format::B,
    ).length(1, 1),
    info(
        0x9F7C,
        "Customer Exclusive Data (C-3) / Merchant Custom Data (C-2)",
        Format::B,
    ).length(0, 32),
    info(0x9F7D, "DS Summary 1 (C-2)", Format::B).length(8, 16),
    info(0x9F7E, "Mobile Support Indicator (C-2)", Format::B).length(1, 1),
    info(0x9F7F, "DS Unpredictable Number (C-2)", Format::B).length(4, 4),
    info(
        0xBF0C,
        "File Control Information (FCI) Issuer Discretionary Data",
        Format::B,
    ).length(0, 222),
    info(
        0xDF4B,
        "POS Cardholder Interaction Information (C-2)",
        Format::B,
    ).length(3, 3),
    info(0xDF60, "DS Input (Card) (C-2)", Format::B).length(8, 8),
    info(0xDF61, "DS Digest H (C-2)", Format::B).length(8, 8),
    info(0xDF62, "DS ODS Info (C-2)", Format::B).length(1, 1),
    info(0xDF63, "DS ODS Term (C-2)", Format::B).length(0, 160),
    info(0xDF8101, "DS Summary 2 (C-2)", Format::B).length(8, 16),
    info(0xDF8102, "DS Summary 3 (C-2)", Format::B).length(8, 16),
    info(0xDF8104, "Balance Read Before Gen AC (C-2)", Format::N).length(6, 6),
    info(0xDF8105, "Balance Read After Gen AC (C-2)", Format::N).length(6, 6),
    info(0xDF8106, "Data Needed (C-2)", Format::B),
    info(0xDF8107, "CDOL1 Related Data (C-2)", Format::B),
    info(0xDF8108, "DS AC Type (C-2)", Format::B).length(1, 1),
    info(0xDF8109, "DS Input (Term) (C-2)", Format::B).length(8, 8),
    info(0xDF810A, "DS ODS Info For Reader (C-2)", Format::B).length(1, 1),
    info(0xDF810B, "DS Summary Status (C-2)", Format::B).length(1, 1),
    info(0xDF810C, "Kernel ID (C-2)", Format::B).length(1, 1),
    info(0xDF810D, "DSVN Term (C-2)", Format::B),
    info(0xDF810E, "Post-Gen AC Put Data Status (C-2)", Format::B).length(1, 1),
    info(0xDF810F, "Pre-Gen AC Put Data Status (C-2)", Format::B).length(1, 1),
    info(0xDF8110, "Proceed To First Write Flag (C-2)", Format::B).length(1, 1),
    info(0xDF8111, "PDOL Related Data (C-2)", Format::B),
    info(0xDF8112, "Tags To Read (C-2)", Format::B),
    info(0xDF8113, "DRDOL Related Data (C-2)", Format::B),
    info(0xDF8114, "Reference Control Parameter (C-2)", Format::B).length(1, 1),
    info(0xDF8115, "Error Indication (C-2)", Format::B).length(6, 6),
    info(0xDF8116, "User Interface Request Data (C-2)", Format::B).length(22, 22),
    info(0xDF8117, "Card Data Input Capability (C-2)", Format::B).length(1, 1),
    info(0xDF8118, "CVM Capability - CVM Required (C-2)", Format::B).length(1, 1),
    info(
        0xDF8119,
        "CVM Capability - No CVM Required (C-2)",
        Format::B,
    ).length(1, 1),
    info(0xDF811A, "Default UDOL (C-2)", Format::B).length(3, 3),
    info(0xDF811B, "Kernel Configuration (C-2)", Format::B).length(1, 1),
    info(
        0xDF811C,
        "Max Lifetime of Torn Transaction Log Record (C-2)",
        Format::B,
    ).length(2, 2),
    info(
        0xDF811D,
        "Max Number of Torn Transaction Log Records (C-2)",
        Format::B,
    ).length(1, 1),
    info(
        0xDF811E,
        "Mag-stripe CVM Capability - CVM Required (C-2)",
        Format::B,
    ).length(1, 1),
    info(0xDF811F, "Security Capability (C-2)", Format::B).length(1, 1),
    info(0xDF8120, "Terminal Action Code - Default (C-2)", Format::B).length(5, 5),
    info(0xDF8121, "Terminal Action Code - Denial (C-2)", Format::B).length(5, 5),
    info(0xDF8122, "Terminal Action Code - Online (C-2)", Format::B).length(5, 5),
    info(0xDF8123, "Reader Contactless Floor Limit (C-2)", Format::N).length(6, 6),
    info(
        0xDF8124,
        "Reader Contactless Transaction Limit (No On-device CVM) (C-2)",
        Format::N,
    ).length(6, 6),
    info(
        0xDF8125,
        "Reader Contactless Transaction Limit (On-device CVM) (C-2)",
        Format::N,
    ).length(6, 6),
    info(0xDF8126, "Reader CVM Required Limit (C-2)", Format::N).length(6, 6),
    info(0xDF8127, "Time Out Value (C-2)", Format::B).length(2, 2),
    info(0xDF8128, "IDS Status (C-2)", Format::B).length(1, 1),
    info(0xDF8129, "Outcome Parameter Set (C-2)", Format::B).length(8, 8),
    info(0xDF812A, "DD Card (Track1) (C-2)", Format::B).length(0, 56),
    info(0xDF812B, "DD Card (Track2) (C-2)", Format::B),
    info(
        0xDF812C,
        "Mag-stripe CVM Capability - No CVM Required (C-2)",
        Format::B,
    ).length(1, 1),
    info(0xDF812D, "Message Hold Time (C-2)", Format::N).length(3, 3),
    info(0xDF8130, "Hold Time Value (C-2)", Format::B).length(1, 1),
    info(0xDF8131, "Phone Message Table (C-2)", Format::B),
    info(
        0xDF8132,
        "Minimum Relay Resistance Grace Period (C-2)",
        Format::B,
    ),
    info(
        0xDF8133,
        "Maximum Relay Resistance Grace Period (C-2)",
        Format::B,
    ),
    info(
        0xDF8134,
        "Terminal Expected Transmission Time For Relay Resistance C-APDU (C-2)",
        Format::B,
    ),
    info(
        0xDF8135,
        "Terminal Expected Transmission Time For Relay Resistance R-APDU (C-2)",
        Format::B,
    ),
    info(
        0xDF8136,
        "Relay Resistance Accuracy Threshold (C-2)",
        Format::B,
    ),
    info(
        0xDF8137,
        "Relay Resistance Transmission Time Mismatch Threshold (C-2)",
        Format::B,
    ),
    info(
        0xDF8301,
        "Terminal Relay Resistance Entropy (C-2)",
        Format::B,
    ),
    info(0xDF8302, "Device Relay Resistance Entropy (C-2)", Format::B),
    info(
        0xDF8303,
        "Min Time For Processing Relay Resistance APDU (C-2)",
        Format::B,
    ),
    info(
        0xDF8304,
        "Max Time For Processing Relay Resistance APDU (C-2)",
        Format::B,
    ),
    info(
        0xDF8305,
        "Device Estimated Transmission Time For Relay Resistance R-APDU (C-2)",
        Format::B,
    ),
    info(
        0xDF8306,
        "Measured Relay Resistance Processing Time (C-2)",
        Format::B,
    ),
    info(0xDF8307, "RRP Counter (C-2)", Format::B),
];

/// Looks a tag up in the dictionary.
pub fn lookup(tag: Tag) -> Option<&'static TagInfo> {
    DICTIONARY
        .binary_search_by_key(&tag, |i| i.tag)
        .ok()
        .map(|i| &DICTIONARY[i])
}

/// The tag's format; binary when the dictionary does not know it.
pub fn format_of(tag: Tag) -> Format {
    lookup(tag).map_or(Format::B, |i| i.format)
}

/// Masks a primary account number for display: first 6 and last 4 digits kept, the rest
/// replaced by `*`; numbers of fewer than 11 digits are hidden completely.
pub fn mask_pan(digits: &str) -> String {
    let n = digits.chars().count();
    if n < 11 {
        return "*".repeat(n);
    }
    digits
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 6 || i >= n - 4 { c } else { '*' })
        .collect()
}

/// The digits of a BCD or compressed-numeric value up to the first `F` pad or `D` separator,
/// and what follows the separator.
fn split_track2(value: &[u8]) -> (String, Option<String>) {
    let text = hex::encode_upper(value);
    match text.split_once('D') {
        Some((pan, rest)) => (pan.to_string(), Some(rest.to_string())),
        None => (text.trim_end_matches('F').to_string(), None),
    }
}

/// Expiry `YYMM` as `YY/MM` text, or `?` when the digits are missing.
fn expiry_text(yymm: &str) -> String {
    match (yymm.get(0..2), yymm.get(2..4)) {
        (Some(y), Some(m)) => format!("{y}/{m}"),
        _ => "?".into(),
    }
}

/// Display text for cardholder account data (PAN 5A, track 2 57 and C-2's 9F6B, track 1 56):
/// the PAN masked to first 6 / last 4 and track data reduced to masked PAN + expiry. `None`
/// for every other tag. The kernel keeps the full values; everything that shows them masks.
pub fn masked(tag: Tag, value: &[u8]) -> Option<String> {
    match tag.value() {
        0x5A => Some(mask_pan(&split_track2(value).0)),
        // 9F6B is Track 2 Data under C-2 but the 6-byte Card CVM Limit under C-3.
        0x57 | 0x9F6B if !(tag.value() == 0x9F6B && value.len() == 6) => {
            let (pan, rest) = split_track2(value);
            let expiry = rest.as_deref().map_or("?".into(), expiry_text);
            Some(format!(
                "PAN {}, expiry {expiry} (rest hidden)",
                mask_pan(&pan)
            ))
        }
        0x56 => {
            let text = String::from_utf8_lossy(value);
            let mut fields = text.split('^');
            let pan = fields.next().unwrap_or("").trim_start_matches('B');
            let expiry = fields.nth(1).map_or("?".into(), expiry_text);
            Some(format!(
                "PAN {}, expiry {expiry} (rest hidden)",
                mask_pan(pan)
            ))
        }
        _ => None,
    }
}

// Named tags for the kernels: every tag the kernel code reads or writes, by the name its
// book gives it, so that no kernel writes a tag as a number.

/// `4F` Application Identifier (AID) - card.
pub const AID_CARD: Tag = Tag::new(0x4F);
/// `50` Application Label.
pub const APPLICATION_LABEL: Tag = Tag::new(0x50);
/// `57` Track 2 Equivalent Data.
pub const TRACK2_EQUIVALENT_DATA: Tag = Tag::new(0x57);
/// `5A` Application Primary Account Number (PAN).
pub const PAN: Tag = Tag::new(0x5A);
/// `61` Application Template (PPSE directory entry).
pub const APPLICATION_TEMPLATE: Tag = Tag::new(0x61);
/// `6F` File Control Information (FCI) Template.
pub const FCI_TEMPLATE: Tag = Tag::new(0x6F);
/// `70` READ RECORD Response Message Template.
pub const READ_RECORD_TEMPLATE: Tag = Tag::new(0x70);
/// `77` Response Message Template Format 2.
pub const RESPONSE_TEMPLATE_FORMAT_2: Tag = Tag::new(0x77);
/// `80` Response Message Template Format 1.
pub const RESPONSE_TEMPLATE_FORMAT_1: Tag = Tag::new(0x80);
/// `82` Application Interchange Profile.
pub const AIP: Tag = Tag::new(0x82);
/// `83` Command Template (GET PROCESSING OPTIONS data).
pub const COMMAND_TEMPLATE: Tag = Tag::new(0x83);
/// `84` Dedicated File (DF) Name.
pub const DF_NAME: Tag = Tag::new(0x84);
/// `87` Application Priority Indicator.
pub const APPLICATION_PRIORITY_INDICATOR: Tag = Tag::new(0x87);
/// `8C` Card Risk Management Data Object List 1 (CDOL1).
pub const CDOL1: Tag = Tag::new(0x8C);
/// `8E` Cardholder Verification Method (CVM) List.
pub const CVM_LIST: Tag = Tag::new(0x8E);
/// `8F` Certification Authority Public Key Index.
pub const CA_PUBLIC_KEY_INDEX: Tag = Tag::new(0x8F);
/// `90` Issuer Public Key Certificate.
pub const ISSUER_PUBLIC_KEY_CERTIFICATE: Tag = Tag::new(0x90);
/// `94` Application File Locator (AFL).
pub const AFL: Tag = Tag::new(0x94);
/// `95` Terminal Verification Results.
pub const TVR: Tag = Tag::new(0x95);
/// `9A` Transaction Date.
pub const TRANSACTION_DATE: Tag = Tag::new(0x9A);
/// `9B` Transaction Status Information.
pub const TSI: Tag = Tag::new(0x9B);
/// `9C` Transaction Type.
pub const TRANSACTION_TYPE: Tag = Tag::new(0x9C);
/// `A5` File Control Information (FCI) Proprietary Template.
pub const FCI_PROPRIETARY_TEMPLATE: Tag = Tag::new(0xA5);
/// `5F24` Application Expiration Date.
pub const APPLICATION_EXPIRATION_DATE: Tag = Tag::new(0x5F24);
/// `5F25` Application Effective Date.
pub const APPLICATION_EFFECTIVE_DATE: Tag = Tag::new(0x5F25);
/// `5F28` Issuer Country Code.
pub const ISSUER_COUNTRY_CODE: Tag = Tag::new(0x5F28);
/// `5F2A` Transaction Currency Code.
pub const TRANSACTION_CURRENCY_CODE: Tag = Tag::new(0x5F2A);
/// `5F34` Application PAN Sequence Number.
pub const PAN_SEQUENCE_NUMBER: Tag = Tag::new(0x5F34);
/// `5F36` Transaction Currency Exponent.
pub const TRANSACTION_CURRENCY_EXPONENT: Tag = Tag::new(0x5F36);
/// `9F02` Amount, Authorised (Numeric).
pub const AMOUNT_AUTHORISED: Tag = Tag::new(0x9F02);
/// `9F03` Amount, Other (Numeric).
pub const AMOUNT_OTHER: Tag = Tag::new(0x9F03);
/// `9F07` Application Usage Control.
pub const APPLICATION_USAGE_CONTROL: Tag = Tag::new(0x9F07);
/// `9F08` Application Version Number (card).
pub const APPLICATION_VERSION_CARD: Tag = Tag::new(0x9F08);
/// `9F09` Application Version Number (terminal).
pub const APPLICATION_VERSION_TERMINAL: Tag = Tag::new(0x9F09);
/// `9F0D` Issuer Action Code - Default.
pub const IAC_DEFAULT: Tag = Tag::new(0x9F0D);
/// `9F0E` Issuer Action Code - Denial.
pub const IAC_DENIAL: Tag = Tag::new(0x9F0E);
/// `9F0F` Issuer Action Code - Online.
pub const IAC_ONLINE: Tag = Tag::new(0x9F0F);
/// `9F10` Issuer Application Data.
pub const ISSUER_APPLICATION_DATA: Tag = Tag::new(0x9F10);
/// `9F1A` Terminal Country Code.
pub const TERMINAL_COUNTRY_CODE: Tag = Tag::new(0x9F1A);
/// `9F1B` Terminal Floor Limit.
pub const TERMINAL_FLOOR_LIMIT: Tag = Tag::new(0x9F1B);
/// `9F21` Transaction Time.
pub const TRANSACTION_TIME: Tag = Tag::new(0x9F21);
/// `9F26` Application Cryptogram.
pub const APPLICATION_CRYPTOGRAM: Tag = Tag::new(0x9F26);
/// `9F27` Cryptogram Information Data.
pub const CID: Tag = Tag::new(0x9F27);
/// `9F29` Extended Selection (Book B).
pub const EXTENDED_SELECTION: Tag = Tag::new(0x9F29);
/// `9F2A` Kernel Identifier (Book B).
pub const KERNEL_IDENTIFIER: Tag = Tag::new(0x9F2A);
/// `9F32` Issuer Public Key Exponent.
pub const ISSUER_PUBLIC_KEY_EXPONENT: Tag = Tag::new(0x9F32);
/// `9F33` Terminal Capabilities.
pub const TERMINAL_CAPABILITIES: Tag = Tag::new(0x9F33);
/// `9F34` Cardholder Verification Method (CVM) Results.
pub const CVM_RESULTS: Tag = Tag::new(0x9F34);
/// `9F35` Terminal Type.
pub const TERMINAL_TYPE: Tag = Tag::new(0x9F35);
/// `9F36` Application Transaction Counter (ATC).
pub const ATC: Tag = Tag::new(0x9F36);
/// `9F37` Unpredictable Number.
pub const UNPREDICTABLE_NUMBER: Tag = Tag::new(0x9F37);
/// `9F38` Processing Options Data Object List (PDOL).
pub const PDOL: Tag = Tag::new(0x9F38);
/// `9F42` Application Currency Code.
pub const APPLICATION_CURRENCY_CODE: Tag = Tag::new(0x9F42);
/// `9F46` ICC Public Key Certificate.
pub const ICC_PUBLIC_KEY_CERTIFICATE: Tag = Tag::new(0x9F46);
/// `9F47` ICC Public Key Exponent.
pub const ICC_PUBLIC_KEY_EXPONENT: Tag = Tag::new(0x9F47);
/// `9F4A` Static Data Authentication Tag List.
pub const SDA_TAG_LIST: Tag = Tag::new(0x9F4A);
/// `9F4B` Signed Dynamic Application Data.
pub const SIGNED_DYNAMIC_APPLICATION_DATA: Tag = Tag::new(0x9F4B);
/// `9F4C` ICC Dynamic Number.
pub const ICC_DYNAMIC_NUMBER: Tag = Tag::new(0x9F4C);
/// `9F5D` Application Capabilities Information (C-2; Available Offline Spending Amount under C-3).
pub const APPLICATION_CAPABILITIES_INFORMATION: Tag = Tag::new(0x9F5D);
/// `9F66` Terminal Transaction Qualifiers (Book B, C-3).
pub const TTQ: Tag = Tag::new(0x9F66);
/// `9F69` Card Authentication Related Data (C-3).
pub const CARD_AUTHENTICATION_RELATED_DATA: Tag = Tag::new(0x9F69);
/// `9F6C` Card Transaction Qualifiers (C-3).
pub const CTQ: Tag = Tag::new(0x9F6C);
/// `9F6E` Third Party Data (C-2; Form Factor Indicator under C-3).
pub const THIRD_PARTY_DATA: Tag = Tag::new(0x9F6E);
/// `BF0C` File Control Information (FCI) Issuer Discretionary Data.
pub const FCI_ISSUER_DISCRETIONARY_DATA: Tag = Tag::new(0xBF0C);
/// `DF4B` POS Cardholder Interaction Information (C-2).
pub const POS_CARDHOLDER_INTERACTION_INFORMATION: Tag = Tag::new(0xDF4B);
/// `DF8117` Card Data Input Capability (C-2).
pub const CARD_DATA_INPUT_CAPABILITY: Tag = Tag::new(0xDF8117);
/// `DF8118` CVM Capability - CVM Required (C-2).
pub const CVM_CAPABILITY_CVM_REQUIRED: Tag = Tag::new(0xDF8118);
/// `DF8119` CVM Capability - No CVM Required (C-2).
pub const CVM_CAPABILITY_NO_CVM_REQUIRED: Tag = Tag::new(0xDF8119);
/// `DF811B` Kernel Configuration (C-2).
pub const KERNEL_CONFIGURATION: Tag = Tag::new(0xDF811B);
/// `DF811F` Security Capability (C-2).
pub const SECURITY_CAPABILITY: Tag = Tag::new(0xDF811F);
/// `DF8120` Terminal Action Code - Default (C-2).
pub const TAC_DEFAULT: Tag = Tag::new(0xDF8120);
/// `DF8121` Terminal Action Code - Denial (C-2).
pub const TAC_DENIAL: Tag = Tag::new(0xDF8121);
/// `DF8122` Terminal Action Code - Online (C-2).
pub const TAC_ONLINE: Tag = Tag::new(0xDF8122);
/// `DF8123` Reader Contactless Floor Limit (C-2).
pub const READER_CONTACTLESS_FLOOR_LIMIT: Tag = Tag::new(0xDF8123);
/// `DF8124` Reader Contactless Transaction Limit (No On-device CVM) (C-2).
pub const READER_CONTACTLESS_TRANSACTION_LIMIT_NO_ON_DEVICE_CVM: Tag = Tag::new(0xDF8124);
/// `DF8125` Reader Contactless Transaction Limit (On-device CVM) (C-2).
pub const READER_CONTACTLESS_TRANSACTION_LIMIT_ON_DEVICE_CVM: Tag = Tag::new(0xDF8125);
/// `DF8126` Reader CVM Required Limit (C-2).
pub const READER_CVM_REQUIRED_LIMIT: Tag = Tag::new(0xDF8126);
/// `DF812D` Message Hold Time (C-2).
pub const MESSAGE_HOLD_TIME: Tag = Tag::new(0xDF812D);
/// `DF8131` Phone Message Table (C-2).
pub const PHONE_MESSAGE_TABLE: Tag = Tag::new(0xDF8131);
/// Minimum Relay Resistance Grace Period (C-2 A.1).
pub const MIN_RELAY_RESISTANCE_GRACE_PERIOD: Tag = Tag::new(0xDF8132);
/// Maximum Relay Resistance Grace Period (C-2 A.1).
pub const MAX_RELAY_RESISTANCE_GRACE_PERIOD: Tag = Tag::new(0xDF8133);
/// Terminal Expected Transmission Time For Relay Resistance C-APDU (C-2 A.1).
pub const TERMINAL_EXPECTED_TRANSMISSION_TIME_C_APDU: Tag = Tag::new(0xDF8134);
/// Terminal Expected Transmission Time For Relay Resistance R-APDU (C-2 A.1).
pub const TERMINAL_EXPECTED_TRANSMISSION_TIME_R_APDU: Tag = Tag::new(0xDF8135);
/// Relay Resistance Accuracy Threshold (C-2 A.1).
pub const RELAY_RESISTANCE_ACCURACY_THRESHOLD: Tag = Tag::new(0xDF8136);
/// Relay Resistance Transmission Time Mismatch Threshold (C-2 A.1).
pub const RELAY_RESISTANCE_MISMATCH_THRESHOLD: Tag = Tag::new(0xDF8137);

// Kernel 4 (American Express, C-4).
/// Contactless Reader Capabilities (C-4 4.3.3), ORed into the Terminal Type the card sees.
pub const CONTACTLESS_READER_CAPABILITIES: Tag = Tag::new(0x9F6D);
/// Enhanced Contactless Reader Capabilities (C-4 4.3.4); the tag of C-2's Third Party Data.
pub const ENHANCED_CONTACTLESS_READER_CAPABILITIES: Tag = Tag::new(0x9F6E);
/// Card Interface and Payment Capabilities (C-4); the tag of C-2's Protected Data Envelope 1.
pub const CARD_INTERFACE_CAPABILITIES: Tag = Tag::new(0x9F70);
/// Mobile CVM Results (C-4); the tag of C-2's Protected Data Envelope 2.
pub const MOBILE_CVM_RESULTS: Tag = Tag::new(0x9F71);
// Kernel 7 (UnionPay qUICS): see docs/kernels/c7.md for the sources.
/// Electronic Cash Balance (UICS; n12 in the card's application currency), read with
/// GET DATA by Kernel 7 when the terminal supports electronic cash.
pub const EC_BALANCE: Tag = Tag::new(0x9F79);
/// Electronic Cash Terminal Support Indicator (UICS; `01` the terminal supports
/// electronic cash), a Kernel 7 combination setting the PDOL may ask for.
pub const EC_TERMINAL_SUPPORT_INDICATOR: Tag = Tag::new(0x9F7A);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_is_sorted_and_unique() {
        for pair in DICTIONARY.windows(2) {
            assert!(
                pair[0].tag < pair[1].tag,
                "{} before {}",
                pair[0].tag,
                pair[1].tag
            );
        }
    }

    #[test]
    fn masks_account_data() {
        let pan = hex::decode("4761739001010119").unwrap();
        assert_eq!(masked(Tag::new(0x5A), &pan).unwrap(), "476173******0119");
        let t2 = hex::decode("4761739001010119D22122011143804400000F").unwrap();
        let text = masked(Tag::new(0x57), &t2).unwrap();
        assert_eq!(text, "PAN 476173******0119, expiry 22/12 (rest hidden)");
        assert!(!text.contains("1143804"));
        let t1 = b"B4761739001010119^CARDHOLDER/VISA^2212201";
        assert_eq!(
            masked(Tag::new(0x56), t1).unwrap(),
            "PAN 476173******0119, expiry 22/12 (rest hidden)"
        );
        assert!(masked(Tag::new(0x9F6B), &[0, 0, 0, 0, 0x50, 0]).is_none());
        assert!(masked(Tag::new(0x50), b"VISA").is_none());
        assert_eq!(mask_pan("1234"), "****");
    }

    #[test]
    fn finds_names_and_formats() {
        assert_eq!(lookup(Tag::new(0x50)).unwrap().name, "Application Label");
        assert_eq!(format_of(Tag::new(0x9F02)), Format::N);
        assert_eq!(format_of(Tag::new(0xDF7F)), Format::B);
    }

    #[test]
    fn checks_lengths_and_formats() {
        let t = Tag::new;
        assert_eq!(check(t(0x9F26), &[0; 8]), Ok(()));
        assert_eq!(
            check(t(0x9F26), &[0; 9]),
            Err(FormatError::Length {
                tag: t(0x9F26),
                length: 9,
                min: 8,
                max: 8
            })
        );
        assert!(check(t(0x82), &[0x19]).is_err());
        assert!(check(t(0x8E), &[0; 8]).is_err());
        // n: BCD digits only.
        assert_eq!(check(t(0x5F24), &[0x30, 0x12, 0x31]), Ok(()));
        assert!(matches!(
            check(t(0x5F24), &[0x30, 0x1A, 0x31]),
            Err(FormatError::Content { .. })
        ));
        // Dates name a real day (Book 3 Annex A n6 YYMMDD): no 31 February, 29 February
        // only in a leap year.
        assert_eq!(
            check(t(0x5F24), &[0x30, 0x02, 0x31]),
            Err(FormatError::Date(t(0x5F24)))
        );
        assert_eq!(
            check(t(0x5F25), &[0x20, 0x00, 0x01]),
            Err(FormatError::Date(t(0x5F25)))
        );
        assert_eq!(check(t(0x5F24), &[0x28, 0x02, 0x29]), Ok(()));
        assert!(check(t(0x5F24), &[0x27, 0x02, 0x29]).is_err());
        // cn: digits, then F padding and nothing else.
        assert_eq!(
            check(t(0x5A), &hex::decode("541333008902001F").unwrap()),
            Ok(())
        );
        assert!(check(t(0x5A), &hex::decode("54133300F9020011").unwrap()).is_err());
        // an: letters and digits.
        assert_eq!(check(t(0x5F2D), b"enfr"), Ok(()));
        assert!(matches!(
            check(t(0x5F2D), b"e "),
            Err(FormatError::Content { .. })
        ));
        // Kernel-dependent tags take the union: C-3 FFI (4) and C-2 Third Party Data (5-32).
        assert_eq!(check(t(0x9F6E), &[0; 4]), Ok(()));
        assert_eq!(check(t(0x9F6E), &[0; 32]), Ok(()));
        assert!(check(t(0x9F6E), &[0; 33]).is_err());
        // Unknown tags and unbounded entries pass.
        assert_eq!(check(t(0xDF7F), &[0; 300]), Ok(()));
        assert_eq!(check(t(0x9F48), &[0; 200]), Ok(()));
    }

    #[test]
    fn every_length_range_is_ordered() {
        for entry in DICTIONARY {
            assert!(entry.min_length <= entry.max_length, "{}", entry.tag);
        }
    }
}

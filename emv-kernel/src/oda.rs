//! Offline Data Authentication (EMV Book 2, sections 5 and 6): recovering the issuer and ICC
//! public keys from their certificates, and verifying SDA, DDA, fDDA (C-3) and CDA (C-2)
//! signatures.
//!
//! The module is pure: the kernel gathers the card's data objects and the terminal's CA keys,
//! and gets back either the recovered data or an [`OdaError`] naming the check that failed.
//! Nothing here panics on card bytes; RSA is plain `s^e mod n` (Book 2 A2.1) through
//! `num-bigint`, hashing is SHA-1 (Book 2 B3.1, the only hash EMV defines).
//!
//! # How the kernel calls it
//! 1. Collect the records the AFL flags for ODA and build the static data with
//!    [`static_data_from_records`] (Book 3 10.3).
//! 2. Fill an [`OdaInput`] from the card's tags (8F, 90, 92, 9F32, 9F46, 9F47, 9F48, 5A, the
//!    AID; [`OdaInput::from_tags`] does it from a tag map) and call [`recover_icc_key`] (which runs [`recover_issuer_key`] first), or only
//!    [`recover_issuer_key`] for SDA.
//! 3. Verify the signature: [`verify_sda`] (`93`), [`verify_dda`] (`9F4B` after INTERNAL
//!    AUTHENTICATE), [`verify_fdda`] (Visa `9F4B` in the GPO response, format `05` or `95`),
//!    [`verify_cda`] (`9F4B` in the GENERATE AC response; its hash input from
//!    [`cda_hash_input`]). Pass an empty slice for a data object the card did not send: it
//!    comes back as [`OdaError::MissingData`].
//! 4. On failure set the TVR bits from [`OdaError::tvr_byte1`]: SDA failed b1.b7 (`40`),
//!    DDA/fDDA failed b1.b4 (`08`), CDA failed b1.b3 (`04`), plus ICC data missing b1.b6
//!    (`20`) when a needed data object was absent ([`OdaError::MissingData`]).
//!
//! # What a signer must produce (for test cards and virtual wallets)
//! Every signed block is `6A ‖ format ‖ … ‖ SHA-1 ‖ BC`, exactly as long as the signing key's
//! modulus, raised to the private exponent: see the layouts on [`recover_issuer_key`],
//! [`recover_icc_key`], [`verify_sda`] and [`verify_fdda`]/[`verify_cda`].

use num_bigint::BigUint;
use sha1::{Digest, Sha1};

use crate::config::{Capk, Date, RevokedCertificate, TagMap};
use crate::tlv::{Tag, TlvIter};

/// Header byte of every recovered signed block (Book 2 A2.1).
const HEADER: u8 = 0x6A;
/// Trailer byte of every recovered signed block (Book 2 A2.1).
const TRAILER: u8 = 0xBC;
/// Hash algorithm indicator for SHA-1 (Book 2 B3.1).
const HASH_SHA1: u8 = 0x01;
/// Public key algorithm indicator for RSA (Book 2 B2.1).
const PK_RSA: u8 = 0x01;
/// Length of a SHA-1 result.
const SHA1_LEN: usize = 20;

/// Issuer public key certificate format (Book 2 Table 6).
const FORMAT_ISSUER: u8 = 0x02;
/// Signed Static Application Data format (Book 2 Table 7).
const FORMAT_SSAD: u8 = 0x03;
/// ICC public key certificate format (Book 2 Table 14).
const FORMAT_ICC: u8 = 0x04;
/// Signed Dynamic Application Data format (Book 2 Tables 17 and 22).
const FORMAT_SDAD: u8 = 0x05;
/// The fDDA format Visa cards use when the TTQ asks for ODA for online authorisations
/// (seen in real Apple Pay taps; same layout as `05`).
const FORMAT_SDAD_VISA_ONLINE: u8 = 0x95;

/// Tag 82, the only tag Book 3 10.3 allows in the Static Data Authentication Tag List.
const TAG_AIP: Tag = Tag::new(0x82);
/// Tag 70, the record template.
const TAG_RECORD: Tag = Tag::new(0x70);

/// Which signed object a check refers to; used in [`OdaError`] messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signed {
    /// Issuer Public Key Certificate, tag 90.
    IssuerCertificate,
    /// ICC Public Key Certificate, tag 9F46.
    IccCertificate,
    /// Signed Static Application Data, tag 93.
    Ssad,
    /// Signed Dynamic Application Data, tag 9F4B.
    Sdad,
}

impl std::fmt::Display for Signed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Signed::IssuerCertificate => "issuer public key certificate (90)",
            Signed::IccCertificate => "ICC public key certificate (9F46)",
            Signed::Ssad => "signed static application data (93)",
            Signed::Sdad => "signed dynamic application data (9F4B)",
        })
    }
}

/// Which ODA method failed; picks the TVR bit in [`OdaError::tvr_byte1`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OdaMethod {
    /// Static Data Authentication (TVR b1.b7).
    Sda,
    /// Dynamic Data Authentication, including Visa fDDA (TVR b1.b4).
    Dda,
    /// Combined DDA / Application Cryptogram generation (TVR b1.b3).
    Cda,
}

impl OdaMethod {
    /// The method's "failed" bit in TVR byte 1 (Book 3 Annex C5).
    pub fn tvr_failed_bit(self) -> u8 {
        match self {
            OdaMethod::Sda => 0x40,
            OdaMethod::Dda => 0x08,
            OdaMethod::Cda => 0x04,
        }
    }
}

/// Why offline data authentication failed. Every variant means "ODA failed"; see
/// [`OdaError::tvr_byte1`] for the TVR bits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OdaError {
    /// A data object ODA needs was not read from the card (also sets TVR "ICC data missing").
    #[error("ICC data missing: tag {tag} is needed for offline data authentication")]
    MissingData {
        /// The absent tag.
        tag: Tag,
    },
    /// The AID is shorter than a RID (5 bytes).
    #[error("the AID {aid} is too short to hold a RID")]
    InvalidAid {
        /// The AID in hex.
        aid: String,
    },
    /// The CA public key index (8F) is not one byte.
    #[error("CA public key index (8F) must be one byte, got {len}")]
    InvalidCapkIndex {
        /// Length of the 8F value.
        len: usize,
    },
    /// The terminal holds no CA key for the card's RID and index.
    #[error("no CA public key for RID {rid} index {index:02X}")]
    CapkNotFound {
        /// RID in hex.
        rid: String,
        /// CA public key index.
        index: u8,
    },
    /// The CA key's expiry date is before the transaction date.
    #[error("CA public key RID {rid} index {index:02X} expired on {expiry:?}")]
    CapkExpired {
        /// RID in hex.
        rid: String,
        /// CA public key index.
        index: u8,
        /// The key's last valid day.
        expiry: Date,
    },
    /// A modulus or exponent cannot be used for RSA (empty, zero, or exponent mismatch).
    #[error("unusable public key for the {what}: {reason}")]
    InvalidKey {
        /// The object the key would verify or was recovered from.
        what: Signed,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A certificate or signature is not exactly as long as the key's modulus (Book 2 5.3 step 1).
    #[error("{what} is {len} bytes, but the key's modulus is {modulus_len} bytes")]
    LengthMismatch {
        /// The object.
        what: Signed,
        /// Its length.
        len: usize,
        /// The modulus length.
        modulus_len: usize,
    },
    /// The signature, read as a number, is not below the modulus.
    #[error("{what} is not smaller than the key's modulus")]
    SignatureOutOfRange {
        /// The object.
        what: Signed,
    },
    /// The recovered data does not end in `BC`.
    #[error("{what}: recovered data trailer is {found:02X}, expected BC")]
    BadTrailer {
        /// The object.
        what: Signed,
        /// The byte found.
        found: u8,
    },
    /// The recovered data does not start with `6A`.
    #[error("{what}: recovered data header is {found:02X}, expected 6A")]
    BadHeader {
        /// The object.
        what: Signed,
        /// The byte found.
        found: u8,
    },
    /// The signed data format byte is not the one this object must carry.
    #[error("{what}: signed data format {found:02X} is not {expected}")]
    BadFormat {
        /// The object.
        what: Signed,
        /// The byte found.
        found: u8,
        /// What was accepted, for the message.
        expected: &'static str,
    },
    /// The hash algorithm indicator is not SHA-1 (`01`).
    #[error("{what}: hash algorithm indicator {found:02X} is not SHA-1 (01)")]
    UnsupportedHashAlgorithm {
        /// The object.
        what: Signed,
        /// The byte found.
        found: u8,
    },
    /// The public key algorithm indicator is not RSA (`01`).
    #[error("{what}: public key algorithm indicator {found:02X} is not RSA (01)")]
    UnsupportedKeyAlgorithm {
        /// The object.
        what: Signed,
        /// The byte found.
        found: u8,
    },
    /// The key length fields do not fit the certificate and the remainder (92 / 9F48).
    #[error(
        "{what}: key length {key_len} does not fit {in_cert} bytes in the certificate plus a {remainder}-byte remainder"
    )]
    KeyLengthMismatch {
        /// The certificate.
        what: Signed,
        /// The key length the certificate states.
        key_len: usize,
        /// Room for the key inside the certificate.
        in_cert: usize,
        /// Length of the remainder the card sent.
        remainder: usize,
    },
    /// The SHA-1 in the recovered data does not match the data.
    #[error("{what}: hash result does not match")]
    HashMismatch {
        /// The object.
        what: Signed,
    },
    /// The issuer identifier in the issuer certificate is not the PAN's leading 3–8 digits.
    /// (The identifier is not carried: up to 8 PAN digits must not reach a log.)
    #[error("the issuer identifier in the issuer certificate does not match the PAN")]
    IssuerIdMismatch,
    /// The PAN in the ICC certificate differs from tag 5A.
    #[error("the PAN in the ICC public key certificate differs from the application PAN (5A)")]
    PanMismatch,
    /// A certificate's expiry date (MMYY) is not valid BCD.
    #[error("{what}: expiry date {mmyy} is not a valid MMYY date")]
    InvalidExpiry {
        /// The certificate.
        what: Signed,
        /// The two bytes in hex.
        mmyy: String,
    },
    /// A certificate expired before the transaction month.
    #[error("{what} expired at the end of {month:02}/{year}")]
    CertificateExpired {
        /// The certificate.
        what: Signed,
        /// Expiry month.
        month: u8,
        /// Expiry year.
        year: u16,
    },
    /// The issuer certificate is on the terminal's revocation list.
    #[error("issuer certificate serial {serial} for RID {rid} index {index:02X} is revoked")]
    CertificateRevoked {
        /// RID in hex.
        rid: String,
        /// CA public key index.
        index: u8,
        /// Certificate serial number in hex.
        serial: String,
    },
    /// The Static Data Authentication Tag List (9F4A) lists something other than `82`.
    #[error("static data authentication tag list (9F4A) {list} may only contain 82")]
    InvalidTagList {
        /// The list in hex.
        list: String,
    },
    /// A record flagged for ODA from SFI 1–10 is not one `70` template (Book 3 10.3).
    #[error("ODA record from SFI {sfi} is not a single 70 template")]
    InvalidOdaRecord {
        /// The record's SFI.
        sfi: u8,
    },
    /// A record's SFI is outside 1–30.
    #[error("SFI {sfi} is outside 1-30")]
    InvalidSfi {
        /// The SFI.
        sfi: u8,
    },
    /// The ICC dynamic data length does not fit the signature, or its fields do not fit it.
    #[error("ICC dynamic data: {reason}")]
    InvalidDynamicData {
        /// What is wrong.
        reason: &'static str,
    },
    /// fDDA: the Card Authentication Related Data (9F69) is not fDDA version `01`.
    #[error("card authentication related data (9F69) version {found:02X} is not 01")]
    UnsupportedFddaVersion {
        /// The first byte of 9F69.
        found: u8,
    },
    /// fDDA: the ICC dynamic number is not the ATC (9F36).
    #[error("fDDA ICC dynamic number {idn} does not equal the ATC {atc}")]
    IdnMismatch {
        /// IDN in hex.
        idn: String,
        /// ATC in hex.
        atc: String,
    },
    /// CDA: the CID in the signature differs from 9F27.
    #[error("CDA: signed cryptogram information data {signed:02X} differs from 9F27 {sent:02X}")]
    CidMismatch {
        /// CID recovered from the SDAD.
        signed: u8,
        /// CID the card sent in 9F27.
        sent: u8,
    },
    /// CDA: the Transaction Data Hash Code does not match the terminal's own hash.
    #[error("CDA: transaction data hash code does not match")]
    TdhcMismatch,
    /// CDA: the GENERATE AC response is not one well-formed `77` template.
    #[error("CDA: the GENERATE AC response is not a well-formed 77 template")]
    InvalidResponse,
}

impl OdaError {
    /// The bits the kernel ORs into TVR byte 1 for this failure under `method`
    /// (Book 3 Annex C5): the method's "failed" bit, plus "ICC data missing" (`20`) when a
    /// data object was absent.
    pub fn tvr_byte1(&self, method: OdaMethod) -> u8 {
        let missing = if matches!(self, OdaError::MissingData { .. }) {
            0x20
        } else {
            0
        };
        method.tvr_failed_bit() | missing
    }
}

/// The card's data for key recovery, as read (values only, no tag and length).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OdaInput<'a> {
    /// The selected AID (84 / 4F); its first 5 bytes are the RID.
    pub aid: &'a [u8],
    /// CA Public Key Index, tag 8F.
    pub capk_index: Option<&'a [u8]>,
    /// Issuer Public Key Certificate, tag 90.
    pub issuer_certificate: Option<&'a [u8]>,
    /// Issuer Public Key Remainder, tag 92 (absent or empty when the key fits).
    pub issuer_remainder: Option<&'a [u8]>,
    /// Issuer Public Key Exponent, tag 9F32.
    pub issuer_exponent: Option<&'a [u8]>,
    /// ICC Public Key Certificate, tag 9F46.
    pub icc_certificate: Option<&'a [u8]>,
    /// ICC Public Key Exponent, tag 9F47.
    pub icc_exponent: Option<&'a [u8]>,
    /// ICC Public Key Remainder, tag 9F48 (absent or empty when the key fits).
    pub icc_remainder: Option<&'a [u8]>,
    /// Application PAN, tag 5A.
    pub pan: Option<&'a [u8]>,
    /// Static data to be authenticated, from [`static_data_from_records`].
    pub static_data: &'a [u8],
}

impl<'a> OdaInput<'a> {
    /// The input from the card's data objects as the kernel keeps them (tag → value).
    pub fn from_tags(aid: &'a [u8], tags: &'a TagMap, static_data: &'a [u8]) -> OdaInput<'a> {
        let get = |tag: u32| tags.get(&Tag::new(tag)).map(Vec::as_slice);
        OdaInput {
            aid,
            capk_index: get(0x8F),
            issuer_certificate: get(0x90),
            issuer_remainder: get(0x92),
            issuer_exponent: get(0x9F32),
            icc_certificate: get(0x9F46),
            icc_exponent: get(0x9F47),
            icc_remainder: get(0x9F48),
            pan: get(0x5A),
            static_data,
        }
    }
}

/// An RSA public key recovered from a certificate (or a CA key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// Modulus, big-endian, exactly as long as the key.
    pub modulus: Vec<u8>,
    /// Public exponent, big-endian.
    pub exponent: Vec<u8>,
}

/// The issuer public key and the certificate facts the kernel may want to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerPublicKey {
    /// The key.
    pub key: PublicKey,
    /// Issuer identifier (4 bytes, F-padded BCD): up to 8 PAN digits, so mask it (first 6)
    /// before it reaches a log or a screen.
    pub issuer_id: [u8; 4],
    /// Certificate expiry, MMYY BCD.
    pub expiry: [u8; 2],
    /// Certificate serial number.
    pub serial: [u8; 3],
}

/// The ICC public key and the certificate facts the kernel may want to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IccPublicKey {
    /// The key.
    pub key: PublicKey,
    /// The issuer key it was certified with.
    pub issuer: IssuerPublicKey,
    /// Certificate expiry, MMYY BCD.
    pub expiry: [u8; 2],
    /// Certificate serial number.
    pub serial: [u8; 3],
}

/// What CDA recovers from the Signed Dynamic Application Data (Book 2 Table 22).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdaData {
    /// ICC Dynamic Number (9F4C), 2–8 bytes.
    pub idn: Vec<u8>,
    /// Cryptogram Information Data, equal to 9F27.
    pub cid: u8,
    /// The Application Cryptogram (9F26).
    pub ac: [u8; 8],
    /// Transaction Data Hash Code, equal to the terminal's own SHA-1.
    pub tdhc: [u8; 20],
    /// Dynamic data after the TDHC (DS summaries, relay resistance data), for the kernel to check.
    pub trailing: Vec<u8>,
}

/// Builds the static data to be authenticated from the records the AFL flags for ODA, in AFL
/// order (Book 3 10.3): a record from SFI 1–10 contributes the value of its `70` template, a
/// record from SFI 11–30 its whole raw data; then the AIP value if 9F4A lists `82`.
///
/// `records` holds `(sfi, record data without SW)`. A 9F4A listing anything but `82`, a
/// malformed SFI 1–10 record, or a 9F4A naming the AIP without `aip` is an error.
pub fn static_data_from_records(
    records: &[(u8, &[u8])],
    aip: Option<&[u8]>,
    tag_list_9f4a: Option<&[u8]>,
) -> Result<Vec<u8>, OdaError> {
    let mut out = Vec::new();
    for &(sfi, data) in records {
        match sfi {
            1..=10 => {
                let mut iter = TlvIter::new(data);
                let value = match (iter.next(), iter.next()) {
                    (Some(Ok(t)), None) if t.tag == TAG_RECORD => t.value,
                    _ => return Err(OdaError::InvalidOdaRecord { sfi }),
                };
                out.extend_from_slice(value);
            }
            11..=30 => out.extend_from_slice(data),
            _ => return Err(OdaError::InvalidSfi { sfi }),
        }
    }
    if let Some(list) = tag_list_9f4a.filter(|l| !l.is_empty()) {
        if list != [0x82] {
            return Err(OdaError::InvalidTagList {
                list: hex::encode_upper(list),
            });
        }
        out.extend_from_slice(aip.ok_or(OdaError::MissingData { tag: TAG_AIP })?);
    }
    Ok(out)
}

/// `m = s^e mod n` with the Book 2 A2.1 checks: `s` exactly as long as `n`, `s < n`; the
/// result is left-padded to the modulus length.
fn rsa_recover(key: &PublicKey, signature: &[u8], what: Signed) -> Result<Vec<u8>, OdaError> {
    let n_len = key.modulus.len();
    if signature.len() != n_len {
        return Err(OdaError::LengthMismatch {
            what,
            len: signature.len(),
            modulus_len: n_len,
        });
    }
    let n = BigUint::from_bytes_be(&key.modulus);
    let e = BigUint::from_bytes_be(&key.exponent);
    if n_len == 0 || n == BigUint::ZERO {
        return Err(OdaError::InvalidKey {
            what,
            reason: "the modulus is zero",
        });
    }
    if e == BigUint::ZERO {
        return Err(OdaError::InvalidKey {
            what,
            reason: "the exponent is zero",
        });
    }
    let s = BigUint::from_bytes_be(signature);
    if s >= n {
        return Err(OdaError::SignatureOutOfRange { what });
    }
    let m = match u32::try_from(&e) {
        Ok(small) => pow_mod_short(&s, small, &n),
        Err(_) => s.modpow(&e, &n),
    }
    .to_bytes_be();
    let mut out = vec![0u8; n_len.saturating_sub(m.len())];
    out.extend_from_slice(&m);
    Ok(out)
}

/// `s^e mod n` by plain square-and-multiply. EMV public exponents are 3 or 65537: for such
/// short exponents this is several times faster than a Montgomery ladder, whose set-up
/// costs more than the handful of products needed here.
fn pow_mod_short(s: &BigUint, e: u32, n: &BigUint) -> BigUint {
    let mut acc = s % n;
    for bit in (0..e.ilog2()).rev() {
        acc = &acc * &acc % n;
        if (e >> bit) & 1 == 1 {
            acc = acc * s % n;
        }
    }
    acc
}

fn sha1(parts: &[&[u8]]) -> [u8; SHA1_LEN] {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    let mut out = [0u8; SHA1_LEN];
    out.copy_from_slice(&h.finalize());
    out
}

/// Recovers a signed block and runs the checks every layout shares: trailer `BC`, header `6A`,
/// format byte (one of `formats`), and a minimum length of `min_len` (header, format, fixed
/// fields, hash and trailer). Returns the recovered bytes.
fn recover_block(
    key: &PublicKey,
    signature: &[u8],
    what: Signed,
    formats: &[u8],
    expected: &'static str,
    min_len: usize,
) -> Result<Vec<u8>, OdaError> {
    if key.modulus.len() < min_len {
        return Err(OdaError::InvalidKey {
            what,
            reason: "the modulus is too short for this signed data layout",
        });
    }
    let data = rsa_recover(key, signature, what)?;
    let (first, last) = match (data.first(), data.last()) {
        (Some(f), Some(l)) => (*f, *l),
        _ => {
            return Err(OdaError::InvalidKey {
                what,
                reason: "the modulus is empty",
            });
        }
    };
    if last != TRAILER {
        return Err(OdaError::BadTrailer { what, found: last });
    }
    if first != HEADER {
        return Err(OdaError::BadHeader { what, found: first });
    }
    let format = data.get(1).copied().unwrap_or_default();
    if !formats.contains(&format) {
        return Err(OdaError::BadFormat {
            what,
            found: format,
            expected,
        });
    }
    Ok(data)
}

/// Checks the SHA-1 stored before the trailer of `data` against SHA-1(data[1..len-21] ‖ extra).
/// Callers guarantee `data.len() >= 22`.
fn check_hash(data: &[u8], extra: &[&[u8]], what: Signed) -> Result<(), OdaError> {
    let hash_at = data.len().saturating_sub(SHA1_LEN + 1);
    let signed = data.get(1..hash_at).unwrap_or_default();
    let stored = data.get(hash_at..hash_at + SHA1_LEN).unwrap_or_default();
    let mut parts: Vec<&[u8]> = Vec::with_capacity(extra.len() + 1);
    parts.push(signed);
    parts.extend_from_slice(extra);
    if sha1(&parts) != stored {
        return Err(OdaError::HashMismatch { what });
    }
    Ok(())
}

/// The hash and public key algorithm indicators of a certificate.
fn check_algorithms(hash: u8, pk: Option<u8>, what: Signed) -> Result<(), OdaError> {
    if hash != HASH_SHA1 {
        return Err(OdaError::UnsupportedHashAlgorithm { what, found: hash });
    }
    match pk {
        Some(found) if found != PK_RSA => Err(OdaError::UnsupportedKeyAlgorithm { what, found }),
        _ => Ok(()),
    }
}

/// Certificate expiry MMYY: valid through the last day of that month (Book 2 5.3 step 9,
/// 6.4 step 9); YY below 50 is 20YY, otherwise 19YY (Book 4 6.7.3).
fn check_expiry(mmyy: [u8; 2], today: Date, what: Signed) -> Result<(), OdaError> {
    let invalid = || OdaError::InvalidExpiry {
        what,
        mmyy: hex::encode_upper(mmyy),
    };
    let month = crate::tags::bcd_byte(mmyy[0])
        .filter(|m| (1..=12).contains(m))
        .ok_or_else(invalid)?;
    let yy = crate::tags::bcd_byte(mmyy[1]).ok_or_else(invalid)? as u16;
    let year = if yy < 50 { 2000 + yy } else { 1900 + yy };
    if (year, month) < (today.year, today.month) {
        return Err(OdaError::CertificateExpired { what, month, year });
    }
    Ok(())
}

/// The nibbles of a compressed-numeric field up to the first `F`, or `None` if a digit follows
/// an `F` or a nibble is A–E.
fn cn_digits(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut digits = Vec::with_capacity(bytes.len() * 2);
    let mut padding = false;
    for nibble in bytes.iter().flat_map(|b| [b >> 4, b & 0x0F]) {
        match nibble {
            0x0F => padding = true,
            0..=9 if !padding => digits.push(nibble),
            _ => return None,
        }
    }
    Some(digits)
}

/// Builds a key from the part inside a certificate, the remainder tag and the exponent
/// (Book 2 5.3 step 12 / 6.4 step 12).
fn assemble_key(
    in_cert: &[u8],
    key_len: usize,
    remainder: &[u8],
    exponent: &[u8],
    exponent_len: usize,
    what: Signed,
) -> Result<PublicKey, OdaError> {
    let mismatch = || OdaError::KeyLengthMismatch {
        what,
        key_len,
        in_cert: in_cert.len(),
        remainder: remainder.len(),
    };
    let modulus = if key_len <= in_cert.len() {
        in_cert.get(..key_len).ok_or_else(mismatch)?.to_vec()
    } else {
        if key_len - in_cert.len() != remainder.len() {
            return Err(mismatch());
        }
        [in_cert, remainder].concat()
    };
    if modulus.is_empty() || modulus.iter().all(|b| *b == 0) {
        return Err(OdaError::InvalidKey {
            what,
            reason: "the certified modulus is empty or zero",
        });
    }
    if exponent.len() != exponent_len {
        return Err(OdaError::InvalidKey {
            what,
            reason: "the exponent tag does not match the certified exponent length",
        });
    }
    // Book 2 5.1 / 6.1: the exponent is 3 or 2^16 + 1.
    let e = BigUint::from_bytes_be(exponent);
    if e != BigUint::from(3u32) && e != BigUint::from(65537u32) {
        return Err(OdaError::InvalidKey {
            what,
            reason: "the exponent is neither 3 nor 65537",
        });
    }
    Ok(PublicKey {
        modulus,
        exponent: exponent.to_vec(),
    })
}

fn need(value: Option<&[u8]>, tag: u32) -> Result<&[u8], OdaError> {
    value.ok_or(OdaError::MissingData { tag: Tag::new(tag) })
}

/// A value the kernel passes as a plain slice: empty means the card did not send it.
fn present(value: &[u8], tag: u32) -> Result<&[u8], OdaError> {
    need(Some(value).filter(|v| !v.is_empty()), tag)
}

/// The remainder tag must be present when the key is longer than its room in the certificate
/// (Book 2 5.1, 6.1); checked before the hash so that the TVR says "ICC data missing".
fn require_remainder(
    key_len: u8,
    room: usize,
    remainder: Option<&[u8]>,
    tag: u32,
) -> Result<(), OdaError> {
    if key_len as usize > room {
        present(remainder.unwrap_or_default(), tag)?;
    }
    Ok(())
}

fn array<const N: usize>(data: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = data.get(at..at + N) {
        out.copy_from_slice(src);
    }
    out
}

/// Recovers the issuer public key (Book 2 5.3, Table 6). The CA key is found by RID (first 5
/// AID bytes) and 8F and must not have expired before `today`.
///
/// Signer's side: the issuer certificate (90) is `RSA_CA_private(X)` with `X` as long as the
/// CA modulus `N_CA`: `6A 02 ‖ issuer ID (4, PAN prefix F-padded) ‖ expiry MMYY (2) ‖
/// serial (3) ‖ 01 ‖ 01 ‖ N_I (1) ‖ exponent length (1) ‖ leftmost N_CA−36 bytes of the
/// issuer modulus (`BB`-padded) ‖ SHA-1 ‖ BC`, where the SHA-1 covers `X[1..N_CA−21]` ‖ 92 ‖
/// 9F32, and 92 holds the modulus bytes that did not fit (absent or empty otherwise).
pub fn recover_issuer_key(
    input: &OdaInput<'_>,
    capks: &[Capk],
    revoked: &[RevokedCertificate],
    today: Date,
) -> Result<IssuerPublicKey, OdaError> {
    let what = Signed::IssuerCertificate;
    let rid: [u8; 5] = input
        .aid
        .get(..5)
        .and_then(|r| r.try_into().ok())
        .ok_or_else(|| OdaError::InvalidAid {
            aid: hex::encode_upper(input.aid),
        })?;
    let index = match need(input.capk_index, 0x8F)? {
        [i] => *i,
        other => return Err(OdaError::InvalidCapkIndex { len: other.len() }),
    };
    let certificate = need(input.issuer_certificate, 0x90)?;
    let exponent = need(input.issuer_exponent, 0x9F32)?;
    let pan = need(input.pan, 0x5A)?;
    let remainder = input.issuer_remainder.unwrap_or_default();

    let capk = capks
        .iter()
        .find(|k| k.rid == rid && k.index == index)
        .ok_or_else(|| OdaError::CapkNotFound {
            rid: hex::encode_upper(rid),
            index,
        })?;
    if capk.expiry < today {
        return Err(OdaError::CapkExpired {
            rid: hex::encode_upper(rid),
            index,
            expiry: capk.expiry,
        });
    }
    let ca_key = PublicKey {
        modulus: capk.modulus.clone(),
        exponent: capk.exponent.clone(),
    };
    // 15 bytes of fixed fields, the 20-byte hash and the trailer; N_CA−36 bytes of key.
    let data = recover_block(&ca_key, certificate, what, &[FORMAT_ISSUER], "02", 36)?;
    let n_ca = data.len();
    check_algorithms(data[11], Some(data[12]), what)?;
    require_remainder(data[13], n_ca - 36, input.issuer_remainder, 0x92)?;
    check_hash(&data, &[remainder, exponent], what)?;

    let issuer_id: [u8; 4] = array(&data, 2);
    let id_digits = cn_digits(&issuer_id).filter(|d| (3..=8).contains(&d.len()));
    let pan_digits = cn_digits(pan).unwrap_or_default();
    match id_digits {
        Some(d) if pan_digits.starts_with(&d) => {}
        _ => return Err(OdaError::IssuerIdMismatch),
    }
    let expiry: [u8; 2] = array(&data, 6);
    check_expiry(expiry, today, what)?;
    let serial: [u8; 3] = array(&data, 8);
    if revoked
        .iter()
        .any(|r| r.rid == rid && r.index == index && r.serial == serial)
    {
        return Err(OdaError::CertificateRevoked {
            rid: hex::encode_upper(rid),
            index,
            serial: hex::encode_upper(serial),
        });
    }
    let key = assemble_key(
        data.get(15..n_ca - 21).unwrap_or_default(),
        data[13] as usize,
        remainder,
        exponent,
        data[14] as usize,
        what,
    )?;
    Ok(IssuerPublicKey {
        key,
        issuer_id,
        expiry,
        serial,
    })
}

/// Recovers the ICC public key (Book 2 6.4, Table 14) after the issuer key.
///
/// Signer's side: the ICC certificate (9F46) is `RSA_issuer_private(X)` with `X` as long as the
/// issuer modulus `N_I`: `6A 04 ‖ PAN (10, F-padded) ‖ expiry MMYY (2) ‖ serial (3) ‖ 01 ‖ 01 ‖
/// N_IC (1) ‖ exponent length (1) ‖ leftmost N_I−42 bytes of the ICC modulus (`BB`-padded) ‖
/// SHA-1 ‖ BC`, where the SHA-1 covers `X[1..N_I−21]` ‖ 9F48 ‖ 9F47 ‖ static data.
pub fn recover_icc_key(
    input: &OdaInput<'_>,
    capks: &[Capk],
    revoked: &[RevokedCertificate],
    today: Date,
) -> Result<IccPublicKey, OdaError> {
    let issuer = recover_issuer_key(input, capks, revoked, today)?;
    let what = Signed::IccCertificate;
    let certificate = need(input.icc_certificate, 0x9F46)?;
    let exponent = need(input.icc_exponent, 0x9F47)?;
    let pan = need(input.pan, 0x5A)?;
    let remainder = input.icc_remainder.unwrap_or_default();

    // 21 bytes of fixed fields, the hash and the trailer; N_I−42 bytes of key.
    let data = recover_block(&issuer.key, certificate, what, &[FORMAT_ICC], "04", 42)?;
    let n_i = data.len();
    check_algorithms(data[17], Some(data[18]), what)?;
    require_remainder(data[19], n_i - 42, input.icc_remainder, 0x9F48)?;
    check_hash(&data, &[remainder, exponent, input.static_data], what)?;

    let cert_pan = cn_digits(&data[2..12]);
    match (cert_pan, cn_digits(pan)) {
        (Some(a), Some(b)) if a == b && !a.is_empty() => {}
        _ => return Err(OdaError::PanMismatch),
    }
    let expiry: [u8; 2] = array(&data, 12);
    check_expiry(expiry, today, what)?;
    let serial: [u8; 3] = array(&data, 14);
    let key = assemble_key(
        data.get(21..n_i - 21).unwrap_or_default(),
        data[19] as usize,
        remainder,
        exponent,
        data[20] as usize,
        what,
    )?;
    Ok(IccPublicKey {
        key,
        issuer,
        expiry,
        serial,
    })
}

/// Verifies Signed Static Application Data (93) with the issuer key (Book 2 5.4, Table 7) and
/// returns the Data Authentication Code (9F45).
///
/// Signer's side: `RSA_issuer_private(X)`, `X` as long as `N_I`: `6A 03 01 ‖ DAC (2) ‖
/// BB × (N_I−26) ‖ SHA-1 ‖ BC`, the SHA-1 over `X[1..N_I−21]` ‖ static data.
pub fn verify_sda(
    issuer: &IssuerPublicKey,
    ssad: &[u8],
    static_data: &[u8],
) -> Result<[u8; 2], OdaError> {
    let what = Signed::Ssad;
    let ssad = present(ssad, 0x93)?;
    let data = recover_block(&issuer.key, ssad, what, &[FORMAT_SSAD], "03", 26)?;
    check_algorithms(data[2], None, what)?;
    check_hash(&data, &[static_data], what)?;
    Ok(array(&data, 3))
}

/// Recovers Signed Dynamic Application Data (Book 2 6.5.2 / 6.6.2, Tables 17 and 22) and
/// returns the ICC Dynamic Data after checking the hash over `X[1..N_IC−21]` ‖ `extra`.
fn recover_sdad(
    icc: &IccPublicKey,
    sdad: &[u8],
    formats: &[u8],
    expected: &'static str,
    extra: &[&[u8]],
) -> Result<Vec<u8>, OdaError> {
    let what = Signed::Sdad;
    let sdad = present(sdad, 0x9F4B)?;
    let data = recover_block(&icc.key, sdad, what, formats, expected, 25)?;
    check_algorithms(data[2], None, what)?;
    let l_dd = data[3] as usize;
    if l_dd > data.len() - 25 {
        return Err(OdaError::InvalidDynamicData {
            reason: "its length exceeds the signature",
        });
    }
    check_hash(&data, extra, what)?;
    Ok(data[4..4 + l_dd].to_vec())
}

/// Splits `[IDN length][IDN]…` and returns (IDN, rest).
fn split_idn(dynamic: &[u8]) -> Result<(&[u8], &[u8]), OdaError> {
    let bad = OdaError::InvalidDynamicData {
        reason: "the ICC dynamic number length does not fit",
    };
    let (&len, rest) = dynamic.split_first().ok_or(bad.clone())?;
    let len = len as usize;
    if !(2..=8).contains(&len) || rest.len() < len {
        return Err(bad);
    }
    Ok(rest.split_at(len))
}

/// Verifies a DDA signature from INTERNAL AUTHENTICATE (Book 2 6.5.2): format `05`, hash over
/// the DDOL data the terminal sent. Returns the ICC Dynamic Number.
pub fn verify_dda(icc: &IccPublicKey, sdad: &[u8], ddol_data: &[u8]) -> Result<Vec<u8>, OdaError> {
    let dynamic = recover_sdad(icc, sdad, &[FORMAT_SDAD], "05", &[ddol_data])?;
    let (idn, _) = split_idn(&dynamic)?;
    Ok(idn.to_vec())
}

/// Verifies Visa fDDA (C-3 Annex; Book 2 6.5 layout): format `05` or `95`, ICC dynamic data
/// `02 ‖ ATC`, hash over 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69, 9F69 byte 1 = `01`, IDN = 9F36.
///
/// Signer's side: `RSA_ICC_private(X)`, `X` as long as `N_IC`: `6A 05 01 03 02 ‖ ATC (2) ‖
/// BB × (N_IC−28) ‖ SHA-1 ‖ BC`, the SHA-1 over `X[1..N_IC−21]` ‖ 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69
/// (the terminal's UN, amount and currency it sent in the GPO; the card's 9F69).
pub fn verify_fdda(
    icc: &IccPublicKey,
    sdad: &[u8],
    un: &[u8],
    amount: &[u8],
    currency: &[u8],
    card_auth_data: &[u8],
    atc: &[u8],
) -> Result<(), OdaError> {
    let version = present(card_auth_data, 0x9F69)?
        .first()
        .copied()
        .unwrap_or_default();
    if version != 0x01 {
        return Err(OdaError::UnsupportedFddaVersion { found: version });
    }
    present(atc, 0x9F36)?;
    let dynamic = recover_sdad(
        icc,
        sdad,
        &[FORMAT_SDAD, FORMAT_SDAD_VISA_ONLINE],
        "05 or 95",
        &[un, amount, currency, card_auth_data],
    )?;
    let (idn, _) = split_idn(&dynamic)?;
    if idn.len() != 2 || idn != atc {
        return Err(OdaError::IdnMismatch {
            idn: hex::encode_upper(idn),
            atc: hex::encode_upper(atc),
        });
    }
    Ok(())
}

/// The input of the Transaction Data Hash Code (Book 2 6.6.1, C-2 S9/S10): the PDOL values
/// the terminal sent in GET PROCESSING OPTIONS (without `83` and its length), the CDOL1 values
/// (and, for the second GENERATE AC, the CDOL2 values), then every data object in the
/// GENERATE AC response template `77` except 9F4B, as the card encoded them, in card order.
pub fn cda_hash_input(
    pdol_values: &[u8],
    cdol_values: &[&[u8]],
    gen_ac_response: &[u8],
) -> Result<Vec<u8>, OdaError> {
    let mut top = TlvIter::new(gen_ac_response);
    let template = match (top.next(), top.next()) {
        (Some(Ok(t)), None) if t.tag == Tag::new(0x77) => t,
        _ => return Err(OdaError::InvalidResponse),
    };
    let mut out = pdol_values.to_vec();
    for values in cdol_values {
        out.extend_from_slice(values);
    }
    for item in template.children() {
        let item = item.map_err(|_| OdaError::InvalidResponse)?;
        if item.tag != Tag::new(0x9F4B) {
            out.extend_from_slice(item.raw);
        }
    }
    Ok(out)
}

/// Verifies CDA (Book 2 6.6.2, Table 22): format `05`, hash over 9F37, the recovered CID must
/// equal 9F27 and the Transaction Data Hash Code must equal SHA-1 of `transaction_data`
/// (PDOL values ‖ CDOL1 values [‖ CDOL2 values] ‖ the GENERATE AC response TLVs except 9F4B,
/// in card order; see [`cda_hash_input`]).
///
/// Signer's side: `RSA_ICC_private(X)`, `X` as long as `N_IC`: `6A 05 01 ‖ L_DD ‖ IDN length ‖
/// IDN ‖ CID ‖ AC (8) ‖ TDHC (20) [‖ more] ‖ BB × (N_IC−L_DD−25) ‖ SHA-1 ‖ BC`, the SHA-1 over
/// `X[1..N_IC−21]` ‖ 9F37.
pub fn verify_cda(
    icc: &IccPublicKey,
    sdad: &[u8],
    un: &[u8],
    cid: u8,
    transaction_data: &[u8],
) -> Result<CdaData, OdaError> {
    let dynamic = recover_sdad(icc, sdad, &[FORMAT_SDAD], "05", &[un])?;
    let (idn, rest) = split_idn(&dynamic)?;
    if rest.len() < 1 + 8 + SHA1_LEN {
        return Err(OdaError::InvalidDynamicData {
            reason: "too short for CID, cryptogram and transaction data hash code",
        });
    }
    let signed_cid = rest[0];
    if signed_cid != cid {
        return Err(OdaError::CidMismatch {
            signed: signed_cid,
            sent: cid,
        });
    }
    let ac: [u8; 8] = array(rest, 1);
    let tdhc: [u8; 20] = array(rest, 9);
    if sha1(&[transaction_data]) != tdhc {
        return Err(OdaError::TdhcMismatch);
    }
    Ok(CdaData {
        idn: idn.to_vec(),
        cid: signed_cid,
        ac,
        tdhc,
        trailing: rest[29..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_data_takes_70_value_for_low_sfi_and_whole_record_above_10() {
        let r1 = [0x70, 0x03, 0x5A, 0x01, 0x12];
        let r2 = [0x70, 0x02, 0x9F, 0x01];
        let data =
            static_data_from_records(&[(2, &r1), (11, &r2)], Some(&[0x59, 0x80]), Some(&[0x82]))
                .unwrap();
        assert_eq!(data, [0x5A, 0x01, 0x12, 0x70, 0x02, 0x9F, 0x01, 0x59, 0x80]);
    }

    #[test]
    fn static_data_rejects_bad_tag_lists_records_and_sfis() {
        let r = [0x70, 0x00];
        assert!(matches!(
            static_data_from_records(&[(1, &r)], Some(&[0x59, 0x80]), Some(&[0x82, 0x5A])),
            Err(OdaError::InvalidTagList { .. })
        ));
        assert_eq!(
            static_data_from_records(&[(1, &r)], None, Some(&[0x82])),
            Err(OdaError::MissingData { tag: TAG_AIP })
        );
        assert_eq!(
            static_data_from_records(&[(3, &[0x61, 0x00])], None, None),
            Err(OdaError::InvalidOdaRecord { sfi: 3 })
        );
        assert_eq!(
            static_data_from_records(&[(3, &[0x70, 0x00, 0x70, 0x00])], None, None),
            Err(OdaError::InvalidOdaRecord { sfi: 3 })
        );
        assert_eq!(
            static_data_from_records(&[(31, &r)], None, None),
            Err(OdaError::InvalidSfi { sfi: 31 })
        );
        assert_eq!(
            static_data_from_records(&[(1, &r)], None, Some(&[])),
            Ok(vec![])
        );
    }

    #[test]
    fn cn_digits_stops_at_padding_and_rejects_digits_after_it() {
        assert_eq!(
            cn_digits(&[0x46, 0x42, 0x35, 0xFF]),
            Some(vec![4, 6, 4, 2, 3, 5])
        );
        assert_eq!(cn_digits(&[0x46, 0xF2]), None);
        assert_eq!(cn_digits(&[0x4A]), None);
    }

    #[test]
    fn expiry_is_valid_through_the_end_of_its_month() {
        let d = |year, month| Date {
            year,
            month,
            day: 15,
        };
        let w = Signed::IccCertificate;
        assert_eq!(check_expiry([0x12, 0x23], d(2023, 12), w), Ok(()));
        assert!(matches!(
            check_expiry([0x12, 0x23], d(2024, 1), w),
            Err(OdaError::CertificateExpired {
                month: 12,
                year: 2023,
                ..
            })
        ));
        assert!(matches!(
            check_expiry([0x13, 0x23], d(2020, 1), w),
            Err(OdaError::InvalidExpiry { .. })
        ));
    }

    #[test]
    fn rsa_rejects_zero_modulus_and_out_of_range_signatures() {
        let key = PublicKey {
            modulus: vec![0x00, 0x00],
            exponent: vec![3],
        };
        assert!(matches!(
            rsa_recover(&key, &[0, 1], Signed::Sdad),
            Err(OdaError::InvalidKey { .. })
        ));
        let key = PublicKey {
            modulus: vec![0x00, 0x21],
            exponent: vec![3],
        };
        assert_eq!(
            rsa_recover(&key, &[0, 0x21], Signed::Sdad),
            Err(OdaError::SignatureOutOfRange { what: Signed::Sdad })
        );
        // 2^3 mod 33 = 8, left-padded to the modulus length.
        assert_eq!(rsa_recover(&key, &[0, 2], Signed::Sdad), Ok(vec![0, 8]));
    }

    #[test]
    fn from_tags_takes_each_object_from_its_own_tag() {
        let mut tags = TagMap::new();
        for (i, tag) in [0x8F, 0x90, 0x92, 0x9F32, 0x9F46, 0x9F47, 0x9F48, 0x5A]
            .into_iter()
            .enumerate()
        {
            tags.insert(Tag::new(tag), vec![i as u8]);
        }
        let input = OdaInput::from_tags(b"AID", &tags, b"SD");
        let got = [
            input.capk_index,
            input.issuer_certificate,
            input.issuer_remainder,
            input.issuer_exponent,
            input.icc_certificate,
            input.icc_exponent,
            input.icc_remainder,
            input.pan,
        ];
        for (i, value) in got.into_iter().enumerate() {
            assert_eq!(value, Some(&[i as u8][..]));
        }
        assert_eq!((input.aid, input.static_data), (&b"AID"[..], &b"SD"[..]));
        let empty = TagMap::new();
        assert_eq!(OdaInput::from_tags(b"", &empty, b"").icc_remainder, None);
    }

    #[test]
    fn cda_hash_input_orders_pdol_cdols_then_response_without_9f4b() {
        let response = [
            0x77, 0x0E, 0x9F, 0x27, 0x01, 0x80, 0x9F, 0x4B, 0x02, 0xAA, 0xBB, 0x9F, 0x36, 0x02,
            0x00, 0x01,
        ];
        let input = cda_hash_input(&[1, 2], &[&[3], &[4, 5]], &response).unwrap();
        assert_eq!(
            input,
            [
                1, 2, 3, 4, 5, 0x9F, 0x27, 0x01, 0x80, 0x9F, 0x36, 0x02, 0x00, 0x01
            ]
        );
        let format1 = [0x80, 0x02, 0x40, 0x00];
        assert_eq!(
            cda_hash_input(&[], &[], &format1),
            Err(OdaError::InvalidResponse)
        );
        assert_eq!(
            cda_hash_input(&[], &[], &[0x77, 0x00, 0x77, 0x00]),
            Err(OdaError::InvalidResponse)
        );
    }

    #[test]
    fn tvr_bits_follow_the_method_and_missing_data() {
        let missing = OdaError::MissingData {
            tag: Tag::new(0x90),
        };
        assert_eq!(missing.tvr_byte1(OdaMethod::Sda), 0x60);
        assert_eq!(missing.tvr_byte1(OdaMethod::Cda), 0x24);
        assert_eq!(OdaError::TdhcMismatch.tvr_byte1(OdaMethod::Cda), 0x04);
        assert_eq!(OdaError::PanMismatch.tvr_byte1(OdaMethod::Dda), 0x08);
    }
}

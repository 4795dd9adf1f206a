//! Personalisation of the virtual wallets: the test keys, the issuer and ICC public key
//! certificates and the signed dynamic application data, laid out as EMV Book 2 specifies
//! (6.3 issuer certificate format 02, 6.4 ICC certificate format 04, 6.5 SDAD format 05,
//! 6.6 CDA dynamic data).
//!
//! The keys come from `assets/test-keys/keys.toml`: TEST KEYS ONLY, made with
//! `openssl genrsa -3` for tapterm. Signing is plain RSA with the private exponent
//! (`s = m^d mod n`), which is all Book 2's "signature scheme with message recovery" needs.

use std::collections::BTreeMap;

use num_bigint::BigUint;
use serde::Deserialize;
use sha1::{Digest, Sha1};

/// The test keys, embedded so `tapterm phone` works from any directory.
const TEST_KEYS: &str = include_str!("../../assets/test-keys/keys.toml");

/// The test CA public keys for the terminal, embedded so demos need no asset path.
const TEST_CAPKS: &str = include_str!("../../assets/capk/tapterm-test.toml");

#[derive(Debug, Deserialize)]
struct CapkFile {
    test: bool,
    key: Vec<emv_kernel::vector::VectorCapk>,
}

/// The CA public keys of `assets/capk/tapterm-test.toml` (test keys, `test = true`), for
/// terminals that talk to the virtual wallets (demo reader, tests, vectors).
pub fn test_capks() -> Result<Vec<emv_kernel::config::Capk>, PersonaliseError> {
    let file: CapkFile =
        toml::from_str(TEST_CAPKS).map_err(|e| PersonaliseError::KeyFile(e.to_string()))?;
    if !file.test {
        return Err(PersonaliseError::KeyFile(
            "tapterm-test.toml must say test = true".into(),
        ));
    }
    file.key
        .iter()
        .map(|k| {
            k.to_capk()
                .map_err(|e| PersonaliseError::KeyFile(e.to_string()))
        })
        .collect()
}

/// Why personalising a wallet failed (only a broken key file can cause it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonaliseError {
    /// The embedded key file is not valid TOML of the expected shape.
    #[error("test key file: {0}")]
    KeyFile(String),
    /// A key the profile needs is missing from the key file.
    #[error("test key {0:?} is missing from assets/test-keys/keys.toml")]
    MissingKey(String),
    /// A key field is not hex.
    #[error("test key {0:?}: {1} is not hex")]
    BadHex(String, &'static str),
    /// `assets/host/issuers.toml` has no issuer master key for the profile's PAN.
    #[error("no issuer master key for profile {0} in assets/host/issuers.toml")]
    NoIssuerKey(&'static str),
    /// A public key was asked to sign.
    #[error("a public key cannot sign")]
    NoPrivateKey,
    /// The data to sign does not fit the key (Book 2 layouts fix the sizes).
    #[error("{what}: {needed} bytes do not fit a {modulus}-byte key")]
    TooLong {
        /// Which structure was being built.
        what: &'static str,
        /// Bytes the structure needs.
        needed: usize,
        /// The signing key's modulus length.
        modulus: usize,
    },
}

#[derive(Debug, Deserialize)]
struct KeyEntry {
    modulus: String,
    exponent: String,
    private_exponent: String,
}

/// An RSA key pair (test only).
#[derive(Clone, PartialEq, Eq)]
pub struct RsaKey {
    /// Modulus, big-endian, without leading zeros.
    pub modulus: Vec<u8>,
    /// Public exponent (`03` or `010001`).
    pub exponent: Vec<u8>,
    private_exponent: Vec<u8>,
}

impl std::fmt::Debug for RsaKey {
    /// The private exponent stays out of debug output, test key or not.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaKey")
            .field("bits", &(self.modulus.len() * 8))
            .field("exponent", &hex::encode_upper(&self.exponent))
            .finish_non_exhaustive()
    }
}

impl RsaKey {
    /// Loads one named key from the embedded test key file.
    pub fn load(name: &str) -> Result<RsaKey, PersonaliseError> {
        let keys: BTreeMap<String, KeyEntry> =
            toml::from_str(TEST_KEYS).map_err(|e| PersonaliseError::KeyFile(e.to_string()))?;
        let entry = keys
            .get(name)
            .ok_or_else(|| PersonaliseError::MissingKey(name.to_string()))?;
        let field = |value: &str, what: &'static str| {
            hex::decode(value).map_err(|_| PersonaliseError::BadHex(name.to_string(), what))
        };
        Ok(RsaKey {
            modulus: field(&entry.modulus, "modulus")?,
            exponent: field(&entry.exponent, "exponent")?,
            private_exponent: field(&entry.private_exponent, "private_exponent")?,
        })
    }

    /// A public key only (what a terminal recovers from a certificate); it cannot sign.
    pub fn public(modulus: Vec<u8>, exponent: Vec<u8>) -> RsaKey {
        RsaKey {
            modulus,
            exponent,
            private_exponent: Vec::new(),
        }
    }

    /// Length of the modulus in bytes (Book 2's N_CA, N_I or N_IC).
    pub fn modulus_len(&self) -> usize {
        self.modulus.len()
    }

    /// Signs a message of exactly the modulus length: `m^d mod n`, left-padded to N bytes.
    /// Book 2 messages start with `6A`, below any modulus whose top bit is set.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PersonaliseError> {
        if self.private_exponent.is_empty() {
            return Err(PersonaliseError::NoPrivateKey);
        }
        if message.len() != self.modulus_len() {
            return Err(PersonaliseError::TooLong {
                what: "RSA message",
                needed: message.len(),
                modulus: self.modulus_len(),
            });
        }
        let n = BigUint::from_bytes_be(&self.modulus);
        let d = BigUint::from_bytes_be(&self.private_exponent);
        let s = BigUint::from_bytes_be(message).modpow(&d, &n);
        Ok(left_pad(&s.to_bytes_be(), self.modulus_len()))
    }

    /// Applies the public key (`s^e mod n`); used by tests to check what was signed.
    pub fn recover(&self, signature: &[u8]) -> Vec<u8> {
        let n = BigUint::from_bytes_be(&self.modulus);
        let e = BigUint::from_bytes_be(&self.exponent);
        let m = BigUint::from_bytes_be(signature).modpow(&e, &n);
        left_pad(&m.to_bytes_be(), self.modulus_len())
    }
}

fn left_pad(bytes: &[u8], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len.saturating_sub(bytes.len())];
    out.extend_from_slice(bytes);
    out
}

/// SHA-1 over the concatenation of `parts` (Book 2 hash algorithm `01`).
pub fn sha1(parts: &[&[u8]]) -> [u8; 20] {
    let mut hasher = Sha1::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// A signed public key certificate with the key bytes that did not fit in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The certificate (tag 90 or 9F46), as long as the signing key's modulus.
    pub certificate: Vec<u8>,
    /// The public key remainder (tag 92 or 9F48); empty when the key fit.
    pub remainder: Vec<u8>,
    /// The certified key's exponent (tag 9F32 or 9F47).
    pub exponent: Vec<u8>,
}

/// What a public key certificate says besides the key (Book 2 tables 6 and 14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFields {
    /// Issuer identifier (4 bytes) for format 02, application PAN (10 bytes) for format 04,
    /// both padded with `F` nibbles.
    pub owner: Vec<u8>,
    /// Certificate expiration date, MMYY.
    pub expiry: [u8; 2],
    /// Certificate serial number.
    pub serial: [u8; 3],
}

/// Builds and signs a public key certificate of `format` (`02` issuer, `04` ICC) for
/// `subject`, signed by `signer`; `static_data` is hashed after the remainder and exponent
/// (Book 2 5.4 table 14: the ICC certificate covers the static data to be authenticated).
pub fn certificate(
    format: u8,
    signer: &RsaKey,
    subject: &RsaKey,
    fields: &CertificateFields,
    static_data: &[u8],
) -> Result<Certificate, PersonaliseError> {
    // Header, format, owner, expiry, serial, hash alg, pk alg, key length, exponent length.
    let mut body = vec![format];
    body.extend_from_slice(&fields.owner);
    body.extend_from_slice(&fields.expiry);
    body.extend_from_slice(&fields.serial);
    body.extend_from_slice(&[
        0x01,
        0x01,
        subject.modulus_len() as u8,
        subject.exponent.len() as u8,
    ]);
    let n = signer.modulus_len();
    // 1 header + body + key space + 20 hash + 1 trailer = n
    let key_space = n
        .checked_sub(body.len() + 22)
        .ok_or(PersonaliseError::TooLong {
            what: "certificate header",
            needed: body.len() + 22,
            modulus: n,
        })?;
    let (in_cert, remainder) = subject
        .modulus
        .split_at(subject.modulus_len().min(key_space));
    body.extend_from_slice(in_cert);
    body.resize(body.len() + key_space - in_cert.len(), 0xBB);
    let hash = sha1(&[&body, remainder, &subject.exponent, static_data]);
    let message = [&[0x6A][..], &body, &hash, &[0xBC]].concat();
    Ok(Certificate {
        certificate: signer.sign(&message)?,
        remainder: remainder.to_vec(),
        exponent: subject.exponent.clone(),
    })
}

/// Signed Dynamic Application Data (tag 9F4B, Book 2 6.5.2 table 17): format `05`,
/// the ICC dynamic data, `BB` padding, SHA-1 over everything from the format byte to the
/// padding followed by `hashed_data` (fDDA: 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69; CDA: 9F37).
pub fn signed_dynamic_data(
    icc: &RsaKey,
    icc_dynamic_data: &[u8],
    hashed_data: &[u8],
) -> Result<Vec<u8>, PersonaliseError> {
    let n = icc.modulus_len();
    let pad = n
        .checked_sub(icc_dynamic_data.len() + 25)
        .ok_or(PersonaliseError::TooLong {
            what: "ICC dynamic data",
            needed: icc_dynamic_data.len() + 25,
            modulus: n,
        })?;
    let mut body = vec![0x05, 0x01, icc_dynamic_data.len() as u8];
    body.extend_from_slice(icc_dynamic_data);
    body.resize(body.len() + pad, 0xBB);
    let hash = sha1(&[&body, hashed_data]);
    let message = [&[0x6A][..], &body, &hash, &[0xBC]].concat();
    icc.sign(&message)
}

/// PAN digits as `cn` bytes padded with `F` to `len` bytes (the certificates' owner fields).
pub fn pan_padded(pan_digits: &str, len: usize) -> Vec<u8> {
    let mut nibbles: Vec<u8> = pan_digits
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    nibbles.resize(len * 2, 0x0F);
    nibbles
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => (hi << 4) | lo,
            _ => 0xFF,
        })
        .take(len)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_every_test_key_and_signs_round_trip() {
        for name in [
            "ca-visa",
            "ca-mastercard",
            "issuer-visa",
            "issuer-mastercard",
            "icc-visa-phone",
            "icc-visa-card",
            "icc-mastercard-phone",
            "icc-mastercard-card",
        ] {
            let key = RsaKey::load(name).unwrap();
            assert!(key.modulus_len() >= 128, "{name} too short");
            assert_eq!(key.exponent, vec![0x03]);
            let mut message = vec![0x6A; key.modulus_len()];
            message[5] = 0x42;
            let signature = key.sign(&message).unwrap();
            assert_ne!(signature, message);
            assert_eq!(key.recover(&signature), message, "{name}");
        }
        assert!(matches!(
            RsaKey::load("no-such-key"),
            Err(PersonaliseError::MissingKey(_))
        ));
    }

    #[test]
    fn issuer_certificate_has_book2_layout() {
        let ca = RsaKey::load("ca-visa").unwrap();
        let issuer = RsaKey::load("issuer-visa").unwrap();
        let fields = CertificateFields {
            owner: pan_padded("489537", 4),
            expiry: [0x12, 0x32],
            serial: [0x00, 0x00, 0x01],
        };
        let cert = certificate(0x02, &ca, &issuer, &fields, &[]).unwrap();
        let m = ca.recover(&cert.certificate);
        let n = ca.modulus_len();
        assert_eq!(m[0], 0x6A);
        assert_eq!(m[1], 0x02);
        assert_eq!(&m[2..6], &[0x48, 0x95, 0x37, 0xFF]);
        assert_eq!(m[13] as usize, issuer.modulus_len());
        assert_eq!(m[n - 1], 0xBC);
        // 144-byte issuer key in a 176-byte certificate: 140 bytes inside, 4 in tag 92.
        assert_eq!(cert.remainder.len(), issuer.modulus_len() - (n - 36));
        let key: Vec<u8> = [&m[15..n - 21], &cert.remainder[..]].concat();
        assert_eq!(key, issuer.modulus);
        let hash = sha1(&[&m[1..n - 21], &cert.remainder, &cert.exponent]);
        assert_eq!(&m[n - 21..n - 1], &hash);
    }

    #[test]
    fn sdad_hash_covers_the_terminal_data() {
        let icc = RsaKey::load("icc-visa-card").unwrap();
        let sdad = signed_dynamic_data(&icc, &[0x02, 0x00, 0x07], b"terminal").unwrap();
        let m = icc.recover(&sdad);
        let n = icc.modulus_len();
        assert_eq!(&m[..4], &[0x6A, 0x05, 0x01, 0x03]);
        assert_eq!(&m[4..7], &[0x02, 0x00, 0x07]);
        assert!(m[7..n - 21].iter().all(|&b| b == 0xBB));
        assert_eq!(&m[n - 21..n - 1], &sha1(&[&m[1..n - 21], b"terminal"]));
        assert!(signed_dynamic_data(&icc, &[0; 120], &[]).is_err());
    }

    #[test]
    fn shipped_capks_are_the_test_cas_public_halves() {
        let capks = test_capks().unwrap();
        assert_eq!(capks.len(), 4);
        for (capk, name) in capks
            .iter()
            .zip(["ca-visa", "ca-mastercard", "ca-unionpay", "ca-amex"])
        {
            let ca = RsaKey::load(name).unwrap();
            assert_eq!(capk.modulus, ca.modulus, "{name}");
            assert_eq!(capk.exponent, ca.exponent);
            assert_eq!(capk.index, crate::phone::card::TEST_CA_INDEX);
            assert_eq!(capk.expiry.year, 2035);
        }
        assert_eq!(capks[0].rid, [0xA0, 0, 0, 0, 0x03]);
        assert_eq!(capks[1].rid, [0xA0, 0, 0, 0, 0x04]);
        assert_eq!(capks[2].rid, [0xA0, 0, 0, 0x03, 0x33]);
        assert_eq!(capks[3].rid, [0xA0, 0, 0, 0, 0x25]);
    }

    #[test]
    fn pads_pans() {
        assert_eq!(pan_padded("489537", 4), vec![0x48, 0x95, 0x37, 0xFF]);
        assert_eq!(
            pan_padded("4895370000000015", 10),
            hex::decode("4895370000000015FFFF").unwrap()
        );
    }
}

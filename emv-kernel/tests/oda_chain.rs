//! ODA against certificate chains signed here with small test RSA keys
//! (`tests/fixtures/oda-test-*.txt`, made with `openssl genrsa`; test keys only): a CA key of
//! 1024 bits (e = 3), an issuer key of 896 bits (e = 65537, needs a 92 remainder) and an ICC
//! key of 768 bits (e = 3, needs a 9F48 remainder). Each failure kind of [`OdaError`] is
//! produced by its own broken chain, and arbitrary bytes never make the module panic.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use emv_kernel::config::{Capk, Date, RevokedCertificate};
use emv_kernel::oda::{
    self, IccPublicKey, IssuerPublicKey, OdaError, OdaInput, PublicKey, recover_icc_key,
    recover_issuer_key, static_data_from_records,
};
use emv_kernel::tlv::Tag;
use num_bigint::BigUint;
use proptest::prelude::*;
use sha1::{Digest, Sha1};

/// A test RSA key pair read from a fixture.
#[derive(Clone)]
struct TestKey {
    n: Vec<u8>,
    e: Vec<u8>,
    d: Vec<u8>,
}

impl TestKey {
    fn load(text: &str) -> TestKey {
        let field = |name: &str| {
            let line = text
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name}=")))
                .unwrap();
            let padded = if line.len() % 2 == 1 {
                format!("0{line}")
            } else {
                line.to_string()
            };
            hex::decode(padded).unwrap()
        };
        TestKey {
            n: field("n"),
            e: field("e"),
            d: field("d"),
        }
    }

    /// The RSA private operation, left-padded to the modulus length.
    fn sign(&self, block: &[u8]) -> Vec<u8> {
        assert_eq!(block.len(), self.n.len());
        let n = BigUint::from_bytes_be(&self.n);
        let s = BigUint::from_bytes_be(block)
            .modpow(&BigUint::from_bytes_be(&self.d), &n)
            .to_bytes_be();
        let mut out = vec![0u8; self.n.len() - s.len()];
        out.extend_from_slice(&s);
        out
    }
}

fn ca_key() -> TestKey {
    TestKey::load(include_str!("fixtures/oda-test-ca-1024-e3.txt"))
}
fn issuer_key() -> TestKey {
    TestKey::load(include_str!("fixtures/oda-test-issuer-896-e65537.txt"))
}
fn icc_key() -> TestKey {
    TestKey::load(include_str!("fixtures/oda-test-icc-768-e3.txt"))
}

fn sha1(parts: &[&[u8]]) -> Vec<u8> {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().to_vec()
}

/// How a signer lays out one signed block: `header ‖ body ‖ BB… ‖ SHA-1(body ‖ BB… ‖ extra) ‖
/// trailer`, `n` bytes long; `break_hash` flips one bit of the stored hash.
struct Block<'a> {
    header: u8,
    body: Vec<u8>,
    extra: Vec<&'a [u8]>,
    trailer: u8,
    break_hash: bool,
}

impl Block<'_> {
    fn build(&self, n: usize) -> Vec<u8> {
        let mut signed = self.body.clone();
        signed.resize(n - 22, 0xBB);
        let mut parts: Vec<&[u8]> = vec![&signed];
        parts.extend_from_slice(&self.extra);
        let mut hash = sha1(&parts);
        if self.break_hash {
            hash[0] ^= 1;
        }
        let mut x = vec![self.header];
        x.extend_from_slice(&signed);
        x.extend_from_slice(&hash);
        x.push(self.trailer);
        x
    }
}

/// The fields of one public key certificate a test may change.
#[derive(Clone)]
struct Cert {
    header: u8,
    format: u8,
    /// Issuer ID (4 bytes) or PAN (10 bytes).
    id: Vec<u8>,
    expiry: [u8; 2],
    serial: [u8; 3],
    hash_alg: u8,
    pk_alg: u8,
    /// Overrides the stated key length.
    key_len: Option<u8>,
    trailer: u8,
    break_hash: bool,
}

impl Cert {
    fn new(format: u8, id: &[u8]) -> Cert {
        Cert {
            header: 0x6A,
            format,
            id: id.to_vec(),
            expiry: [0x12, 0x28],
            serial: [0x00, 0x00, 0x42],
            hash_alg: 1,
            pk_alg: 1,
            key_len: None,
            trailer: 0xBC,
            break_hash: false,
        }
    }

    /// The certificate of `subject` signed by `signer`, and the remainder that did not fit.
    fn sign(
        &self,
        signer: &TestKey,
        subject: &TestKey,
        extra_tail: &[&[u8]],
    ) -> (Vec<u8>, Vec<u8>) {
        let n = signer.n.len();
        let room = n - 22 - (self.id.len() + 10);
        let (in_cert, remainder) = subject.n.split_at(room.min(subject.n.len()));
        let mut body = vec![self.format];
        body.extend_from_slice(&self.id);
        body.extend_from_slice(&self.expiry);
        body.extend_from_slice(&self.serial);
        body.extend_from_slice(&[
            self.hash_alg,
            self.pk_alg,
            self.key_len.unwrap_or(subject.n.len() as u8),
            subject.e.len() as u8,
        ]);
        body.extend_from_slice(in_cert);
        let mut extra: Vec<&[u8]> = vec![remainder, &subject.e];
        extra.extend_from_slice(extra_tail);
        let block = Block {
            header: self.header,
            body,
            extra,
            trailer: self.trailer,
            break_hash: self.break_hash,
        };
        (signer.sign(&block.build(n)), remainder.to_vec())
    }
}

const AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x00, 0x99, 0x10, 0x10];
const PAN: [u8; 8] = [0x47, 0x61, 0x73, 0x90, 0x01, 0x01, 0x01, 0x19];
const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 26,
};

/// A whole card: what a test changes before [`Chain::card`] signs it.
#[derive(Clone)]
struct Chain {
    issuer_cert: Cert,
    icc_cert: Cert,
    static_data: Vec<u8>,
    capk_expiry: Date,
    /// Certifies this issuer exponent instead of the test key's own.
    issuer_exponent: Option<Vec<u8>>,
}

/// The good chain, signed once for all tests.
static GOOD: LazyLock<Card> = LazyLock::new(|| Chain::new().card());

fn good() -> &'static Card {
    &GOOD
}

/// The signed card data objects.
#[derive(Clone)]
struct Card {
    capks: Vec<Capk>,
    aid: Vec<u8>,
    capk_index: Vec<u8>,
    issuer_cert: Vec<u8>,
    issuer_remainder: Vec<u8>,
    issuer_exponent: Vec<u8>,
    icc_cert: Vec<u8>,
    icc_remainder: Vec<u8>,
    icc_exponent: Vec<u8>,
    pan: Vec<u8>,
    static_data: Vec<u8>,
}

impl Card {
    fn input(&self) -> OdaInput<'_> {
        OdaInput {
            aid: &self.aid,
            capk_index: Some(&self.capk_index),
            issuer_certificate: Some(&self.issuer_cert),
            issuer_remainder: Some(&self.issuer_remainder),
            issuer_exponent: Some(&self.issuer_exponent),
            icc_certificate: Some(&self.icc_cert),
            icc_exponent: Some(&self.icc_exponent),
            icc_remainder: Some(&self.icc_remainder),
            pan: Some(&self.pan),
            static_data: &self.static_data,
        }
    }

    fn issuer(&self) -> Result<IssuerPublicKey, OdaError> {
        recover_issuer_key(&self.input(), &self.capks, &[], TODAY)
    }

    fn icc(&self) -> Result<IccPublicKey, OdaError> {
        recover_icc_key(&self.input(), &self.capks, &[], TODAY)
    }
}

impl Chain {
    fn new() -> Chain {
        let mut icc_pan = PAN.to_vec();
        icc_pan.extend_from_slice(&[0xFF, 0xFF]);
        Chain {
            issuer_cert: Cert::new(0x02, &[0x47, 0x61, 0x73, 0xFF]),
            icc_cert: Cert::new(0x04, &icc_pan),
            static_data: b"\x5F\x24\x03\x28\x12\x31\x82\x02\x39\x00".to_vec(),
            capk_expiry: Date {
                year: 2030,
                month: 12,
                day: 31,
            },
            issuer_exponent: None,
        }
    }

    fn card(&self) -> Card {
        let (ca, mut issuer, icc) = (ca_key(), issuer_key(), icc_key());
        if let Some(e) = &self.issuer_exponent {
            issuer.e = e.clone();
        }
        let (issuer_cert, issuer_remainder) = self.issuer_cert.sign(&ca, &issuer, &[]);
        let (icc_cert, icc_remainder) = self.icc_cert.sign(&issuer, &icc, &[&self.static_data]);
        Card {
            capks: vec![Capk {
                rid: [0xA0, 0x00, 0x00, 0x00, 0x99],
                index: 0x01,
                modulus: ca.n.clone(),
                exponent: ca.e.clone(),
                expiry: self.capk_expiry,
            }],
            aid: AID.to_vec(),
            capk_index: vec![0x01],
            issuer_cert,
            issuer_remainder,
            issuer_exponent: issuer.e.clone(),
            icc_cert,
            icc_remainder,
            icc_exponent: icc.e.clone(),
            pan: PAN.to_vec(),
            static_data: self.static_data.clone(),
        }
    }
}

/// SSAD (93) signed with the test issuer key.
fn ssad(header: u8, format: u8, hash_alg: u8, static_data: &[u8], break_hash: bool) -> Vec<u8> {
    let issuer = issuer_key();
    let block = Block {
        header,
        body: vec![format, hash_alg, 0xDA, 0xC1],
        extra: vec![static_data],
        trailer: 0xBC,
        break_hash,
    };
    issuer.sign(&block.build(issuer.n.len()))
}

/// SDAD (9F4B) signed with the test ICC key over `dynamic` data, hashing `extra` after it.
fn sdad(format: u8, hash_alg: u8, dynamic: &[u8], l_dd: Option<u8>, extra: &[&[u8]]) -> Vec<u8> {
    let icc = icc_key();
    let mut body = vec![format, hash_alg, l_dd.unwrap_or(dynamic.len() as u8)];
    body.extend_from_slice(dynamic);
    let block = Block {
        header: 0x6A,
        body,
        extra: extra.to_vec(),
        trailer: 0xBC,
        break_hash: false,
    };
    icc.sign(&block.build(icc.n.len()))
}

const UN: [u8; 4] = [0x12, 0x34, 0x56, 0x78];
const AMOUNT: [u8; 6] = [0, 0, 0, 0, 0x10, 0x00];
const CURRENCY: [u8; 2] = [0x09, 0x78];
const CAD: [u8; 7] = [0x01, 0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x00];
const ATC: [u8; 2] = [0x00, 0x2A];

fn fdda_sdad(format: u8) -> Vec<u8> {
    sdad(
        format,
        1,
        &[0x02, ATC[0], ATC[1]],
        None,
        &[&UN, &AMOUNT, &CURRENCY, &CAD],
    )
}

fn fdda(icc: &IccPublicKey, signature: &[u8], cad: &[u8], atc: &[u8]) -> Result<(), OdaError> {
    oda::verify_fdda(icc, signature, &UN, &AMOUNT, &CURRENCY, cad, atc)
}

const TRANSACTION_DATA: &[u8] = b"\x9F\x27\x01\x80\x9F\x36\x02\x00\x2A";

fn cda_dynamic(cid: u8, idn_len: u8) -> Vec<u8> {
    let mut d = vec![idn_len];
    d.extend_from_slice(&[0x11; 8][..idn_len.min(8) as usize]);
    d.push(cid);
    d.extend_from_slice(&[0xAC; 8]);
    d.extend_from_slice(&sha1(&[TRANSACTION_DATA]));
    d
}

#[test]
fn a_good_chain_recovers_both_keys_with_their_remainders() {
    let card = good();
    assert_eq!(card.issuer_remainder.len(), 112 - (128 - 36));
    assert_eq!(card.icc_remainder.len(), 96 - (112 - 42));
    let icc = card.icc().unwrap();
    assert_eq!(icc.key.modulus, icc_key().n);
    assert_eq!(icc.key.exponent, vec![0x03]);
    assert_eq!(icc.issuer.key.modulus, issuer_key().n);
    assert_eq!(icc.issuer.key.exponent, vec![0x01, 0x00, 0x01]);
    assert_eq!(icc.issuer.issuer_id, [0x47, 0x61, 0x73, 0xFF]);
    assert_eq!(icc.serial, [0x00, 0x00, 0x42]);
}

#[test]
fn sda_returns_the_data_authentication_code_and_rejects_other_static_data() {
    let card = good();
    let issuer = card.issuer().unwrap();
    let good = ssad(0x6A, 0x03, 0x01, &card.static_data, false);
    assert_eq!(
        oda::verify_sda(&issuer, &good, &card.static_data),
        Ok([0xDA, 0xC1])
    );
    assert_eq!(
        oda::verify_sda(&issuer, &good, b"other"),
        Err(OdaError::HashMismatch {
            what: oda::Signed::Ssad
        })
    );
    assert!(matches!(
        oda::verify_sda(
            &issuer,
            &ssad(0x6A, 0x05, 0x01, &card.static_data, false),
            &card.static_data
        ),
        Err(OdaError::BadFormat { found: 0x05, .. })
    ));
}

#[test]
fn fdda_accepts_formats_05_and_95_only() {
    let icc = good().icc().unwrap();
    assert_eq!(fdda(&icc, &fdda_sdad(0x05), &CAD, &ATC), Ok(()));
    assert_eq!(fdda(&icc, &fdda_sdad(0x95), &CAD, &ATC), Ok(()));
    assert!(matches!(
        fdda(&icc, &fdda_sdad(0x15), &CAD, &ATC),
        Err(OdaError::BadFormat { found: 0x15, .. })
    ));
}

#[test]
fn dda_returns_the_icc_dynamic_number() {
    let icc = good().icc().unwrap();
    let ddol = [0xCA, 0xFE, 0xBA, 0xBE];
    let sig = sdad(0x05, 1, &[0x03, 1, 2, 3], None, &[&ddol]);
    assert_eq!(oda::verify_dda(&icc, &sig, &ddol), Ok(vec![1, 2, 3]));
    assert!(matches!(
        oda::verify_dda(&icc, &sig, &[0, 0, 0, 0]),
        Err(OdaError::HashMismatch { .. })
    ));
}

#[test]
fn cda_returns_the_cryptogram_and_passes_trailing_data_on() {
    let icc = good().icc().unwrap();
    let mut dynamic = cda_dynamic(0x80, 8);
    dynamic.extend_from_slice(&[0x77; 16]);
    let sig = sdad(0x05, 1, &dynamic, None, &[&UN]);
    let cda = oda::verify_cda(&icc, &sig, &UN, 0x80, TRANSACTION_DATA).unwrap();
    assert_eq!(cda.idn, vec![0x11; 8]);
    assert_eq!(cda.ac, [0xAC; 8]);
    assert_eq!(cda.tdhc[..], sha1(&[TRANSACTION_DATA])[..]);
    assert_eq!(cda.trailing, vec![0x77; 16]);
    // CDA has no format 95.
    let sig95 = sdad(0x95, 1, &dynamic, None, &[&UN]);
    assert!(matches!(
        oda::verify_cda(&icc, &sig95, &UN, 0x80, TRANSACTION_DATA),
        Err(OdaError::BadFormat { found: 0x95, .. })
    ));
}

/// The name of each variant; the match has no wildcard, so a new variant must get a scenario.
fn kind(e: &OdaError) -> &'static str {
    match e {
        OdaError::MissingData { .. } => "MissingData",
        OdaError::InvalidAid { .. } => "InvalidAid",
        OdaError::InvalidCapkIndex { .. } => "InvalidCapkIndex",
        OdaError::CapkNotFound { .. } => "CapkNotFound",
        OdaError::CapkExpired { .. } => "CapkExpired",
        OdaError::InvalidKey { .. } => "InvalidKey",
        OdaError::LengthMismatch { .. } => "LengthMismatch",
        OdaError::SignatureOutOfRange { .. } => "SignatureOutOfRange",
        OdaError::BadTrailer { .. } => "BadTrailer",
        OdaError::BadHeader { .. } => "BadHeader",
        OdaError::BadFormat { .. } => "BadFormat",
        OdaError::UnsupportedHashAlgorithm { .. } => "UnsupportedHashAlgorithm",
        OdaError::UnsupportedKeyAlgorithm { .. } => "UnsupportedKeyAlgorithm",
        OdaError::KeyLengthMismatch { .. } => "KeyLengthMismatch",
        OdaError::HashMismatch { .. } => "HashMismatch",
        OdaError::IssuerIdMismatch => "IssuerIdMismatch",
        OdaError::PanMismatch => "PanMismatch",
        OdaError::InvalidExpiry { .. } => "InvalidExpiry",
        OdaError::CertificateExpired { .. } => "CertificateExpired",
        OdaError::CertificateRevoked { .. } => "CertificateRevoked",
        OdaError::InvalidTagList { .. } => "InvalidTagList",
        OdaError::InvalidOdaRecord { .. } => "InvalidOdaRecord",
        OdaError::InvalidSfi { .. } => "InvalidSfi",
        OdaError::InvalidDynamicData { .. } => "InvalidDynamicData",
        OdaError::UnsupportedFddaVersion { .. } => "UnsupportedFddaVersion",
        OdaError::IdnMismatch { .. } => "IdnMismatch",
        OdaError::CidMismatch { .. } => "CidMismatch",
        OdaError::TdhcMismatch => "TdhcMismatch",
        OdaError::InvalidResponse => "InvalidResponse",
    }
}

/// A chain with one change applied to a fresh good one; returns its ICC key recovery result.
fn broken(change: impl FnOnce(&mut Chain)) -> Result<IccPublicKey, OdaError> {
    let mut chain = Chain::new();
    change(&mut chain);
    chain.card().icc()
}

/// A good card with one data object changed after signing.
fn tampered(change: impl FnOnce(&mut Card)) -> Result<IccPublicKey, OdaError> {
    let mut card = good().clone();
    change(&mut card);
    card.icc()
}

#[test]
fn every_failure_kind_has_its_own_scenario() {
    let icc = good().icc().unwrap();
    let cda_ok = |cid: u8, idn_len: u8| sdad(0x05, 1, &cda_dynamic(cid, idn_len), None, &[&UN]);
    let mut scenarios: Vec<(&str, Result<(), OdaError>)> = vec![
        ("MissingData", {
            let card = good();
            let input = OdaInput {
                icc_exponent: None,
                ..card.input()
            };
            recover_icc_key(&input, &card.capks, &[], TODAY).map(drop)
        }),
        ("InvalidAid", tampered(|c| c.aid.truncate(4)).map(drop)),
        (
            "InvalidCapkIndex",
            tampered(|c| c.capk_index = vec![1, 1]).map(drop),
        ),
        (
            "CapkNotFound",
            tampered(|c| c.capk_index = vec![2]).map(drop),
        ),
        (
            "CapkExpired",
            broken(|c| {
                c.capk_expiry = Date {
                    year: 2026,
                    month: 11,
                    day: 25,
                }
            })
            .map(drop),
        ),
        (
            "InvalidKey",
            tampered(|c| c.capks[0].modulus.truncate(20)).map(drop),
        ),
        (
            "LengthMismatch",
            tampered(|c| c.issuer_cert.truncate(127)).map(drop),
        ),
        (
            "SignatureOutOfRange",
            tampered(|c| c.icc_cert = vec![0xFF; 112]).map(drop),
        ),
        (
            "BadTrailer",
            broken(|c| c.issuer_cert.trailer = 0xBD).map(drop),
        ),
        ("BadHeader", broken(|c| c.icc_cert.header = 0x6B).map(drop)),
        (
            "BadFormat",
            broken(|c| c.issuer_cert.format = 0x04).map(drop),
        ),
        (
            "UnsupportedHashAlgorithm",
            broken(|c| c.icc_cert.hash_alg = 0x02).map(drop),
        ),
        (
            "UnsupportedKeyAlgorithm",
            broken(|c| c.issuer_cert.pk_alg = 0x02).map(drop),
        ),
        (
            "KeyLengthMismatch",
            broken(|c| c.issuer_cert.key_len = Some(113)).map(drop),
        ),
        (
            "HashMismatch",
            broken(|c| c.icc_cert.break_hash = true).map(drop),
        ),
        (
            "IssuerIdMismatch",
            broken(|c| c.issuer_cert.id = vec![0x47, 0x61, 0x74, 0xFF]).map(drop),
        ),
        ("PanMismatch", broken(|c| c.icc_cert.id[7] = 0x18).map(drop)),
        (
            "InvalidExpiry",
            broken(|c| c.icc_cert.expiry = [0x13, 0x28]).map(drop),
        ),
        (
            "CertificateExpired",
            broken(|c| c.issuer_cert.expiry = [0x10, 0x26]).map(drop),
        ),
        ("CertificateRevoked", {
            let card = good();
            let revoked = [RevokedCertificate {
                rid: [0xA0, 0x00, 0x00, 0x00, 0x99],
                index: 0x01,
                serial: [0x00, 0x00, 0x42],
            }];
            recover_icc_key(&card.input(), &card.capks, &revoked, TODAY).map(drop)
        }),
        (
            "InvalidTagList",
            static_data_from_records(&[], Some(&[0x39, 0x00]), Some(&[0x9F, 0x02])).map(drop),
        ),
        (
            "InvalidOdaRecord",
            static_data_from_records(&[(1, &[0x77, 0x00])], None, None).map(drop),
        ),
        (
            "InvalidSfi",
            static_data_from_records(&[(0, &[0x70, 0x00])], None, None).map(drop),
        ),
        (
            "InvalidDynamicData",
            oda::verify_cda(&icc, &cda_ok(0x80, 1), &UN, 0x80, TRANSACTION_DATA).map(drop),
        ),
        (
            "UnsupportedFddaVersion",
            fdda(&icc, &fdda_sdad(0x05), &[0x02, 0, 0, 0, 0], &ATC),
        ),
        (
            "IdnMismatch",
            fdda(&icc, &fdda_sdad(0x05), &CAD, &[0x00, 0x2B]),
        ),
        (
            "CidMismatch",
            oda::verify_cda(&icc, &cda_ok(0x40, 8), &UN, 0x80, TRANSACTION_DATA).map(drop),
        ),
        (
            "TdhcMismatch",
            oda::verify_cda(&icc, &cda_ok(0x80, 8), &UN, 0x80, b"other").map(drop),
        ),
    ];
    scenarios.push((
        "InvalidResponse",
        oda::cda_hash_input(&[], &[], &[0x77, 0x03, 0x9F, 0x27]).map(drop),
    ));
    let mut seen = BTreeSet::new();
    for (expected, result) in &scenarios {
        let err = result.as_ref().expect_err(expected);
        assert_eq!(kind(err), *expected, "scenario {expected}: {err}");
        assert!(!err.to_string().is_empty());
        seen.insert(*expected);
    }
    assert_eq!(seen.len(), 29, "one scenario per OdaError variant");
}

#[test]
fn missing_objects_name_their_tag_and_set_icc_data_missing() {
    let card = good();
    let base = card.input();
    let cases: Vec<(OdaInput<'_>, u32)> = vec![
        (
            OdaInput {
                capk_index: None,
                ..base
            },
            0x8F,
        ),
        (
            OdaInput {
                issuer_certificate: None,
                ..base
            },
            0x90,
        ),
        (
            OdaInput {
                issuer_exponent: None,
                ..base
            },
            0x9F32,
        ),
        (OdaInput { pan: None, ..base }, 0x5A),
        (
            OdaInput {
                icc_certificate: None,
                ..base
            },
            0x9F46,
        ),
        (
            OdaInput {
                icc_exponent: None,
                ..base
            },
            0x9F47,
        ),
        // The keys are longer than their room in the certificates: the remainders are needed.
        (
            OdaInput {
                issuer_remainder: None,
                ..base
            },
            0x92,
        ),
        (
            OdaInput {
                issuer_remainder: Some(&[]),
                ..base
            },
            0x92,
        ),
        (
            OdaInput {
                icc_remainder: None,
                ..base
            },
            0x9F48,
        ),
    ];
    for (input, tag) in cases {
        let err = recover_icc_key(&input, &card.capks, &[], TODAY).unwrap_err();
        assert_eq!(err, OdaError::MissingData { tag: Tag::new(tag) });
        assert_eq!(err.tvr_byte1(oda::OdaMethod::Cda), 0x24);
    }
    let issuer = card.issuer().unwrap();
    let icc = card.icc().unwrap();
    let missing = |tag| Some(OdaError::MissingData { tag: Tag::new(tag) });
    assert_eq!(oda::verify_sda(&issuer, &[], b"").err(), missing(0x93));
    assert_eq!(fdda(&icc, &[], &CAD, &ATC).err(), missing(0x9F4B));
    assert_eq!(
        fdda(&icc, &fdda_sdad(0x05), &[], &ATC).err(),
        missing(0x9F69)
    );
    assert_eq!(
        fdda(&icc, &fdda_sdad(0x05), &CAD, &[]).err(),
        missing(0x9F36)
    );
    assert_eq!(
        oda::verify_cda(&icc, &[], &UN, 0x80, TRANSACTION_DATA).err(),
        missing(0x9F4B)
    );
}

#[test]
fn certified_exponents_other_than_3_and_65537_are_refused() {
    let mut chain = Chain::new();
    chain.issuer_exponent = Some(vec![0x05]);
    assert!(matches!(
        chain.card().issuer(),
        Err(OdaError::InvalidKey { .. })
    ));
    chain.issuer_exponent = Some(vec![0x03]);
    assert_eq!(chain.card().issuer().unwrap().key.exponent, vec![0x03]);
}

fn arbitrary_key() -> impl Strategy<Value = PublicKey> {
    (
        prop::collection::vec(any::<u8>(), 0..140),
        prop::collection::vec(any::<u8>(), 0..4),
    )
        .prop_map(|(modulus, exponent)| PublicKey { modulus, exponent })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Arbitrary bytes in every card field: an error or (by sheer luck) a key, never a panic.
    #[test]
    fn arbitrary_card_data_never_panics(
        fields in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..130), 10),
        full_length in any::<bool>(),
    ) {
        let card = good();
        let mut f = fields;
        if full_length {
            f[2].resize(128, 0x5A);
        }
        let input = OdaInput {
            aid: &f[0],
            capk_index: Some(&f[1]),
            issuer_certificate: Some(&f[2]),
            issuer_remainder: Some(&f[3]),
            issuer_exponent: Some(&f[4]),
            icc_certificate: Some(&f[5]),
            icc_exponent: Some(&f[6]),
            icc_remainder: Some(&f[7]),
            pan: Some(&f[8]),
            static_data: &f[9],
        };
        prop_assert!(recover_icc_key(&input, &card.capks, &[], TODAY).is_err());
        let aimed = OdaInput { aid: &AID, capk_index: Some(&[0x01]), ..input };
        prop_assert!(recover_icc_key(&aimed, &card.capks, &[], TODAY).is_err());
    }

    /// Correctly signed but otherwise arbitrary certificate contents never panic.
    #[test]
    fn signed_garbage_never_panics(body in prop::collection::vec(any::<u8>(), 125)) {
        let card = good();
        let ca = ca_key();
        let mut x = vec![0x6A, 0x02];
        x.extend_from_slice(&body);
        x.push(0xBC);
        let cert = ca.sign(&x);
        let input = OdaInput { issuer_certificate: Some(&cert), ..card.input() };
        prop_assert!(recover_icc_key(&input, &card.capks, &[], TODAY).is_err());
    }

    /// Arbitrary keys and signatures for SDA, DDA, fDDA and CDA never panic.
    #[test]
    fn arbitrary_signatures_never_panic(
        key in arbitrary_key(),
        sig in prop::collection::vec(any::<u8>(), 0..140),
        extra in prop::collection::vec(any::<u8>(), 0..16),
    ) {
        let issuer = IssuerPublicKey { key: key.clone(), issuer_id: [0; 4], expiry: [0; 2], serial: [0; 3] };
        let icc = IccPublicKey { key, issuer: issuer.clone(), expiry: [0; 2], serial: [0; 3] };
        let _ = oda::verify_sda(&issuer, &sig, &extra);
        let _ = oda::verify_dda(&icc, &sig, &extra);
        let _ = oda::verify_fdda(&icc, &sig, &extra, &extra, &extra, &extra, &extra);
        let _ = oda::verify_cda(&icc, &sig, &extra, 0x80, &extra);
    }

    /// Signed dynamic data with arbitrary contents never panics.
    #[test]
    fn signed_dynamic_garbage_never_panics(
        format in prop::sample::select(vec![0x05u8, 0x95]),
        l_dd in any::<u8>(),
        dynamic in prop::collection::vec(any::<u8>(), 0..60),
    ) {
        let icc = good().icc().unwrap();
        let sig = sdad(format, 1, &dynamic, Some(l_dd), &[&UN]);
        let _ = oda::verify_cda(&icc, &sig, &UN, 0x80, TRANSACTION_DATA);
        let _ = fdda(&icc, &sig, &CAD, &ATC);
        let _ = oda::verify_dda(&icc, &sig, &UN);
    }
}

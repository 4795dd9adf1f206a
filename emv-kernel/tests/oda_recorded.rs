//! ODA against recorded card data: the real Apple Pay Visa transit tap (fDDA, format `95`) and
//! the Mastercard PayPass test card (CDA). The vectors are shared reference data read at run
//! time from `../../shared/vectors/` relative to this crate (or a further ancestor, for git
//! worktrees, found by build.rs); they are never copied into the project. Where they are
//! absent the tests are ignored, not passed.

use std::path::PathBuf;

use emv_kernel::config::{Capk, Date, TerminalConfig, Transaction, amount_bcd};
use emv_kernel::oda::{
    self, IccPublicKey, OdaError, OdaInput, recover_icc_key, static_data_from_records,
};
use emv_kernel::tlv::{self, Tag};
use emv_kernel::vector::{self, Vector};

/// The card's responses (without SW) and the commands that got them, in order.
struct Recording {
    config: TerminalConfig,
    transaction: Transaction,
    exchanges: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Recording {
    fn load(relative: &str) -> Recording {
        let root = option_env!("TAPTERM_SHARED_VECTORS").unwrap_or_default();
        let json = std::fs::read_to_string(PathBuf::from(root).join(relative)).unwrap();
        let v: Vector = vector::parse(&json).unwrap();
        let (config, transaction) = v.inputs().unwrap();
        let exchanges = v
            .taps
            .iter()
            .flatten()
            .filter_map(|e| {
                let r = e.r.as_ref()?.0.clone();
                let data = r.get(..r.len().saturating_sub(2))?.to_vec();
                Some((e.c.0.clone(), data))
            })
            .collect();
        Recording {
            config,
            transaction,
            exchanges,
        }
    }

    /// The first value of `tag` in any card response.
    fn tag(&self, tag: u32) -> Option<&[u8]> {
        self.exchanges
            .iter()
            .find_map(|(_, r)| tlv::find(r, Tag::new(tag)).ok().flatten().map(|t| t.value))
    }

    /// The DF name (84) of the last SELECT answer: the application, after PPSE.
    fn selected_aid(&self) -> &[u8] {
        let (_, fci) = self
            .exchanges
            .iter()
            .rfind(|(c, _)| c.starts_with(&[0x00, 0xA4, 0x04, 0x00]))
            .unwrap();
        tlv::find(fci, Tag::new(0x84)).unwrap().unwrap().value
    }

    /// The response to the first command starting with `prefix`.
    fn response(&self, prefix: &[u8]) -> &[u8] {
        &self
            .exchanges
            .iter()
            .find(|(c, _)| c.starts_with(prefix))
            .unwrap()
            .1
    }

    /// The records the AFL flags for ODA, as (SFI, record data), in AFL order.
    fn oda_records(&self) -> Vec<(u8, &[u8])> {
        let afl = self.tag(0x94).unwrap_or_default();
        let mut out = Vec::new();
        for entry in afl.chunks(4) {
            let (sfi, first, count) = (entry[0] >> 3, entry[1], entry[3]);
            for record in first..first + count {
                let cmd = [0x00, 0xB2, record, (sfi << 3) | 4];
                out.push((sfi, self.response(&cmd)));
            }
        }
        out
    }

    fn today(&self) -> Date {
        self.transaction.date
    }

    fn capks(&self) -> &[Capk] {
        &self.config.capks
    }

    fn icc_key(&self, static_data: &[u8]) -> Result<IccPublicKey, OdaError> {
        let input = OdaInput {
            aid: self.selected_aid(),
            capk_index: self.tag(0x8F),
            issuer_certificate: self.tag(0x90),
            issuer_remainder: self.tag(0x92),
            issuer_exponent: self.tag(0x9F32),
            icc_certificate: self.tag(0x9F46),
            icc_exponent: self.tag(0x9F47),
            icc_remainder: self.tag(0x9F48),
            pan: self.tag(0x5A),
            static_data,
        };
        recover_icc_key(&input, self.capks(), &self.config.revoked, self.today())
    }
}

fn static_data(rec: &Recording) -> Vec<u8> {
    static_data_from_records(&rec.oda_records(), rec.tag(0x82), rec.tag(0x9F4A)).unwrap()
}

#[test]
#[cfg_attr(
    not(shared_vectors),
    ignore = "shared/vectors not found above the workspace"
)]
fn real_apple_pay_transit_tap_fdda_format_95_verifies() {
    let rec = Recording::load("real/real-visa-applepay-express-transit-qvsdc-online-fdda95.json");
    let sd = static_data(&rec);
    assert!(
        sd.is_empty(),
        "the AFL flags no records and there is no 9F4A"
    );
    let icc = rec.icc_key(&sd).unwrap();
    assert_eq!(icc.issuer.key.modulus.len(), 176);
    assert_eq!(icc.issuer.issuer_id, [0x46, 0x42, 0x35, 0xFF]);
    assert_eq!(icc.issuer.serial, [0x03, 0xA0, 0x5D]);
    assert_eq!(icc.key.modulus.len(), 128);
    assert_eq!(icc.expiry, [0x12, 0x23]);

    let un = rec.transaction.unpredictable_numbers[0];
    let amount = amount_bcd(rec.transaction.amount);
    let currency = [0x08, 0x26];
    let sdad = rec.tag(0x9F4B).unwrap();
    let cad = rec.tag(0x9F69).unwrap();
    let atc = rec.tag(0x9F36).unwrap();
    assert_eq!(
        oda::verify_fdda(&icc, sdad, &un, &amount, &currency, cad, atc),
        Ok(())
    );

    // The same signature does not verify for another amount or another ATC.
    let other_amount = amount_bcd(rec.transaction.amount + 1);
    assert!(matches!(
        oda::verify_fdda(&icc, sdad, &un, &other_amount, &currency, cad, atc),
        Err(OdaError::HashMismatch { .. })
    ));
    assert!(matches!(
        oda::verify_fdda(&icc, sdad, &un, &amount, &currency, cad, &[0x00, 0x52]),
        Err(OdaError::IdnMismatch { .. })
    ));
    // The certificates expired 12/2023.
    let later = Date {
        year: 2024,
        month: 1,
        day: 1,
    };
    let mut capks = rec.capks().to_vec();
    capks[0].expiry = later;
    let input = OdaInput {
        aid: rec.selected_aid(),
        capk_index: rec.tag(0x8F),
        issuer_certificate: rec.tag(0x90),
        issuer_remainder: rec.tag(0x92),
        issuer_exponent: rec.tag(0x9F32),
        pan: rec.tag(0x5A),
        ..OdaInput::default()
    };
    assert!(matches!(
        oda::recover_issuer_key(&input, &capks, &[], later),
        Err(OdaError::CertificateExpired { .. })
    ));
}

#[test]
#[cfg_attr(
    not(shared_vectors),
    ignore = "shared/vectors not found above the workspace"
)]
fn mastercard_test_card_cda_verifies() {
    let rec = Recording::load(
        "reconstructed/reconstructed-mastercard-paypass-testcard-mchip-cda-tc-signature.json",
    );
    let sd = static_data(&rec);
    assert_eq!(sd.len(), 177 + 2, "SFI 2 record 1 value plus the AIP");
    let icc = rec.icc_key(&sd).unwrap();
    assert_eq!(icc.issuer.issuer_id, [0x54, 0x13, 0x33, 0x00]);
    assert_eq!(icc.key.modulus.len(), 144);

    // Without the AIP the ICC certificate hash fails.
    assert!(matches!(
        rec.icc_key(&sd[..177]),
        Err(OdaError::HashMismatch { .. })
    ));

    let (gen_ac, response) = rec
        .exchanges
        .iter()
        .find(|(c, _)| c.starts_with(&[0x80, 0xAE]))
        .unwrap();
    let lc = gen_ac[4] as usize;
    let cdol1 = &gen_ac[5..5 + lc];
    // The PDOL is empty: GPO sent `83 00`.
    let mut hash_input = oda::cda_hash_input(&[], &[cdol1], response).unwrap();
    assert_eq!(hash_input.len(), cdol1.len() + 4 + 5 + 21);
    let un = rec.transaction.unpredictable_numbers[0];
    let cid = rec.tag(0x9F27).unwrap()[0];
    let sdad = rec.tag(0x9F4B).unwrap();
    let cda = oda::verify_cda(&icc, sdad, &un, cid, &hash_input).unwrap();
    assert_eq!(cda.ac, hex("D58B731AF5885C06")[..]);
    assert_eq!(
        cda.tdhc,
        hex("7BE29D015DD4C9454026810F0879E219B8A7DCD0")[..]
    );
    assert_eq!(cda.idn, hex("36DF6D9E2104092E"));
    assert_eq!(cda.cid, 0x40);
    assert!(cda.trailing.is_empty());

    assert_eq!(
        oda::verify_cda(&icc, sdad, &un, 0x80, &hash_input),
        Err(OdaError::CidMismatch {
            signed: 0x40,
            sent: 0x80
        })
    );
    hash_input[0] ^= 1;
    assert_eq!(
        oda::verify_cda(&icc, sdad, &un, cid, &hash_input),
        Err(OdaError::TdhcMismatch)
    );
    assert!(matches!(
        oda::verify_cda(&icc, sdad, &[0, 0, 0, 0], cid, &hash_input),
        Err(OdaError::HashMismatch { .. })
    ));
}

fn hex(s: &str) -> Vec<u8> {
    ::hex::decode(s).unwrap()
}

//! Visa qVSDC from the card's side (C-3): the cryptogram, the CVM decision (CTQ) and the
//! fDDA signature all come in the GPO answer; READ RECORD returns the certificates and
//! 9F69. UnionPay's qUICS card side is the same (C-7 follows C-3; K7 contract), so its
//! wallets (unionpay.rs) use this GPO and layout with their own identifiers and IAD.

use std::collections::BTreeMap;

use emv_kernel::cryptogram::Cryptogram;
use emv_kernel::tlv;

use super::command::DolValues;
use super::personalise;
use super::{
    Application, Gpo, Identity, Layout, SW_CONDITIONS_NOT_SATISFIED, Wallet, corrupt, cvr_bits,
    hex_const, tags, token_data, track2,
};
use crate::phone::profiles::{Account, Fault};

/// Visa PDOL (C-3 brief B): TTQ, amounts, country, TVR, currency, date, type, UN.
const VISA_PDOL: &str = "9F66049F02069F03069F1A0295055F2A029A039C019F3704";

impl Wallet {
    /// qVSDC / qUICS GPO (C-3 5.2–5.3 from the card's side): the card decides the
    /// cryptogram and the CVM, computes the AC and signs fDDA in this one answer.
    pub(super) fn quick_gpo(
        &mut self,
        terminal: &DolValues,
        pdol_values: &[u8],
    ) -> Result<Vec<u8>, u16> {
        let ttq = terminal.get_array::<4>(tags::TTQ);
        let amount = terminal.amount();
        let online_required = ttq[1] & 0x80 != 0;
        let cvm_required = ttq[1] & 0x40 != 0;
        let oda_for_online = ttq[0] & 0x01 != 0;
        let cryptogram = if self.profile.is_phone() || online_required || amount > 10_000 {
            Cryptogram::Arqc
        } else {
            Cryptogram::Tc
        };
        let ctq = if self.profile.is_phone() && self.is_locked() {
            // Express Transit: nobody authenticated; no CVM (the real express trace: CTQ 0000).
            [0x00, 0x00]
        } else if self.profile.is_phone() {
            // The user authenticated on the device before (or to unlock) this tap.
            [0x00, 0x80]
        } else if cvm_required && ttq[0] & 0x02 != 0 {
            [0x40, 0x00]
        } else if cvm_required && ttq[0] & 0x04 != 0 {
            [0x80, 0x00]
        } else {
            [0x00, 0x00]
        };
        let un = terminal.get(tags::UN);
        let card_un = self.digest(b"card UN", un);
        let mut card_auth_data = vec![0x01, card_un[0], card_un[1], card_un[2], card_un[3]];
        card_auth_data.extend_from_slice(&ctq);
        card_auth_data.extend_from_slice(&[0x00, 0x00]);
        let (cvn, iad) = self.issuer_application_data(cryptogram);
        let atc = self.atc.to_be_bytes();
        let ac = self.application_cryptogram(cvn, terminal, &iad)?;
        let mut body = Vec::new();
        tlv::encode(tags::AIP, &self.app.aip, &mut body);
        tlv::encode(tags::AFL, &self.app.afl, &mut body);
        tlv::encode(tags::TRACK2, &self.app.track2, &mut body);
        tlv::encode(tags::PSN, &[self.account.psn], &mut body);
        tlv::encode(tags::IAD, &iad, &mut body);
        tlv::encode(tags::AC, &ac, &mut body);
        tlv::encode(tags::CID, &[cryptogram.cid()], &mut body);
        tlv::encode(tags::ATC, &atc, &mut body);
        if cryptogram == Cryptogram::Tc || oda_for_online {
            // fDDA (C-3 5.4, Book 2 6.5.2): IDN = ATC; hash data 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69.
            let dynamic = [0x02, atc[0], atc[1]];
            let hashed = [
                un,
                terminal.get(tags::AMOUNT),
                terminal.get(tags::CURRENCY),
                &card_auth_data,
            ]
            .concat();
            let mut sdad = personalise::signed_dynamic_data(&self.icc_key, &dynamic, &hashed)
                .map_err(|_| SW_CONDITIONS_NOT_SATISFIED)?;
            if self.bad_signature() {
                corrupt(&mut sdad);
            }
            tlv::encode(tags::SDAD, &sdad, &mut body);
        }
        tlv::encode(tags::CTQ, &ctq, &mut body);
        if self.profile.is_phone() {
            // FFI: version 1, form factor 03 phone; passcode, cloud and biometric capable.
            tlv::encode(tags::FFI, &[0x23, 0x86, 0x00, 0x00], &mut body);
        }
        self.session.gpo = Some(Gpo {
            pdol_values: pdol_values.to_vec(),
            card_auth_data: Some(card_auth_data),
        });
        if self.profile.fault() == Some(Fault::MalformedTlv) {
            // The outer length claims 16 bytes more than follow.
            let claimed = (body.len() + 16) as u16;
            let mut broken = vec![0x77, 0x82];
            broken.extend_from_slice(&claimed.to_be_bytes());
            broken.extend(body);
            return Ok(broken);
        }
        Ok(tlv::encoded(tags::FORMAT2, &body))
    }
}

/// Visa IAD format 0 for CVN 18: length, DKI, CVN, CVR (4 bytes, first = its length).
pub(super) fn iad(cryptogram: Cryptogram) -> Vec<u8> {
    vec![0x06, 0x01, 0x12, 0x03, cvr_bits(cryptogram), 0x00, 0x00]
}

/// What tells one qVSDC-style application from another (Visa qVSDC, UnionPay qUICS).
pub(super) struct QuickApplication {
    /// AID, label, PDOL and token identifiers.
    pub(super) id: Identity,
    /// Issuer country code (5F28).
    pub(super) country: [u8; 2],
}

/// Visa's identifiers.
const VISA: QuickApplication = QuickApplication {
    id: Identity {
        aid: &[0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10],
        label: b"VISA",
        pdol: VISA_PDOL,
        token_requestor: [0x04, 0x00, 0x12, 0x34, 0x56, 0x78],
        par: b"V0010013TAPTERMTESTPAR0000001",
    },
    country: [0x02, 0x50],
};

/// The Visa wallets' layout.
pub(super) fn layout(account: &Account, issuer_record: Vec<u8>) -> Layout {
    quick_layout(&VISA, account, issuer_record)
}

/// qVSDC: AFL 18 01 03 01 — SFI 3 record 1 signed (country, AUC, token data),
/// record 2 the issuer certificate, record 3 PAN, expiry, ICC certificate and 9F69.
pub(super) fn quick_layout(
    application: &QuickApplication,
    account: &Account,
    issuer_record: Vec<u8>,
) -> Layout {
    let mut static_record = tlv::encoded(tags::ISSUER_COUNTRY, &application.country);
    tlv::encode(tags::AUC, &[0xFF, 0x00], &mut static_record);
    token_data(account, &application.id, &mut static_record);
    let mut records = BTreeMap::new();
    records.insert((3, 1), static_record.clone());
    records.insert((3, 2), issuer_record);
    Layout {
        app: Application {
            aid: application.id.aid.to_vec(),
            label: application.id.label,
            pdol: hex_const(application.id.pdol),
            cdol1: Vec::new(),
            aip: [0x20, 0x00],
            afl: vec![0x18, 0x01, 0x03, 0x01],
            records,
            card_auth_record: Some((3, 3)),
            track2: track2(account),
        },
        static_data: static_record,
        icc_record: (3, 3),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::super::*;
    use super::*;
    use emv_kernel::tlv::Tag;
    use emv_kernel::{apdu, dol, oda};

    /// A Visa tap up to the records: (GPO answer, records, fDDA verdict).
    fn visa_tap(
        wallet: &mut Wallet,
        amount: u64,
        ttq: [u8; 4],
    ) -> (Vec<u8>, Records, Result<(), oda::OdaError>) {
        let (_, gpo_answer, records, verdict) = quick_tap(wallet, amount, ttq);
        (gpo_answer, records, verdict)
    }

    #[test]
    fn visa_phone_answers_qvsdc_online_with_fdda_and_cdcvm() {
        let mut wallet = Wallet::new(Profile::VisaPhone, WalletOptions::default()).unwrap();
        assert_eq!(wallet.atr(), vec![0x3B, 0x80, 0x80, 0x01, 0x01]);
        let (gpo, records, fdda) = visa_tap(&mut wallet, 2500, VISA_TTQ);
        tlv::validate(&gpo).unwrap();
        assert_eq!(gpo[0], 0x77);
        assert_eq!(find(&gpo, 0x9F27).unwrap(), vec![0x80]);
        assert_eq!(
            find(&gpo, 0x9F6C).unwrap(),
            vec![0x00, 0x80],
            "CDCVM performed"
        );
        assert_eq!(find(&gpo, 0x9F6E).unwrap()[0] & 0x1F, 0x03, "FFI phone");
        let track2 = hex::encode_upper(find(&gpo, 0x57).unwrap());
        assert!(track2.starts_with("4895370000000015D3012"));
        let records = records.all();
        assert_eq!(
            find(&records, 0x5A).unwrap(),
            hex::decode("4895370000000015").unwrap()
        );
        assert_eq!(find(&records, 0x9F24).unwrap().len(), 29, "PAR");
        assert!(find(&records, 0x9F19).is_some());
        assert_eq!(find(&records, 0x9F25).unwrap(), vec![0x47, 0x11]);
        let cad = find(&records, 0x9F69).unwrap();
        assert_eq!(cad[0], 0x01);
        assert_eq!(&cad[5..7], &[0x00, 0x80], "9F69 carries the CTQ");
        assert_eq!(fdda, Ok(()), "the kernel's ODA accepts the fDDA signature");
    }

    #[test]
    fn cryptograms_follow_amount_and_unpredictable_number() {
        let mut ac = Vec::new();
        for (amount, un) in [(2500, UN), (2501, UN), (2500, [0, 0, 0, 1])] {
            let mut wallet = Wallet::new(Profile::VisaCard, WalletOptions::default()).unwrap();
            let pdol = select(&mut wallet);
            let (gpo, _) = data(gpo(&mut wallet, &pdol, amount, un, VISA_TTQ));
            ac.push(find(&gpo, 0x9F26).unwrap());
        }
        assert_ne!(ac[0], ac[1]);
        assert_ne!(ac[0], ac[2]);
    }

    #[test]
    fn locked_visa_phone_says_see_phone_then_pays_on_the_next_tap() {
        let options = WalletOptions {
            locked: true,
            ..WalletOptions::default()
        };
        let mut wallet = Wallet::new(Profile::VisaPhone, options).unwrap();
        let pdol = select(&mut wallet);
        let (_, sw) = data(gpo(&mut wallet, &pdol, 2500, UN, VISA_TTQ));
        assert_eq!(sw, 0x6986);
        assert!(wallet.is_locked());
        wallet.field_off();
        assert!(!wallet.is_locked());
        let pdol = select(&mut wallet);
        let (gpo, sw) = data(gpo(&mut wallet, &pdol, 2500, UN, VISA_TTQ));
        assert_eq!(sw, 0x9000);
        assert_eq!(find(&gpo, 0x9F6C).unwrap(), vec![0x00, 0x80]);
    }

    /// The real Apple Pay traces (proxmark3 `hf_visa_apple_ecp.trace`,
    /// `hf_visa_apple_transit_bypass.trace`): at a reader sending the ECP transit frame a
    /// locked iPhone answered TTQ 32804000 with 6986 and TTQ 33804000 (b1 "ODA for online
    /// authorisations") with an fDDA-signed ARQC and CTQ 0000.
    #[test]
    fn a_locked_phone_in_express_transit_pays_only_at_an_ecp_reader_asking_for_oda() {
        let london = hex_const("6A02C801000300027900000000");
        let options = WalletOptions {
            locked: true,
            ..WalletOptions::default()
        };
        let tap = |ecp: Option<&[u8]>, express: bool, ttq: [u8; 4]| {
            let mut wallet = Wallet::new(Profile::VisaPhone, options).unwrap();
            wallet.set_express_transit(express);
            wallet.set_reader_polling(ecp);
            let pdol = select(&mut wallet);
            let answer = data(gpo(&mut wallet, &pdol, 0, UN, ttq));
            (answer, wallet.is_locked())
        };
        let ((_, sw), _) = tap(Some(&london), true, [0x32, 0x80, 0x40, 0x00]);
        assert_eq!(sw, 0x6986, "no ODA-for-online bit: unlock first");
        let ((gpo, sw), locked) = tap(Some(&london), true, [0x33, 0x80, 0x40, 0x00]);
        assert_eq!(sw, 0x9000);
        assert!(locked, "paid without unlocking");
        assert_eq!(find(&gpo, 0x9F6C).unwrap(), vec![0x00, 0x00], "no CDCVM");
        assert_eq!(find(&gpo, 0x9F27).unwrap(), vec![0x80], "ARQC");
        assert!(find(&gpo, 0x9F4B).is_some(), "signed with fDDA");
        let ((_, sw), _) = tap(Some(&london), false, [0x33, 0x80, 0x40, 0x00]);
        assert_eq!(sw, 0x6986, "Express Transit off");
        let ((_, sw), _) = tap(None, true, [0x33, 0x80, 0x40, 0x00]);
        assert_eq!(
            sw, 0x6986,
            "no ECP in the polling loop: not a transit reader"
        );
        let mut mastercard_only = london.clone();
        mastercard_only[8] = 0x10;
        let ((_, sw), _) = tap(Some(&mastercard_only), true, [0x33, 0x80, 0x40, 0x00]);
        assert_eq!(sw, 0x6986, "the reader does not take Visa in express mode");
    }

    #[test]
    fn visa_card_asks_for_signature_above_the_cvm_limit_and_goes_offline_when_allowed() {
        let mut wallet = Wallet::new(Profile::VisaCard, WalletOptions::default()).unwrap();
        let pdol = select(&mut wallet);
        let (gpo_answer, _) = data(gpo(&mut wallet, &pdol, 6000, UN, [0x36, 0xC0, 0x40, 0x00]));
        assert_eq!(find(&gpo_answer, 0x9F6C).unwrap(), vec![0x40, 0x00]);
        assert_eq!(find(&gpo_answer, 0x9F27).unwrap(), vec![0x80]);
        assert!(
            find(&gpo_answer, 0x9F6E).is_none(),
            "plastic has no phone FFI"
        );
        assert!(
            find(&gpo_answer, 0x9F4B).is_none(),
            "no ODA for online asked"
        );
        wallet.field_off();
        let pdol = select(&mut wallet);
        let (gpo_answer, _) = data(gpo(&mut wallet, &pdol, 1000, UN, [0x36, 0x00, 0x40, 0x00]));
        assert_eq!(find(&gpo_answer, 0x9F6C).unwrap(), vec![0x00, 0x00]);
        assert_eq!(find(&gpo_answer, 0x9F27).unwrap(), vec![0x40], "TC offline");
        assert!(find(&gpo_answer, 0x9F4B).is_some(), "TC always signs fDDA");
    }

    #[test]
    fn every_visa_profile_signs_what_the_kernel_verifies() {
        for profile in [Profile::VisaCard, Profile::LeavesField] {
            let mut wallet = Wallet::new(profile, WalletOptions::default()).unwrap();
            wallet.field_off(); // LeavesField only leaves on its first tap.
            let (_, records, _) = visa_tap(&mut wallet, 1000, [0x36, 0x00, 0x40, 0x00]);
            let aid = wallet.aid().to_vec();
            let key = icc_key(&aid, &records, &[0x20, 0x00], &[]).unwrap();
            assert_eq!(key.expiry, [0x11, 0x29], "{profile}");
        }
    }

    #[test]
    fn oda_faults_fail_the_kernels_checks() {
        let mut wallet = Wallet::new(Profile::VisaBadSignature, WalletOptions::default()).unwrap();
        let (gpo, _, fdda) = visa_tap(&mut wallet, 1000, [0x36, 0x00, 0x40, 0x00]);
        assert!(find(&gpo, 0x9F4B).is_some());
        assert!(fdda.is_err(), "corrupted SDAD: {fdda:?}");

        for (fault, what) in [
            (OdaFault::UnknownCaIndex, "unknown CA index"),
            (OdaFault::ExpiredIccCertificate, "expired ICC certificate"),
            (OdaFault::BadSignature, "bad signature"),
        ] {
            let options = WalletOptions {
                oda_fault: Some(fault),
                ..WalletOptions::default()
            };
            let mut wallet = Wallet::new(Profile::VisaCard, options).unwrap();
            let (_, records, fdda) = visa_tap(&mut wallet, 1000, [0x36, 0x00, 0x40, 0x00]);
            assert!(fdda.is_err(), "{what}");
            if fault == OdaFault::UnknownCaIndex {
                assert_eq!(find(&records.all(), 0x8F).unwrap(), vec![UNKNOWN_CA_INDEX]);
            }
        }

        let mut wallet = Wallet::new(Profile::VisaCard, WalletOptions::default()).unwrap();
        let (_, records, fdda) = visa_tap(&mut wallet, 1000, [0x36, 0x00, 0x40, 0x00]);
        assert_eq!(fdda, Ok(()));
        let revoked = emv_kernel::config::RevokedCertificate {
            rid: [0xA0, 0x00, 0x00, 0x00, 0x03],
            index: TEST_CA_INDEX,
            serial: ISSUER_CERTIFICATE_SERIAL,
        };
        let aid = wallet.aid().to_vec();
        assert!(
            icc_key(&aid, &records, &[0x20, 0x00], &[revoked]).is_err(),
            "revoked issuer"
        );
    }

    #[test]
    fn visa_cryptograms_verify_with_the_host_simulator() {
        for profile in [Profile::VisaPhone, Profile::VisaCard] {
            let mut wallet = Wallet::new(profile, WalletOptions::default()).unwrap();
            let pdol = select(&mut wallet);
            let values = dol::build(&dol::parse(&pdol).unwrap(), |t| {
                terminal_value(t, 2500, UN, VISA_TTQ)
            });
            let (gpo, _) = data(wallet.respond(&apdu::get_processing_options(&values)));
            let aid = wallet.aid().to_vec();
            let good = record(&aid, &[(&pdol, &values)], &[&gpo]);
            assert!(host_verifies(good.clone(), "25.00"), "{profile}");
            let mut tampered = good;
            tampered.insert(Tag::new(0x9F37), vec![9, 9, 9, 9]);
            assert!(
                !host_verifies(tampered, "25.00"),
                "{profile}: UN is covered"
            );
        }
    }
}

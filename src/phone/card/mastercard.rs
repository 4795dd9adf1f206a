//! Mastercard M/Chip from the card's side (C-2): GPO gives AIP and AFL, the relay
//! resistance exchange follows, and GENERATE AC returns the cryptogram, CDA-signed when
//! asked, with the phone's on-device CVM in DF4B.
//!
//! American Express ExpressPay (C-4) has the same EMV-mode card side (GPO, records, one
//! GENERATE AC with CDA): its wallets (amex.rs) use this GPO, GENERATE AC and layout with
//! their own identifiers, IAD and Mobile CVM Results.

use std::collections::BTreeMap;

use emv_kernel::cryptogram::Cryptogram;
use emv_kernel::tlv;

use super::command::{Command, DolValues};
use super::personalise;
use super::{
    Application, Gpo, Identity, Layout, OdaFault, Response, SW_CONDITIONS_NOT_SATISFIED,
    SW_INS_NOT_SUPPORTED, SW_WRONG_LENGTH, Wallet, corrupt, cvr_bits, hex_const, ok, pan_bcd, sw,
    tags, token_data, track2,
};
use crate::phone::profiles::{Account, Profile, Scheme};

/// The timings the Mastercard wallets declare for EXCHANGE RELAY RESISTANCE DATA (C-2
/// DF8303, DF8304, DF8305, units of 100 µs): no minimum, at most 10 ms of processing (room
/// for vpcd and pcscd on a busy host), 1.8 ms to send the answer.
const RRP_TIMINGS: [u16; 3] = [0x0000, 0x0064, 0x0012];

/// Mastercard PDOL: terminal country and terminal type.
const MASTERCARD_PDOL: &str = "9F1A029F3501";
/// Mastercard CDOL1 (C-2 brief C): the CVN 16 data plus CVM results and merchant data.
const MASTERCARD_CDOL1: &str = "9F02069F03069F1A0295055F2A029A039C019F37049F35019F45029F4C089F3403";
/// CVM list: amounts X = Y = 0; signature if the terminal supports it, else no CVM.
const MASTERCARD_CVM_LIST: &str = "00000000000000001E031F03";
/// Issuer Action Codes default and online: ODA not performed, ICC data missing, on the
/// exception file, CDA failed; expired; service not allowed; CVM failed, online PIN
/// entered; floor limit exceeded. Denial: nothing (the terminal's TACs decide).
const MASTERCARD_IAC_ONLINE: [u8; 5] = [0xF4, 0x50, 0x84, 0x80, 0x00];
/// Mastercard CDOL2 (kept for completeness: contactless M/Chip has no second GENERATE AC).
const MASTERCARD_CDOL2: &str = "8A0295059F37049F4C08";

impl Wallet {
    /// EMV-mode GPO (C-2 S1, C-4): AIP and AFL, then `extra` (ExpressPay's Mobile CVM
    /// Results); the transaction data comes with GENERATE AC.
    pub(super) fn emv_mode_gpo(&mut self, pdol_values: Vec<u8>, extra: &[u8]) -> Vec<u8> {
        self.session.gpo = Some(Gpo {
            pdol_values,
            card_auth_data: None,
        });
        self.session.relay_resistance = None;
        let mut body = tlv::encoded(tags::AIP, &self.app.aip);
        tlv::encode(tags::AFL, &self.app.afl, &mut body);
        body.extend_from_slice(extra);
        tlv::encoded(tags::FORMAT2, &body)
    }

    /// EXCHANGE RELAY RESISTANCE DATA (C-2 S3.62, SR1.14; Mastercard RRP device guide):
    /// after GPO, answer template 80 with fresh Device Relay Resistance Entropy and the
    /// declared timings, and remember the exchange for the CDA signature.
    pub(super) fn exchange_relay_resistance_data(&mut self, apdu: &Command) -> Response {
        if self.profile.scheme() != Scheme::Mastercard {
            return sw(SW_INS_NOT_SUPPORTED);
        }
        if self.session.gpo.is_none() {
            return sw(SW_CONDITIONS_NOT_SATISFIED);
        }
        let Ok(terminal_entropy) = <[u8; 4]>::try_from(apdu.data) else {
            return sw(SW_WRONG_LENGTH);
        };
        let digest = self.digest(b"RRP", &terminal_entropy);
        let mut answer = digest[..4].to_vec();
        for time in RRP_TIMINGS {
            answer.extend_from_slice(&time.to_be_bytes());
        }
        let mut signed = [0u8; 14];
        signed[..4].copy_from_slice(&terminal_entropy);
        signed[4..].copy_from_slice(&answer);
        if self.options.oda_fault == Some(OdaFault::WrongRelayResistanceData) {
            signed[0] ^= 0xFF;
        }
        self.session.relay_resistance = Some(signed);
        ok(tlv::encoded(tags::RRP_RESPONSE, &answer))
    }

    /// M/Chip and ExpressPay GENERATE AC (Book 3 6.5.5, C-2 and C-4 with CDA per Book 2
    /// 6.6).
    pub(super) fn generate_ac(&mut self, apdu: &Command) -> Response {
        let scheme = self.profile.scheme();
        if !matches!(scheme, Scheme::Mastercard | Scheme::Amex) {
            return sw(SW_INS_NOT_SUPPORTED);
        }
        let Some(gpo) = self.session.gpo.clone() else {
            return sw(SW_CONDITIONS_NOT_SATISFIED);
        };
        let Some(terminal) = DolValues::read(&self.app.cdol1, apdu.data) else {
            return sw(SW_WRONG_LENGTH);
        };
        // P1 b8–b7 = 11 is RFU (Book 3 Table 13); the wallet answers it as a request for an AAC.
        let requested = Cryptogram::from_p1(apdu.p1).unwrap_or(Cryptogram::Aac);
        let cda_requested = apdu.p1 & 0x10 != 0;
        // Express Transit (issue 13): a locked Mastercard phone signs at a transit reader
        // without CDCVM (kormax ECP: Mastercard wants a transit reader and CDA; our DOLs
        // carry no MCC to check).
        let express =
            scheme == Scheme::Mastercard && self.express(crate::reader::ecp::NETWORK_MASTERCARD);
        let cryptogram = self.phone_cryptogram(requested, express);
        // C-2: the phone reports its on-device CVM in DF4B (ExpressPay phones sent 9F71 in
        // the GPO answer instead).
        let pcii =
            (scheme == Scheme::Mastercard && self.profile.is_phone()).then_some(if express {
                [0x00, 0x00, 0x00]
            } else if self.locked {
                [0x00, 0x01, 0x00]
            } else {
                [0x00, 0x10, 0x00]
            });
        self.session.gpo = None;
        let atc = self.atc.to_be_bytes();
        let (cvn, iad) = self.issuer_application_data(cryptogram);
        let Ok(ac) = self.application_cryptogram(cvn, &terminal, &iad) else {
            return sw(SW_CONDITIONS_NOT_SATISFIED);
        };
        let mut body = Vec::new();
        tlv::encode(tags::CID, &[cryptogram.cid()], &mut body);
        tlv::encode(tags::ATC, &atc, &mut body);
        let sign = cda_requested && cryptogram != Cryptogram::Aac;
        if !sign {
            tlv::encode(tags::AC, &ac, &mut body);
        }
        tlv::encode(tags::IAD, &iad, &mut body);
        if let Some(pcii) = pcii {
            tlv::encode(tags::PCII, &pcii, &mut body);
        }
        if sign {
            // Transaction Data Hash Code: PDOL values, CDOL1 values, then the response's
            // objects except 9F4B, in order (Book 2 6.6.1, C-2 brief C).
            let tdhc = personalise::sha1(&[&gpo.pdol_values, apdu.data, &body]);
            let idn = self.digest(b"IDN", &atc);
            let mut dynamic = vec![0x08];
            dynamic.extend_from_slice(&idn[..8]);
            dynamic.push(cryptogram.cid());
            dynamic.extend_from_slice(&ac);
            dynamic.extend_from_slice(&tdhc);
            if let Some(relay) = self.session.relay_resistance {
                // C-2 S910.4.1: the relay resistance data follows the hash code.
                dynamic.extend_from_slice(&relay);
            }
            let Ok(mut sdad) =
                personalise::signed_dynamic_data(&self.icc_key, &dynamic, terminal.get(tags::UN))
            else {
                return sw(SW_CONDITIONS_NOT_SATISFIED);
            };
            if self.bad_signature() {
                corrupt(&mut sdad);
            }
            tlv::encode(tags::SDAD, &sdad, &mut body);
        }
        ok(tlv::encoded(tags::FORMAT2, &body))
    }

    /// The cryptogram a wallet answers GENERATE AC with: a card gives what the terminal asks
    /// for; a locked phone declines and asks its user to unlock for the next tap (C-2 brief
    /// C, C-4 "See phone"); an unlocked phone, verified on the device, goes online.
    fn phone_cryptogram(&mut self, requested: Cryptogram, express: bool) -> Cryptogram {
        if !self.profile.is_phone() {
            requested
        } else if self.locked && !express {
            self.asked_to_unlock = true;
            Cryptogram::Aac
        } else if requested == Cryptogram::Aac {
            Cryptogram::Aac
        } else {
            Cryptogram::Arqc
        }
    }
}

/// Mastercard IAD for CVN 16: DKI, CVN, CVR (6), DAC/IDN (2), counters (8).
pub(super) fn iad(cryptogram: Cryptogram) -> Vec<u8> {
    let mut iad = vec![
        0x01,
        0x10,
        cvr_bits(cryptogram),
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
    ];
    iad.extend_from_slice(&[0u8; 10]);
    iad
}

/// What tells one EMV-mode application from another (M/Chip, ExpressPay).
pub(super) struct EmvModeApplication {
    /// AID, label, PDOL and token identifiers.
    pub(super) id: Identity,
    /// CDOL1 (8C), hex.
    pub(super) cdol1: &'static str,
    /// CDOL2 (8D), hex.
    pub(super) cdol2: &'static str,
    /// CVM list (8E), hex.
    pub(super) cvm_list: &'static str,
    /// Issuer Action Codes default and online (the denial code is zero).
    pub(super) iac_online: [u8; 5],
    /// Application Interchange Profile of the phone and of the card.
    pub(super) aip: ([u8; 2], [u8; 2]),
    /// Application version number (9F08).
    pub(super) version: [u8; 2],
}

/// Mastercard's identifiers. AIP byte 2: EMV mode (b8) and relay resistance protocol
/// supported (b1, C-2 S3.60); the phone adds on-device cardholder verification (byte 1 b2).
const MASTERCARD: EmvModeApplication = EmvModeApplication {
    id: Identity {
        aid: &[0xA0, 0x00, 0x00, 0x00, 0x04, 0x10, 0x10],
        label: b"MASTERCARD",
        pdol: MASTERCARD_PDOL,
        token_requestor: [0x05, 0x00, 0x12, 0x34, 0x56, 0x78],
        par: b"50010013TAPTERMTESTPAR0000002",
    },
    cdol1: MASTERCARD_CDOL1,
    cdol2: MASTERCARD_CDOL2,
    cvm_list: MASTERCARD_CVM_LIST,
    iac_online: MASTERCARD_IAC_ONLINE,
    aip: ([0x1B, 0x81], [0x19, 0x81]),
    version: [0x00, 0x02],
};

/// The Mastercard wallets' layout.
pub(super) fn layout(profile: Profile, account: &Account, issuer_record: Vec<u8>) -> Layout {
    emv_mode_layout(&MASTERCARD, profile, account, issuer_record)
}

/// EMV mode: AFL 08 01 01 00 | 10 01 01 01 | 18 01 02 00 — SFI 1 track data, SFI 2 the
/// signed risk management data (CDOLs, CVM list, IACs, 9F4A = 82), SFI 3 the certificates.
pub(super) fn emv_mode_layout(
    application: &EmvModeApplication,
    profile: Profile,
    account: &Account,
    issuer_record: Vec<u8>,
) -> Layout {
    let aip = if profile.is_phone() {
        application.aip.0
    } else {
        application.aip.1
    };
    let track2 = track2(account);
    let mut track_record = tlv::encoded(tags::TRACK2, &track2);
    if !profile.is_phone() {
        tlv::encode(tags::CARDHOLDER_NAME, b"TEST/TAPTERM", &mut track_record);
    }
    let mut signed = tlv::encoded(tags::PAN, &pan_bcd(account));
    tlv::encode(tags::EXPIRY, &account.expiry, &mut signed);
    tlv::encode(tags::EFFECTIVE, &[0x25, 0x01, 0x01], &mut signed);
    tlv::encode(tags::ISSUER_COUNTRY, &[0x02, 0x50], &mut signed);
    tlv::encode(tags::PSN, &[account.psn], &mut signed);
    tlv::encode(tags::CDOL1, &hex_const(application.cdol1), &mut signed);
    tlv::encode(tags::CDOL2, &hex_const(application.cdol2), &mut signed);
    tlv::encode(
        tags::CVM_LIST,
        &hex_const(application.cvm_list),
        &mut signed,
    );
    tlv::encode(tags::AUC, &[0xFF, 0x00], &mut signed);
    tlv::encode(tags::APP_VERSION, &application.version, &mut signed);
    tlv::encode(tags::IAC_DEFAULT, &application.iac_online, &mut signed);
    tlv::encode(tags::IAC_DENIAL, &[0x00; 5], &mut signed);
    tlv::encode(tags::IAC_ONLINE, &application.iac_online, &mut signed);
    tlv::encode(tags::APP_CURRENCY, &[0x09, 0x78], &mut signed);
    token_data(account, &application.id, &mut signed);
    tlv::encode(tags::SDA_TAG_LIST, &[0x82], &mut signed);
    let mut records = BTreeMap::new();
    records.insert((1, 1), track_record);
    records.insert((2, 1), signed.clone());
    records.insert((3, 1), issuer_record);
    // Static data: the value of SFI 2 record 1, then the AIP (9F4A lists 82).
    let mut static_data = signed;
    static_data.extend_from_slice(&aip);
    Layout {
        app: Application {
            aid: application.id.aid.to_vec(),
            label: application.id.label,
            pdol: hex_const(application.id.pdol),
            cdol1: hex_const(application.cdol1),
            aip,
            afl: vec![
                0x08, 0x01, 0x01, 0x00, 0x10, 0x01, 0x01, 0x01, 0x18, 0x01, 0x02, 0x00,
            ],
            records,
            card_auth_record: None,
            track2,
        },
        static_data,
        icc_record: (3, 2),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::super::*;
    use super::*;
    use emv_kernel::tlv::Tag;
    use emv_kernel::{apdu, oda};

    #[test]
    fn mastercard_card_signs_a_tc_with_cda_over_the_transaction_data() {
        let mut wallet = Wallet::new(Profile::MastercardCard, WalletOptions::default()).unwrap();
        let (records, dol_values, ac) = mastercard_transaction(&mut wallet, 0x50, 1500);
        assert_eq!(find(&ac, 0x9F27).unwrap(), vec![0x40]);
        assert!(
            find(&ac, 0x9F26).is_none(),
            "CDA carries the AC inside 9F4B"
        );
        let signed = cda(&wallet, &records, &dol_values, &ac);
        assert_eq!((signed.cid, signed.idn.len()), (0x40, 8));
        let mut wallet = Wallet::new(Profile::MastercardCard, WalletOptions::default()).unwrap();
        let (_, _, ac) = mastercard_transaction(&mut wallet, 0x90, 1500);
        assert_eq!(find(&ac, 0x9F27).unwrap(), vec![0x80]);
        let mut wallet = Wallet::new(Profile::MastercardCard, WalletOptions::default()).unwrap();
        let (_, _, ac) = mastercard_transaction(&mut wallet, 0x80, 1500);
        assert!(find(&ac, 0x9F26).is_some(), "no CDA asked: plain AC");
        let options = WalletOptions {
            oda_fault: Some(OdaFault::BadSignature),
            ..WalletOptions::default()
        };
        let mut wallet = Wallet::new(Profile::MastercardCard, options).unwrap();
        let (records, dol_values, ac) = mastercard_transaction(&mut wallet, 0x90, 1500);
        let key = icc_key(wallet.aid(), &records, &wallet.app.aip, &[]).unwrap();
        let hashed = oda::cda_hash_input(&dol_values[..3], &[&dol_values[3..]], &ac).unwrap();
        let sdad = find(&ac, 0x9F4B).unwrap();
        assert!(oda::verify_cda(&key, &sdad, &UN, 0x80, &hashed).is_err());
    }

    #[test]
    fn mastercard_wallets_answer_relay_resistance_after_gpo_only() {
        let errd = apdu::exchange_relay_resistance_data([1, 2, 3, 4]);
        let mut wallet = Wallet::new(Profile::MastercardPhone, WalletOptions::default()).unwrap();
        let pdol = select(&mut wallet);
        assert_eq!(data(wallet.respond(&errd)).1, 0x6985, "before GPO");
        let (gpo_answer, sw) = data(gpo(&mut wallet, &pdol, 1000, UN, [0; 4]));
        assert_eq!(sw, 0x9000);
        assert_eq!(find(&gpo_answer, 0x82).unwrap()[1] & 0x01, 0x01, "AIP: RRP");
        let (answer, sw) = data(wallet.respond(&errd));
        assert_eq!(sw, 0x9000);
        let rrp = emv_kernel::kernel2::relay_resistance::DeviceRrpData::parse(&answer).unwrap();
        assert_eq!(
            (
                rrp.min_processing_time,
                rrp.max_processing_time,
                rrp.estimated_rapdu
            ),
            (0, 100, 18)
        );
        let (again, _) = data(wallet.respond(&apdu::exchange_relay_resistance_data([5; 4])));
        assert_ne!(
            again[2..6],
            answer[2..6],
            "fresh device entropy per exchange"
        );
        let short = [0x80, 0xEA, 0x00, 0x00, 0x02, 0x01, 0x02, 0x00];
        assert_eq!(data(wallet.respond(&short)).1, 0x6700);
        let mut visa = Wallet::new(Profile::VisaPhone, WalletOptions::default()).unwrap();
        assert_eq!(data(visa.respond(&errd)).1, 0x6D00);
    }

    #[test]
    fn locked_mastercard_phone_declines_with_cdcvm_missing_then_goes_online() {
        let options = WalletOptions {
            locked: true,
            ..WalletOptions::default()
        };
        let mut wallet = Wallet::new(Profile::MastercardPhone, options).unwrap();
        let (records, _, ac) = mastercard_transaction(&mut wallet, 0x90, 6000);
        assert_eq!(find(&records.all(), 0x9F24).unwrap().len(), 29);
        assert_eq!(find(&ac, 0x9F27).unwrap(), vec![0x00]);
        assert_eq!(find(&ac, 0xDF4B).unwrap(), vec![0x00, 0x01, 0x00]);
        wallet.field_off();
        let (records, dol_values, ac) = mastercard_transaction(&mut wallet, 0x90, 6000);
        assert_eq!(find(&ac, 0x9F27).unwrap(), vec![0x80]);
        assert_eq!(find(&ac, 0xDF4B).unwrap(), vec![0x00, 0x10, 0x00]);
        assert_eq!(cda(&wallet, &records, &dol_values, &ac).cid, 0x80);
    }

    #[test]
    fn emv_mode_cryptograms_verify_with_the_host_simulator() {
        // M/Chip CVN 16 and ExpressPay CVN 01 (amex.rs), each over the ATC among the data.
        for (profile, p1) in [
            (Profile::MastercardPhone, 0x90),
            (Profile::MastercardCard, 0x50),
            (Profile::AmexPhone, 0x90),
            (Profile::AmexCard, 0x90),
        ] {
            let mut wallet = Wallet::new(profile, WalletOptions::default()).unwrap();
            let (records, dol_values, ac) = mastercard_transaction(&mut wallet, p1, 2500);
            let mut rec = emv_mode_record(&wallet, &records, &dol_values, &ac);
            assert!(host_verifies(rec.clone(), "25.00"), "{profile}");
            rec.insert(Tag::new(0x9F36), vec![0x7F, 0x7F]);
            assert!(
                !host_verifies(rec, "25.00"),
                "{profile}: the ATC is covered"
            );
        }
    }
}

//! American Express ExpressPay from the card's side (C-4, K4 contract): the EMV-mode card of
//! mastercard.rs (GPO with AIP and AFL, records, one GENERATE AC with CDA) with Amex's AIDs,
//! its IAD (CVN 01) and, on the phone, Mobile CVM Results (9F71) in the GPO answer.

use emv_kernel::cryptogram::Cryptogram;
use emv_kernel::tlv;

use super::command::DolValues;
use super::mastercard::{EmvModeApplication, emv_mode_layout};
use super::{Identity, Layout, Wallet, cvr_bits, tags};
use crate::phone::profiles::{Account, Profile};

/// PDOL of both recorded ExpressPay taps (binaryfoo/emv-bertlv): Terminal Type, whose high
/// bits carry the reader's contactless capabilities and b4 "CVM required" (K4 contract).
const AMEX_PDOL: &str = "9F3501";
/// CDOL1: the Book 2 8.1.1 data the cryptogram covers, then Terminal Type, CVM Results and
/// the Enhanced Contactless Reader Capabilities (DECIDED: real CDOLs vary; the recorded
/// phone's asks only for the UN, which would leave the host nothing to verify).
const AMEX_CDOL1: &str = "9F02069F03069F1A0295055F2A029A039C019F37049F35019F34039F6E04";
/// CDOL2 (kept for the record layout: contactless ExpressPay has one GENERATE AC).
const AMEX_CDOL2: &str = "8A0295059F3704";
/// CVM list: amounts X = Y = 0; signature if the terminal supports it, else no CVM.
const AMEX_CVM_LIST: &str = "00000000000000001E031F03";
/// Issuer Action Codes default and online (as the recorded card's 9F0F, F078FCF800).
const AMEX_IAC_ONLINE: [u8; 5] = [0xF0, 0x78, 0xFC, 0xF8, 0x00];

/// The phone's token, A000000025010901 as the recorded mobile profile (AIP 1940: CDA).
const AMEX_PHONE: EmvModeApplication = EmvModeApplication {
    id: Identity {
        aid: &[0xA0, 0x00, 0x00, 0x00, 0x25, 0x01, 0x09, 0x01],
        label: b"AMERICAN EXPRESS",
        pdol: AMEX_PDOL,
        token_requestor: [0x07, 0x00, 0x12, 0x34, 0x56, 0x78],
        par: b"A0010013TAPTERMTESTPAR0000004",
    },
    cdol1: AMEX_CDOL1,
    cdol2: AMEX_CDOL2,
    cvm_list: AMEX_CVM_LIST,
    iac_online: AMEX_IAC_ONLINE,
    aip: ([0x19, 0x40], [0x19, 0x40]),
    version: [0x00, 0x01],
};

/// The plastic card, A000000025010403 as the recorded card (AIP 5D80: SDA, CDA).
const AMEX_CARD: EmvModeApplication = EmvModeApplication {
    id: Identity {
        aid: &[0xA0, 0x00, 0x00, 0x00, 0x25, 0x01, 0x04, 0x03],
        token_requestor: [0; 6],
        par: b"",
        ..AMEX_PHONE.id
    },
    aip: ([0x5D, 0x80], [0x5D, 0x80]),
    ..AMEX_PHONE
};

impl Wallet {
    /// ExpressPay GPO (C-4): AIP and AFL; a phone adds its Mobile CVM Results.
    pub(super) fn amex_gpo(&mut self, terminal: &DolValues, pdol_values: Vec<u8>) -> Vec<u8> {
        let mut extra = Vec::new();
        if self.profile.is_phone() {
            let results = self.mobile_cvm_results(terminal);
            tlv::encode(tags::MOBILE_CVM_RESULTS, &results, &mut extra);
        }
        self.emv_mode_gpo(pdol_values, &extra)
    }

    /// Mobile CVM Results (9F71, K4 contract after binaryfoo's Expresspay table): byte 1 `01`
    /// Mobile CVM performed or `3F` none, byte 2 `03` when the terminal required a CVM
    /// (9F35 b4) else `00`, byte 3 `02` successful or `01` failed. An unlocked phone has
    /// verified its user (fingerprint, face) before the tap; a locked one has not.
    fn mobile_cvm_results(&self, terminal: &DolValues) -> [u8; 3] {
        let required = terminal.get_array::<1>(tags::TERMINAL_TYPE)[0] & 0x08 != 0;
        let condition = if required { 0x03 } else { 0x00 };
        if self.locked {
            [0x3F, condition, 0x01]
        } else {
            [0x01, condition, 0x02]
        }
    }
}

/// ExpressPay IAD, CVN 01: length 06, DKI (01 card, 02 phone, as the two recordings),
/// CVN, CVR (its length 03 first).
pub(super) fn iad(cryptogram: Cryptogram, phone: bool) -> Vec<u8> {
    let dki = if phone { 0x02 } else { 0x01 };
    vec![0x06, dki, 0x01, 0x03, cvr_bits(cryptogram), 0x00, 0x00]
}

/// The American Express wallets' layout (that of mastercard.rs with Amex's identifiers).
pub(super) fn layout(profile: Profile, account: &Account, issuer_record: Vec<u8>) -> Layout {
    let application = if profile.is_phone() {
        &AMEX_PHONE
    } else {
        &AMEX_CARD
    };
    emv_mode_layout(application, profile, account, issuer_record)
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::super::*;

    #[test]
    fn amex_phone_reports_mobile_cvm_and_signs_an_arqc_with_cda() {
        let mut wallet = Wallet::new(Profile::AmexPhone, WalletOptions::default()).unwrap();
        assert_eq!(wallet.aid(), hex::decode("A000000025010901").unwrap());
        let pdol = select(&mut wallet);
        assert_eq!(pdol, vec![0x9F, 0x35, 0x01]);
        let (gpo, sw) = data(gpo(&mut wallet, &pdol, 2500, UN, [0; 4]));
        assert_eq!(sw, 0x9000);
        assert_eq!(
            find(&gpo, 0x9F71).unwrap(),
            vec![0x01, 0x00, 0x02],
            "CDCVM performed and successful, CVM not required (9F35 22)"
        );
        wallet.field_off();
        let (records, dol_values, ac) = mastercard_transaction(&mut wallet, 0x90, 2500);
        assert_eq!(find(&ac, 0x9F27).unwrap(), vec![0x80], "ARQC");
        assert!(find(&ac, 0x9F26).is_none(), "CDA carries the AC");
        assert_eq!(
            find(&ac, 0x9F10).unwrap(),
            hex::decode("06020103200000").unwrap()
        );
        let signed = cda(&wallet, &records, &dol_values, &ac);
        assert_eq!(signed.cid, 0x80);
        let all = records.all();
        assert_eq!(
            find(&all, 0x5A).unwrap(),
            hex::decode("374245000000017F").unwrap()
        );
        assert_eq!(
            find(&all, 0x9F24).unwrap(),
            b"A0010013TAPTERMTESTPAR0000004"
        );
    }

    #[test]
    fn locked_amex_phone_declines_without_mobile_cvm_then_goes_online() {
        let options = WalletOptions {
            locked: true,
            ..WalletOptions::default()
        };
        let mut wallet = Wallet::new(Profile::AmexPhone, options).unwrap();
        let pdol = select(&mut wallet);
        let (gpo, _) = data(gpo(&mut wallet, &pdol, 2500, UN, [0; 4]));
        assert_eq!(find(&gpo, 0x9F71).unwrap(), vec![0x3F, 0x00, 0x01]);
        wallet.field_off();
        let options = WalletOptions {
            locked: true,
            ..WalletOptions::default()
        };
        let mut wallet = Wallet::new(Profile::AmexPhone, options).unwrap();
        let (_, _, ac) = mastercard_transaction(&mut wallet, 0x90, 2500);
        assert_eq!(find(&ac, 0x9F27).unwrap(), vec![0x00], "AAC: See phone");
        assert!(wallet.is_locked());
        wallet.field_off();
        assert!(!wallet.is_locked());
        let (_, _, ac) = mastercard_transaction(&mut wallet, 0x90, 2500);
        assert_eq!(find(&ac, 0x9F27).unwrap(), vec![0x80]);
    }

    #[test]
    fn amex_card_gives_the_cryptogram_asked_for() {
        let mut wallet = Wallet::new(Profile::AmexCard, WalletOptions::default()).unwrap();
        let (records, dol_values, ac) = mastercard_transaction(&mut wallet, 0x50, 1500);
        assert_eq!(find(&ac, 0x9F27).unwrap(), vec![0x40], "TC");
        assert_eq!(cda(&wallet, &records, &dol_values, &ac).cid, 0x40);
        let mut wallet = Wallet::new(Profile::AmexCard, WalletOptions::default()).unwrap();
        let pdol = select(&mut wallet);
        let (gpo, _) = data(gpo(&mut wallet, &pdol, 1500, UN, [0; 4]));
        assert!(find(&gpo, 0x9F71).is_none(), "plastic has no Mobile CVM");
    }
}

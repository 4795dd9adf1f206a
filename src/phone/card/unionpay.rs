//! UnionPay qUICS from the card's side (C-7, K7 contract): the qVSDC-style GPO of visa.rs
//! with UnionPay's AIDs, a PDOL that also asks for the Electronic Cash Terminal Support
//! Indicator (9F7A), the UICS Issuer Application Data (CVN 01) and, on the plastic card, an
//! e-cash balance for GET DATA 9F79 (answered in card/mod.rs from the profile).

use emv_kernel::cryptogram::Cryptogram;

use super::visa::{QuickApplication, quick_layout};
use super::{Identity, Layout, cvr_bits};
use crate::phone::profiles::{Account, Profile};

/// qUICS PDOL (K7 contract): TTQ, amounts, country, TVR, currency, date, type, UN, and the
/// Electronic Cash Terminal Support Indicator.
const UNIONPAY_PDOL: &str = "9F66049F02069F03069F1A0295055F2A029A039C019F37049F7A01";

/// The phone's token: the credit application A000000333010102, as Mi Pay's tokenised
/// credit cards present (DECIDED: which of the four AIDs a token uses is not public).
const UNIONPAY_PHONE: QuickApplication = QuickApplication {
    id: Identity {
        aid: &[0xA0, 0x00, 0x00, 0x03, 0x33, 0x01, 0x01, 0x02],
        label: b"UnionPay Credit",
        pdol: UNIONPAY_PDOL,
        token_requestor: [0x06, 0x00, 0x12, 0x34, 0x56, 0x78],
        par: b"U0010013TAPTERMTESTPAR0000003",
    },
    country: [0x01, 0x56],
};

/// The plastic card: electronic cash on a debit account, A000000333010106, the application
/// whose shipped combination says the terminal supports e-cash (9F7A = 01), so Kernel 7
/// reads its balance.
const UNIONPAY_CARD: QuickApplication = QuickApplication {
    id: Identity {
        aid: &[0xA0, 0x00, 0x00, 0x03, 0x33, 0x01, 0x01, 0x06],
        label: b"UnionPay e-cash",
        token_requestor: [0; 6],
        par: b"",
        ..UNIONPAY_PHONE.id
    },
    ..UNIONPAY_PHONE
};

/// UICS Issuer Application Data, CVN 01: length 07, DKI, CVN, CVR (its length 03 first),
/// then the 12 bytes public UnionPay POS logs show after it (`01 0A 01 …`; DECIDED: zeros
/// where those logs vary, as their meaning is not public).
pub(super) fn iad(cryptogram: Cryptogram) -> Vec<u8> {
    let mut iad = vec![0x07, 0x01, 0x01, 0x03, cvr_bits(cryptogram), 0x00, 0x00];
    iad.extend_from_slice(&[0x01, 0x0A, 0x01]);
    iad.extend_from_slice(&[0x00; 9]);
    iad
}

/// The UnionPay wallets' layout (that of visa.rs with UnionPay's identifiers).
pub(super) fn layout(profile: Profile, account: &Account, issuer_record: Vec<u8>) -> Layout {
    let application = if profile.is_phone() {
        &UNIONPAY_PHONE
    } else {
        &UNIONPAY_CARD
    };
    quick_layout(application, account, issuer_record)
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::super::*;
    use emv_kernel::tlv::Tag;

    /// K7 contract TTQ after pre-processing: qUICS, signature, CDCVM, fDDA v01, online
    /// cryptogram required.
    const K7_TTQ: [u8; 4] = [0x22, 0x80, 0x40, 0x80];

    /// GET DATA e-cash balance (K7 contract: `80CA9F7900`).
    const GET_DATA_9F79: [u8; 5] = [0x80, 0xCA, 0x9F, 0x79, 0x00];

    #[test]
    fn unionpay_phone_answers_quics_online_with_token_data_cdcvm_and_fdda() {
        let mut wallet = Wallet::new(Profile::UnionPayPhone, WalletOptions::default()).unwrap();
        let pdol = select(&mut wallet);
        assert!(
            pdol.ends_with(&[0x9F, 0x7A, 0x01]),
            "PDOL asks for 9F7A (K7)"
        );
        assert_eq!(wallet.aid(), hex::decode("A000000333010102").unwrap());
        wallet.field_off();
        // TTQ byte 1 b1 set: the terminal asks for ODA on online transactions (fDDA).
        let (_, gpo, records, fdda) = quick_tap(&mut wallet, 2500, [0x23, 0x80, 0x40, 0x80]);
        assert_eq!(find(&gpo, 0x9F27).unwrap(), vec![0x80], "ARQC");
        assert_eq!(find(&gpo, 0x9F6C).unwrap(), vec![0x00, 0x80], "CDCVM done");
        let iad = find(&gpo, 0x9F10).unwrap();
        assert_eq!((iad.len(), &iad[..4]), (19, &[0x07, 0x01, 0x01, 0x03][..]));
        assert_eq!(iad[4], 0x20, "CVR: ARQC in the first GENERATE AC");
        let records = records.all();
        assert_eq!(
            find(&records, 0x5A).unwrap(),
            hex::decode("6250947000000014").unwrap()
        );
        assert_eq!(
            find(&records, 0x9F24).unwrap(),
            b"U0010013TAPTERMTESTPAR0000003"
        );
        let cad = find(&records, 0x9F69).unwrap();
        assert_eq!(
            (cad[0], &cad[5..7]),
            (0x01, &[0x00, 0x80][..]),
            "9F69 v01 + CTQ"
        );
        assert_eq!(
            fdda,
            Ok(()),
            "the kernel's ODA accepts the fDDA under CA 54"
        );
        assert_eq!(
            data(wallet.respond(&GET_DATA_9F79)).1,
            0x6A88,
            "no e-cash on the token"
        );
    }

    #[test]
    fn locked_unionpay_phone_says_see_phone_then_pays_on_the_next_tap() {
        let options = WalletOptions {
            locked: true,
            ..WalletOptions::default()
        };
        let mut wallet = Wallet::new(Profile::UnionPayPhone, options).unwrap();
        let pdol = select(&mut wallet);
        let (_, sw) = data(gpo(&mut wallet, &pdol, 2500, UN, K7_TTQ));
        assert_eq!(sw, 0x6986, "K7: 6986 → See phone");
        wallet.field_off();
        let (_, gpo, _, _) = quick_tap(&mut wallet, 2500, K7_TTQ);
        assert_eq!(find(&gpo, 0x9F27).unwrap(), vec![0x80]);
    }

    #[test]
    fn unionpay_card_signs_fdda_for_a_tc_and_holds_an_ecash_balance() {
        let mut wallet = Wallet::new(Profile::UnionPayCard, WalletOptions::default()).unwrap();
        // No online cryptogram required, 10.00: the card approves offline with fDDA.
        let (_, gpo, records, fdda) = quick_tap(&mut wallet, 1000, [0x22, 0x00, 0x40, 0x80]);
        assert_eq!(find(&gpo, 0x9F27).unwrap(), vec![0x40], "TC");
        assert_eq!(fdda, Ok(()));
        assert_eq!(
            find(&records.all(), 0x5A).unwrap(),
            hex::decode("6214839900000000124F").unwrap(),
            "19-digit PAN, F-padded"
        );
        let (balance, sw) = data(wallet.respond(&GET_DATA_9F79));
        assert_eq!(sw, 0x9000);
        assert_eq!(balance, hex::decode("9F7906000000012345").unwrap());
        wallet.field_off();
        let (_, gpo, _, _) = quick_tap(&mut wallet, 6000, [0x22, 0xC0, 0x40, 0x80]);
        assert_eq!(find(&gpo, 0x9F6C).unwrap(), vec![0x40, 0x00], "signature");
    }

    #[test]
    fn unionpay_cryptograms_verify_with_the_host_simulator() {
        for profile in [Profile::UnionPayPhone, Profile::UnionPayCard] {
            let mut wallet = Wallet::new(profile, WalletOptions::default()).unwrap();
            let pdol = select(&mut wallet);
            wallet.field_off();
            let (values, gpo, _, _) = quick_tap(&mut wallet, 2500, K7_TTQ);
            let aid = wallet.aid().to_vec();
            let good = record(&aid, &[(&pdol, &values)], &[&gpo]);
            assert!(host_verifies(good.clone(), "25.00"), "{profile}");
            let mut tampered = good;
            tampered.insert(
                Tag::new(0x9F02),
                emv_kernel::config::amount_bcd(2600).to_vec(),
            );
            assert!(
                !host_verifies(tampered, "26.00"),
                "{profile}: the amount is covered"
            );
        }
    }
}

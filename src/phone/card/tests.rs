//! Test support shared by the schemes' tests (selection, GPO, records, ODA and host checks),
//! and the tests of what every wallet shares.

use super::*;
use emv_kernel::apdu;
use emv_kernel::dol;
use emv_kernel::oda;
use emv_kernel::tlv::{Tag, Tlv};

/// What a terminal would answer to each DOL tag in these tests.
pub(super) fn terminal_value(tag: Tag, amount: u64, un: [u8; 4], ttq: [u8; 4]) -> Option<Vec<u8>> {
    Some(match tag.value() {
        0x9F66 => ttq.to_vec(),
        0x9F02 => emv_kernel::config::amount_bcd(amount).to_vec(),
        0x9F03 => vec![0; 6],
        0x9F1A | 0x5F2A => vec![0x09, 0x78],
        0x95 => vec![0; 5],
        0x9A => vec![0x26, 0x11, 0x26],
        0x9C => vec![0x00],
        0x9F37 => un.to_vec(),
        0x9F35 => vec![0x22],
        _ => return None,
    })
}

pub(super) fn data(response: Response) -> (Vec<u8>, u16) {
    let Response::Data(raw) = response else {
        panic!("wallet left the field")
    };
    let r = apdu::Response::parse(&raw).unwrap();
    (r.data.to_vec(), r.sw)
}

pub(super) fn find(data: &[u8], tag: u32) -> Option<Vec<u8>> {
    tlv::find(data, Tag::new(tag))
        .unwrap()
        .map(|t: Tlv<'_>| t.value.to_vec())
}

/// Selects the PPSE and the wallet's application; returns the PDOL.
pub(super) fn select(wallet: &mut Wallet) -> Vec<u8> {
    let (ppse, sw) = data(wallet.respond(&apdu::select(apdu::PPSE_NAME)));
    assert_eq!(sw, 0x9000);
    let aid = find(&ppse, 0x4F).unwrap();
    let (fci, sw) = data(wallet.respond(&apdu::select(&aid)));
    assert_eq!(sw, 0x9000);
    assert_eq!(find(&fci, 0x84).unwrap(), aid);
    find(&fci, 0x9F38).unwrap_or_default()
}

pub(super) fn gpo(
    wallet: &mut Wallet,
    pdol: &[u8],
    amount: u64,
    un: [u8; 4],
    ttq: [u8; 4],
) -> Response {
    let entries = dol::parse(pdol).unwrap();
    let values = dol::build(&entries, |tag| terminal_value(tag, amount, un, ttq));
    wallet.respond(&apdu::get_processing_options(&values))
}

/// The records the AFL names, read in order: (SFI, raw record, signed for ODA).
pub(super) struct Records(pub(super) Vec<(u8, Vec<u8>, bool)>);

impl Records {
    pub(super) fn all(&self) -> Vec<u8> {
        self.0.iter().flat_map(|(_, r, _)| r.clone()).collect()
    }

    pub(super) fn tags(&self) -> emv_kernel::config::TagMap {
        let all = self.all();
        let mut map = emv_kernel::config::TagMap::new();
        for rec in tlv::parse(&all).unwrap() {
            for t in rec.children() {
                let t = t.unwrap();
                map.insert(t.tag, t.value.to_vec());
            }
        }
        map
    }
}

pub(super) fn read_records(wallet: &mut Wallet, afl: &[u8]) -> Records {
    let mut out = Vec::new();
    for entry in afl.chunks(4) {
        for record in entry[1]..=entry[2] {
            let (rec, sw) = data(wallet.respond(&apdu::read_record(entry[0] >> 3, record)));
            assert_eq!(sw, 0x9000);
            tlv::validate(&rec).unwrap();
            out.push((entry[0] >> 3, rec, record < entry[1] + entry[3]));
        }
    }
    Records(out)
}

pub(super) const TODAY: emv_kernel::config::Date = emv_kernel::config::Date {
    year: 2026,
    month: 11,
    day: 26,
};

/// Recovers the ICC public key with the kernel's ODA (Book 2 6.3–6.4) against the
/// shipped test CAPKs.
pub(super) fn icc_key(
    aid: &[u8],
    records: &Records,
    aip: &[u8],
    revoked: &[emv_kernel::config::RevokedCertificate],
) -> Result<oda::IccPublicKey, oda::OdaError> {
    let tags = records.tags();
    let signed: Vec<(u8, &[u8])> = records
        .0
        .iter()
        .filter(|(_, _, oda)| *oda)
        .map(|(sfi, r, _)| (*sfi, r.as_slice()))
        .collect();
    let static_data = oda::static_data_from_records(
        &signed,
        Some(aip),
        tags.get(&Tag::new(0x9F4A)).map(Vec::as_slice),
    )?;
    let capks = personalise::test_capks().unwrap();
    let input = oda::OdaInput::from_tags(aid, &tags, &static_data);
    oda::recover_icc_key(&input, &capks, revoked, TODAY)
}

/// Runs a Visa tap up to the records; returns (GPO answer, records, fDDA verdict).
pub(super) const VISA_TTQ: [u8; 4] = [0x37, 0x00, 0x40, 0x00];
pub(super) const UN: [u8; 4] = [0x1A, 0x2B, 0x3C, 0x4D];

/// The data record a kernel would send: the DOL values and every primitive object the
/// card returned, plus the AID.
pub(super) fn record(
    aid: &[u8],
    dol_data: &[(&[u8], &[u8])],
    answers: &[&[u8]],
) -> emv_kernel::config::TagMap {
    let mut record = emv_kernel::config::TagMap::new();
    record.insert(Tag::new(0x4F), aid.to_vec());
    for (dol, values) in dol_data {
        let entries = dol::parse(dol).unwrap();
        let mut pos = 0;
        for e in entries {
            record.insert(e.tag, values[pos..pos + e.length].to_vec());
            pos += e.length;
        }
    }
    fn walk(data: &[u8], record: &mut emv_kernel::config::TagMap) {
        for t in tlv::parse(data).unwrap() {
            if t.is_constructed() {
                walk(t.value, record);
            } else {
                record.insert(t.tag, t.value.to_vec());
            }
        }
    }
    for answer in answers {
        walk(answer, &mut record);
    }
    record
}

pub(super) fn host_verifies(record: emv_kernel::config::TagMap, amount: &str) -> bool {
    let host = crate::host::Host::with_defaults().unwrap();
    let response = host.decide(&crate::host::AuthorisationRequest {
        record,
        amount: amount.parse().unwrap(),
        currency: 978,
        terminal: Default::default(),
        refund: false,
    });
    response.cryptogram_verified
}

/// The total length of the values a DOL asks for (Book 3 5.4).
pub(super) fn dol_length(dol_bytes: &[u8]) -> usize {
    dol::parse(dol_bytes)
        .unwrap()
        .iter()
        .map(|e| e.length)
        .sum()
}

/// An EMV-mode tap (M/Chip, ExpressPay) through GENERATE AC with `p1`: (records, PDOL
/// values ‖ CDOL1 values, GENERATE AC answer).
pub(super) fn mastercard_transaction(
    wallet: &mut Wallet,
    p1: u8,
    amount: u64,
) -> (Records, Vec<u8>, Vec<u8>) {
    let pdol = select(wallet);
    let pdol_values = dol::build(&dol::parse(&pdol).unwrap(), |t| {
        terminal_value(t, amount, UN, [0; 4])
    });
    let (gpo_answer, sw) = data(wallet.respond(&apdu::get_processing_options(&pdol_values)));
    assert_eq!(sw, 0x9000);
    let records = read_records(wallet, &find(&gpo_answer, 0x94).unwrap());
    let cdol1 = find(&records.all(), 0x8C).unwrap();
    let cdol_values = dol::build(&dol::parse(&cdol1).unwrap(), |t| {
        terminal_value(t, amount, UN, [0; 4])
    });
    let (ac, sw) = data(wallet.respond(&apdu::generate_ac(p1, &cdol_values)));
    assert_eq!(sw, 0x9000);
    tlv::validate(&ac).unwrap();
    (records, [pdol_values, cdol_values].concat(), ac)
}

/// Verifies the GENERATE AC answer's CDA with the kernel's ODA.
pub(super) fn cda(
    wallet: &Wallet,
    records: &Records,
    dol_values: &[u8],
    ac: &[u8],
) -> oda::CdaData {
    let key = icc_key(wallet.aid(), records, &wallet.app.aip, &[]).unwrap();
    let pdol_len = dol_length(&wallet.app.pdol);
    let (pdol_values, cdol_values) = dol_values.split_at(pdol_len);
    let hashed = oda::cda_hash_input(pdol_values, &[cdol_values], ac).unwrap();
    let cid = find(ac, 0x9F27).unwrap()[0];
    oda::verify_cda(&key, &find(ac, 0x9F4B).unwrap(), &UN, cid, &hashed).unwrap()
}

/// A qVSDC / qUICS tap up to the records with `terminal_value`'s data: (PDOL values, GPO
/// answer, records, the kernel's fDDA verdict on them).
pub(super) fn quick_tap(
    wallet: &mut Wallet,
    amount: u64,
    ttq: [u8; 4],
) -> (Vec<u8>, Vec<u8>, Records, Result<(), oda::OdaError>) {
    let pdol = select(wallet);
    let values = dol::build(&dol::parse(&pdol).unwrap(), |t| {
        terminal_value(t, amount, UN, ttq)
    });
    let (gpo_answer, sw) = data(wallet.respond(&apdu::get_processing_options(&values)));
    assert_eq!(sw, 0x9000);
    let records = read_records(wallet, &find(&gpo_answer, 0x94).unwrap());
    let aid = wallet.aid().to_vec();
    let verdict = icc_key(&aid, &records, &find(&gpo_answer, 0x82).unwrap(), &[]).and_then(|key| {
        oda::verify_fdda(
            &key,
            &find(&gpo_answer, 0x9F4B).unwrap_or_default(),
            &UN,
            &emv_kernel::config::amount_bcd(amount),
            &[0x09, 0x78],
            &find(&records.all(), 0x9F69).unwrap_or_default(),
            &find(&gpo_answer, 0x9F36).unwrap(),
        )
    });
    (values, gpo_answer, records, verdict)
}

/// The data record an EMV-mode kernel sends the host after `mastercard_transaction`: DOL
/// values, records, the GENERATE AC answer, the AIP and the AC recovered from CDA.
pub(super) fn emv_mode_record(
    wallet: &Wallet,
    records: &Records,
    dol_values: &[u8],
    ac: &[u8],
) -> emv_kernel::config::TagMap {
    let signed = cda(wallet, records, dol_values, ac);
    let records = records.all();
    let cdol1 = find(&records, 0x8C).unwrap();
    let pdol_len = dol_length(&wallet.app.pdol);
    let (pdol_values, cdol_values) = dol_values.split_at(pdol_len);
    let mut rec = record(
        wallet.aid(),
        &[(&wallet.app.pdol, pdol_values), (&cdol1, cdol_values)],
        &[&records, ac],
    );
    rec.insert(Tag::new(0x82), wallet.app.aip.to_vec());
    rec.insert(Tag::new(0x9F26), signed.ac.to_vec());
    rec
}

#[test]
fn faulty_profiles_misbehave_as_named() {
    let mut wallet = Wallet::new(Profile::MalformedTlv, WalletOptions::default()).unwrap();
    let pdol = select(&mut wallet);
    let (gpo_answer, sw) = data(gpo(&mut wallet, &pdol, 1000, UN, VISA_TTQ));
    assert_eq!(sw, 0x9000);
    assert!(tlv::validate(&gpo_answer).is_err());

    let mut wallet = Wallet::new(Profile::NoMatchingAid, WalletOptions::default()).unwrap();
    let (ppse, _) = data(wallet.respond(&apdu::select(apdu::PPSE_NAME)));
    assert_eq!(
        find(&ppse, 0x4F).unwrap(),
        hex::decode("A0000009991010").unwrap()
    );
    let (_, sw) = data(wallet.respond(&apdu::select(&hex::decode("A0000000031010").unwrap())));
    assert_eq!(sw, 0x6A82);
}

#[test]
fn rejects_out_of_order_and_malformed_commands() {
    let mut wallet = Wallet::new(Profile::MastercardCard, WalletOptions::default()).unwrap();
    assert_eq!(
        data(wallet.respond(&apdu::get_processing_options(&[]))).1,
        0x6985
    );
    let pdol = select(&mut wallet);
    assert!(!pdol.is_empty());
    assert_eq!(
        data(wallet.respond(&apdu::get_processing_options(&[1]))).1,
        0x6700
    );
    assert_eq!(
        data(wallet.respond(&apdu::generate_ac(0x80, &[]))).1,
        0x6985
    );
    assert_eq!(data(wallet.respond(&apdu::read_record(5, 9))).1, 0x6A83);
    assert_eq!(data(wallet.respond(&[0x00, 0xA4])).1, 0x6700);
    assert_eq!(
        data(wallet.respond(&[0x00, 0xA4, 0x04, 0x00, 0x09, 0x01])).1,
        0x6700
    );
    assert_eq!(data(wallet.respond(&[0x84, 0x1E, 0x00, 0x00])).1, 0x6E00);
}

/// Arbitrary commands, in and out of order, never panic and always get a status word.
#[test]
fn survives_arbitrary_commands() {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for profile in Profile::ALL {
        let mut wallet = Wallet::new(profile, WalletOptions::default()).unwrap();
        for i in 0..3000 {
            if i % 50 == 0 {
                wallet.field_off();
                wallet.respond(&apdu::select(wallet.aid()));
            }
            let len = (next() % 40) as usize;
            let mut command: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if let Some(first) = command.first_mut() {
                *first = [0x00, 0x80, 0xFF, *first][(next() % 4) as usize];
            }
            if let Some(ins) = command.get_mut(1) {
                *ins = [0xA4, 0xA8, 0xB2, 0xAE, 0xCA, *ins][(next() % 6) as usize];
            }
            match wallet.respond(&command) {
                Response::Data(data) => assert!(data.len() >= 2, "{profile}: {command:02X?}"),
                Response::LeaveField => assert_eq!(profile, Profile::LeavesField),
            }
        }
        // Well-formed commands carrying arbitrary DOL values (amounts with bad BCD,
        // any TTQ, any P1) reach the cryptogram and signature code.
        for _ in 0..200 {
            wallet.field_off();
            wallet.respond(&apdu::select(wallet.aid()));
            let pdol_len = dol_length(&wallet.app.pdol);
            let values: Vec<u8> = (0..pdol_len).map(|_| next() as u8).collect();
            let gpo = wallet.respond(&apdu::get_processing_options(&values));
            if let Response::Data(data) = gpo {
                assert!(data.len() >= 2);
            }
            let cdol_len = dol_length(&wallet.app.cdol1);
            let values: Vec<u8> = (0..cdol_len).map(|_| next() as u8).collect();
            if let Response::Data(data) = wallet.respond(&apdu::generate_ac(next() as u8, &values))
            {
                assert!(data.len() >= 2);
            }
        }
    }
}

#[test]
fn answers_acr122u_pseudo_apdus() {
    let mut wallet = Wallet::new(Profile::VisaPhone, WalletOptions::default()).unwrap();
    let (uid, sw) = data(wallet.respond(&[0xFF, 0xCA, 0x00, 0x00, 0x00]));
    assert_eq!(sw, 0x9000);
    assert_eq!((uid.len(), uid[0]), (4, 0x08));
    wallet.field_off();
    let (uid2, _) = data(wallet.respond(&[0xFF, 0xCA, 0x00, 0x00, 0x00]));
    assert_ne!(uid, uid2, "a phone's UID is random per tap");
    assert_eq!(
        wallet.respond(&[0xFF, 0x00, 0x48, 0x00, 0x00]),
        Response::Data(b"ACR122U215".to_vec())
    );
    // Green on (final green + green mask), then red on.
    let green = [0xFF, 0x00, 0x40, 0x0E, 0x04, 0x00, 0x00, 0x00, 0x00];
    assert_eq!(wallet.respond(&green), Response::Data(vec![0x90, 0x02]));
    let red = [0xFF, 0x00, 0x40, 0x05, 0x04, 0x01, 0x00, 0x01, 0x01];
    assert_eq!(wallet.respond(&red), Response::Data(vec![0x90, 0x03]));
    assert_eq!(
        wallet.respond(&[0xFF, 0x00, 0x52, 0x00, 0x00]),
        Response::Data(vec![0x90, 0x00])
    );
}

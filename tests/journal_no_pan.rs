//! No full PAN or track 2 in the journal file, its WAL, or the host's log: transactions are
//! run through the host service and journalled from data records that hold the full PAN
//! (5A), track 2 (57) and track 1 (56), then the bytes on disk are searched for them in
//! every encoding they could take (BCD, ASCII digits, hex text).

use std::io::Write;
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use emv_kernel::config::{TagMap, TransactionType, amount_bcd};
use emv_kernel::tlv::Tag;
use rust_decimal::Decimal;
use tapterm::host::crypto::{self, AcData, Cvn};
use tapterm::host::server::{HostClient, Server};
use tapterm::host::{AuthorisationRequest, Authoriser, Host, TerminalData};
use tapterm::journal::{Entry, Journal};

const IMK: [u8; 16] = [
    0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10,
];

struct Card {
    pan: &'static str,
    track2: String,
    aid: &'static str,
    iad: &'static str,
    cvn: Cvn,
}

fn cards() -> Vec<Card> {
    vec![
        Card {
            pan: "4761739001010119",
            track2: "4761739001010119D28122011987654300000F".into(),
            aid: "A0000000031010",
            iad: "06011203A00000",
            cvn: Cvn::Visa18,
        },
        Card {
            pan: "5413330089020011",
            track2: "5413330089020011D27122015555555500000F".into(),
            aid: "A0000000041010",
            iad: "0114A04003220000000000000000000000FF",
            cvn: Cvn::Mc20,
        },
    ]
}

fn record(card: &Card, minor: u64, atc: u16) -> TagMap {
    let h = |s: &str| hex::decode(s).unwrap();
    let mut r = TagMap::new();
    r.insert(Tag::new(0x5A), h(card.pan));
    r.insert(Tag::new(0x57), h(&card.track2));
    r.insert(
        Tag::new(0x56),
        format!("B{}^WALLET/TEST^2812201", card.pan).into_bytes(),
    );
    r.insert(Tag::new(0x5F20), b"WALLET/TEST".to_vec());
    r.insert(Tag::new(0x4F), h(card.aid));
    r.insert(Tag::new(0x50), b"TEST WALLET".to_vec());
    r.insert(Tag::new(0x9F02), amount_bcd(minor).to_vec());
    r.insert(Tag::new(0x9F1A), h("0978"));
    r.insert(Tag::new(0x95), h("0000000000"));
    r.insert(Tag::new(0x5F2A), h("0978"));
    r.insert(Tag::new(0x9A), h("261127"));
    r.insert(Tag::new(0x9C), h("00"));
    r.insert(Tag::new(0x9F37), h("0BADF00D"));
    r.insert(Tag::new(0x82), h("2000"));
    r.insert(Tag::new(0x9F36), atc.to_be_bytes().to_vec());
    r.insert(Tag::new(0x9F10), h(card.iad));
    r.insert(Tag::new(0x9F27), h("80"));
    let data = AcData::from_tags(&r).unwrap();
    let ac = crypto::generate_ac(card.cvn, &IMK, card.pan, 0, &data).unwrap();
    r.insert(Tag::new(0x9F26), ac.to_vec());
    r
}

/// Every form the secret could take on disk or in a log.
fn needles(card: &Card) -> Vec<Vec<u8>> {
    let pan_bcd = hex::decode(card.pan).unwrap();
    let t2_bcd = hex::decode(&card.track2).unwrap();
    vec![
        card.pan.as_bytes().to_vec(),
        pan_bcd,
        t2_bcd.clone(),
        card.track2.as_bytes().to_vec(),
        card.track2.to_lowercase().into_bytes(),
        // The discretionary part of track 2 alone.
        t2_bcd[t2_bcd.len() - 8..].to_vec(),
    ]
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn assert_clean(label: &str, bytes: &[u8]) {
    for card in cards() {
        for needle in needles(&card) {
            assert!(
                !find(bytes, &needle),
                "{label} contains {}",
                hex::encode(&needle)
            );
        }
    }
}

fn files_of(path: &Path) -> Vec<(String, Vec<u8>)> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .filter_map(|suffix| {
            let p = format!("{}{suffix}", path.display());
            std::fs::read(&p).ok().map(|b| (p, b))
        })
        .collect()
}

struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn journal_wal_and_host_log_hold_no_full_pan_or_track2() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink: Box<dyn Write + Send> = Box::new(SharedBuf(Arc::clone(&log)));
    let server = Server::bind("127.0.0.1:0", Host::with_defaults().unwrap())
        .unwrap()
        .with_log(Arc::new(Mutex::new(sink)));
    let client = HostClient::new(
        server.local_addr().unwrap().to_string(),
        Duration::from_secs(5),
    );
    server.spawn();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite");
    let mut journal = Journal::open(&path).unwrap();
    let time = Utc.with_ymd_and_hms(2026, 11, 27, 9, 30, 0).unwrap();
    let mut approved = 0;
    for (i, amount) in ["12.50", "12.51", "3.00"].iter().enumerate() {
        for card in cards() {
            let minor =
                u64::try_from(Decimal::from_str(amount).unwrap() * Decimal::from(100)).unwrap();
            let record = record(&card, minor, 0x10 + i as u16);
            let request = AuthorisationRequest {
                record: record.clone(),
                amount: Decimal::from_str(amount).unwrap(),
                currency: 978,
                terminal: TerminalData::default(),
                refund: false,
            };
            let answer = client.authorise(&request).unwrap();
            assert!(answer.cryptogram_verified, "{answer:?}");
            approved += usize::from(answer.approved);
            let entry = Entry::from_record(
                &record,
                time,
                TransactionType::Purchase,
                minor,
                978,
                2,
                if answer.approved {
                    "Approved"
                } else {
                    "Declined"
                },
                answer.approved,
                "cdcvm",
                Some(&answer),
                "virtual reader",
                250,
            );
            journal.record(&entry).unwrap();
        }
    }
    assert_eq!(approved, 4, "12.51 declines by rule, the rest approve");

    // While open: main file and WAL.
    let open_files = files_of(&path);
    assert!(
        open_files.iter().any(|(p, _)| p.ends_with("-wal")),
        "WAL mode expected"
    );
    for (name, bytes) in &open_files {
        assert_clean(name, bytes);
    }
    // After closing (WAL checkpointed into the main file).
    drop(journal);
    for (name, bytes) in files_of(&path) {
        assert_clean(&name, &bytes);
    }
    let log = log.lock().unwrap().clone();
    assert_eq!(String::from_utf8_lossy(&log).lines().count(), 6);
    assert_clean("host log", &log);
    // The masked form is there: the test would notice if nothing had been written.
    let reopened = Journal::open(&path).unwrap();
    let day = reopened.day(time.date_naive()).unwrap();
    assert_eq!(day.len(), 6);
    assert_eq!(
        day[0].entry.masked_pan.as_ref().unwrap().as_str(),
        "476173******0119"
    );
}

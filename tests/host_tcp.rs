//! The host simulator over TCP: a real server on 127.0.0.1:0 and the terminal's client,
//! plus the ways a host can fail (nobody listening, garbage, silence). Every failure must
//! become a defined `HostError` within the client's timeout, never a hang.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use emv_kernel::config::{TagMap, amount_bcd};
use emv_kernel::tlv::Tag;
use rust_decimal::Decimal;
use tapterm::host::crypto::{self, AcData, Cvn};
use tapterm::host::server::{HostClient, Server};
use tapterm::host::{
    AuthorisationRequest, Authoriser, Host, HostError, StandIn, TerminalData, authorise_or_stand_in,
};

const IMK: [u8; 16] = [
    0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10,
];
const TIMEOUT: Duration = Duration::from_millis(400);

/// A Mastercard CVN 16 data record whose ARQC is computed with the shipped test IMK.
fn mc_record(pan: &str, minor: u64) -> TagMap {
    let h = |s: &str| hex::decode(s).unwrap();
    let mut r = TagMap::new();
    for (tag, value) in [
        (0x4F, h("A0000000041010")),
        (0x5A, h(pan)),
        (0x57, h(&format!("{pan}D27122010000000000000F"))),
        (0x9F02, amount_bcd(minor).to_vec()),
        (0x9F1A, h("0826")),
        (0x95, h("0000008000")),
        (0x5F2A, h("0826")),
        (0x9A, h("261127")),
        (0x9C, h("00")),
        (0x9F37, h("CAFEBABE")),
        (0x82, h("1980")),
        (0x9F36, h("0007")),
        (0x9F10, h("0110A04003220000000000000000000000FF")),
        (0x9F27, h("80")),
    ] {
        r.insert(Tag::new(tag), value);
    }
    let data = AcData::from_tags(&r).unwrap();
    let ac = crypto::generate_ac(Cvn::Mc16, &IMK, pan, 0, &data).unwrap();
    r.insert(Tag::new(0x9F26), ac.to_vec());
    r
}

fn request(record: TagMap, amount: &str) -> AuthorisationRequest {
    AuthorisationRequest {
        record,
        amount: Decimal::from_str(amount).unwrap(),
        currency: 826,
        terminal: TerminalData {
            terminal_id: "TAPTERM1".into(),
            merchant_id: "000000000000001".into(),
            merchant_name: "Test shop".into(),
        },
        refund: false,
    }
}

fn start_server() -> (String, Arc<Mutex<Vec<u8>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink: Box<dyn Write + Send> = Box::new(SharedBuf(Arc::clone(&log)));
    let server = Server::bind("127.0.0.1:0", Host::with_defaults().unwrap())
        .unwrap()
        .with_log(Arc::new(Mutex::new(sink)));
    let addr = server.local_addr().unwrap().to_string();
    server.spawn();
    (addr, log)
}

/// A `Write` into a shared buffer, to read the server's log afterwards.
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
fn approves_a_virtual_wallet_over_tcp_and_declines_a_tampered_arqc() {
    let (addr, log) = start_server();
    let client = HostClient::new(addr, Duration::from_secs(5));
    let pan = "5413330089020011";
    let good = client
        .authorise(&request(mc_record(pan, 1999), "19.99"))
        .unwrap();
    assert!(good.approved, "{good:?}");
    assert!(good.cryptogram_verified);
    assert_eq!(good.response_code, "00");
    // Tag 91 for CVN 16: ARPC (8) ‖ ARC "00".
    let arpc = good.arpc.clone().unwrap();
    assert_eq!(arpc.len(), 10);
    assert_eq!(&arpc[8..], b"00");

    let mut record = mc_record(pan, 1999);
    record.get_mut(&Tag::new(0x9F26)).unwrap()[3] ^= 0x40;
    let bad = client.authorise(&request(record, "19.99")).unwrap();
    assert!(!bad.approved);
    assert!(bad.reason.contains("cryptogram invalid"), "{}", bad.reason);

    let unknown = client
        .authorise(&request(mc_record("5555555555554444", 1251), "12.51"))
        .unwrap();
    assert_eq!(unknown.response_code, "51");
    assert!(unknown.reason.contains("unknown issuer keys"));

    let text = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.contains("541333******0011"));
    assert!(!text.contains(pan) && !text.contains("5555555555554444"));
}

#[test]
fn dead_port_is_unreachable_quickly() {
    // Bind and drop to find a port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = HostClient::new(format!("127.0.0.1:{port}"), TIMEOUT);
    let req = request(mc_record("5413330089020011", 100), "1.00");
    let err = client.authorise(&req).unwrap_err();
    assert!(matches!(err, HostError::Unreachable(_)), "{err:?}");
    let shown = authorise_or_stand_in(&client, &req, &StandIn::Decline);
    assert!(!shown.approved);
    assert!(
        shown.reason.starts_with("Declined — host unreachable"),
        "{}",
        shown.reason
    );
}

/// A fake host that accepts one connection, reads what it can and answers `answer`.
fn fake_host(answer: &'static [u8], silent: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
            let _ = stream.read(&mut buf);
            if silent {
                std::thread::sleep(Duration::from_secs(5));
            } else {
                let _ = stream.write_all(answer);
            }
        }
    });
    addr
}

#[test]
fn garbage_answers_are_protocol_errors() {
    let req = request(mc_record("5413330089020011", 100), "1.00");
    let http = fake_host(b"HTTP/1.1 400 Bad Request\r\n\r\n", false);
    let err = HostClient::new(http, TIMEOUT).authorise(&req).unwrap_err();
    assert!(matches!(err, HostError::Protocol(_)), "{err:?}");
    let framed_junk = fake_host(b"\x00\x00\x00\x05{{{{{", false);
    let err = HostClient::new(framed_junk, TIMEOUT)
        .authorise(&req)
        .unwrap_err();
    assert!(matches!(err, HostError::Protocol(_)), "{err:?}");
    let short = fake_host(b"\x00\x00\x01\x00{\"ok\"", false);
    let err = HostClient::new(short, TIMEOUT).authorise(&req).unwrap_err();
    assert!(matches!(err, HostError::Connection(_)), "{err:?}");
}

#[test]
fn silent_host_times_out_within_the_configured_time() {
    let addr = fake_host(b"", true);
    let client = HostClient::new(addr, TIMEOUT);
    let req = request(mc_record("5413330089020011", 100), "1.00");
    let err = client.authorise(&req).unwrap_err();
    // A timeout, not the close the fake host does after 5 s: the client gave up first.
    assert_eq!(err, HostError::Timeout(TIMEOUT));
    let stand_in = StandIn::Approve {
        limit: Decimal::from(50),
    };
    assert_eq!(stand_in.respond(&err, &req).response_code, "Y3");
}

#[test]
fn server_refuses_garbage_requests_and_keeps_serving() {
    let (addr, log) = start_server();
    let mut raw = std::net::TcpStream::connect(&addr).unwrap();
    raw.write_all(b"\x00\x00\x00\x0bnot json!!!").unwrap();
    let mut len = [0u8; 4];
    raw.read_exact(&mut len).unwrap();
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
    raw.read_exact(&mut body).unwrap();
    let reply: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(reply["error"].as_str().unwrap().contains("bad request"));
    // Still serving afterwards.
    let client = HostClient::new(addr, Duration::from_secs(5));
    let ok = client
        .authorise(&request(mc_record("5413330089020011", 100), "1.00"))
        .unwrap();
    assert!(ok.approved);
    assert!(
        String::from_utf8(log.lock().unwrap().clone())
            .unwrap()
            .contains("bad request")
    );
}

#[test]
fn concurrent_clients_each_get_their_own_answer() {
    let (addr, log) = start_server();
    let workers: Vec<_> = (0..6u64)
        .map(|w| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let client = HostClient::new(addr, Duration::from_secs(10));
                for i in 0..10u64 {
                    // Amounts ending in 51 decline, the rest approve: each answer must
                    // match its own request.
                    let minor = 1000 + w * 100 + if i % 2 == 0 { 51 } else { 50 };
                    let amount = format!("{}.{:02}", minor / 100, minor % 100);
                    let answer = client
                        .authorise(&request(mc_record("5413330089020011", minor), &amount))
                        .unwrap();
                    assert_eq!(answer.approved, i % 2 == 1, "{amount}: {answer:?}");
                    assert!(answer.cryptogram_verified);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(
        String::from_utf8(log.lock().unwrap().clone())
            .unwrap()
            .lines()
            .count(),
        60
    );
}

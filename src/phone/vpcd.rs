//! The card side of vpcd (vsmartcard's virtual PC/SC reader driver), so pcscd sees a wallet
//! in a reader exactly as it would see a phone on an ACR122U (virtual-pcsc.md).
//!
//! Protocol: every message is a 2-byte big-endian length and a payload. One-byte payloads
//! are control (`00` power off, `01` power on, `02` reset: no answer; `04`: answer the ATR).
//! Longer payloads are C-APDUs, answered with the full R-APDU. The connection is the card
//! in the field: closing it is the card leaving.
//!
//! Latency (virtual-pcsc.md, "Latency pitfall"): vpcd writes length and payload separately,
//! so with Nagle and delayed ACKs every APDU would cost ~44 ms. The wallet sets TCP_NODELAY,
//! re-arms TCP_QUICKACK before every read and writes each frame with one `write_all` of one
//! buffer.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::thread;
use std::time::{Duration, Instant};

use super::card::{Response, Wallet};

/// vpcd control byte: power off.
pub const CTRL_OFF: u8 = 0x00;
/// vpcd control byte: power on.
pub const CTRL_ON: u8 = 0x01;
/// vpcd control byte: reset.
pub const CTRL_RESET: u8 = 0x02;
/// vpcd control byte: get the ATR (also vpcd's presence poll, every 400 ms).
pub const CTRL_ATR: u8 = 0x04;

/// Where and how the wallet taps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcdOptions {
    /// vpcd's host.
    pub host: String,
    /// vpcd's port for the reader slot.
    pub port: u16,
    /// Taps to make before exiting.
    pub taps: usize,
    /// Time out of the field between taps.
    pub gap: Duration,
    /// How long to keep retrying when vpcd is not listening.
    pub wait: Duration,
    /// The card stays this long after the last C-APDU, then leaves (a tap's natural end).
    pub hold: Duration,
    /// The card leaves after this long in the field without any C-APDU.
    pub idle: Duration,
}

/// Why serving vpcd failed.
#[derive(Debug, thiserror::Error)]
pub enum VpcdError {
    /// vpcd never accepted the connection within `wait`.
    #[error(
        "vpcd is not listening on {address} (tried for {waited:?}): start pcscd with the vpcd \
         driver (package vsmartcard-vpcd) or pass the right --port; last error: {source}"
    )]
    NotListening {
        /// host:port tried.
        address: String,
        /// How long it kept trying.
        waited: Duration,
        /// The last connection error.
        source: io::Error,
    },
    /// The host name does not resolve.
    #[error("cannot resolve vpcd host {0:?}")]
    BadAddress(String),
    /// vpcd accepted and closed the connection again and again without any command.
    #[error("vpcd closed the connection {0} times in a row before any command")]
    KeepsClosing(usize),
    /// A socket error in the middle of a tap.
    #[error("vpcd connection failed: {0}")]
    Io(#[from] io::Error),
}

/// How a tap ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TapEnd {
    /// No C-APDU for the hold time after the last one: the phone was taken away.
    Removed,
    /// The wallet's fault profile left the field mid-transaction.
    LeftField,
    /// vpcd closed the connection (pcscd stopped).
    Closed,
    /// No C-APDU came at all within the idle time.
    Idle,
}

/// What one tap did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapReport {
    /// How it ended.
    pub end: TapEnd,
    /// C-APDUs answered.
    pub apdus: usize,
    /// The wallet's own time per C-APDU (from frame read to frame written), microseconds.
    pub service_micros: Vec<u64>,
}

/// vpcd connections in a row that may close before any C-APDU without counting as taps.
const MAX_EMPTY_CONNECTIONS: usize = 20;

/// Plays `taps` taps of `wallet` into vpcd; `report` is told about each one as it ends.
///
/// A connection that vpcd closes before any C-APDU (pcscd stopped or restarted while the
/// wallet waited in the field) does not count as a tap: the wallet reconnects and waits.
pub fn serve(
    wallet: &mut Wallet,
    options: &VpcdOptions,
    mut report: impl FnMut(usize, &TapReport),
) -> Result<Vec<TapReport>, VpcdError> {
    let mut reports = Vec::new();
    let mut empty = 0;
    while reports.len() < options.taps {
        if !reports.is_empty() || empty > 0 {
            thread::sleep(options.gap);
        }
        let stream = connect(options)?;
        let result = serve_tap(stream, wallet, options);
        wallet.field_off();
        let tap_report = result?;
        if tap_report.end == TapEnd::Closed && tap_report.apdus == 0 {
            empty += 1;
            if empty > MAX_EMPTY_CONNECTIONS {
                return Err(VpcdError::KeepsClosing(empty));
            }
            continue;
        }
        empty = 0;
        report(reports.len(), &tap_report);
        reports.push(tap_report);
    }
    Ok(reports)
}

/// Connects to vpcd, retrying with a growing backoff until `options.wait` has passed.
fn connect(options: &VpcdOptions) -> Result<TcpStream, VpcdError> {
    let address = format!("{}:{}", options.host, options.port);
    let addresses: Vec<_> = address
        .to_socket_addrs()
        .map_err(|_| VpcdError::BadAddress(options.host.clone()))?
        .collect();
    let start = Instant::now();
    let mut backoff = Duration::from_millis(50);
    loop {
        let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
        for addr in &addresses {
            match TcpStream::connect_timeout(addr, Duration::from_secs(2)) {
                Ok(stream) => {
                    stream.set_nodelay(true)?;
                    return Ok(stream);
                }
                Err(e) => last = e,
            }
        }
        let waited = start.elapsed();
        if waited >= options.wait {
            return Err(VpcdError::NotListening {
                address,
                waited,
                source: last,
            });
        }
        thread::sleep(backoff.min(options.wait.saturating_sub(waited)));
        backoff = (backoff * 2).min(Duration::from_secs(1));
    }
}

/// Re-arms TCP_QUICKACK: Linux clears it again after it sent an ACK.
#[cfg(target_os = "linux")]
fn quickack(stream: &TcpStream) -> io::Result<()> {
    use std::os::linux::net::TcpStreamExt;
    stream.set_quickack(true)
}

#[cfg(not(target_os = "linux"))]
fn quickack(_stream: &TcpStream) -> io::Result<()> {
    Ok(())
}

/// Reads one frame; `Ok(None)` when the deadline passed or vpcd closed the connection
/// between frames.
fn read_frame(stream: &mut TcpStream, deadline: Instant) -> io::Result<Option<Vec<u8>>> {
    let remaining = deadline.saturating_duration_since(Instant::now());
    if remaining.is_zero() {
        return Ok(None);
    }
    stream.set_read_timeout(Some(remaining))?;
    quickack(stream)?;
    let mut length = [0u8; 2];
    match stream.read_exact(&mut length) {
        Ok(()) => {}
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::UnexpectedEof
            ) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(e),
    }
    let mut payload = vec![0u8; u16::from_be_bytes(length) as usize];
    // The length arrived, so the payload follows: give it a generous bound of its own.
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    quickack(stream)?;
    stream.read_exact(&mut payload)?;
    Ok(Some(payload))
}

/// Writes one frame with a single write (length and payload in one buffer).
fn write_frame(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    let length = u16::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame over 65535 bytes"))?;
    let mut frame = Vec::with_capacity(payload.len() + 2);
    frame.extend_from_slice(&length.to_be_bytes());
    frame.extend_from_slice(payload);
    stream.write_all(&frame)
}

/// One tap: answer vpcd until the card is taken away, leaves, or vpcd hangs up.
fn serve_tap(
    mut stream: TcpStream,
    wallet: &mut Wallet,
    options: &VpcdOptions,
) -> Result<TapReport, VpcdError> {
    let mut report = TapReport {
        end: TapEnd::Idle,
        apdus: 0,
        service_micros: Vec::new(),
    };
    let mut deadline = Instant::now() + options.idle;
    loop {
        let frame = match read_frame(&mut stream, deadline) {
            Ok(Some(frame)) => frame,
            Ok(None) if Instant::now() >= deadline => {
                report.end = if report.apdus == 0 {
                    TapEnd::Idle
                } else {
                    TapEnd::Removed
                };
                return Ok(report);
            }
            Ok(None) => {
                report.end = TapEnd::Closed;
                return Ok(report);
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                report.end = TapEnd::Closed;
                return Ok(report);
            }
            Err(e) => return Err(e.into()),
        };
        let started = Instant::now();
        match frame.as_slice() {
            // Power off or reset: the card loses its selection (a new activation follows).
            [CTRL_OFF] | [CTRL_RESET] => wallet.power_cycle(),
            [] | [CTRL_ON] => {}
            [CTRL_ATR] => write_frame(&mut stream, &wallet.atr())?,
            [_] => {}
            command => match wallet.respond(command) {
                Response::Data(answer) => {
                    write_frame(&mut stream, &answer)?;
                    report.apdus += 1;
                    report
                        .service_micros
                        .push(started.elapsed().as_micros() as u64);
                    deadline = Instant::now() + options.hold;
                }
                Response::LeaveField => {
                    report.end = TapEnd::LeftField;
                    return Ok(report);
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::card::WalletOptions;
    use crate::phone::profiles::Profile;
    use std::net::TcpListener;

    /// vpcd's side of one message: sends `payload`; unless it is a control byte without
    /// an answer, reads the card's answer (`None` when the card closed the connection).
    fn vpcd_send(card: &mut TcpStream, payload: &[u8]) -> Option<Vec<u8>> {
        let mut frame = (payload.len() as u16).to_be_bytes().to_vec();
        frame.extend_from_slice(payload);
        card.write_all(&frame).unwrap();
        if matches!(payload, [CTRL_OFF] | [CTRL_ON] | [CTRL_RESET]) {
            return None;
        }
        let mut len = [0u8; 2];
        card.read_exact(&mut len).ok()?;
        let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
        card.read_exact(&mut body).ok()?;
        Some(body)
    }

    /// A fake vpcd: accepts the card, asks for the ATR, sends commands, records answers.
    fn fake_vpcd(listener: TcpListener, taps: usize, commands: Vec<Vec<u8>>) -> Vec<Vec<Vec<u8>>> {
        let mut all = Vec::new();
        for _ in 0..taps {
            let (mut card, _) = listener.accept().unwrap();
            vpcd_send(&mut card, &[CTRL_ON]);
            let mut answers = vec![vpcd_send(&mut card, &[CTRL_ATR]).unwrap()];
            for command in &commands {
                answers.push(vpcd_send(&mut card, command).unwrap());
            }
            // The card leaves after its hold time: the connection closes.
            let mut rest = Vec::new();
            card.read_to_end(&mut rest).unwrap();
            assert!(rest.is_empty());
            all.push(answers);
        }
        all
    }

    fn options(port: u16, taps: usize) -> VpcdOptions {
        VpcdOptions {
            host: "127.0.0.1".into(),
            port,
            taps,
            gap: Duration::from_millis(20),
            wait: Duration::from_secs(5),
            hold: Duration::from_millis(100),
            idle: Duration::from_secs(5),
        }
    }

    #[test]
    fn answers_atr_and_apdus_in_framed_messages_over_two_taps() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let ppse = emv_kernel::apdu::select(emv_kernel::apdu::PPSE_NAME);
        let commands = vec![ppse, vec![0xFF, 0x00, 0x48, 0x00, 0x00]];
        let vpcd = thread::spawn(move || fake_vpcd(listener, 2, commands));
        let mut wallet = Wallet::new(Profile::VisaPhone, WalletOptions::default()).unwrap();
        let mut seen = Vec::new();
        let reports = serve(&mut wallet, &options(port, 2), |tap, r| {
            seen.push((tap, r.end))
        })
        .unwrap();
        let answers = vpcd.join().unwrap();
        assert_eq!(seen, vec![(0, TapEnd::Removed), (1, TapEnd::Removed)]);
        assert_eq!(reports[0].apdus, 2);
        for tap in &answers {
            assert_eq!(tap[0], vec![0x3B, 0x80, 0x80, 0x01, 0x01]);
            assert_eq!(tap[1][0], 0x6F, "PPSE FCI");
            assert_eq!(&tap[1][tap[1].len() - 2..], &[0x90, 0x00]);
            assert_eq!(tap[2], b"ACR122U215".to_vec());
        }
    }

    #[test]
    fn leaving_the_field_closes_the_connection() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let vpcd = thread::spawn(move || {
            let (mut card, _) = listener.accept().unwrap();
            let commands = [
                emv_kernel::apdu::select(&[0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10]),
                emv_kernel::apdu::read_record(3, 1),
                emv_kernel::apdu::read_record(3, 2),
            ];
            commands
                .iter()
                .position(|command| vpcd_send(&mut card, command).is_none())
        });
        let mut wallet = Wallet::new(Profile::LeavesField, WalletOptions::default()).unwrap();
        let reports = serve(&mut wallet, &options(port, 1), |_, _| {}).unwrap();
        assert_eq!(reports[0].end, TapEnd::LeftField);
        assert_eq!(vpcd.join().unwrap(), Some(2));
    }

    #[test]
    fn a_connection_closed_before_any_command_is_not_a_tap() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let vpcd = thread::spawn(move || {
            // pcscd restarting: the first connection is dropped at once.
            drop(listener.accept().unwrap());
            fake_vpcd(
                listener,
                1,
                vec![emv_kernel::apdu::select(emv_kernel::apdu::PPSE_NAME)],
            )
        });
        let mut wallet = Wallet::new(Profile::MastercardCard, WalletOptions::default()).unwrap();
        let reports = serve(&mut wallet, &options(port, 1), |_, _| {}).unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!((reports[0].end, reports[0].apdus), (TapEnd::Removed, 1));
        assert_eq!(vpcd.join().unwrap().len(), 1);
    }

    #[test]
    fn a_reset_deselects_the_application() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let aid = vec![0xA0, 0x00, 0x00, 0x00, 0x04, 0x10, 0x10];
        let commands = [
            emv_kernel::apdu::select(&aid),
            vec![0x00, 0xB2, 0x01, 0x0C, 0x00],
            vec![CTRL_RESET],
            vec![0x00, 0xB2, 0x01, 0x0C, 0x00],
        ];
        let vpcd = thread::spawn(move || {
            let (mut card, _) = listener.accept().unwrap();
            commands
                .iter()
                .filter_map(|command| vpcd_send(&mut card, command))
                .map(|answer| answer[answer.len() - 2..].to_vec())
                .collect::<Vec<_>>()
        });
        let mut wallet = Wallet::new(Profile::MastercardCard, WalletOptions::default()).unwrap();
        serve(&mut wallet, &options(port, 1), |_, _| {}).unwrap();
        let sws = vpcd.join().unwrap();
        assert_eq!(
            sws,
            vec![vec![0x90, 0x00], vec![0x90, 0x00], vec![0x69, 0x85]]
        );
    }

    #[test]
    fn reports_vpcd_not_listening_after_the_wait() {
        let port = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let mut opts = options(port, 1);
        opts.wait = Duration::from_millis(200);
        let mut wallet = Wallet::new(Profile::VisaCard, WalletOptions::default()).unwrap();
        let err = serve(&mut wallet, &opts, |_, _| {}).unwrap_err();
        assert!(matches!(err, VpcdError::NotListening { .. }), "{err}");
        assert!(err.to_string().contains("vsmartcard-vpcd"));
    }
}

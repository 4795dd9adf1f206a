//! The host simulator as a TCP service, and the client the terminal uses to reach it.
//!
//! # Protocol (`tapterm-host/1`)
//!
//! One TCP connection carries one or more request/response pairs, strictly alternating.
//! Every message is a frame:
//!
//! ```text
//! +----------------------------+---------------------------------+
//! | length: u32, big-endian    | body: `length` bytes of UTF-8   |
//! | 1 ..= 1 048 576            | JSON                            |
//! +----------------------------+---------------------------------+
//! ```
//!
//! - Request body: an [`AuthorisationRequest`] object:
//!   `{"record": {"5A": "4761…", "9F26": "…", …}, "amount": "12.50", "currency": 978,
//!   "terminal": {"terminal_id": "…", "merchant_id": "…", "merchant_name": "…"},
//!   "refund": false}` — record tags and values in hex, amount as a decimal string in
//!   major units, currency as the ISO 4217 numeric code.
//! - Response body: `{"ok": {"approved": true, "auth_code": "7QK2ZD", "response_code": "00",
//!   "arpc": "9AF514C100800000", "reason": "…", "cryptogram_verified": true}}` (`arpc` is
//!   the tag 91 value in hex, or `null`), or `{"error": "…"}` when the request frame could
//!   not be understood; the server then closes the connection.
//!
//! A frame longer than the limit, a length of zero, or a body that is not the expected JSON
//! is a protocol error on either side. The client bounds the whole exchange (connect, send,
//! receive) by one timeout, so a dead, silent or babbling host yields a [`HostError`] within
//! that time, never a hang. The server drops a connection idle for [`SERVER_IDLE`].

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{
    AuthorisationRequest, AuthorisationResponse, Authoriser, Deferred, Host, HostError, log_line,
};

/// A request frame body: an authorisation request, and for a deferred transit message its
/// idempotency id (`"deferred":{"id":…,"kind":"ride"|"charge"}`, issue 13).
#[derive(Debug, Serialize, Deserialize)]
struct WireRequest {
    #[serde(flatten)]
    authorisation: AuthorisationRequest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deferred: Option<Deferred>,
}

/// Largest frame body accepted, in bytes.
pub const MAX_FRAME: u32 = 1 << 20;
/// How long the server keeps a connection that sends nothing.
pub const SERVER_IDLE: Duration = Duration::from_secs(30);

/// A response frame body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// The host's answer.
    Ok(AuthorisationResponse),
    /// The request could not be understood.
    Error(String),
}

/// Why reading a frame failed.
#[derive(Debug)]
enum FrameError {
    /// The peer closed before a frame started.
    Closed,
    /// The deadline passed.
    Timeout,
    /// The length field is out of range.
    BadLength(u32),
    /// Other I/O failure (including a close mid-frame).
    Io(io::Error),
}

/// Reads exactly `buf.len()` bytes, giving up at `deadline` (if any).
fn read_full(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deadline: Option<Instant>,
) -> Result<(), FrameError> {
    let mut pos = 0;
    while pos < buf.len() {
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(FrameError::Timeout);
            }
            stream
                .set_read_timeout(Some(left))
                .map_err(FrameError::Io)?;
        }
        match stream.read(&mut buf[pos..]) {
            Ok(0) if pos == 0 => return Err(FrameError::Closed),
            Ok(0) => {
                return Err(FrameError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "closed mid-frame",
                )));
            }
            Ok(n) => pos += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(FrameError::Timeout);
            }
            Err(e) => return Err(FrameError::Io(e)),
        }
    }
    Ok(())
}

/// Reads one frame's body.
fn read_frame(stream: &mut TcpStream, deadline: Option<Instant>) -> Result<Vec<u8>, FrameError> {
    let mut len = [0u8; 4];
    read_full(stream, &mut len, deadline)?;
    let len = u32::from_be_bytes(len);
    if len == 0 || len > MAX_FRAME {
        return Err(FrameError::BadLength(len));
    }
    let mut body = vec![0u8; len as usize];
    match read_full(stream, &mut body, deadline) {
        Err(FrameError::Closed) => Err(FrameError::Io(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "closed after the length",
        ))),
        other => other.map(|()| body),
    }
}

/// Writes one frame.
fn write_frame(stream: &mut TcpStream, body: &[u8]) -> io::Result<()> {
    let len = u32::try_from(body.len())
        .ok()
        .filter(|l| *l <= MAX_FRAME)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "frame too large"))?;
    let mut frame = Vec::with_capacity(body.len() + 4);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(body);
    stream.write_all(&frame)?;
    stream.flush()
}

/// A JSON error described by position only: serde's message may quote the input, which
/// can hold card data.
fn json_error_text(e: &serde_json::Error) -> String {
    format!(
        "{:?} error at line {} column {}",
        e.classify(),
        e.line(),
        e.column()
    )
}

/// Where the server writes its log lines (masked).
pub type LogSink = Arc<Mutex<Box<dyn Write + Send>>>;

/// The host simulator listening on TCP.
pub struct Server {
    listener: TcpListener,
    host: Arc<Host>,
    log: LogSink,
}

impl Server {
    /// Binds `addr` (use port 0 for any free port). Logs go to standard error.
    pub fn bind(addr: &str, host: Host) -> io::Result<Server> {
        Ok(Server {
            listener: TcpListener::bind(addr)?,
            host: Arc::new(host),
            log: Arc::new(Mutex::new(Box::new(io::stderr()))),
        })
    }

    /// Sends log lines to `sink` instead of standard error.
    pub fn with_log(mut self, sink: LogSink) -> Server {
        self.log = sink;
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections until the listener fails; one thread per connection.
    pub fn run(self) -> io::Result<()> {
        for stream in self.listener.incoming() {
            let stream = match stream {
                Ok(s) => s,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.log_line(&format!("accept failed: {e}"));
                    continue;
                }
            };
            let host = Arc::clone(&self.host);
            let log = Arc::clone(&self.log);
            std::thread::spawn(move || serve_connection(stream, &host, &log));
        }
        Ok(())
    }

    /// Runs the accept loop on a background thread.
    pub fn spawn(self) -> JoinHandle<io::Result<()>> {
        std::thread::spawn(move || self.run())
    }

    fn log_line(&self, line: &str) {
        write_log(&self.log, line);
    }
}

fn write_log(log: &LogSink, line: &str) {
    if let Ok(mut sink) = log.lock() {
        let _ = writeln!(sink, "{line}");
    }
}

/// Answers frames on one connection until the peer closes, idles or misbehaves.
fn serve_connection(mut stream: TcpStream, host: &Host, log: &LogSink) {
    let peer = stream
        .peer_addr()
        .map_or_else(|_| "?".to_string(), |a| a.to_string());
    let _ = stream.set_write_timeout(Some(SERVER_IDLE));
    loop {
        let body = match read_frame(&mut stream, Some(Instant::now() + SERVER_IDLE)) {
            Ok(b) => b,
            Err(FrameError::Closed) => return,
            Err(FrameError::BadLength(len)) => {
                write_log(log, &format!("{peer}: bad frame length {len}"));
                let _ = reply(
                    &mut stream,
                    &Reply::Error(format!("bad frame length {len}")),
                );
                return;
            }
            Err(FrameError::Timeout) => return,
            Err(FrameError::Io(e)) => {
                write_log(log, &format!("{peer}: {e}"));
                return;
            }
        };
        let wire: WireRequest = match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                let text = json_error_text(&e);
                write_log(log, &format!("{peer}: bad request: {text}"));
                let _ = reply(&mut stream, &Reply::Error(format!("bad request: {text}")));
                return;
            }
        };
        let request = &wire.authorisation;
        let response = match &wire.deferred {
            None => {
                let response = host.decide(request);
                write_log(log, &format!("{peer}: {}", log_line(request, &response)));
                response
            }
            Some(deferred) => {
                let (response, repeat) = host.decide_deferred(request, deferred);
                let kind = format!("{:?}", deferred.kind).to_lowercase();
                let seen = if repeat { "repeat" } else { "new" };
                write_log(
                    log,
                    &format!(
                        "{peer}: deferred {kind} {} {seen}: {}",
                        deferred.id,
                        log_line(request, &response)
                    ),
                );
                response
            }
        };
        if reply(&mut stream, &Reply::Ok(response)).is_err() {
            return;
        }
    }
}

fn reply(stream: &mut TcpStream, reply: &Reply) -> io::Result<()> {
    let body = serde_json::to_vec(reply).map_err(io::Error::other)?;
    write_frame(stream, &body)
}

/// The terminal's side: sends requests to a host service, bounded by a timeout.
#[derive(Debug, Clone)]
pub struct HostClient {
    addr: String,
    timeout: Duration,
}

impl HostClient {
    /// A client for `addr` (`host:port`) whose every exchange ends within `timeout`.
    pub fn new(addr: impl Into<String>, timeout: Duration) -> HostClient {
        HostClient {
            addr: addr.into(),
            timeout,
        }
    }

    fn exchange(
        &self,
        request: &WireRequest,
        deadline: Instant,
    ) -> Result<AuthorisationResponse, HostError> {
        let left = || deadline.saturating_duration_since(Instant::now());
        let addr = self
            .addr
            .to_socket_addrs()
            .map_err(|e| HostError::Unreachable(format!("{}: {e}", self.addr)))?
            .next()
            .ok_or_else(|| HostError::Unreachable(format!("{}: no address", self.addr)))?;
        if left().is_zero() {
            return Err(HostError::Timeout(self.timeout));
        }
        let mut stream = TcpStream::connect_timeout(&addr, left()).map_err(|e| {
            if matches!(
                e.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            ) {
                HostError::Timeout(self.timeout)
            } else {
                HostError::Unreachable(format!("{addr}: {e}"))
            }
        })?;
        let _ = stream.set_nodelay(true);
        let body = serde_json::to_vec(request).map_err(|e| HostError::Protocol(e.to_string()))?;
        stream
            .set_write_timeout(Some(left().max(Duration::from_millis(1))))
            .map_err(|e| HostError::Connection(e.to_string()))?;
        write_frame(&mut stream, &body).map_err(|e| {
            if matches!(
                e.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            ) {
                HostError::Timeout(self.timeout)
            } else {
                HostError::Connection(e.to_string())
            }
        })?;
        let answer = read_frame(&mut stream, Some(deadline)).map_err(|e| match e {
            FrameError::Timeout => HostError::Timeout(self.timeout),
            FrameError::Closed => HostError::Connection("host closed without answering".into()),
            FrameError::BadLength(len) => HostError::Protocol(format!("frame length {len}")),
            FrameError::Io(e) => HostError::Connection(e.to_string()),
        })?;
        match serde_json::from_slice::<Reply>(&answer) {
            Ok(Reply::Ok(response)) => Ok(response),
            Ok(Reply::Error(message)) => Err(HostError::Refused(message)),
            Err(e) => Err(HostError::Protocol(json_error_text(&e))),
        }
    }
}

impl Authoriser for HostClient {
    fn authorise(
        &self,
        request: &AuthorisationRequest,
    ) -> Result<AuthorisationResponse, HostError> {
        let wire = WireRequest {
            authorisation: request.clone(),
            deferred: None,
        };
        self.exchange(&wire, Instant::now() + self.timeout)
    }

    fn authorise_deferred(
        &self,
        request: &AuthorisationRequest,
        deferred: &Deferred,
    ) -> Result<AuthorisationResponse, HostError> {
        let wire = WireRequest {
            authorisation: request.clone(),
            deferred: Some(deferred.clone()),
        };
        self.exchange(&wire, Instant::now() + self.timeout)
    }
}

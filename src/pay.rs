//! `tapterm pay`: one headless transaction — wait for a card or phone, run the kernel through
//! [`crate::checkout`], print every APDU with its timing and meaning, then the outcome.
//!
//! Card data is secret (DESIGN.md): the PAN (5A) and track 2 (57, 9F6B) are masked to first
//! 6 / last 4 (track 2: masked PAN + expiry) everywhere this command prints, including inside
//! the raw response hex. Only `--record` writes them in full, with a warning.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use emv_kernel::config::{Date, TerminalConfig, Time, Transaction, TransactionType};
use emv_kernel::outcome::{MessageId, ReaderStatus};
use emv_kernel::status_words::explain_sw;
use emv_kernel::tlv::{Tlv, TlvIter};
use emv_kernel::transport::Transport;
use serde_json::json;

use tapterm::phone::{InProcessTransport, Profile, card::WalletOptions};

use tapterm::host::HostConfig;
use tapterm::journal::Journal;

use crate::checkout::{self, Checkout, Progress, Services, TimedExchange};
use crate::reader::{CardInfo, Notice, PcscOptions, PcscTransport};
use crate::terminal_config;

/// `println!` that ignores a closed stdout (`tapterm pay | head`): the transaction must run to
/// its end and be journalled even when nobody reads the trace any more.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Arguments of `tapterm pay`.
#[derive(Debug, clap::Args)]
pub struct PayArgs {
    /// Amount in major units of the currency (`12.34`; JPY `1500`).
    #[arg(long)]
    pub amount: String,
    /// Amount, other (cashback) in major units.
    #[arg(long, default_value = "0")]
    pub amount_other: String,
    /// ISO 4217 currency, alphabetic (`EUR`) or numeric (`978`); default: the configured one.
    #[arg(long)]
    pub currency: Option<String>,
    /// Transaction type.
    #[arg(long = "type", value_enum, default_value_t = Kind::Purchase)]
    pub kind: Kind,
    /// PC/SC reader name (exact, or a unique part of it); default: an ACR122U, else the first.
    #[arg(long, conflicts_with = "demo")]
    pub reader: Option<String>,
    /// Run against an in-process virtual wallet instead of a reader (visa-phone,
    /// mastercard-phone, visa-card, mastercard-card, …).
    #[arg(long)]
    pub demo: Option<Profile>,
    /// With --demo: the phone starts locked (two-tap "See phone" flow).
    #[arg(long, requires = "demo")]
    pub locked: bool,
    /// A terminal configuration laid over the built-in assets/terminal.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Write the transaction as a test vector (contains full card data).
    #[arg(long)]
    pub record: Option<PathBuf>,
    /// Under each response, print its TLV tree with tag names (card data masked).
    #[arg(long)]
    pub decode: bool,
    /// Print one JSON document instead of the live trace.
    #[arg(long)]
    pub json: bool,
    /// Journal file (default: $XDG_DATA_HOME/tapterm/journal.sqlite).
    #[arg(long, conflicts_with = "no_journal")]
    pub journal: Option<PathBuf>,
    /// Do not write the transaction to the journal.
    #[arg(long)]
    pub no_journal: bool,
    /// `host:port` of a `tapterm host --listen` service to send online requests to
    /// (timeout 5 s, declined when unreachable); default: the in-process simulator.
    #[arg(long)]
    pub host: Option<String>,
    /// Seconds to wait for each tap.
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
}

/// Transaction types on the command line (tag 9C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Goods and services (9C 00).
    Purchase,
    /// Refund (9C 20).
    Refund,
    /// Cash (9C 01).
    Cash,
    /// Purchase with cashback (9C 09).
    Cashback,
}

impl From<Kind> for TransactionType {
    fn from(kind: Kind) -> TransactionType {
        match kind {
            Kind::Purchase => TransactionType::Purchase,
            Kind::Refund => TransactionType::Refund,
            Kind::Cash => TransactionType::Cash,
            Kind::Cashback => TransactionType::Cashback,
        }
    }
}

/// Exit status for bad arguments (clap uses the same).
const EXIT_USAGE: u8 = 2;

fn usage(text: impl std::fmt::Display) -> ExitCode {
    eprintln!("tapterm pay: {text}");
    ExitCode::from(EXIT_USAGE)
}

/// Runs the subcommand.
pub fn run(args: PayArgs) -> ExitCode {
    let (config, txn, timeout) = match inputs(&args) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    let host_config = HostConfig {
        address: args.host.clone(),
        ..HostConfig::default()
    };
    let host = match host_config.authoriser() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("tapterm pay: host simulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut journal = match open_journal(&args) {
        Ok(j) => j,
        Err(code) => return code,
    };
    let mut source = match card_source(&args, timeout) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if !args.json {
        say!(
            "{} {} (currency {:03}) on {}; waiting up to {timeout:?} per tap",
            crate::recording::kind_name(txn.kind),
            crate::recording::major(txn.amount, txn.currency_exponent),
            txn.currency,
            source_name(&args),
        );
    }
    let mut services = Services {
        host: Some(host.as_ref()),
        stand_in: host_config.stand_in.clone(),
        journal: journal.as_mut(),
        reader: source_name(&args),
    };
    let style = match (args.json, args.decode) {
        (true, _) => TraceStyle::Quiet,
        (false, true) => TraceStyle::Decoded,
        (false, false) => TraceStyle::Lines,
    };
    let done = run_checkout(&config, &txn, source.transport(), &mut services, style);
    if let Some(e) = &done.journal_error {
        eprintln!("tapterm pay: WARNING: the transaction was NOT journalled: {e}");
    }
    if done.taps == 0 {
        let why = match &source {
            Source::Reader(t) => t
                .wait_failure()
                .map_or_else(|| "no card was presented".to_string(), |e| e.to_string()),
            Source::Demo(_) => "the demo wallet was not presented".into(),
        };
        eprintln!("tapterm pay: {why}");
        return ExitCode::FAILURE;
    }
    let card = match &source {
        Source::Reader(t) => t.card().cloned(),
        Source::Demo(_) => None,
    };
    drop(source);
    if let Some(path) = &args.record
        && let Err(e) = write_record(path, &args, &config, &txn, &done, card.as_ref())
    {
        eprintln!("tapterm pay: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    if args.json {
        say!("{}", json_report(&done, card.as_ref()));
    } else {
        print_outcome(&done);
    }
    ExitCode::SUCCESS
}

/// The terminal configuration, the transaction and the per-tap timeout from the arguments;
/// bad arguments are a usage error (exit 2).
fn inputs(args: &PayArgs) -> Result<(TerminalConfig, Transaction, Duration), ExitCode> {
    let settings = terminal_config::load(
        args.config.as_deref(),
        std::path::Path::new(terminal_config::CAPK_DIR),
    )
    .map_err(|e| usage(format!("configuration: {e}")))?;
    let (currency, exponent) = match &args.currency {
        Some(text) => parse_currency(text).map_err(usage)?,
        None => (settings.app.currency, settings.app.currency_exponent),
    };
    let amount = emv_kernel::vector::minor_units(&args.amount, exponent)
        .map_err(|e| usage(format!("--amount: {e}")))?;
    let amount_other = emv_kernel::vector::minor_units(&args.amount_other, exponent)
        .map_err(|e| usage(format!("--amount-other: {e}")))?;
    let timeout = Duration::try_from_secs_f64(args.timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .ok_or_else(|| {
            usage(format!(
                "--timeout {}: want a positive number of seconds",
                args.timeout
            ))
        })?;
    let txn = transaction_now(args.kind.into(), amount, amount_other, currency, exponent).map_err(
        |e| {
            eprintln!("tapterm pay: {e}");
            ExitCode::FAILURE
        },
    )?;
    Ok((settings.kernel, txn, timeout))
}

/// The journal to write to, unless `--no-journal`.
fn open_journal(args: &PayArgs) -> Result<Option<Journal>, ExitCode> {
    if args.no_journal {
        return Ok(None);
    }
    let path = args.journal.clone().unwrap_or_else(Journal::default_path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(dir);
    }
    Journal::open(&path).map(Some).map_err(|e| {
        eprintln!("tapterm pay: journal: {e} (use --no-journal to run without one)");
        ExitCode::FAILURE
    })
}

/// The demo wallet or the PC/SC reader; reader notices go to stderr (JSON) or the trace.
fn card_source(args: &PayArgs, timeout: Duration) -> Result<Source, ExitCode> {
    if let Some(profile) = args.demo {
        let options = WalletOptions {
            locked: args.locked,
            seed: 0,
            oda_fault: None,
        };
        // Two presentations: enough for every two-tap flow.
        return InProcessTransport::for_profile(profile, options, 2)
            .map(|t| Source::Demo(Box::new(t)))
            .map_err(|e| {
                eprintln!("tapterm pay: cannot personalise {profile}: {e}");
                ExitCode::FAILURE
            });
    }
    let json_mode = args.json;
    let notify = move |notice: Notice| {
        if !json_mode {
            say!("  {notice}");
        } else if !matches!(notice, Notice::CardConnected(_)) {
            eprintln!("tapterm pay: {notice}");
        }
    };
    let options = PcscOptions {
        reader: args.reader.clone(),
        tap_timeout: Some(timeout),
    };
    Ok(Source::Reader(Box::new(PcscTransport::new(
        options,
        Box::new(notify),
    ))))
}

/// The reader as the operator named it (for messages and the journal).
fn source_name(args: &PayArgs) -> String {
    match (&args.demo, &args.reader) {
        (Some(p), _) => format!("demo {p}"),
        (None, Some(r)) => r.clone(),
        (None, None) => "the first reader".into(),
    }
}

/// Writes `--record`'s vector, warning that it holds full card data.
fn write_record(
    path: &std::path::Path,
    args: &PayArgs,
    config: &TerminalConfig,
    txn: &Transaction,
    done: &Checkout,
    card: Option<&CardInfo>,
) -> Result<(), String> {
    let source = match (card, &args.demo) {
        (_, Some(p)) => format!("virtual wallet {p} (in-process demo)"),
        (Some(c), None) => format!("recorded: {} / ATR {}", c.reader, hex::encode_upper(&c.atr)),
        (None, None) => "recorded: PC/SC".into(),
    };
    let name = path
        .file_stem()
        .map_or_else(|| "recorded".into(), |s| s.to_string_lossy().into_owned());
    let vector = crate::recording::to_vector(config, txn, done, &name, &source);
    eprintln!(
        "tapterm pay: WARNING: {} holds full card data (PAN, track 2, cryptograms); never \
         commit a recording of a real card",
        path.display()
    );
    let text = serde_json::to_string_pretty(&vector).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| e.to_string())
}

/// Where the card comes from.
enum Source {
    /// A PC/SC reader.
    Reader(Box<PcscTransport>),
    /// An in-process virtual wallet.
    Demo(Box<InProcessTransport>),
}

impl Source {
    fn transport(&mut self) -> &mut dyn Transport {
        match self {
            Source::Reader(t) => t.as_mut(),
            Source::Demo(t) => t.as_mut(),
        }
    }
}

/// How much of the trace `pay` prints while the checkout runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TraceStyle {
    /// Nothing (JSON at the end).
    Quiet,
    /// One line per event.
    Lines,
    /// Lines plus each response's TLV tree.
    Decoded,
}

/// A response's TLV tree with tag names, masked (`tapterm decode` without `--reveal`),
/// indented under its trace line.
fn decoded_tree(response: &[u8]) -> String {
    match crate::decode::decode(response, false) {
        Ok(tree) => crate::decode::render_text(&tree)
            .lines()
            .map(|l| format!("         {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        Err(e) => format!("         (not TLV: {e})"),
    }
}

/// Runs the checkout; in text mode prints each event as it happens.
fn run_checkout(
    config: &TerminalConfig,
    txn: &Transaction,
    transport: &mut dyn Transport,
    services: &mut Services<'_>,
    style: TraceStyle,
) -> Checkout {
    let mut masker = Masker::default();
    let mut print = |event: Progress| {
        if style == TraceStyle::Quiet {
            return;
        }
        match event {
            Progress::WaitingForTap => say!("waiting for a card or phone..."),
            Progress::CardDetected => say!("card detected"),
            Progress::Ui(ui) => say!(
                "  [{}] {}",
                status_name(ui.status),
                message_text(ui.message)
            ),
            Progress::Exchange(x) => {
                masker.learn(&x);
                say!("{}", trace_line(&masker, &x));
                if style == TraceStyle::Decoded
                    && let Ok(r) = &x.response
                    && r.len() > 2
                {
                    say!("{}", decoded_tree(r));
                }
            }
        }
    };
    checkout::run_with(config, txn, transport, &mut print, services)
}

/// Parses `EUR` or `978` into the numeric code and its exponent.
pub fn parse_currency(text: &str) -> Result<(u16, u8), String> {
    let code = match text.parse::<u16>() {
        Ok(n) => n,
        Err(_) => iso_currency::Currency::from_code(&text.to_uppercase())
            .map(|c| c.numeric())
            .ok_or_else(|| format!("--currency {text:?}: not an ISO 4217 currency"))?,
    };
    let exponent = emv_kernel::vector::currency_exponent(code)
        .ok_or_else(|| format!("--currency {text:?}: not an ISO 4217 currency with minor units"))?;
    Ok((code, exponent))
}

/// Today's transaction with fresh unpredictable numbers (one per possible tap).
fn transaction_now(
    kind: TransactionType,
    amount: u64,
    amount_other: u64,
    currency: u16,
    currency_exponent: u8,
) -> Result<Transaction, String> {
    use chrono::{Datelike, Timelike};
    let now = chrono::Local::now();
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|e| format!("no random source: {e}"))?;
    let unpredictable_numbers = random
        .chunks_exact(4)
        .map(|c| [c[0], c[1], c[2], c[3]])
        .collect();
    let narrow = |v: u32| u8::try_from(v).unwrap_or(0);
    Ok(Transaction {
        kind,
        amount,
        amount_other,
        currency,
        currency_exponent,
        date: Date {
            year: u16::try_from(now.year()).unwrap_or(2000),
            month: narrow(now.month()),
            day: narrow(now.day()),
        },
        time: Time {
            hour: narrow(now.hour()),
            minute: narrow(now.minute()),
            second: narrow(now.second()),
        },
        unpredictable_numbers,
    })
}

/// Masks card data in hex dumps: the PAN (5A) and track 2 (57, 9F6B) by their TLV position,
/// and any PAN seen earlier wherever its digits appear again.
#[derive(Debug, Default)]
pub struct Masker {
    pans: Vec<String>,
}

/// Tags whose value is a PAN (`n`, padded with `F`).
const PAN_TAGS: [u32; 1] = [0x5A];
/// Tags whose value is track 2 equivalent data (PAN `D` YYMM …).
const TRACK2_TAGS: [u32; 3] = [0x57, 0x9F6B, 0x9F20];
/// Tags masked whole (track 1 data).
const TRACK1_TAGS: [u32; 2] = [0x56, 0x9F1F];

impl Masker {
    /// Remembers the PANs in an exchange's response so later dumps mask them anywhere.
    pub fn learn(&mut self, exchange: &TimedExchange) {
        let Ok(response) = &exchange.response else {
            return;
        };
        for span in spans(response) {
            let tag = span.tag;
            let value = response
                .get(span.start..span.start + span.len)
                .unwrap_or(&[]);
            let digits: String = hex::encode_upper(value)
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if (PAN_TAGS.contains(&tag) || TRACK2_TAGS.contains(&tag))
                && digits.len() >= 12
                && !self.pans.contains(&digits)
            {
                self.pans.push(digits);
            }
        }
    }

    /// The bytes as upper-case hex with card data replaced by `*`.
    pub fn hex(&self, bytes: &[u8]) -> String {
        let mut text: Vec<u8> = hex::encode_upper(bytes).into_bytes();
        for span in spans(bytes) {
            let tag = span.tag;
            let start = 2 * span.start;
            let end = start + 2 * span.len;
            let Some(field) = text.get_mut(start..end) else {
                continue;
            };
            if PAN_TAGS.contains(&tag) {
                mask_pan(field);
            } else if TRACK2_TAGS.contains(&tag) {
                mask_track2(field);
            } else if TRACK1_TAGS.contains(&tag) {
                field.fill(b'*');
            }
        }
        for pan in &self.pans {
            let needle = pan.as_bytes();
            let mut from = 0;
            while let Some(at) = find(&text[from..], needle) {
                let start = from + at;
                if let Some(field) = text.get_mut(start..start + needle.len()) {
                    mask_pan(field);
                }
                from = start + needle.len();
            }
        }
        String::from_utf8_lossy(&text).into_owned()
    }

    /// The first PAN seen, masked (`476173******0119`).
    pub fn masked_pan(&self) -> Option<String> {
        self.pans.first().map(|p| tapterm::masking::mask_pan(p))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Masks the digits of a PAN written in hex, keeping the first 6 and last 4 digits and any
/// `F` padding.
fn mask_pan(field: &mut [u8]) {
    let digits = field.iter().take_while(|c| c.is_ascii_digit()).count();
    for (i, c) in field.iter_mut().enumerate().take(digits) {
        if i >= 6 && i + 4 < digits {
            *c = b'*';
        }
    }
}

/// Masks track 2 written in hex: the PAN as [`mask_pan`], the expiry (YYMM) kept, the rest
/// (service code, discretionary data) masked.
fn mask_track2(field: &mut [u8]) {
    let separator = field.iter().position(|c| *c == b'D');
    let Some(d) = separator else {
        field.fill(b'*');
        return;
    };
    mask_pan(&mut field[..d]);
    for c in field.iter_mut().skip(d + 5) {
        if *c != b'F' {
            *c = b'*';
        }
    }
}

/// Where card data sits in a byte string: tag, value offset, value length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    tag: u32,
    start: usize,
    len: usize,
}

fn is_sensitive(tag: u32) -> bool {
    PAN_TAGS.contains(&tag) || TRACK2_TAGS.contains(&tag) || TRACK1_TAGS.contains(&tag)
}

/// The card data fields of `bytes` (with or without a trailing status word): by a TLV walk
/// when the data is well formed, else by a conservative scan for the sensitive tags followed
/// by a short length, so that malformed answers cannot carry a PAN past the mask.
fn spans(bytes: &[u8]) -> Vec<Span> {
    let body = bytes.get(..bytes.len().saturating_sub(2)).unwrap_or(&[]);
    let well_formed = [bytes, body]
        .into_iter()
        .find(|b| emv_kernel::tlv::validate(b).is_ok());
    match well_formed {
        Some(data) => walk(data)
            .into_iter()
            .filter(|t| is_sensitive(t.tag.value()))
            .map(|t| Span {
                tag: t.tag.value(),
                start: t.offset + t.raw.len() - t.value.len(),
                len: t.value.len(),
            })
            .collect(),
        None => scan(bytes),
    }
}

/// Every TLV object of well-formed `data`, depth first.
fn walk(data: &[u8]) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    let mut stack = vec![TlvIter::new(data)];
    while let Some(iter) = stack.last_mut() {
        match iter.next() {
            Some(Ok(tlv)) => {
                out.push(tlv);
                if tlv.is_constructed() {
                    stack.push(tlv.children());
                }
            }
            _ => {
                stack.pop();
            }
        }
    }
    out
}

/// Finds sensitive tags anywhere in malformed data: a tag byte (or two) and a length below
/// 128; the value is cut at the end of the data.
fn scan(bytes: &[u8]) -> Vec<Span> {
    let mut out = Vec::new();
    for i in 0..bytes.len() {
        let two = match bytes.get(i..i + 2) {
            Some([a, b]) => Some(u32::from(*a) << 8 | u32::from(*b)),
            _ => None,
        };
        let (tag, tag_len) = match (two, bytes.get(i)) {
            (Some(t), _) if is_sensitive(t) => (t, 2),
            (_, Some(b)) if is_sensitive(u32::from(*b)) => (u32::from(*b), 1),
            _ => continue,
        };
        let Some(&len) = bytes.get(i + tag_len) else {
            continue;
        };
        if len == 0 || len >= 0x80 {
            continue;
        }
        let start = i + tag_len + 1;
        let len = usize::from(len).min(bytes.len().saturating_sub(start));
        out.push(Span { tag, start, len });
    }
    out
}

/// The command's name (`SELECT`, `READ RECORD SFI 1 record 2`).
pub fn command_name(command: &[u8]) -> String {
    let described = emv_kernel::replay::describe(command);
    match described.split_once(" (") {
        Some((name, _)) => name.trim_end().to_string(),
        None => described,
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One trace line: offset, duration, command name and hex, response hex, SW meaning.
fn trace_line(masker: &Masker, x: &TimedExchange) -> String {
    let answer = match &x.response {
        Ok(r) => {
            let sw = emv_kernel::apdu::Response::parse(r).map_or(0, |r| r.sw);
            format!("{}  [{}]", masker.hex(r), explain_sw(sw))
        }
        Err(e) => format!("({e})"),
    };
    format!(
        "  tap {} +{:9.3} ms {:8.3} ms  {:<28} {}\n      -> {answer}",
        x.tap + 1,
        millis(x.started),
        millis(x.took),
        command_name(&x.command),
        masker.hex(&x.command),
    )
}

fn status_name(status: ReaderStatus) -> &'static str {
    match status {
        ReaderStatus::NotReady => "not ready",
        ReaderStatus::Idle => "idle",
        ReaderStatus::ReadyToRead => "ready to read",
        ReaderStatus::Processing => "processing",
        ReaderStatus::CardReadSuccessfully => "card read",
        ReaderStatus::ProcessingError => "error",
    }
}

fn message_text(message: MessageId) -> String {
    message.name().replace('_', " ")
}

fn masker_for(done: &Checkout) -> Masker {
    let mut masker = Masker::default();
    for x in &done.exchanges {
        masker.learn(x);
    }
    masker
}

/// Time spent in exchanges, and the terminal's own time between card detection and outcome.
fn apdu_time(done: &Checkout) -> Duration {
    done.exchanges.iter().map(|x| x.took).sum()
}

fn print_outcome(done: &Checkout) {
    let masker = masker_for(done);
    let result = &done.result;
    say!("outcome: {}", result.outcome.status.name());
    if let Some(h) = &done.host {
        say!(
            "host:    {} (response {}{}) {}",
            if h.approved { "approved" } else { "declined" },
            h.response_code,
            if h.auth_code.is_empty() {
                String::new()
            } else {
                format!(", auth code {}", h.auth_code)
            },
            h.reason
        );
    }
    let verdict = match done.approved {
        Some(true) => "APPROVED",
        Some(false) => "DECLINED",
        None => "not completed",
    };
    say!("result:  {verdict}");
    if let Some(id) = done.journal_id {
        say!("journal: entry {id}");
    }
    say!(
        "cvm:     {}",
        result.outcome.cvm.map_or("n/a", |c| c.name())
    );
    if let Some(pan) = masker.masked_pan() {
        say!("PAN:     {pan}");
    }
    let ui: Vec<String> = result.ui.iter().map(|u| message_text(u.message)).collect();
    say!("UI:      {}", ui.join(", "));
    let taps: Vec<&str> = result.tap_outcomes.iter().map(|s| s.name()).collect();
    say!("taps:    {} ({})", done.taps, taps.join(", "));
    if let Some(from_card) = done.from_card {
        say!(
            "timing:  card to outcome {:.3} ms, {} exchanges taking {:.3} ms",
            millis(from_card),
            done.exchanges.len(),
            millis(apdu_time(done))
        );
    }
}

fn json_report(done: &Checkout, card: Option<&CardInfo>) -> String {
    let masker = masker_for(done);
    let result = &done.result;
    let trace: Vec<_> = done
        .exchanges
        .iter()
        .map(|x| {
            let (response, error, sw) = match &x.response {
                Ok(r) => {
                    let sw = emv_kernel::apdu::Response::parse(r).map_or(0, |r| r.sw);
                    (Some(masker.hex(r)), None, Some(sw))
                }
                Err(e) => (None, Some(e.to_string()), None),
            };
            json!({
                "tap": x.tap + 1,
                "started_ms": millis(x.started),
                "took_ms": millis(x.took),
                "name": command_name(&x.command),
                "command": masker.hex(&x.command),
                "response": response,
                "error": error,
                "sw": sw.map(|s| format!("{s:04X}")),
                "sw_meaning": sw.map(explain_sw),
            })
        })
        .collect();
    let report = json!({
        "outcome": result.outcome.status.name(),
        "approved": done.approved,
        "host": done.host.as_ref().map(|h| json!({
            "approved": h.approved,
            "response_code": h.response_code,
            "auth_code": h.auth_code,
            "reason": h.reason,
            "cryptogram_verified": h.cryptogram_verified,
        })),
        "journal_id": done.journal_id,
        "cvm": result.outcome.cvm.map_or("n/a", |c| c.name()),
        "pan": masker.masked_pan(),
        "ui": result.ui.iter().map(|u| u.message.name()).collect::<Vec<_>>(),
        "tap_outcomes": result.tap_outcomes.iter().map(|s| s.name()).collect::<Vec<_>>(),
        "taps": done.taps,
        "reader": card.map(|c| c.reader.clone()),
        "atr": card.map(|c| hex::encode_upper(&c.atr)),
        "uid": card.and_then(|c| c.uid.as_ref()).map(hex::encode_upper),
        "connect_ms": card.map(|c| millis(c.connect_took)),
        "duration_ms": millis(done.duration),
        "card_to_outcome_ms": done.from_card.map(millis),
        "apdu_ms": millis(apdu_time(done)),
        "exchanges": done.exchanges.len(),
        "trace": trace,
    });
    serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(response: &[u8]) -> TimedExchange {
        TimedExchange {
            tap: 0,
            command: vec![0x00, 0xB2, 0x01, 0x0C, 0x00],
            response: Ok(response.to_vec()),
            started: Duration::ZERO,
            took: Duration::ZERO,
        }
    }

    #[test]
    fn masks_pan_and_track2_inside_records() {
        // 70 { 57 (4761739001010119 D 2512 201 …F), 5A (4761739001010119) } 9000
        let record = hex::decode(
            "7021\
             5711 4761739001010119D2512201000000000F\
             5A08 4761739001010119\
             5F3401 01\
             9000"
                .replace(' ', ""),
        )
        .unwrap();
        let mut masker = Masker::default();
        masker.learn(&exchange(&record));
        let shown = masker.hex(&record);
        assert!(!shown.contains("4761739001010119"), "{shown}");
        assert!(
            shown.contains("476173******0119D2512************F"),
            "{shown}"
        );
        assert!(shown.contains("5A08476173******0119"), "{shown}");
        assert!(shown.ends_with("5F3401019000"), "{shown}");
        assert_eq!(masker.masked_pan().as_deref(), Some("476173******0119"));
    }

    #[test]
    fn a_pan_in_a_malformed_answer_is_masked_and_learned() {
        // 77 claims 0x40 bytes but holds fewer: the TLV walk fails, the scan still finds 57.
        let broken =
            hex::decode("77405711476173900101011 9D2512201000000000F9000".replace(' ', ""))
                .unwrap();
        let mut masker = Masker::default();
        masker.learn(&exchange(&broken));
        let shown = masker.hex(&broken);
        assert!(!shown.contains("4761739001010119"), "{shown}");
        assert!(
            shown.starts_with("77405711476173******0119D2512"),
            "{shown}"
        );
        assert_eq!(masker.masked_pan().as_deref(), Some("476173******0119"));
    }

    #[test]
    fn a_known_pan_is_masked_even_in_malformed_data() {
        let mut masker = Masker::default();
        masker.learn(&exchange(&hex::decode("5A0854133300896000139000").unwrap()));
        // Broken TLV that still carries the PAN digits.
        let broken = hex::decode("77FF5413330089600013").unwrap();
        let shown = masker.hex(&broken);
        assert_eq!(shown, "77FF541333******0013");
    }

    #[test]
    fn currencies_by_code_or_number() {
        assert_eq!(parse_currency("EUR"), Ok((978, 2)));
        assert_eq!(parse_currency("eur"), Ok((978, 2)));
        assert_eq!(parse_currency("392"), Ok((392, 0)));
        assert_eq!(parse_currency("KWD"), Ok((414, 3)));
        assert!(parse_currency("XYZ").is_err());
        assert!(parse_currency("999").is_err());
    }

    #[test]
    fn command_names_come_without_hex() {
        assert_eq!(command_name(&[0x00, 0xA4, 0x04, 0x00, 0x00]), "SELECT");
        assert_eq!(
            command_name(&[0x00, 0xB2, 0x02, 0x0C, 0x00]),
            "READ RECORD SFI 1 record 2"
        );
    }
}

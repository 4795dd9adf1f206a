//! `tapterm pay`: one headless transaction — wait for a card or phone, run the kernel through
//! [`tapterm::checkout`], print every APDU with its timing and meaning, then the verdict.
//!
//! Ctrl-C (SIGINT) or SIGTERM cancels the transaction through its [`CancelToken`]: the
//! reader's wait ends, the transaction is journalled as cancelled with what had happened so
//! far, and the command exits with 130. A second signal exits at once.
//!
//! Card data is secret (DESIGN.md): the PAN (5A) and track 2 (57, 9F6B) are masked to first
//! 6 / last 4 (track 2: masked PAN + expiry) everywhere this command prints, including inside
//! the raw response hex. Only `--record` writes them in full, with a warning.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::TypedValueParser as _;
use emv_kernel::config::{TerminalConfig, Transaction, TransactionType};
use emv_kernel::outcome::{ReaderStatus, TraceEntry};
use emv_kernel::status_words::explain_sw;
use emv_kernel::transport::Transport;
use serde_json::json;

use tapterm::cancel::CancelToken;
use tapterm::checkout::{self, CheckoutResult, Progress, Services};
use tapterm::decode::command_name;
use tapterm::host::HostConfig;
use tapterm::journal::Journal;
use tapterm::masking::TraceMasker;
use tapterm::phone::{InProcessTransport, Profile, card::WalletOptions};
use tapterm::reader::{CardInfo, Notice, PcscOptions, PcscTransport};
use tapterm::rewards::{Award, Redemption, Rewards};
use tapterm::terminal_config::{self, Settings};
use tapterm::transaction::{KINDS, Sale, kind_from_name, kind_name, new_transaction};
use tapterm::verdict::{Ending, message_text};

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
    /// Amount in major units of the currency (`12.34`; JPY `1500`); not with --transit.
    #[arg(long, required_unless_present = "transit", conflicts_with = "transit")]
    pub amount: Option<String>,
    /// Be a transit gate (the `[transit]` table): no amount, no CVM, the gate opens on an
    /// offline decision and the authorisation is queued and sent afterwards. Exit status 0
    /// when the gate opened, 1 when it stayed shut.
    #[arg(long)]
    pub transit: bool,
    /// With --demo: the phone's Express Transit setting off (a locked phone asks for unlock).
    #[arg(long, requires = "demo")]
    pub no_express: bool,
    /// Amount, other (cashback) in major units.
    #[arg(long, default_value = "0")]
    pub amount_other: String,
    /// ISO 4217 currency, alphabetic (`EUR`) or numeric (`978`); default: the configured one.
    #[arg(long)]
    pub currency: Option<String>,
    /// Transaction type (tag 9C).
    #[arg(long = "type", value_parser = kind_parser(), default_value = "purchase")]
    pub kind: TransactionType,
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
    /// `host:port` of a `tapterm host --listen` service to send online requests to, in
    /// place of the `[host]` table's address (timeout and stand-in come from the table).
    #[arg(long)]
    pub host: Option<String>,
    /// Seconds to wait for each tap.
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
    /// Rewards rules laid over the built-in assets/rewards.toml (a bad file turns rewards
    /// off with a warning; the payment goes on).
    #[arg(long)]
    pub rewards: Option<PathBuf>,
    /// Apply this rewards offer: a zero-amount "rewards check" tap first recognises the
    /// member (nothing is charged or sent to the host), then the amount less the offer's
    /// discount is charged; the redemption is journalled with the sale if it is approved.
    #[arg(long, value_name = "OFFER", conflicts_with = "no_journal")]
    pub redeem: Option<String>,
}

/// The transaction types by name (`purchase`, `refund`, `cash`, `cashback`).
fn kind_parser() -> impl clap::builder::TypedValueParser<Value = TransactionType> {
    clap::builder::PossibleValuesParser::new(KINDS.map(kind_name))
        .try_map(|name: String| kind_from_name(&name).ok_or("unknown transaction type"))
}

/// Exit status for bad arguments (clap uses the same).
const EXIT_USAGE: u8 = 2;

fn usage(text: impl std::fmt::Display) -> ExitCode {
    eprintln!("tapterm pay: {text}");
    ExitCode::from(EXIT_USAGE)
}

/// Exit status after a cancellation by signal (128 + SIGINT, as shells report it).
const EXIT_CANCELLED: u8 = 130;

/// Runs the subcommand.
pub fn run(args: PayArgs) -> ExitCode {
    if args.transit {
        return super::transit::pay(&args);
    }
    let (settings, txn, timeout) = match inputs(&args) {
        Ok(inputs) => inputs,
        Err(code) => return code,
    };
    let config = &settings.kernel;
    let host_config = HostConfig {
        address: args.host.clone().or_else(|| settings.host.address.clone()),
        ..settings.host.clone()
    };
    let host = match host_config.authoriser() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("tapterm pay: host simulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut journal = match open_journal(&args, &settings) {
        Ok(j) => j,
        Err(code) => return code,
    };
    let rewards = load_rewards(&args, &settings);
    let mut txn = txn;
    let redeem = match &args.redeem {
        None => None,
        Some(offer) => match check_tap(&args, config, &mut txn, offer, &rewards, &journal) {
            Ok(redemption) => Some(redemption),
            Err(code) => return code,
        },
    };
    let cancel = CancelToken::new();
    if let Err(e) = cancel_on_signals(&cancel) {
        eprintln!("tapterm pay: cannot catch Ctrl-C ({e}); it will end tapterm unjournalled");
    }
    let mut source = match card_source(&args, timeout, &cancel) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if !args.json {
        say!(
            "{} {} (currency {:03}) on {}; waiting up to {timeout:?} per tap",
            kind_name(txn.kind),
            tapterm::transaction::major(txn.amount, txn.currency_exponent),
            txn.currency,
            source_name(&args),
        );
    }
    let mut services = Services {
        host: Some(host.as_ref()),
        stand_in: host_config.stand_in.clone(),
        journal: journal.as_mut(),
        reader: source_name(&args),
        cancel: cancel.clone(),
        rewards: rewards.as_ref(),
        redeem,
    };
    let style = match (args.json, args.decode) {
        (true, _) => TraceStyle::Quiet,
        (false, true) => TraceStyle::Decoded,
        (false, false) => TraceStyle::Lines,
    };
    let done = run_checkout(config, &txn, source.transport(), &mut services, style);
    if let Some(e) = done.journal.error() {
        eprintln!("tapterm pay: WARNING: the transaction was NOT journalled: {e}");
    }
    if let Err(e) = &done.rewards {
        eprintln!("tapterm pay: WARNING: rewards not written (the sale is journalled): {e}");
    }
    if let (Some(offer), Ok(award)) = (&args.redeem, &done.rewards)
        && done.verdict.approved()
        && award.as_ref().and_then(|a| a.redeemed.as_ref()).is_none()
    {
        eprintln!("tapterm pay: WARNING: offer {offer:?} was no longer available; not redeemed");
    }
    if done.verdict.ending == Ending::NoCard {
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
        && done.verdict.ending != Ending::Cancelled
        && let Err(e) = write_record(path, &args, config, &txn, &done, card.as_ref())
    {
        eprintln!("tapterm pay: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    if args.json {
        say!("{}", json_report(&done, card.as_ref()));
    } else {
        if style == TraceStyle::Decoded {
            let report = tapterm::gui::developer::tap_report(&done, config);
            say!("{}", tapterm::decode::tap::oda_text(&report).trim_end());
        }
        print_outcome(&done);
    }
    if done.verdict.ending == Ending::Cancelled {
        ExitCode::from(EXIT_CANCELLED)
    } else {
        ExitCode::SUCCESS
    }
}

/// SIGINT and SIGTERM cancel `cancel`; a second one ends the process at once.
pub(super) fn cancel_on_signals(cancel: &CancelToken) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    let cancel = cancel.clone();
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if cancel.is_cancelled() {
                    eprintln!("tapterm pay: stopped at once (signal {signal})");
                    std::process::exit(i32::from(EXIT_CANCELLED));
                }
                eprintln!("tapterm pay: cancelling (signal {signal}); again to stop at once");
                cancel.cancel();
            }
        })?;
    Ok(())
}

/// The settings, the transaction and the per-tap timeout from the arguments; bad arguments
/// are a usage error (exit 2), no random source refuses the transaction (exit 1).
fn inputs(args: &PayArgs) -> Result<(Settings, Transaction, Duration), ExitCode> {
    let settings = terminal_config::load(
        args.config.as_deref(),
        std::path::Path::new(terminal_config::CAPK_DIR),
    )
    .map_err(|e| usage(format!("configuration: {e}")))?;
    let (currency, exponent) = match &args.currency {
        Some(text) => parse_currency(text).map_err(usage)?,
        None => (settings.app.currency, settings.app.currency_exponent),
    };
    let amount = emv_kernel::vector::minor_units(args.amount.as_deref().unwrap_or("0"), exponent)
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
    let sale = Sale {
        kind: args.kind,
        amount,
        amount_other,
        currency,
        currency_exponent: exponent,
    };
    let txn = new_transaction(sale, settings.app.time_zone).map_err(|e| {
        eprintln!("tapterm pay: {e}");
        ExitCode::FAILURE
    })?;
    Ok((settings, txn, timeout))
}

/// The journal to write to, unless `--no-journal`.
fn open_journal(args: &PayArgs, settings: &Settings) -> Result<Option<Journal>, ExitCode> {
    if args.no_journal {
        return Ok(None);
    }
    let path = args.journal.clone().unwrap_or_else(Journal::default_path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(dir);
    }
    Journal::open(&path)
        .map(|j| Some(j.with_zone(settings.app.time_zone)))
        .map_err(|e| {
            eprintln!("tapterm pay: journal: {e} (use --no-journal to run without one)");
            ExitCode::FAILURE
        })
}

/// The rewards rules when rewards are on and there is a journal to keep them in; a bad
/// rules file or secret is a warning: the payment goes on without rewards.
fn load_rewards(args: &PayArgs, settings: &Settings) -> Option<Rewards> {
    if args.no_journal {
        return None;
    }
    let journal = args.journal.clone().unwrap_or_else(Journal::default_path);
    let app = &settings.app;
    match Rewards::load(
        args.rewards.as_deref(),
        app.currency,
        app.currency_exponent,
        &journal,
    ) {
        Ok(rewards) => rewards,
        Err(e) => {
            eprintln!("tapterm pay: WARNING: rewards are off: {e}");
            None
        }
    }
}

/// The rewards check tap for `--redeem OFFER`: a zero-amount read recognises the member,
/// the offer must be theirs now, and `txn`'s amount loses the discount. Nothing is charged,
/// sent to the host or journalled by the check.
fn check_tap(
    args: &PayArgs,
    config: &TerminalConfig,
    txn: &mut Transaction,
    offer: &str,
    rewards: &Option<Rewards>,
    journal: &Option<Journal>,
) -> Result<Redemption, ExitCode> {
    let (Some(rewards), Some(journal)) = (rewards, journal) else {
        return Err(usage("--redeem: rewards are off"));
    };
    if txn.kind != TransactionType::Purchase {
        return Err(usage("--redeem: offers apply to purchases only"));
    }
    let Some(wanted) = rewards.rules.offer(offer) else {
        let names: Vec<&str> = rewards
            .rules
            .offers
            .iter()
            .map(|o| o.name.as_str())
            .collect();
        return Err(usage(format!(
            "--redeem: no offer {offer:?} in the rules; offers: {}",
            names.join(", ")
        )));
    };
    if txn.amount <= wanted.discount_minor {
        return Err(usage(format!(
            "--redeem: the offer takes {} off; the amount must be more",
            tapterm::rewards::money(wanted.discount_minor, txn.currency, txn.currency_exponent)
        )));
    }
    let timeout = Duration::try_from_secs_f64(args.timeout).unwrap_or(Duration::from_secs(30));
    let check = tapterm::rewards::check_transaction(txn);
    let mut source = card_source(args, timeout, &CancelToken::new())?;
    if !args.json {
        say!("rewards check: tap the card or phone (nothing is charged)");
    }
    let read = checkout::run(config, &check, source.transport(), &mut |_| {});
    drop(source);
    let fail = |what: String| {
        eprintln!("tapterm pay: --redeem: {what}; nothing was charged");
        ExitCode::FAILURE
    };
    let Some(record) = &read.kernel.data_record else {
        return Err(fail(format!(
            "the rewards check read no card data ({})",
            read.verdict.summary()
        )));
    };
    let found = rewards
        .recognise(journal.ledger(), record)
        .map_err(|e| fail(e.to_string()))?
        .ok_or_else(|| fail("this card or phone is not a rewards member yet".into()))?;
    if !found.available.iter().any(|o| o.name == wanted.name) {
        return Err(fail(format!(
            "offer {offer:?} is not available to member #{} ({} points, {} visits)",
            found.member.id, found.member.points, found.member.visits
        )));
    }
    txn.amount -= wanted.discount_minor;
    if !args.json {
        say!(
            "rewards check: member #{} {}; offer {offer:?} takes {} off",
            found.member.id,
            found.member.key,
            tapterm::rewards::money(wanted.discount_minor, txn.currency, txn.currency_exponent)
        );
    }
    Ok(Redemption {
        member: found.member.id,
        offer: wanted.name.clone(),
    })
}

/// The demo wallet or the PC/SC reader; reader notices go to stderr (JSON) or the trace.
fn card_source(
    args: &PayArgs,
    timeout: Duration,
    cancel: &CancelToken,
) -> Result<Source, ExitCode> {
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
        cancel: cancel.clone(),
        ecp_frame: None,
    };
    Ok(Source::Reader(Box::new(PcscTransport::new(
        options,
        Box::new(notify),
    ))))
}

/// The reader as the operator named it (for messages and the journal).
pub(super) fn source_name(args: &PayArgs) -> String {
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
    done: &CheckoutResult,
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
    let vector = tapterm::recording::to_vector(config, txn, done, &name, &source);
    eprintln!(
        "tapterm pay: WARNING: {} holds full card data (PAN, track 2, cryptograms); never \
         commit a recording of a real card",
        path.display()
    );
    let text = serde_json::to_string_pretty(&vector).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| e.to_string())
}

/// Where the card comes from.
pub(super) enum Source {
    /// A PC/SC reader.
    Reader(Box<PcscTransport>),
    /// An in-process virtual wallet.
    Demo(Box<InProcessTransport>),
}

impl Source {
    pub(super) fn transport(&mut self) -> &mut dyn Transport {
        match self {
            Source::Reader(t) => t.as_mut(),
            Source::Demo(t) => t.as_mut(),
        }
    }
}

/// How much of the trace `pay` prints while the checkout runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TraceStyle {
    /// Nothing (JSON at the end).
    Quiet,
    /// One line per event.
    Lines,
    /// Lines plus each response's TLV tree.
    Decoded,
}

/// A response's TLV tree with tag names, masked (`tapterm decode` without `--reveal`), read
/// with the application's AID once one is selected, indented under its trace line.
fn decoded_tree(response: &[u8], aid: Option<&[u8]>) -> String {
    let options = tapterm::decode::Options {
        reveal: false,
        aid: aid.map(<[u8]>::to_vec),
        currency: None,
    };
    match tapterm::decode::decode_with(response, &options) {
        Ok(tree) => tapterm::decode::render_text(&tree)
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
) -> CheckoutResult {
    checkout::run_with(config, txn, transport, &mut trace_printer(style), services)
}

/// What prints each event of a checkout as it happens (nothing in `Quiet` style).
pub(super) fn trace_printer(style: TraceStyle) -> impl FnMut(Progress) {
    let mut masker = TraceMasker::default();
    let mut aid: Option<Vec<u8>> = None;
    move |event: Progress| {
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
                learn(&mut masker, &x);
                say!("{}", trace_line(&masker, &x));
                if style == TraceStyle::Decoded
                    && let Ok(r) = &x.response
                    && r.len() > 2
                {
                    if let Some(df) = selected_application(&x.command, r) {
                        aid = Some(df);
                    }
                    say!("{}", decoded_tree(r, aid.as_deref()));
                }
            }
        }
    }
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

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One trace line: the card's time, command name and hex, response hex, SW meaning.
fn trace_line(masker: &TraceMasker, x: &TraceEntry) -> String {
    let answer = match &x.response {
        Ok(r) => {
            let sw = emv_kernel::apdu::Response::parse(r).map_or(0, |r| r.sw);
            format!("{}  [{}]", masker.hex(r), explain_sw(sw))
        }
        Err(e) => format!("({e})"),
    };
    format!(
        "  tap {} {:8.3} ms  {:<28} {}\n      -> {answer}",
        x.tap + 1,
        millis(x.elapsed),
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

fn masker_for(done: &CheckoutResult) -> TraceMasker {
    let mut masker = TraceMasker::default();
    for x in &done.kernel.trace {
        learn(&mut masker, x);
    }
    masker
}

/// The DF name (84) an application SELECT answered with (not the PPSE's), Book 3 11.3.4.
fn selected_application(command: &[u8], response: &[u8]) -> Option<Vec<u8>> {
    let data = command.get(5..).unwrap_or_default();
    if !command.starts_with(&[0x00, 0xA4]) || data.starts_with(b"2PAY.SYS.DDF01") {
        return None;
    }
    let body = response.get(..response.len().checked_sub(2)?)?;
    let df = emv_kernel::tlv::find(body, emv_kernel::tags::DF_NAME).ok()??;
    Some(df.value.to_vec())
}

fn learn(masker: &mut TraceMasker, x: &TraceEntry) {
    if let Ok(response) = &x.response {
        masker.learn(response);
    }
}

/// Time spent in exchanges, and the terminal's own time between card detection and outcome.
fn apdu_time(done: &CheckoutResult) -> Duration {
    done.kernel.trace.iter().map(|x| x.elapsed).sum()
}

/// The verdict and what led to it, for people.
fn print_outcome(done: &CheckoutResult) {
    let masker = masker_for(done);
    let kernel = &done.kernel;
    let verdict = &done.verdict;
    say!("outcome: {}", kernel.outcome.status.name());
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
    say!("result:  {}", verdict.summary());
    if let Some(stored) = done.journal.stored() {
        say!("journal: entry {} ({})", stored.id, stored.entry.outcome);
    }
    if let Ok(Some(award)) = &done.rewards {
        let txn = &done.transaction;
        let money = |m| tapterm::rewards::money(m, txn.currency, txn.currency_exponent);
        for (label, value) in award.items(money) {
            say!("rewards: {label}: {value}");
        }
    }
    say!("cvm:     {}", verdict.cvm.map_or("n/a", |c| c.name()));
    if let Some(pan) = masker.masked_pan() {
        say!("PAN:     {pan}");
    }
    let ui: Vec<&str> = kernel.ui.iter().map(|u| message_text(u.message)).collect();
    say!("UI:      {}", ui.join(", "));
    let taps: Vec<&str> = kernel.tap_outcomes.iter().map(|s| s.name()).collect();
    say!("taps:    {} ({})", done.taps, taps.join(", "));
    if let Some(from_card) = done.from_card {
        say!(
            "timing:  card to outcome {:.3} ms, {} exchanges taking {:.3} ms",
            millis(from_card),
            done.kernel.trace.len(),
            millis(apdu_time(done))
        );
    }
}

fn json_report(done: &CheckoutResult, card: Option<&CardInfo>) -> String {
    let masker = masker_for(done);
    let kernel = &done.kernel;
    let verdict = &done.verdict;
    let trace: Vec<_> = done
        .kernel
        .trace
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
                "took_ms": millis(x.elapsed),
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
        "outcome": kernel.outcome.status.name(),
        "approved": verdict.approved(),
        "verdict": {
            "ending": verdict.ending.name(),
            "title": verdict.title,
            "detail": verdict.detail,
        },
        "host": done.host.as_ref().map(|h| json!({
            "approved": h.approved,
            "response_code": h.response_code,
            "auth_code": h.auth_code,
            "reason": h.reason,
            "cryptogram_verified": h.cryptogram_verified,
        })),
        "journal_id": done.journal.stored().map(|s| s.id),
        "amount_minor": done.transaction.amount,
        "rewards": match &done.rewards {
            Ok(award) => award.as_ref().map(award_json),
            Err(e) => Some(json!({ "error": e })),
        },
        "cvm": verdict.cvm.map_or("n/a", |c| c.name()),
        "pan": masker.masked_pan(),
        "ui": kernel.ui.iter().map(|u| u.message.name()).collect::<Vec<_>>(),
        "tap_outcomes": kernel.tap_outcomes.iter().map(|s| s.name()).collect::<Vec<_>>(),
        "taps": done.taps,
        "reader": card.map(|c| c.reader.clone()),
        "atr": card.map(|c| hex::encode_upper(&c.atr)),
        "uid": card.and_then(|c| c.uid.as_ref()).map(hex::encode_upper),
        "connect_ms": card.map(|c| millis(c.connect_took)),
        "duration_ms": millis(done.duration),
        "card_to_outcome_ms": done.from_card.map(millis),
        "apdu_ms": millis(apdu_time(done)),
        "exchanges": done.kernel.trace.len(),
        "trace": trace,
    });
    serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// A rewards award as JSON (the account key truncated, as everywhere).
fn award_json(a: &Award) -> serde_json::Value {
    let offer = |(name, minor): &(String, u64)| json!({ "offer": name, "discount_minor": minor });
    json!({
        "member": a.member,
        "account": a.key.to_string(),
        "keyed_by": a.key.source(),
        "earned": a.earned,
        "welcome": a.welcome,
        "reversed": a.reversed,
        "balance": a.balance,
        "visits": a.visits,
        "unlocked": a.unlocked.iter().map(offer).collect::<Vec<_>>(),
        "redeemed": a.redeemed.as_ref().map(offer),
        "new_device": a.new_device,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_by_code_or_number() {
        assert_eq!(parse_currency("EUR"), Ok((978, 2)));
        assert_eq!(parse_currency("eur"), Ok((978, 2)));
        assert_eq!(parse_currency("392"), Ok((392, 0)));
        assert_eq!(parse_currency("KWD"), Ok((414, 3)));
        assert!(parse_currency("XYZ").is_err());
        assert!(parse_currency("999").is_err());
    }
}

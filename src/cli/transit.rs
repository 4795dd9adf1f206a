//! `tapterm pay --transit` and `tapterm transit …`: the gate headless, the deferred
//! authorisations' sender, the deny list and close of day (issue 13, [`tapterm::transit`]).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use tapterm::cancel::CancelToken;
use tapterm::host::{Authoriser, HostConfig};
use tapterm::journal::Journal;
use tapterm::journal::transit::Gate;
use tapterm::phone::{Profile, WalletOptions};
use tapterm::terminal_config;
use tapterm::transit::gate::{GateResult, GateServices, run_gate};
use tapterm::transit::sender::{Round, Sender, send_queued};
use tapterm::transit::station::Station;
use tapterm::transit::{close_day, shown_account};
use tapterm::verdict::message_text;

use super::pay::{PayArgs, Source, TraceStyle, trace_printer};

/// Arguments of `tapterm transit`.
#[derive(Debug, clap::Args)]
pub struct TransitArgs {
    #[command(subcommand)]
    command: TransitCommand,
}

#[derive(Debug, clap::Subcommand)]
enum TransitCommand {
    /// Run the gate headless for a number of rides, sending deferred authorisations in the
    /// background; after the last ride, keep sending until the queue is empty.
    Gate(GateArgs),
    /// Send the queued deferred authorisations, retrying while the host is down; exit 0
    /// once the queue is empty, 1 if authorisations are left when --wait runs out.
    Send(SendArgs),
    /// Lift an account's deny-list entry (its debt is paid): the key as `deny-list` prints it.
    Clear(ClearArgs),
    /// The deny list: accounts whose deferred authorisation was declined.
    DenyList(StationArgs),
    /// Close a day: per account, the day's fares up to the daily cap, charged to the host
    /// once; prints the day's report.
    CloseDay(CloseDayArgs),
}

/// Where the gate's journal and configuration are.
#[derive(Debug, Clone, clap::Args)]
pub struct StationArgs {
    /// Journal file (default: $XDG_DATA_HOME/tapterm/journal.sqlite).
    #[arg(long)]
    journal: Option<PathBuf>,
    /// A terminal configuration laid over the built-in one.
    #[arg(long)]
    config: Option<PathBuf>,
    /// `host:port` of a `tapterm host --listen` service, in place of the `[host]` table's.
    #[arg(long)]
    host: Option<String>,
}

/// Arguments of `tapterm transit gate`.
#[derive(Debug, clap::Args)]
pub struct GateArgs {
    #[command(flatten)]
    station: StationArgs,
    /// A virtual wallet tapping at the gate (each ride a new tap).
    #[arg(long, conflicts_with = "reader")]
    demo: Option<Profile>,
    /// PC/SC reader name (exact, or a unique part of it).
    #[arg(long)]
    reader: Option<String>,
    /// With --demo: the phone is locked.
    #[arg(long, requires = "demo")]
    locked: bool,
    /// With --demo: the phone's Express Transit setting off.
    #[arg(long, requires = "demo")]
    no_express: bool,
    /// Rides to take before stopping.
    #[arg(long, default_value_t = 1)]
    rides: u32,
    /// Seconds to wait for each tap.
    #[arg(long, default_value_t = 30.0)]
    timeout: f64,
}

/// Arguments of `tapterm transit send`.
#[derive(Debug, clap::Args)]
pub struct SendArgs {
    #[command(flatten)]
    station: StationArgs,
    /// Seconds to keep retrying while the host is down.
    #[arg(long, default_value_t = 30.0)]
    wait: f64,
}

/// Arguments of `tapterm transit clear`.
#[derive(Debug, clap::Args)]
pub struct ClearArgs {
    #[command(flatten)]
    station: StationArgs,
    /// The account key, as `tapterm transit deny-list` prints it (`par:…` or `pan-hmac:…`).
    account: String,
}

/// Arguments of `tapterm transit close-day`.
#[derive(Debug, clap::Args)]
pub struct CloseDayArgs {
    #[command(flatten)]
    station: StationArgs,
    /// Day: YYYY-MM-DD, `today` or `yesterday`.
    #[arg(long, default_value = "today")]
    date: String,
}

/// Runs `tapterm transit`.
pub fn run(args: TransitArgs) -> ExitCode {
    let result = match args.command {
        TransitCommand::Gate(a) => gate(&a),
        TransitCommand::Send(a) => send(&a),
        TransitCommand::Clear(a) => clear(&a),
        TransitCommand::DenyList(a) => deny_list(&a),
        TransitCommand::CloseDay(a) => close(&a),
    };
    result.unwrap_or_else(|e| {
        eprintln!("tapterm transit: {e}");
        ExitCode::FAILURE
    })
}

/// The station and the host the arguments name.
pub(super) fn open(
    config: Option<&std::path::Path>,
    journal: Option<PathBuf>,
    host: Option<String>,
) -> Result<(Station, Arc<dyn Authoriser>), String> {
    let settings = terminal_config::load(config, std::path::Path::new(terminal_config::CAPK_DIR))
        .map_err(|e| format!("configuration: {e}"))?;
    let host_config = HostConfig {
        address: host.or_else(|| settings.host.address.clone()),
        ..settings.host.clone()
    };
    let authoriser: Arc<dyn Authoriser> =
        Arc::from(host_config.authoriser().map_err(|e| format!("host: {e}"))?);
    let path = journal.unwrap_or_else(Journal::default_path);
    Ok((Station::open(settings, &path)?, authoriser))
}

fn open_station(args: &StationArgs) -> Result<(Station, Arc<dyn Authoriser>), String> {
    open(
        args.config.as_deref(),
        args.journal.clone(),
        args.host.clone(),
    )
}

/// One line for a gate decision.
fn gate_line(station: &Station, done: &GateResult) -> String {
    let word = match done.gate {
        Gate::Go => "GO",
        Gate::Stop => "STOP",
    };
    format!(
        "gate: {word} — {} | fare {} | rides today {} | account {} | decision {} | taps {}",
        done.reason,
        station.money(done.fare),
        done.rides_today,
        done.account.as_deref().unwrap_or("none"),
        done.decision_time.map_or_else(
            || "n/a".into(),
            |d| format!("{:.3} ms", d.as_secs_f64() * 1e3)
        ),
        done.checkout.taps,
    )
}

fn round_line(round: &Round) -> String {
    let mut text = format!(
        "sender: {} approved, {} declined, {} queued",
        round.approved.len(),
        round.declined.len(),
        round.left
    );
    if let Some(e) = &round.failed {
        text.push_str(&format!(" (host: {e})"));
    }
    text
}

/// Who taps at the gate: a demo wallet (each ride a fresh one) or a PC/SC reader.
struct Riders {
    demo: Option<Profile>,
    locked: bool,
    express: bool,
    reader: Option<String>,
    timeout: Duration,
}

impl Riders {
    /// From the command line's options; the tap timeout in seconds must be positive.
    fn new(
        demo: Option<Profile>,
        locked: bool,
        no_express: bool,
        reader: &Option<String>,
        timeout: f64,
    ) -> Result<Riders, String> {
        let timeout = Duration::try_from_secs_f64(timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or("--timeout: want a positive number of seconds")?;
        Ok(Riders {
            demo,
            locked,
            express: !no_express,
            reader: reader.clone(),
            timeout,
        })
    }

    /// The card source of one ride; the demo wallet's per-tap values come from `seed`.
    fn source(&self, station: &Station, seed: u64, cancel: &CancelToken) -> Result<Source, String> {
        Ok(match self.demo {
            Some(profile) => {
                let options = WalletOptions {
                    locked: self.locked,
                    seed,
                    oda_fault: None,
                };
                Source::Demo(Box::new(station.demo_wallet(
                    profile,
                    options,
                    self.express,
                    2,
                )?))
            }
            None => Source::Reader(Box::new(tapterm::reader::PcscTransport::new(
                tapterm::reader::PcscOptions {
                    reader: self.reader.clone(),
                    tap_timeout: Some(self.timeout),
                    cancel: cancel.clone(),
                    ecp_frame: station.profile.ecp_frame.clone(),
                },
                Box::new(|notice| eprintln!("tapterm: {notice}")),
            ))),
        })
    }
}

/// `tapterm pay --transit`: one tap at the gate, then one round of the sender.
pub fn pay(args: &PayArgs) -> ExitCode {
    let run = || -> Result<ExitCode, String> {
        let (station, host) = open(
            args.config.as_deref(),
            if args.no_journal {
                return Err(
                    "--transit needs the journal (the ride is written before the gate opens)"
                        .into(),
                );
            } else {
                args.journal.clone()
            },
            args.host.clone(),
        )?;
        let riders = Riders::new(
            args.demo,
            args.locked,
            args.no_express,
            &args.reader,
            args.timeout,
        )?;
        let cancel = CancelToken::new();
        let _ = super::pay::cancel_on_signals(&cancel);
        let mut source = riders.source(&station, 0, &cancel)?;
        let mut journal = station.journal()?;
        let txn = station.transaction()?;
        let style = if args.json {
            TraceStyle::Quiet
        } else {
            TraceStyle::Lines
        };
        let done = run_gate(
            &station.profile,
            &station.kernel,
            &txn,
            source.transport(),
            &mut trace_printer(style),
            &mut GateServices {
                journal: &mut journal,
                key: &station.key,
                secret: &station.secret,
                reader: super::pay::source_name(args),
                cancel,
            },
        );
        if done.checkout.taps == 0 {
            return Err("no card was presented".into());
        }
        let round =
            send_queued(&mut journal, &station.key, host.as_ref()).map_err(|e| e.to_string())?;
        let queue = match &done.ride_id {
            Some(id) => journal.queue_state(id).map_err(|e| e.to_string())?,
            None => None,
        };
        if args.json {
            let report = json!({
                "gate": done.gate.name(),
                "reason": done.reason,
                "fare": station.money(done.fare).to_string(),
                "rides_today": done.rides_today,
                "account": done.account,
                "ride_id": done.ride_id,
                "taps": done.checkout.taps,
                "ui": done.checkout.kernel.ui.iter().map(|u| u.message.name()).collect::<Vec<_>>(),
                "outcome": done.checkout.kernel.outcome.status.name(),
                "decision_ms": done.decision_time.map(|d| d.as_secs_f64() * 1e3),
                "authorisation": queue.as_ref().map(|q| json!({
                    "state": q.state,
                    "attempts": q.attempts,
                    "response_code": q.response_code,
                    "last_error": q.last_error,
                })),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        } else {
            let ui: Vec<&str> = done
                .checkout
                .kernel
                .ui
                .iter()
                .map(|u| message_text(u.message))
                .collect();
            println!("UI:      {}", ui.join(", "));
            println!("{}", gate_line(&station, &done));
            if let Some(e) = &done.journal_error {
                eprintln!("tapterm pay: WARNING: the ride was NOT journalled: {e}");
            }
            if let (Some(id), Some(q)) = (&done.ride_id, &queue) {
                println!("ride:    {id}, deferred authorisation {}", q.state);
            }
            println!("{}", round_line(&round));
        }
        Ok(if done.gate == Gate::Go {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    };
    run().unwrap_or_else(|e| {
        eprintln!("tapterm pay: {e}");
        ExitCode::FAILURE
    })
}

/// `tapterm transit gate`.
fn gate(args: &GateArgs) -> Result<ExitCode, String> {
    let (station, host) = open_station(&args.station)?;
    let cancel = CancelToken::new();
    let sender = Sender {
        journal_path: station.journal_path.clone(),
        zone: station.settings.app.time_zone,
        key: station.key.clone(),
        host,
        retry: Duration::from_millis(station.profile.retry_ms),
    }
    .spawn(Box::new(|round: &Round| {
        if !round.approved.is_empty() || !round.declined.is_empty() || round.failed.is_some() {
            println!("{}", round_line(round));
        }
    }));
    let riders = Riders::new(
        args.demo,
        args.locked,
        args.no_express,
        &args.reader,
        args.timeout,
    )?;
    let mut journal = station.journal()?;
    let mut opened = 0;
    for ride in 1..=args.rides {
        let mut source = riders.source(&station, u64::from(ride), &cancel)?;
        let txn = station.transaction()?;
        let done = run_gate(
            &station.profile,
            &station.kernel,
            &txn,
            source.transport(),
            &mut |_| {},
            &mut GateServices {
                journal: &mut journal,
                key: &station.key,
                secret: &station.secret,
                reader: args.demo.map_or_else(
                    || args.reader.clone().unwrap_or_default(),
                    |p| format!("demo {p}"),
                ),
                cancel: cancel.clone(),
            },
        );
        if done.checkout.taps == 0 {
            return Err(format!("ride {ride}: no card"));
        }
        opened += usize::from(done.gate == Gate::Go);
        println!("ride {ride}: {}", gate_line(&station, &done));
    }
    println!(
        "rides done: {opened} opened of {}; sending what is queued",
        args.rides
    );
    sender.finish();
    println!("queue empty");
    Ok(ExitCode::SUCCESS)
}

/// `tapterm transit send`.
fn send(args: &SendArgs) -> Result<ExitCode, String> {
    let (station, host) = open_station(&args.station)?;
    let wait = Duration::try_from_secs_f64(args.wait).map_err(|e| format!("--wait: {e}"))?;
    let stop = CancelToken::new();
    stop.cancel();
    let left = Sender {
        journal_path: station.journal_path.clone(),
        zone: station.settings.app.time_zone,
        key: station.key.clone(),
        host,
        retry: Duration::from_millis(station.profile.retry_ms),
    }
    .run_until(&stop, Some(Instant::now() + wait), &mut |round| {
        println!("{}", round_line(round));
    })
    .map_err(|e| e.to_string())?;
    Ok(if left == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `tapterm transit clear`.
fn clear(args: &ClearArgs) -> Result<ExitCode, String> {
    let (station, _) = open_station(&args.station)?;
    let mut journal = station.journal()?;
    if journal
        .clear_denied(&args.account)
        .map_err(|e| e.to_string())?
    {
        println!("cleared: {} may ride again", shown_account(&args.account));
        Ok(ExitCode::SUCCESS)
    } else {
        Err(format!(
            "{} is not on the deny list",
            shown_account(&args.account)
        ))
    }
}

/// `tapterm transit deny-list`.
fn deny_list(args: &StationArgs) -> Result<ExitCode, String> {
    let (station, _) = open_station(args)?;
    let list = station.journal()?.deny_list().map_err(|e| e.to_string())?;
    if list.is_empty() {
        println!("deny list empty");
    }
    for d in list {
        println!(
            "{}  ({}) since {}: {}",
            d.account,
            shown_account(&d.account),
            d.since,
            d.reason
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `tapterm transit close-day`.
fn close(args: &CloseDayArgs) -> Result<ExitCode, String> {
    let (station, host) = open_station(&args.station)?;
    let zone = station.settings.app.time_zone;
    let day = tapterm::journal::parse_day(&args.date, zone)?;
    let mut journal = station.journal()?;
    let app = &station.settings.app;
    let report = close_day::close_day(
        &mut journal,
        &station.key,
        &station.profile,
        (app.currency, app.currency_exponent),
        day,
        host.as_ref(),
    )
    .map_err(|e| e.to_string())?;
    println!(
        "close of day {day}: fare {}, daily cap {}",
        station.money(station.profile.fare),
        station
            .profile
            .daily_cap
            .map_or_else(|| "none".to_string(), |c| station.money(c).to_string())
    );
    let mut total = 0;
    for line in &report.lines {
        let c = &line.charge;
        total += c.charged_minor;
        println!(
            "{:<18} rides {:>3}  fares {:>8}  charged {:>8}{}  {}{}",
            shown_account(&c.account),
            c.rides,
            station.money(c.fares_minor),
            station.money(c.charged_minor),
            if line.capped { " (capped)" } else { "" },
            c.state,
            line.note
                .as_ref()
                .map_or_else(String::new, |n| format!(" — {n}"))
        );
    }
    for (reason, n) in &report.refused {
        println!("refused {n}: {reason}");
    }
    println!(
        "accounts {}, charged {}",
        report.lines.len(),
        station.money(total)
    );
    Ok(ExitCode::SUCCESS)
}

//! `tapterm gui` (and `tapterm` alone): opens the terminal's window.

use std::process::ExitCode;

use clap::Args;
use tapterm::gui::{self, GuiOptions, Screen};

/// Options of the window.
#[derive(Debug, Default, Args)]
pub struct GuiArgs {
    /// Start on the demo reader with this wallet profile (visa-phone, unionpay-phone, amex-phone, …);
    /// without it the window starts on a PC/SC reader when one is present.
    #[arg(long, value_name = "PROFILE", value_parser = profile_names())]
    demo: Option<String>,
    /// Start with the demo phone locked (two taps, "See phone" in between).
    #[arg(long)]
    locked: bool,
    /// Tap the demo wallet as soon as the reader polls.
    #[arg(long)]
    auto_tap: bool,
    /// Amount to pre-fill, in major units (12.34).
    #[arg(long)]
    amount: Option<String>,
    /// Charge the pre-filled amount at once (with --auto-tap: a whole demo transaction).
    #[arg(long, requires = "amount")]
    charge: bool,
    /// A user configuration laid over the built-in assets/terminal.toml.
    #[arg(long)]
    config: Option<std::path::PathBuf>,
    /// Rewards rules laid over the built-in assets/rewards.toml (a bad file turns rewards
    /// off with a warning; payments go on).
    #[arg(long)]
    rewards: Option<std::path::PathBuf>,
    /// Exchange the developer screen shows first (1 = the first APDU).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    exchange: u16,
    /// Be a transit gate (the `[transit]` table): the full-screen GO / STOP window. With
    /// --demo the wallet is tapped with a button; else the first PC/SC reader is used.
    #[arg(long)]
    transit: bool,
    /// With --transit and --demo: the phone's Express Transit setting off.
    #[arg(long, requires = "transit")]
    no_express: bool,
    /// With --transit: `host:port` of a `tapterm host --listen` service for the deferred
    /// authorisations, in place of the `[host]` table's.
    #[arg(long, requires = "transit")]
    host: Option<String>,
    /// With --transit: the journal file (default: $XDG_DATA_HOME/tapterm/journal.sqlite).
    #[arg(long, requires = "transit")]
    journal: Option<std::path::PathBuf>,
    /// Screen to open: cashier, developer, history, readers.
    #[arg(long, default_value = "cashier", value_parser = ["cashier", "developer", "history", "readers"])]
    screen: String,
}

/// The wallet profiles `--demo` accepts.
fn profile_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        tapterm::phone::Profile::ALL.map(tapterm::phone::Profile::name),
    )
}

/// Why no window can open here, checked before iced tries (it panics without a display).
fn no_display() -> Option<String> {
    let Some(display) = std::env::var_os("DISPLAY").filter(|d| !d.is_empty()) else {
        return Some("no display: DISPLAY is not set (tapterm's window needs X11)".into());
    };
    let display = display.to_string_lossy().into_owned();
    // A local display ":N" or ":N.S" must have its socket.
    if let Some(number) = display
        .strip_prefix(':')
        .and_then(|rest| rest.split('.').next())
    {
        let socket = std::path::Path::new("/tmp/.X11-unix").join(format!("X{number}"));
        if !socket.exists() {
            return Some(format!(
                "no X server on display {display} ({} missing)",
                socket.display()
            ));
        }
    }
    None
}

/// Opens the window; returns when it closes.
pub fn run(args: GuiArgs) -> ExitCode {
    if let Some(why) = no_display() {
        eprintln!(
            "tapterm: {why}.\nRun it in a desktop session, or headless: tapterm pay --demo visa-phone --amount 12.34"
        );
        return ExitCode::from(2);
    }
    if args.transit {
        return transit(&args);
    }
    let config = match gui::settings::GuiConfig::load(args.config.as_deref()) {
        Ok(c) => c.with_rewards(args.rewards.as_deref()),
        Err(e) => {
            eprintln!("tapterm: cannot load the terminal configuration: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = GuiOptions {
        profile: args.demo,
        locked: args.locked,
        auto_tap: args.auto_tap,
        amount: args.amount,
        charge: args.charge,
        exchange: usize::from(args.exchange.saturating_sub(1)),
        screen: match args.screen.as_str() {
            "developer" => Screen::Developer,
            "history" => Screen::History,
            "readers" => Screen::Readers,
            _ => Screen::Cashier,
        },
    };
    match gui::run(config, options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tapterm: the window could not run: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `tapterm gui --transit`: the gate window.
fn transit(args: &GuiArgs) -> ExitCode {
    let (station, host) = match super::transit::open(
        args.config.as_deref(),
        args.journal.clone(),
        args.host.clone(),
    ) {
        Ok(opened) => opened,
        Err(e) => {
            eprintln!("tapterm: {e}");
            return ExitCode::FAILURE;
        }
    };
    let reader = match args
        .demo
        .as_deref()
        .and_then(tapterm::phone::Profile::from_name)
    {
        Some(profile) => gui::gate::GateReader::Demo {
            profile,
            locked: args.locked,
            express: !args.no_express,
        },
        None => gui::gate::GateReader::Pcsc(None),
    };
    match gui::gate::run(station, reader, Some(host), args.auto_tap) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tapterm: the window could not run: {e}");
            ExitCode::FAILURE
        }
    }
}

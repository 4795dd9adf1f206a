//! The terminal's settings as the window needs them (merchant, currency, limits, where files
//! go, the host), and the panel that shows them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use emv_kernel::config::TerminalConfig;
use iced::Element;
use iced::widget::{column, text};

use super::amount::{Currency, Limits};
use super::worker::HostLink;
use crate::journal::Journal;
use crate::rewards::Rewards;
use crate::terminal_config::{self, Settings};
use crate::time_zone::Zone;

/// Everything the window takes from the configuration.
#[derive(Debug, Clone)]
pub struct GuiConfig {
    /// The kernel's configuration.
    pub terminal: Arc<TerminalConfig>,
    /// Merchant name for the receipt header.
    pub merchant: String,
    /// Transaction currency.
    pub currency: Currency,
    /// What may be charged.
    pub limits: Limits,
    /// Where receipts and exported vectors are written.
    pub data_dir: PathBuf,
    /// The journal file; `None` keeps history in memory only.
    pub journal: Option<PathBuf>,
    /// The authorisation host; `None` leaves Online Requests unanswered.
    pub host: Option<HostLink>,
    /// The time zone of the transaction's date and time and of the journal's day.
    pub zone: Zone,
    /// The rewards ledger's rules; `None` when off.
    pub rewards: Option<Arc<Rewards>>,
    /// Why rewards are off when they should be on (a bad rules file): shown at start.
    pub rewards_warning: Option<String>,
}

/// Why the configuration could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The currency code is not ISO 4217.
    #[error("unknown currency code {0}")]
    Currency(u16),
    /// The configuration file is wrong.
    #[error("{0}")]
    File(String),
}

impl GuiConfig {
    /// A configuration from a kernel configuration and the merchant settings.
    pub fn new(
        terminal: TerminalConfig,
        merchant: &str,
        currency: u16,
        data_dir: PathBuf,
    ) -> Result<GuiConfig, ConfigError> {
        let currency = Currency::from_numeric(currency).ok_or(ConfigError::Currency(currency))?;
        Ok(GuiConfig {
            limits: Limits::from_config(&terminal),
            terminal: Arc::new(terminal),
            merchant: merchant.to_string(),
            currency,
            data_dir,
            journal: None,
            host: None,
            zone: Zone::Local,
            rewards: None,
            rewards_warning: None,
        })
    }

    /// The window's configuration from the loaded terminal settings: the cashier's
    /// minimum and maximum join the combinations' limits; online requests go to the host
    /// of the `[host]` table; the journal's day is the configured time zone's.
    pub fn from_settings(settings: Settings, data_dir: PathBuf) -> Result<GuiConfig, ConfigError> {
        let app = &settings.app;
        let mut config = GuiConfig::new(
            settings.kernel.clone(),
            &app.merchant_name,
            app.currency,
            data_dir,
        )?;
        let exponent = config.currency.exponent;
        let minor = |d: rust_decimal::Decimal| {
            emv_kernel::vector::minor_units(&d.to_string(), exponent).ok()
        };
        config.limits.min = minor(app.min_amount).unwrap_or(0);
        config.limits.max = minor(app.max_amount);
        let host = settings
            .host
            .authoriser()
            .map_err(|e| ConfigError::File(e.to_string()))?;
        config.host = Some(HostLink {
            authoriser: std::sync::Arc::from(host),
            stand_in: settings.host.stand_in.clone(),
        });
        config.zone = app.time_zone;
        Ok(config)
    }

    /// The configuration with rewards: `assets/rewards.toml` overlaid by `user`, the secret
    /// beside the journal. A bad rules file turns rewards off with a warning; payments go on.
    pub fn with_rewards(mut self, user: Option<&Path>) -> GuiConfig {
        let journal = self.journal.clone().unwrap_or_else(Journal::default_path);
        let (numeric, exponent) = (self.currency.numeric, self.currency.exponent);
        match Rewards::load(user, numeric, exponent, &journal) {
            Ok(rewards) => self.rewards = rewards.map(Arc::new),
            Err(e) => {
                self.rewards = None;
                self.rewards_warning = Some(format!("Rewards are off: {e}"));
            }
        }
        self
    }

    /// Loads `assets/terminal.toml`, overlaid by `user`, with the CA keys.
    pub fn load(user: Option<&Path>) -> Result<GuiConfig, ConfigError> {
        let settings = terminal_config::load(user, Path::new(terminal_config::CAPK_DIR))
            .map_err(|e| ConfigError::File(e.to_string()))?;
        let journal = Journal::default_path();
        let data_dir = journal
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let mut config = GuiConfig::from_settings(settings, data_dir)?;
        config.journal = Some(journal);
        Ok(config)
    }
}

/// The terminal panel under the readers: what this terminal is set up with (read-only; the
/// settings come from `terminal.toml`, `tapterm config` checks them).
pub fn view<'a, M: 'a>(config: &GuiConfig) -> Element<'a, M> {
    let money = |minor: u64| config.currency.format_minor(i128::from(minor));
    column![
        text("Terminal").size(22),
        text(format!("Merchant: {}", config.merchant)),
        text(format!(
            "Currency: {} ({}, {} decimals)",
            config.currency.alpha, config.currency.numeric, config.currency.exponent
        )),
        text(format!(
            "Amounts: {} to {}",
            money(config.limits.min),
            config.limits.max.map_or("any".to_string(), money)
        )),
        text(format!(
            "Contactless limit: {}",
            config
                .limits
                .contactless_max
                .map_or("none".to_string(), money)
        )),
        text(format!("Files: {}", config.data_dir.display())),
    ]
    .spacing(6)
    .into()
}

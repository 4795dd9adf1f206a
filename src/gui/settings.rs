//! The terminal's settings as the window needs them (merchant, currency, limits, where files
//! go), and the reader screen: PC/SC readers as they come and go, and the demo reader with
//! its wallet profiles.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use emv_kernel::config::TerminalConfig;
use iced::widget::{button, checkbox, column, container, pick_list, row, text};
use iced::{Element, Length};

use super::amount::{Currency, Limits};
use super::worker::HostLink;
use super::worker::ReaderChoice;
use super::{App, Message};
use crate::journal::Journal;
use crate::phone::Profile;
use crate::terminal_config::{self, Settings};

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
        })
    }

    /// The window's configuration from the loaded terminal settings: the cashier's
    /// minimum and maximum join the combinations' limits; online requests go to the host
    /// of the `[host]` table.
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
        Ok(config)
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

/// The reader screen.
pub fn view(app: &App) -> Element<'_, Message> {
    let mut readers = column![text("Readers").size(28)].spacing(8);
    if let Some(note) = &app.notice {
        readers = readers.push(text(note.clone()).size(16));
    }
    if app.pcsc_readers.is_empty() {
        readers = readers.push(
            text("No PC/SC reader found (or pcscd is not running): the demo reader is used.")
                .size(16),
        );
    }
    for name in &app.pcsc_readers {
        let chosen = app.reader == ReaderChoice::Pcsc(name.clone());
        readers = readers.push(
            button(text(name.clone()))
                .style(if chosen {
                    button::primary
                } else {
                    button::secondary
                })
                .on_press(Message::UseReader(Some(name.clone()))),
        );
    }
    let demo_chosen = matches!(app.reader, ReaderChoice::Demo { .. });
    readers = readers.push(
        button(text("Demo reader (virtual wallets, no hardware)"))
            .style(if demo_chosen {
                button::primary
            } else {
                button::secondary
            })
            .on_press(Message::UseReader(None)),
    );
    let demo = column![
        text("Demo reader").size(22),
        row![
            text("Wallet profile").width(160),
            pick_list(
                Profile::ALL
                    .iter()
                    .map(|p| p.name().to_string())
                    .collect::<Vec<_>>(),
                Some(app.profile.clone()),
                Message::Profile,
            )
            .width(260),
        ]
        .spacing(10)
        .align_y(iced::Alignment::Center),
        checkbox(app.locked)
            .label("Phone locked (first tap asks to see the phone)")
            .on_toggle(Message::Locked),
        checkbox(app.auto_tap)
            .label("Auto-tap (no Tap button)")
            .on_toggle(Message::AutoTap),
    ]
    .spacing(10);
    let info = column![
        text("Terminal").size(22),
        text(format!("Merchant: {}", app.config.merchant)),
        text(format!(
            "Currency: {} ({}, {} decimals)",
            app.config.currency.alpha, app.config.currency.numeric, app.config.currency.exponent
        )),
        text(format!(
            "Amounts: {} to {}",
            app.config
                .currency
                .format_minor(i128::from(app.config.limits.min)),
            app.config.limits.max.map_or("any".to_string(), |m| app
                .config
                .currency
                .format_minor(i128::from(m)))
        )),
        text(format!(
            "Contactless limit: {}",
            app.config
                .limits
                .contactless_max
                .map_or("none".to_string(), |m| app
                    .config
                    .currency
                    .format_minor(i128::from(m)))
        )),
        text(format!("Files: {}", app.config.data_dir.display())),
    ]
    .spacing(6);
    container(column![readers, demo, info].spacing(26).width(Length::Fill))
        .padding(20)
        .into()
}

//! Everything one gate needs, opened once, for `tapterm pay --transit`, `tapterm transit`
//! and the window's gate screen: the configuration and its transit profile, the gate's
//! kernel configuration, the journal's path, the queue key and the account secret.

use std::path::{Path, PathBuf};

use emv_kernel::config::{TerminalConfig, Transaction, TransactionType};

use super::profile::TransitProfile;
use super::seal::QueueKey;
use crate::account::TerminalSecret;
use crate::journal::Journal;
use crate::phone::{InProcessTransport, Profile, Wallet, WalletOptions};
use crate::terminal_config::Settings;
use crate::transaction::{Sale, new_transaction};

/// One gate, ready to take rides.
#[derive(Debug, Clone)]
pub struct Station {
    /// The whole configuration.
    pub settings: Settings,
    /// Its `[transit]` table.
    pub profile: TransitProfile,
    /// What the kernel gets at the gate.
    pub kernel: TerminalConfig,
    /// The journal file.
    pub journal_path: PathBuf,
    /// Seals the queued requests (`<journal>.queue-key`).
    pub key: QueueKey,
    /// Keys the accounts (`account.key` beside the journal, shared with the rewards ledger).
    pub secret: TerminalSecret,
}

impl Station {
    /// Opens the gate's keys beside `journal_path`; an error names what is missing.
    pub fn open(settings: Settings, journal_path: &Path) -> Result<Station, String> {
        let profile = settings
            .transit
            .clone()
            .ok_or("the configuration has no [transit] table")?;
        if let Some(dir) = journal_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let key = QueueKey::load_or_create(&QueueKey::path_for(journal_path))
            .map_err(|e| e.to_string())?;
        let secret = TerminalSecret::load_or_create(&TerminalSecret::beside(journal_path))
            .map_err(|e| e.to_string())?;
        Ok(Station {
            kernel: profile.kernel_config(&settings.kernel),
            profile,
            settings,
            journal_path: journal_path.to_path_buf(),
            key,
            secret,
        })
    }

    /// The journal, with the configured day zone.
    pub fn journal(&self) -> Result<Journal, String> {
        Journal::open(&self.journal_path)
            .map(|j| j.with_zone(self.settings.app.time_zone))
            .map_err(|e| e.to_string())
    }

    /// A new tap's transaction: a purchase of the gate amount, now, fresh unpredictable
    /// numbers.
    pub fn transaction(&self) -> Result<Transaction, String> {
        let app = &self.settings.app;
        new_transaction(
            Sale {
                kind: TransactionType::Purchase,
                amount: self.profile.gate_amount,
                amount_other: 0,
                currency: app.currency,
                currency_exponent: app.currency_exponent,
            },
            app.time_zone,
        )
        .map_err(|e| e.to_string())
    }

    /// A demo wallet in front of this gate: it sees the gate's ECP frame in the polling loop
    /// and has its Express Transit setting as given.
    pub fn demo_wallet(
        &self,
        profile: Profile,
        options: WalletOptions,
        express: bool,
        taps: usize,
    ) -> Result<InProcessTransport, String> {
        let mut wallet = Wallet::new(profile, options).map_err(|e| e.to_string())?;
        wallet.set_express_transit(express);
        wallet.set_reader_polling(self.profile.ecp_frame.as_deref());
        Ok(InProcessTransport::new(wallet, taps))
    }

    /// A fare in major units, for people.
    pub fn money(&self, minor: u64) -> rust_decimal::Decimal {
        crate::transaction::major(minor, self.settings.app.currency_exponent)
    }
}

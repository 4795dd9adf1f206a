//! tapterm's library half: the modules that the binary, the integration tests and other
//! modules share (checkout, host simulator, journal, masking of cardholder data, virtual
//! wallets, terminal configuration).

pub mod checkout;
pub mod host;
pub mod journal;
pub mod masking;
pub mod phone;
pub mod terminal_config;

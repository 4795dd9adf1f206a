//! tapterm's library half: the modules the binary, the integration tests and the window
//! share (checkout, virtual wallets, host simulator, journal, masking, terminal
//! configuration, the GUI).

pub mod checkout;
pub mod gui;
pub mod host;
pub mod journal;
pub mod masking;
// `RsaKey::len` is a key size in bytes, not a collection length.
#[allow(clippy::len_without_is_empty)]
pub mod phone;
pub mod terminal_config;

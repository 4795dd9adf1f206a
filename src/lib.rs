//! tapterm's library half: the modules the binary, the integration tests and the window
//! share (checkout, PC/SC readers, recording, virtual wallets, host simulator, journal,
//! masking, terminal configuration, the GUI).

pub mod account;
pub mod cancel;
pub mod checkout;
pub mod decode;
pub mod gui;
pub mod host;
pub mod journal;
pub mod masking;
pub mod phone;
pub mod reader;
pub mod recording;
pub mod rewards;
pub mod terminal_config;
pub mod time_zone;
pub mod transaction;
pub mod transit;
pub mod verdict;

//! tapterm's library half: the modules that the binary, the integration tests and other
//! modules share (host simulator, journal, masking of cardholder data, virtual wallets).

pub mod host;
pub mod journal;
pub mod masking;
pub mod phone;

//! The acquirer/issuer simulator that answers online authorisation requests.
//!
//! Most contactless transactions end in Online Request (Book A 7.1): the terminal sends the
//! kernel's data record to the host and shows the answer.
pub mod crypto;

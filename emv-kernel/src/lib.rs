//! A pure contactless EMV kernel: BER-TLV, the tag dictionary, DOLs, transaction vectors and
//! the transaction flow (Entry Point, Kernels 2, 3 and 4, ODA, CVM, outcomes).
//!
//! Nothing here touches a reader, a clock, a random source or a file: the card is reached
//! through [`transport::Transport`], and the date, time and unpredictable numbers come in
//! with the [`config::Transaction`].

pub mod apdu;
pub mod bits;
pub mod book3;
pub mod config;
pub mod cryptogram;
pub mod cvm;
pub mod data_record;
pub mod dol;
pub mod entry_point;
pub mod kernel;
pub mod kernel2;
pub mod kernel3;
pub mod kernel4;
pub mod kernel7;
pub mod oda;
pub mod outcome;
pub mod preprocessing;
pub mod qualifiers;
pub mod records;
pub mod replay;
pub mod selection;
pub mod session;
pub mod status_words;
pub mod tags;
pub mod tlv;
pub mod transport;
pub mod tvr;
pub mod vector;

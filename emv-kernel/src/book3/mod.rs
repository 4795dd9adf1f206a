//! The procedures of EMV Book 3 that every contactless kernel applies in its own words,
//! written once: the response formats of GET PROCESSING OPTIONS and GENERATE AC (6.5.8.4,
//! 6.5.5.4), processing restrictions (10.4), the entry to cardholder verification (10.5),
//! the floor limit check of terminal risk management (10.6.1) and terminal action analysis
//! (10.7). Kernel 2 calls them from its states (C-2 S456.35–S456.39, S9.18), Kernel 3 and
//! later kernels from theirs.

pub mod action_analysis;
pub mod cvm;
pub mod responses;
pub mod restrictions;
pub mod risk;

//! Transit gate mode (issue 13): tap in at a gate, decide offline in milliseconds,
//! authorise afterwards, never lose a ride.
//!
//! The gate runs the same pipeline as the till ([`crate::checkout`], the same kernels) with
//! the [`profile::TransitProfile`]'s data. Its decision does not wait for the host
//! ([`gate`]): the card's signature must verify (fDDA or CDA), the card must not be expired
//! and its account must not be on the deny list; then the gate opens at once. Before it
//! opens, the ride and its deferred authorisation (the kernel's ARQC, [`seal`]ed) are
//! written to the journal in one durable transaction.
//!
//! A [`sender`] sends queued authorisations afterwards and retries while the host is down.
//! Each carries its ride id as an idempotency key ([`crate::host::Deferred`]): the host acts
//! on an id once and answers repeats with its first answer. The sender records an answer
//! in the same transaction that takes the ride off the queue, so after a crash or SIGKILL a
//! ride is either answered in the journal or still queued; a queued one is sent again, and
//! if the host had already acted on it the repeat changes nothing there. Every ride thus
//! reaches the host and is acted on exactly once. A declined authorisation puts the
//! account on the deny list (same transaction), and its next tap is refused ("see staff")
//! until `tapterm transit clear`.
//!
//! [`close_day`] sums each account's rides of a day, applies the daily cap and sends one
//! charge per account (idempotent by day and account).

pub mod close_day;
pub mod gate;
pub mod profile;
pub mod seal;
pub mod sender;
pub mod station;

use emv_kernel::config::TagMap;

use crate::account::{AccountKey, TerminalSecret};

/// The account a tap belongs to as the deny list and the rides store it: the
/// [`AccountKey`]'s stored form (the PAR, shared by every wallet and the plastic of one
/// account, else the keyed hash of the PAN). `None` without account data.
pub fn account_key(record: &TagMap, secret: &TerminalSecret) -> Option<String> {
    AccountKey::from_record(record, secret).map(|k| k.stored())
}

/// A stored account key as shown (truncated, [`AccountKey`]'s `Display`).
pub fn shown_account(key: &str) -> String {
    AccountKey::parse(key).map_or_else(|| "?".to_string(), |k| k.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use emv_kernel::tlv::Tag;

    fn record(par: Option<&str>, pan: &str) -> TagMap {
        let mut r = TagMap::new();
        r.insert(Tag::new(0x5A), hex::decode(pan).unwrap());
        if let Some(par) = par {
            r.insert(Tag::new(0x9F24), par.as_bytes().to_vec());
        }
        r
    }

    #[test]
    fn the_par_is_the_key_across_wallets_else_a_keyed_hash() {
        let secret = TerminalSecret::from_bytes([5; 64]);
        let par = "V0010013TAPTERMTESTPAR0000001";
        let phone = account_key(&record(Some(par), "4895370000000015"), &secret).unwrap();
        let watch = account_key(&record(Some(par), "4895370000000023"), &secret).unwrap();
        assert_eq!(phone, watch);
        let plastic = account_key(&record(None, "4761739900000021"), &secret).unwrap();
        assert_ne!(plastic, phone);
        assert!(!plastic.contains("4761739900000021"));
        assert_eq!(account_key(&TagMap::new(), &secret), None);
        assert_eq!(shown_account(&phone), "PAR V001…0001");
        assert_eq!(shown_account("nonsense"), "?");
    }
}

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

use emv_kernel::config::TagMap;
use emv_kernel::tlv::Tag;
use sha1::{Digest, Sha1};

/// Payment Account Reference (Book 3 Annex A: 9F24, an 29).
const PAR: Tag = Tag::new(0x9F24);

/// The account a tap belongs to, as an opaque key string: `par:` and the PAR when the card
/// gives a well-formed one (every wallet and the plastic of one account share it), else
/// `pan-hmac:` and a keyed hash of the PAN under the terminal's secret (HMAC-SHA-1, RFC
/// 2104), so no PAN is ever stored. `None` without account data.
///
/// Stand-in for the rewards helper's `AccountKey::from_record(..).stored()` (issue 12,
/// src/account.rs), which this becomes when that lands: the deny list only stores the string.
pub fn account_key(record: &TagMap, secret: &[u8]) -> Option<String> {
    let par = record.get(&PAR).and_then(|v| {
        let text = std::str::from_utf8(v).ok()?.trim_end();
        let ok = text.len() == 29
            && text.bytes().all(|b| b.is_ascii_alphanumeric())
            && !text.bytes().all(|b| b == b'0');
        ok.then(|| text.to_ascii_uppercase())
    });
    if let Some(par) = par {
        return Some(format!("par:{par}"));
    }
    let pan = crate::masking::record_pan(record)?;
    Some(format!(
        "pan-hmac:{}",
        hex::encode(hmac_sha1(secret, pan.as_bytes()))
    ))
}

/// HMAC-SHA-1 (RFC 2104 with B = 64).
fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..20].copy_from_slice(&Sha1::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha1::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha1::new()
        .chain_update(pad(0x5C))
        .chain_update(inner)
        .finalize()
        .into()
}

/// An account key as shown: the PAR's first 4 and last 4, or the hash's first 8 digits.
pub fn shown_account(key: &str) -> String {
    if let Some(par) = key.strip_prefix("par:") {
        let tail = par.get(par.len().saturating_sub(4)..).unwrap_or("");
        return format!("PAR {}…{tail}", par.get(..4).unwrap_or(""));
    }
    match key.split_once(':') {
        Some((_, mac)) => format!("#{}", mac.get(..8).unwrap_or("")),
        None => "?".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(par: Option<&str>, pan: &str) -> TagMap {
        let mut r = TagMap::new();
        r.insert(Tag::new(0x5A), hex::decode(pan).unwrap());
        if let Some(par) = par {
            r.insert(PAR, par.as_bytes().to_vec());
        }
        r
    }

    #[test]
    fn hmac_sha1_matches_rfc_2202() {
        // RFC 2202 test case 2.
        assert_eq!(
            hex::encode(hmac_sha1(b"Jefe", b"what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }

    #[test]
    fn the_par_is_the_key_across_wallets_else_a_keyed_hash() {
        let par = "V0010013TAPTERMTESTPAR0000001";
        let phone = account_key(&record(Some(par), "4895370000000015"), b"s").unwrap();
        let watch = account_key(&record(Some(par), "4895370000000023"), b"s").unwrap();
        assert_eq!(phone, watch);
        assert_eq!(phone, format!("par:{par}"));
        let plastic = account_key(&record(None, "4761739900000021"), b"s").unwrap();
        assert!(plastic.starts_with("pan-hmac:"));
        assert!(!plastic.contains("4761739900000021"));
        assert_ne!(
            plastic,
            account_key(&record(None, "4761739900000021"), b"other secret").unwrap()
        );
        let filler = account_key(&record(Some(&"0".repeat(29)), "4761739900000021"), b"s");
        assert_eq!(filler, Some(plastic));
        assert_eq!(account_key(&TagMap::new(), b"s"), None);
        assert_eq!(shown_account(&phone), "PAR V001…0001");
    }
}

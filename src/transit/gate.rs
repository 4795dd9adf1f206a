//! The gate's decision, offline, and the ride written before the gate opens.
//!
//! GO needs, from one run of the kernel through [`crate::checkout`]:
//! - an outcome the card signed for authorisation (Online Request with an ARQC, or an
//!   offline Approved TC) with its data record;
//! - offline data authentication performed and passed: TSI byte 1 b8 "offline data
//!   authentication was performed" (Book 3 Annex C6) set by fDDA (C-3 5.6, the TTQ's "ODA
//!   for online authorisations") or CDA (C-2 S910), and none of the TVR byte 1 failure bits
//!   (Book 3 Annex C5: ODA not performed, SDA failed, ICC data missing, DDA failed, CDA failed);
//! - an Application Expiration Date (5F24) not before the day (Book 3 10.5.3);
//! - an account not on the deny list.
//!
//! Anything else is STOP with the reason. Both are journalled as a ride; a GO ride's
//! authorisation request is sealed into the queue in the same transaction, and only once
//! that is durable does the gate open. A ride that cannot be journalled does not open it.

use std::time::{Duration, Instant};

use chrono::{DurationRound as _, Utc};
use emv_kernel::config::{Date, TerminalConfig, Transaction};
use emv_kernel::outcome::{MessageId, OutcomeStatus, ReaderStatus, UiRequest};
use emv_kernel::tlv::Tag;

use super::profile::TransitProfile;
use super::seal::QueueKey;
use crate::account::TerminalSecret;
use crate::cancel::CancelToken;
use crate::checkout::{self, CheckoutResult, Progress, Services};
use crate::journal::Journal;
use crate::journal::transit::{Gate, Ride};
use crate::masking::MaskedPan;

/// Transaction Status Information (Book 3 Annex C6).
const TSI: Tag = Tag::new(0x9B);
/// Terminal Verification Results (Book 3 Annex C5).
const TVR: Tag = Tag::new(0x95);
/// Application Expiration Date (YYMMDD).
const EXPIRY: Tag = Tag::new(0x5F24);
/// TSI byte 1 b8: offline data authentication was performed.
const TSI_ODA_PERFORMED: u8 = 0x80;
/// TVR byte 1: ODA not performed (b8), SDA failed (b7), ICC data missing (b6), DDA failed
/// (b4), CDA failed (b3).
const TVR_ODA_FAILURES: u8 = 0x80 | 0x40 | 0x20 | 0x08 | 0x04;

/// What the gate talks to besides the card.
pub struct GateServices<'a> {
    /// Where rides and the queue are written (required: no journal, no gate).
    pub journal: &'a mut Journal,
    /// Seals queued requests.
    pub key: &'a QueueKey,
    /// Keys accounts (the keyed hash of a PAN without a PAR).
    pub secret: &'a TerminalSecret,
    /// The reader's name, as journalled.
    pub reader: String,
    /// Cancels the wait for a card.
    pub cancel: CancelToken,
}

/// One tap at the gate.
#[derive(Debug, Clone)]
pub struct GateResult {
    /// The kernel's run, as at the till.
    pub checkout: CheckoutResult,
    /// Open or shut.
    pub gate: Gate,
    /// Why, for the screen.
    pub reason: String,
    /// The fare this ride counts for (minor units; 0 when refused).
    pub fare: u64,
    /// The account, shown form (PAR first 4 / last 4, or hash prefix).
    pub account: Option<String>,
    /// The rider's opened-gate rides today, this one included.
    pub rides_today: u64,
    /// The ride's id, once journalled.
    pub ride_id: Option<String>,
    /// Card entering the field to the decision.
    pub decision_time: Option<Duration>,
    /// Why the ride could not be journalled, when it could not.
    pub journal_error: Option<String>,
}

/// A fresh ride id: 12 random bytes in hex, prefixed `R`.
fn new_ride_id() -> Result<String, String> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random source: {e}"))?;
    Ok(format!("R{}", hex::encode_upper(bytes)))
}

/// Whether a YYMMDD expiry date is before `today` (years 00–99 as 2000–2099).
fn expired(expiry: &[u8], today: Date) -> Option<bool> {
    let digit = |b: u8| emv_kernel::tags::bcd_byte(b);
    let [y, m, d] = <[u8; 3]>::try_from(expiry).ok()?;
    let (y, m, d) = (digit(y)?, digit(m)?, digit(d)?);
    let expiry = (2000 + u16::from(y), m, d);
    Some(expiry < (today.year, today.month, today.day))
}

/// The offline decision from the kernel's result; `Err` is the STOP reason.
fn decide(done: &CheckoutResult, today: Date) -> Result<(), String> {
    let kernel = &done.kernel;
    let signed = matches!(
        kernel.outcome.status,
        OutcomeStatus::OnlineRequest | OutcomeStatus::Approved
    );
    let Some(record) = kernel.data_record.as_ref().filter(|_| signed) else {
        return Err(format!("card not accepted: {}", done.verdict.title));
    };
    let first = |tag: Tag| record.get(&tag).and_then(|v| v.first().copied());
    let performed = first(TSI).is_some_and(|b| b & TSI_ODA_PERFORMED != 0);
    let failures = first(TVR).map_or(TVR_ODA_FAILURES, |b| b & TVR_ODA_FAILURES);
    if !performed || failures != 0 {
        return Err("card authentication failed (fDDA/CDA not verified)".into());
    }
    match record.get(&EXPIRY).and_then(|e| expired(e, today)) {
        Some(false) => Ok(()),
        Some(true) => Err("card expired".into()),
        None => Err("no valid expiry date on the card".into()),
    }
}

/// Runs one tap at the gate: the kernel through the checkout pipeline with the gate's
/// configuration, the offline decision, the ride (and for GO its sealed authorisation)
/// written durably, and only then the Book A message shown (Approved for GO, Not
/// Authorised for STOP) through `progress`.
pub fn run_gate(
    profile: &TransitProfile,
    config: &TerminalConfig,
    txn: &Transaction,
    transport: &mut dyn emv_kernel::transport::Transport,
    progress: &mut dyn FnMut(Progress),
    services: &mut GateServices<'_>,
) -> GateResult {
    let mut first_card = None;
    let mut watch = |p: Progress| {
        if p == Progress::CardDetected && first_card.is_none() {
            first_card = Some(Instant::now());
        }
        progress(p);
    };
    let mut plain = Services {
        reader: services.reader.clone(),
        cancel: services.cancel.clone(),
        ..Services::none()
    };
    let done = checkout::run_with(config, txn, transport, &mut watch, &mut plain);
    let mut result = GateResult {
        gate: Gate::Stop,
        reason: "no card".into(),
        fare: 0,
        account: None,
        rides_today: 0,
        ride_id: None,
        decision_time: None,
        journal_error: None,
        checkout: done,
    };
    if result.checkout.taps == 0 {
        return result;
    }
    let record = result
        .checkout
        .kernel
        .data_record
        .clone()
        .unwrap_or_default();
    let account = super::account_key(&record, services.secret);
    let mut verdict = if services.cancel.is_cancelled() {
        Err("cancelled".to_string())
    } else {
        decide(&result.checkout, txn.date)
    };
    if verdict.is_ok() {
        verdict = match account.as_deref().map(|a| services.journal.denied(a)) {
            None => Err("no account data on the card".into()),
            Some(Ok(None)) => Ok(()),
            Some(Ok(Some(_))) => Err("see staff: unpaid fare (account on the deny list)".into()),
            Some(Err(e)) => Err(format!("deny list unreadable: {e}")),
        };
    }
    let decision_time = first_card.map(|t| t.elapsed());
    result.decision_time = decision_time;
    let (gate, reason) = match &verdict {
        Ok(()) => (Gate::Go, "authenticated offline".to_string()),
        Err(why) => (Gate::Stop, why.clone()),
    };
    let sealed = match gate {
        Gate::Go => {
            let request = checkout::authorisation_request(config, txn, record.clone());
            serde_json::to_vec(&request)
                .map_err(|e| e.to_string())
                .and_then(|json| services.key.seal(&json).map_err(|e| e.to_string()))
                .map(Some)
        }
        Gate::Stop => Ok(None),
    };
    let now = Utc::now();
    let ride = new_ride_id().map(|ride_id| Ride {
        ride_id,
        time: now
            .duration_trunc(chrono::TimeDelta::milliseconds(1))
            .unwrap_or(now),
        account: account.clone(),
        masked_pan: MaskedPan::from_record(&record),
        gate,
        reason: reason.clone(),
        fare_minor: if gate == Gate::Go { profile.fare } else { 0 },
        currency: txn.currency,
        exponent: txn.currency_exponent,
        decision_ms: decision_time.map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(0)),
        reader: services.reader.clone(),
        detail: Some(result.checkout.verdict.summary()),
    });
    let written = ride.and_then(|ride| {
        let sealed = sealed?;
        services
            .journal
            .record_ride(&ride, sealed.as_deref())
            .map(|_| ride)
            .map_err(|e| e.to_string())
    });
    match written {
        Ok(ride) => {
            result.gate = gate;
            result.reason = reason;
            result.fare = ride.fare_minor;
            result.ride_id = Some(ride.ride_id);
        }
        Err(e) => {
            // Never open a gate whose ride is not on disk.
            result.gate = Gate::Stop;
            result.reason = format!("ride not recorded: {e}");
            result.journal_error = Some(e);
        }
    }
    if let Some(a) = &account {
        result.account = Some(super::shown_account(a));
        result.rides_today = services
            .journal
            .rides_on(a, services.journal.zone().day(now))
            .unwrap_or(0);
    }
    progress(Progress::Ui(UiRequest {
        message: if result.gate == Gate::Go {
            MessageId::Approved
        } else {
            MessageId::NotAuthorised
        },
        status: ReaderStatus::CardReadSuccessfully,
        hold: Duration::ZERO,
    }));
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::{OdaFault, Profile, WalletOptions};
    use crate::transit::station::Station;

    fn station(dir: &std::path::Path) -> Station {
        let settings = crate::terminal_config::load(
            None,
            std::path::Path::new(crate::terminal_config::CAPK_DIR),
        )
        .unwrap();
        Station::open(settings, &dir.join("j.sqlite")).unwrap()
    }

    fn ride(station: &Station, profile: Profile, oda_fault: Option<OdaFault>) -> GateResult {
        let options = WalletOptions {
            locked: false,
            seed: 3,
            oda_fault,
        };
        let mut wallet = station.demo_wallet(profile, options, true, 1).unwrap();
        let mut journal = station.journal().unwrap();
        run_gate(
            &station.profile,
            &station.kernel,
            &station.transaction().unwrap(),
            &mut wallet,
            &mut |_| {},
            &mut GateServices {
                journal: &mut journal,
                key: &station.key,
                secret: &station.secret,
                reader: "test".into(),
                cancel: CancelToken::new(),
            },
        )
    }

    #[test]
    fn a_signature_that_does_not_verify_keeps_the_gate_shut_and_is_journalled() {
        let dir = tempfile::tempdir().unwrap();
        let station = station(dir.path());
        for (profile, fault) in [
            (Profile::VisaPhone, Some(OdaFault::BadSignature)),
            (Profile::MastercardPhone, Some(OdaFault::BadSignature)),
            (Profile::VisaCard, Some(OdaFault::UnknownCaIndex)),
        ] {
            let done = ride(&station, profile, fault);
            assert_eq!(done.gate, Gate::Stop, "{profile}");
            // Visa's fDDA on an ARQC only informs the TVR, so the gate refuses it; a failed
            // CDA already ends Kernel 2 (C-2 S910), so the card is not accepted at all.
            let expected = match profile {
                Profile::MastercardPhone => "card not accepted",
                _ => "authentication failed",
            };
            assert!(done.reason.contains(expected), "{profile}: {}", done.reason);
            assert_eq!(done.fare, 0);
            assert!(done.ride_id.is_some(), "refused rides are journalled");
        }
        let journal = station.journal().unwrap();
        assert!(journal.queued().unwrap().is_empty(), "nothing to authorise");
        let rides = journal.rides_of_day(journal.zone().today()).unwrap();
        assert_eq!(rides.len(), 3);
        assert!(rides.iter().all(|r| r.gate == "stop"));
    }

    #[test]
    fn plastic_without_a_par_rides_under_its_keyed_pan_hash() {
        let dir = tempfile::tempdir().unwrap();
        let station = station(dir.path());
        // Plastic of an account without a PAR (visa-card and mastercard-card share their
        // phones' PARs).
        let done = ride(&station, Profile::VisaCardNoPar, None);
        assert_eq!(done.gate, Gate::Go, "{}", done.reason);
        assert_eq!(done.fare, station.profile.fare);
        let journal = station.journal().unwrap();
        let queued = journal.queued().unwrap();
        assert_eq!(queued.len(), 1);
        for q in &queued {
            let account = q.account.as_deref().unwrap();
            assert!(account.starts_with("pan-hmac:"), "{account}");
            let plain = station.key.open(&q.sealed).unwrap();
            let text = String::from_utf8_lossy(&plain);
            assert!(
                text.contains("\"5A\""),
                "the sealed request holds the record"
            );
        }
        let file = std::fs::read(dir.path().join("j.sqlite")).unwrap();
        let pan = Profile::VisaCardNoPar.account().pan;
        let found = file.windows(pan.len()).any(|w| w == pan.as_bytes());
        assert!(!found, "no readable PAN in the journal file");
    }

    fn day(year: u16, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    #[test]
    fn expiry_is_the_last_valid_day() {
        let end = [0x30, 0x12, 0x31];
        assert_eq!(expired(&end, day(2030, 12, 31)), Some(false));
        assert_eq!(expired(&end, day(2031, 1, 1)), Some(true));
        assert_eq!(expired(&[0x30, 0x12], day(2026, 1, 1)), None);
        assert_eq!(expired(&[0x3A, 0x12, 0x31], day(2026, 1, 1)), None);
    }
}

//! Close of day: each account's opened-gate rides of one day become one charge, the sum of
//! the flat fares up to the daily cap (the fare-capping model of open-loop transit: the
//! rider pays per ride until the cap, then rides free that day). The charge goes to the
//! host as a deferred message of kind charge, against the card data of the account's last
//! ride whose authorisation the host approved, with id `day/account` so that closing the
//! same day twice never charges twice.

use chrono::NaiveDate;

use super::profile::TransitProfile;
use super::seal::QueueKey;
use crate::host::{AuthorisationRequest, Authoriser, Deferred, DeferredKind};
use crate::journal::transit::{Charge, DayAccount, RideRow};
use crate::journal::{Journal, JournalError};

/// One account's line in the day's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeLine {
    /// The charge as stored (state after this run).
    pub charge: Charge,
    /// Whether the cap cut the sum.
    pub capped: bool,
    /// Why it is still pending, when it is.
    pub note: Option<String>,
}

/// The day's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayReport {
    /// The day.
    pub day: NaiveDate,
    /// One line per account.
    pub lines: Vec<ChargeLine>,
    /// Refused taps, by reason.
    pub refused: Vec<(String, u64)>,
}

/// Aggregates `day`, records the charges and sends the pending ones to `host`.
pub fn close_day(
    journal: &mut Journal,
    key: &QueueKey,
    profile: &TransitProfile,
    currency: (u16, u8),
    day: NaiveDate,
    host: &dyn Authoriser,
) -> Result<DayReport, JournalError> {
    let mut lines = Vec::new();
    for DayAccount {
        account,
        rides,
        sealed,
    } in journal.day_accounts(day)?
    {
        let fares = profile.fare.saturating_mul(rides);
        let charged = profile.day_charge(rides);
        let stored = journal.record_charge(&Charge {
            charge_id: format!("{day}/{account}"),
            day,
            account: account.clone(),
            rides,
            fares_minor: fares,
            charged_minor: charged,
            currency: currency.0,
            exponent: currency.1,
            state: "pending".into(),
            response_code: None,
        })?;
        let mut note = None;
        if stored.state == "pending" {
            match sealed.map(|s| open_request(key, &s)) {
                None => note = Some("no approved authorisation yet to charge against".to_string()),
                Some(Err(e)) => note = Some(e),
                Some(Ok(mut request)) => {
                    request.amount = crate::transaction::major(stored.charged_minor, currency.1);
                    let deferred = Deferred {
                        id: stored.charge_id.clone(),
                        kind: DeferredKind::Charge,
                    };
                    match host.authorise_deferred(&request, &deferred) {
                        Ok(answer) => journal.answer_charge(&stored.charge_id, &answer)?,
                        Err(e) => note = Some(format!("not sent: {e}")),
                    }
                }
            }
        }
        let charge = journal.charge(&stored.charge_id)?.unwrap_or(stored);
        lines.push(ChargeLine {
            capped: charge.charged_minor < charge.fares_minor,
            charge,
            note,
        });
    }
    let mut refused: Vec<(String, u64)> = Vec::new();
    for RideRow { gate, reason, .. } in journal.rides_of_day(day)? {
        if gate != "stop" {
            continue;
        }
        match refused.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, n)) => *n += 1,
            None => refused.push((reason, 1)),
        }
    }
    Ok(DayReport {
        day,
        lines,
        refused,
    })
}

fn open_request(key: &QueueKey, sealed: &[u8]) -> Result<AuthorisationRequest, String> {
    let plain = key.open(sealed).map_err(|e| e.to_string())?;
    serde_json::from_slice(&plain).map_err(|e| format!("sealed request unreadable: {e}"))
}

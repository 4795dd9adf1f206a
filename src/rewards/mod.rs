//! Rewards at the till (issue 12): a loyalty ledger keyed by the Payment Account Reference,
//! never by the card number.
//!
//! A sale's tap already carries who paid: the PAR (9F24) that a phone and the plastic of
//! one account share, or, for a card without one, its PAN, of which only a keyed hash is
//! kept ([`crate::account`]). After an approved purchase the member earns points (the
//! [`Rules`] of `assets/rewards.toml`), a visit is counted and offers may become available;
//! an approved refund takes its points back; declined and cancelled transactions earn
//! nothing. All of it is written with the sale's journal row, in one SQLite transaction
//! ([`Journal::record_with`]).
//!
//! Redemption (decided here; no book covers it): the amount goes into the card's GPO before
//! the terminal knows who taps, so an offer cannot be taken off during the paying tap.
//! Instead the customer first makes a *rewards check* tap: the kernel runs a zero-amount
//! transaction that is never sent to the host (no money moves; the card counts it in its
//! ATC like any abandoned transaction, and its cryptogram is thrown away), which yields the
//! PAR or PAN and so the member and their offers. The cashier picks an offer; the sale is
//! charged with the discount taken off, and the redemption is written with the sale's row
//! if, and only if, the sale is approved and the offer is still available then. So an offer
//! is redeemed once, never twice.

pub mod rules;

use emv_kernel::config::{TagMap, Transaction, TransactionType};
use emv_kernel::tlv::Tag;

use crate::account::{AccountKey, SecretError, TerminalSecret};
use crate::journal::ledger::{Device, EventKind, Ledger, Member};
use crate::journal::{Entry, JournalError};
pub use rules::{Offer, Rules, RulesError, Unlock};

/// Form Factor Indicator (C-3, Visa; Third Party Data under C-2).
const FFI: Tag = Tag::new(0x9F6E);
/// Token Requestor ID: present only on tokens (EMVCo Payment Tokenisation).
const TOKEN_REQUESTOR: Tag = Tag::new(0x9F19);

/// Why rewards are off.
#[derive(Debug, thiserror::Error)]
pub enum RewardsError {
    /// The rules file is wrong.
    #[error("{0}")]
    Rules(#[from] RulesError),
    /// The terminal secret cannot be had.
    #[error("{0}")]
    Secret(#[from] SecretError),
}

/// The rules and the terminal secret: what the till needs to run the ledger.
#[derive(Debug, Clone)]
pub struct Rewards {
    /// The rules in force.
    pub rules: Rules,
    secret: TerminalSecret,
}

/// An offer the cashier asked to apply to a sale, for the member of a rewards check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    /// The member recognised by the check tap.
    pub member: i64,
    /// The offer's name.
    pub offer: String,
}

/// What a transaction did to its member, as the outcome screen and the receipt show it.
/// Built from the ledger events of the journal row, so screen and receipt agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    /// The member number.
    pub member: i64,
    /// The account key (Display truncates it).
    pub key: AccountKey,
    /// Points for the purchase.
    pub earned: u64,
    /// Welcome bonus (a new member's first purchase).
    pub welcome: u64,
    /// Points a refund took back.
    pub reversed: u64,
    /// Balance after the transaction.
    pub balance: u64,
    /// Visits after the transaction.
    pub visits: u64,
    /// Offers that became available, with their discount in minor units.
    pub unlocked: Vec<(String, u64)>,
    /// The offer applied to this sale, with its discount in minor units.
    pub redeemed: Option<(String, u64)>,
    /// A phone or card this member had not shown before ("same customer, new phone"); on
    /// the live outcome only, not kept with the events.
    pub new_device: Option<String>,
}

/// A member recognised by a rewards check, with the offers they can have now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    /// The member.
    pub member: Member,
    /// Offers available now.
    pub available: Vec<Offer>,
}

/// The scheme of an AID by its RID (ISO 7816-5 registered application providers).
fn scheme(aid: &str) -> String {
    let name = match aid.get(..10) {
        Some("A000000003") => "Visa",
        Some("A000000004") => "Mastercard",
        Some("A000000025") => "American Express",
        Some("A000000333") => "UnionPay",
        _ => return aid.to_string(),
    };
    name.to_string()
}

/// The kind of device, from Visa's Form Factor Indicator (9F6E byte 1, b5–b1, Visa
/// Contactless Payment Specification) when a Visa card gives one; a token without one is a
/// "phone or wallet"; anything else a card.
fn form(record: &TagMap, aid: &str, token: bool) -> &'static str {
    let ffi = record
        .get(&FFI)
        .filter(|_| aid.starts_with("A000000003"))
        .and_then(|v| v.first());
    match ffi.map(|b| b & 0x1F) {
        Some(0x00 | 0x01) => "card",
        Some(0x03) => "phone",
        Some(0x04) => "key fob",
        Some(0x05) => "watch",
        Some(0x06) => "mobile tag",
        Some(0x07) => "wristband",
        Some(0x08) => "phone case",
        Some(_) => "device",
        None if token => "phone or wallet",
        None => "card",
    }
}

impl Rewards {
    /// The rules (built-in, overlaid by `user`) for a terminal in `currency` with
    /// `exponent` decimals, and the terminal secret (the rules' `secret_file`, else
    /// [`TerminalSecret::beside`] the journal). `Ok(None)` when the rules turn rewards off.
    pub fn load(
        user: Option<&std::path::Path>,
        currency: u16,
        exponent: u8,
        journal: &std::path::Path,
    ) -> Result<Option<Rewards>, RewardsError> {
        let rules = rules::load(user, currency, exponent)?;
        if !rules.enabled {
            return Ok(None);
        }
        let path = rules
            .secret_file
            .clone()
            .unwrap_or_else(|| TerminalSecret::beside(journal));
        let secret = TerminalSecret::load_or_create(&path)?;
        Ok(Some(Rewards { rules, secret }))
    }

    /// Rewards from given parts (tests).
    pub fn new(rules: Rules, secret: TerminalSecret) -> Rewards {
        Rewards { rules, secret }
    }

    /// The account key of a data record.
    pub fn key(&self, record: &TagMap) -> Option<AccountKey> {
        AccountKey::from_record(record, &self.secret)
    }

    /// The member of a rewards check's data record and what they can have now; `None` for a
    /// customer the till has not seen.
    pub fn recognise(
        &self,
        ledger: Ledger<'_>,
        record: &TagMap,
    ) -> Result<Option<Recognised>, JournalError> {
        let Some(key) = self.key(record) else {
            return Ok(None);
        };
        let Some(member) = ledger.member_by_key(&key)? else {
            return Ok(None);
        };
        let available = self.available(ledger, &member)?;
        Ok(Some(Recognised { member, available }))
    }

    /// The offers a member can have now: a visit offer as often as it was unlocked and not
    /// redeemed, a points offer while the balance holds its points.
    pub fn available(
        &self,
        ledger: Ledger<'_>,
        member: &Member,
    ) -> Result<Vec<Offer>, JournalError> {
        let mut out = Vec::new();
        for offer in &self.rules.offers {
            let can = match offer.unlock {
                Unlock::EveryVisits(n) => {
                    member.visits / n > ledger.redemptions(member.id, &offer.name)?
                }
                Unlock::Points(cost) => member.points >= cost,
            };
            if can {
                out.push(offer.clone());
            }
        }
        Ok(out)
    }

    /// Writes what journal row `id` (`entry`, from the kernel's `record`) does to its member:
    /// nothing unless approved in the rules' currency; a purchase earns points and a visit
    /// (and the welcome bonus for a new member), applies `redeem` when its offer is still
    /// the member's, and unlocks offers; a refund takes its points back from a known
    /// member. Returns what the screen and receipt show.
    pub fn settle(
        &self,
        ledger: Ledger<'_>,
        id: i64,
        entry: &Entry,
        record: &TagMap,
        redeem: Option<&Redemption>,
    ) -> Result<Option<Award>, JournalError> {
        if !entry.approved || entry.currency != self.rules.currency {
            return Ok(None);
        }
        let Some(key) = self.key(record) else {
            return Ok(None);
        };
        let time = entry.time;
        let points = self.rules.points_for(entry.amount_minor, entry.exponent);
        let signed = |p: u64| i64::try_from(p).unwrap_or(i64::MAX);
        let mut new_device = None;
        match entry.kind {
            TransactionType::Purchase | TransactionType::Cashback => {
                let (member, new) = ledger.join(&key, time)?;
                let before = self.member(ledger, member)?;
                if let Some(r) = redeem.filter(|r| r.member == member)
                    && let Some(offer) = self
                        .available(ledger, &before)?
                        .into_iter()
                        .find(|o| o.name == r.offer)
                {
                    let cost = match offer.unlock {
                        Unlock::Points(cost) => signed(cost),
                        Unlock::EveryVisits(_) => 0,
                    };
                    let what = Some((offer.name.as_str(), offer.discount_minor));
                    ledger.add(member, id, time, EventKind::Redeem, -cost, 0, what)?;
                }
                ledger.add(member, id, time, EventKind::Earn, signed(points), 1, None)?;
                if new && self.rules.welcome_bonus > 0 {
                    let bonus = signed(self.rules.welcome_bonus);
                    ledger.add(member, id, time, EventKind::Welcome, bonus, 0, None)?;
                }
                let device = device(record, entry);
                if ledger.see_device(member, &device, time)? && !new {
                    new_device = Some(format!(
                        "{} {} …{}",
                        device.scheme, device.form, device.last4
                    ));
                }
                let after = self.member(ledger, member)?;
                for offer in &self.rules.offers {
                    let unlocked = match offer.unlock {
                        Unlock::EveryVisits(n) => after.visits / n > before.visits / n,
                        Unlock::Points(cost) => after.points >= cost && before.points < cost,
                    };
                    if unlocked {
                        let what = Some((offer.name.as_str(), offer.discount_minor));
                        ledger.add(member, id, time, EventKind::Unlock, 0, 0, what)?;
                    }
                }
            }
            TransactionType::Refund => {
                let Some(member) = ledger.member_by_key(&key)? else {
                    return Ok(None);
                };
                let back = points.min(member.points);
                ledger.add(
                    member.id,
                    id,
                    time,
                    EventKind::Reversal,
                    -signed(back),
                    0,
                    None,
                )?;
            }
            TransactionType::Cash => return Ok(None),
        }
        let mut award = award(ledger, id)?;
        if let Some(a) = award.as_mut() {
            a.new_device = new_device;
        }
        Ok(award)
    }

    fn member(&self, ledger: Ledger<'_>, id: i64) -> Result<Member, JournalError> {
        ledger.member(id)?.ok_or_else(|| JournalError::BadRow {
            path: "ledger".into(),
            id,
            detail: "member vanished".into(),
        })
    }
}

/// The device of a data record: scheme, form, token or not, last four digits.
fn device(record: &TagMap, entry: &Entry) -> Device {
    let aid = entry.aid.clone().unwrap_or_default();
    let token = record.contains_key(&TOKEN_REQUESTOR);
    let last4 = entry
        .masked_pan
        .as_ref()
        .map(|p| p.as_str())
        .and_then(|p| p.get(p.len().saturating_sub(4)..))
        .unwrap_or("")
        .to_string();
    Device {
        scheme: scheme(&aid),
        form: form(record, &aid, token).to_string(),
        token,
        last4,
        first_seen: entry.time,
        last_seen: entry.time,
    }
}

/// What journal row `transaction` did to its member, from its ledger events; `None` when it
/// did nothing (declined, cancelled, no rewards, an unknown refunder).
pub fn award(ledger: Ledger<'_>, transaction: i64) -> Result<Option<Award>, JournalError> {
    let events = ledger.events_of(transaction)?;
    let Some(last) = events.last() else {
        return Ok(None);
    };
    let Some(member) = ledger.member(last.member)? else {
        return Ok(None);
    };
    let gained = |kind: EventKind| {
        events
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.points.unsigned_abs())
            .sum::<u64>()
    };
    let offers = |kind: EventKind| {
        events
            .iter()
            .filter(|e| e.kind == kind)
            .filter_map(|e| Some((e.offer.clone()?, e.amount_minor.unwrap_or(0))))
            .collect::<Vec<_>>()
    };
    Ok(Some(Award {
        member: member.id,
        key: member.key,
        earned: gained(EventKind::Earn),
        welcome: gained(EventKind::Welcome),
        reversed: gained(EventKind::Reversal),
        balance: last.balance,
        visits: last.visits,
        unlocked: offers(EventKind::Unlock),
        redeemed: offers(EventKind::Redeem).into_iter().next(),
        new_device: None,
    }))
}

impl Award {
    /// What the outcome screen and the receipt show, as label and value; `money` formats
    /// minor units of the rules' currency.
    pub fn items(&self, money: impl Fn(u64) -> String) -> Vec<(&'static str, String)> {
        let mut out = vec![("Rewards member", format!("#{} {}", self.member, self.key))];
        if let Some((offer, discount)) = &self.redeemed {
            out.push((
                "Offer applied",
                format!("{offer}: {} off", money(*discount)),
            ));
        }
        if self.reversed > 0 {
            out.push(("Points taken back", format!("-{}", self.reversed)));
        } else {
            out.push(("Points earned", format!("+{}", self.earned)));
        }
        if self.welcome > 0 {
            out.push(("Welcome bonus", format!("+{}", self.welcome)));
        }
        out.push(("Points balance", self.balance.to_string()));
        out.push(("Visits", self.visits.to_string()));
        for (offer, discount) in &self.unlocked {
            out.push((
                "Offer available",
                format!("{offer}: {} off", money(*discount)),
            ));
        }
        if let Some(device) = &self.new_device {
            out.push(("New device", device.clone()));
        }
        out
    }
}

/// Minor units of `currency` as the receipt shows amounts: `EUR 2.00`.
pub fn money(minor: u64, currency: u16, exponent: u8) -> String {
    format!(
        "{} {}",
        crate::journal::currency_code(currency),
        crate::transaction::major(minor, exponent)
    )
}

/// The rewards check tap's transaction: the sale's inputs at zero amount (the card is read
/// for its PAR or PAN; the result goes to no host and no journal).
pub fn check_transaction(sale: &Transaction) -> Transaction {
    Transaction {
        kind: TransactionType::Purchase,
        amount: 0,
        amount_other: 0,
        ..sale.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Journal;
    use crate::journal::tests::entry;

    fn rewards() -> Rewards {
        Rewards::new(
            rules::load(None, 978, 2).unwrap(),
            TerminalSecret::from_bytes([3; 64]),
        )
    }

    /// The record behind `journal::tests::entry`: its PAR is the key.
    fn record() -> TagMap {
        let mut record = TagMap::new();
        record.insert(Tag::new(0x9F24), b"V0010013822123456789012345678".to_vec());
        record.insert(Tag::new(0x9F19), vec![0x04, 0, 0x12, 0x34, 0x56, 0x78]);
        record
    }

    fn settle(j: &mut Journal, e: &Entry, redeem: Option<&Redemption>) -> Option<Award> {
        let r = rewards();
        let (_, award) = j
            .record_with(e, |ledger, id| r.settle(ledger, id, e, &record(), redeem))
            .unwrap();
        award.unwrap()
    }

    #[test]
    fn only_approved_purchases_and_refunds_in_the_rules_currency_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("j.sqlite")).unwrap();
        for outcome in ["Declined", "Cancelled"] {
            let e = entry(TransactionType::Purchase, 5000, outcome, 9);
            assert_eq!(settle(&mut j, &e, None), None, "{outcome}");
        }
        let mut yen = entry(TransactionType::Purchase, 5000, "Approved", 9);
        (yen.currency, yen.exponent) = (392, 0);
        assert_eq!(settle(&mut j, &yen, None), None, "another currency");
        let cash = entry(TransactionType::Cash, 5000, "Approved", 9);
        assert_eq!(settle(&mut j, &cash, None), None);
        let refund = entry(TransactionType::Refund, 5000, "Approved", 9);
        assert_eq!(
            settle(&mut j, &refund, None),
            None,
            "no member to refund yet"
        );
        assert!(j.ledger().members().unwrap().is_empty());
        let sale = settle(
            &mut j,
            &entry(TransactionType::Purchase, 5099, "Approved", 9),
            None,
        );
        let sale = sale.unwrap();
        assert_eq!(
            (sale.earned, sale.welcome, sale.balance, sale.visits),
            (50, 10, 60, 1)
        );
        assert_eq!(
            sale.new_device, None,
            "a new member's first device is not news"
        );
        // A refund larger than the balance empties it, never below zero.
        let back = settle(
            &mut j,
            &entry(TransactionType::Refund, 9000, "Approved", 10),
            None,
        );
        assert_eq!(back.map(|a| (a.reversed, a.balance)), Some((60, 0)));
    }

    #[test]
    fn a_redemption_for_another_member_or_an_offer_not_yet_reached_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("j.sqlite")).unwrap();
        let sale = entry(TransactionType::Purchase, 1000, "Approved", 9);
        let early = Redemption {
            member: 1,
            offer: "5th visit".into(),
        };
        let first = settle(&mut j, &sale, Some(&early)).unwrap();
        assert_eq!(first.redeemed, None, "visit 1 has no 5th-visit offer");
        for _ in 2..=5 {
            settle(&mut j, &sale, None);
        }
        let stranger = Redemption {
            member: 99,
            offer: "5th visit".into(),
        };
        assert_eq!(
            settle(&mut j, &sale, Some(&stranger)).unwrap().redeemed,
            None
        );
        let used = settle(&mut j, &sale, Some(&early)).unwrap();
        assert_eq!(used.redeemed, Some(("5th visit".into(), 200)));
        let again = settle(&mut j, &sale, Some(&early)).unwrap();
        assert_eq!(again.redeemed, None, "once, not twice");
        assert_eq!(j.ledger().redemptions(1, "5th visit").unwrap(), 1);
        // The award read back for a receipt is the one the sale returned (less the news).
        assert_eq!(award(j.ledger(), 7).unwrap(), Some(used));
    }

    #[test]
    fn a_failing_ledger_never_costs_the_sale_its_journal_row() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("j.sqlite")).unwrap();
        let sale = entry(TransactionType::Purchase, 1000, "Approved", 9);
        let r = rewards();
        let (id, rewarded) = j
            .record_with(&sale, |ledger, id| {
                r.settle(ledger, id, &sale, &record(), None)?;
                Err::<(), _>(JournalError::DiskFull {
                    path: "test".into(),
                })
            })
            .unwrap();
        assert!(rewarded.is_err());
        assert_eq!(j.get(id).unwrap().unwrap().entry, sale, "the row is kept");
        assert!(
            j.ledger().members().unwrap().is_empty(),
            "the half-written award is not"
        );
    }

    #[test]
    fn devices_come_from_the_ffi_and_the_token_requestor() {
        let mut phone = record();
        phone.insert(FFI, vec![0x23, 0x86, 0, 0]);
        let visa = "A0000000031010";
        assert_eq!(form(&phone, visa, true), "phone");
        assert_eq!(form(&phone, "A0000000041010", true), "phone or wallet");
        assert_eq!(form(&TagMap::new(), visa, false), "card");
        assert_eq!(scheme("A0000000041010"), "Mastercard");
        assert_eq!(scheme("A0000009991010"), "A0000009991010");
    }
}

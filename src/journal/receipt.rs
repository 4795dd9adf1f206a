//! Customer/merchant receipt text from a journal entry.
//!
//! Receipts show what card schemes ask of a contactless receipt: merchant, date and time,
//! amount and currency, masked PAN, application label and AID, the verification method,
//! the cryptogram and ATC, the TVR and the outcome with the authorisation code. Only
//! journal data is used, so a receipt can never show more than the journal holds.

use std::fmt::Write as _;

use emv_kernel::config::TransactionType;

use super::StoredEntry;
use crate::rewards::Award;

/// Receipt width in characters (a common 40-column till roll at normal font).
pub const WIDTH: usize = 40;

/// A `label ... value` line, right-aligning the value; a value too long to share the line
/// goes right-aligned on the next.
fn line(out: &mut String, label: &str, value: &str) {
    let used = label.chars().count() + value.chars().count();
    if used >= WIDTH {
        let _ = writeln!(out, "{label}");
        let pad = WIDTH.saturating_sub(value.chars().count());
        let _ = writeln!(out, "{}{value}", " ".repeat(pad));
        return;
    }
    let _ = writeln!(out, "{label}{}{value}", " ".repeat(WIDTH - used));
}

fn centred(out: &mut String, text: &str) {
    let pad = WIDTH.saturating_sub(text.chars().count()) / 2;
    let _ = writeln!(out, "{}{text}", " ".repeat(pad));
}

fn cvm_text(cvm: &str) -> &str {
    match cvm {
        "cdcvm" => "Verified on device",
        "signature" => "Signature",
        "online_pin" => "PIN verified online",
        "no_cvm" => "No verification",
        other => other,
    }
}

/// The receipt for `stored`, headed with `merchant`, with what it did to its rewards member
/// when it did something (the ledger events of the same row).
pub fn receipt(stored: &StoredEntry, merchant: &str, rewards: Option<&Award>) -> String {
    let e = &stored.entry;
    let mut out = String::new();
    centred(&mut out, merchant);
    let _ = writeln!(out, "{}", "-".repeat(WIDTH));
    line(
        &mut out,
        "Date",
        &e.time.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    );
    line(&mut out, "Transaction", &format!("#{}", stored.id));
    let kind = match e.kind {
        TransactionType::Purchase => "SALE",
        TransactionType::Refund => "REFUND",
        TransactionType::Cashback => "SALE + CASHBACK",
        TransactionType::Cash => "CASH",
    };
    line(
        &mut out,
        kind,
        &format!("{} {}", e.currency_code(), e.amount()),
    );
    let _ = writeln!(out, "{}", "-".repeat(WIDTH));
    if let Some(scheme) = e.scheme() {
        line(&mut out, "Scheme", scheme);
    }
    if let Some(pan) = &e.masked_pan {
        line(&mut out, "Card", pan.as_str());
    }
    if let Some(label) = &e.label {
        line(&mut out, "Application", label);
    }
    if let Some(aid) = &e.aid {
        line(&mut out, "AID", aid);
    }
    if let Some(form) = &e.form_factor {
        line(&mut out, "Device", form);
    }
    line(&mut out, "Verification", cvm_text(&e.cvm));
    if let (Some(kind), Some(ac)) = (&e.cryptogram_type, &e.cryptogram) {
        line(&mut out, kind, ac);
    }
    if let Some(atc) = &e.atc {
        line(&mut out, "ATC", atc);
    }
    if let Some(tvr) = &e.tvr {
        line(&mut out, "TVR", tvr);
    }
    let _ = writeln!(out, "{}", "-".repeat(WIDTH));
    centred(&mut out, &e.outcome.to_uppercase());
    if let Some(code) = e.auth_code.as_deref().filter(|c| !c.is_empty()) {
        line(&mut out, "Auth code", code);
    }
    if let Some(resp) = &e.host_response {
        line(&mut out, "Response", resp);
    }
    if let Some(balance) = e.ecash_balance {
        line(
            &mut out,
            "E-cash balance",
            &format!("{} {balance}", e.currency_code()),
        );
    }
    if let Some(award) = rewards {
        let _ = writeln!(out, "{}", "-".repeat(WIDTH));
        let money = |minor| crate::rewards::money(minor, e.currency, e.exponent);
        for (label, value) in award.items(money) {
            line(&mut out, label, &value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::tests::entry;

    #[test]
    fn receipt_shows_the_masked_details() {
        let stored = StoredEntry {
            id: 17,
            entry: entry(TransactionType::Purchase, 1250, "Approved", 10),
        };
        let text = receipt(&stored, "Corner Café", None);
        for needle in [
            "Corner Café",
            "2026-11-26 10:05:00 UTC",
            "#17",
            "SALE",
            "EUR 12.50",
            "476173******0119",
            "VISA CREDIT",
            "Scheme",
            "Visa",
            "A0000000031010",
            "Verified on device",
            "ARQC",
            "7A788EA6B8A3E733",
            "0042",
            "APPROVED",
            "A1B2C3",
        ] {
            assert!(text.contains(needle), "{needle} missing from\n{text}");
        }
        assert!(!text.contains("4761739001010119"));
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        assert!(!text.contains("E-cash"), "no balance without 9F79");
        let refund = StoredEntry {
            id: 18,
            entry: entry(TransactionType::Refund, 300, "Declined", 10),
        };
        let text = receipt(&refund, "Corner Café", None);
        assert!(text.contains("REFUND") && text.contains("DECLINED"));
        assert!(!text.contains("Auth code"));
    }

    #[test]
    fn receipt_names_unionpay_and_its_ecash_balance_and_the_journal_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = crate::journal::Journal::open(&dir.path().join("j.sqlite")).unwrap();
        let mut e = entry(TransactionType::Purchase, 2500, "Approved", 11);
        let mut record = emv_kernel::config::TagMap::new();
        record.insert(
            emv_kernel::tlv::Tag::new(0x9F79),
            hex::decode("000000012345").unwrap(),
        );
        e.aid = Some("A000000333010106".into());
        e.ecash_balance = crate::transaction::ecash_balance(&record, e.exponent);
        let id = journal.record(&e).unwrap();
        let stored = journal.get(id).unwrap().unwrap();
        assert_eq!(stored.entry.ecash_balance, Some("123.45".parse().unwrap()));
        let text = receipt(&stored, "Corner Café", None);
        assert!(text.contains("UnionPay"), "{text}");
        assert!(
            text.lines()
                .any(|l| l.starts_with("E-cash balance") && l.ends_with("EUR 123.45")),
            "{text}"
        );
        e.aid = Some("A000000025010901".into());
        assert_eq!(e.scheme(), Some("American Express"));
        e.aid = Some("A0000000041010".into());
        assert_eq!(e.scheme(), Some("Mastercard"));
        e.aid = Some("A0000009991010".into());
        assert_eq!(e.scheme(), None);
    }
}

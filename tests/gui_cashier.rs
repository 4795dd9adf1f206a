//! Headless UI tests of the cashier screen (iced_test, no X server): type, charge, tap the
//! demo wallets, read the outcome; the two-tap "See phone" flow; cancel; refused amounts.
//!
//! The outcomes asserted are what the specification calls for with the shipped
//! configuration (assets/terminal.toml: CVM required limit 50.00, floor limit 0) and the
//! wallet profiles: a Visa phone at 25.00 goes online with CDCVM (C-3: the phone verified
//! the cardholder, floor limit 0 forces an ARQC), the host simulator approves → "Approved",
//! "Verified on phone".

mod gui_support;

use emv_kernel::outcome::MessageId;
use gui_support::Driver;
use tapterm::gui::{Message, Phase, cashier};
use tapterm::phone::Profile;

fn charge(d: &mut Driver, amount: &str) {
    d.keypad(amount);
    d.click("Charge");
    assert!(
        matches!(d.app.phase(), Phase::Waiting(_)),
        "{:?}",
        d.app.entry_error()
    );
    d.run_until("the reader to poll", |a| a.waiting_for_tap());
    assert!(d.shows("Present card or phone"));
}

fn tap_and_finish(d: &mut Driver, profile: &str) {
    d.click(&format!("Tap {profile}"));
    d.run_until("the outcome", |a| matches!(a.phase(), Phase::Outcome(_)));
}

#[test]
fn visa_phone_is_approved_and_verified_on_phone() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), "visa-phone", false);
    assert!(d.shows("EUR 0.00"));
    charge(&mut d, "25.00");
    assert!(d.shows("Pay EUR 25.00"));
    tap_and_finish(&mut d, "visa-phone");
    let banner = d.app.verdict().unwrap().clone();
    assert!(d.shows("Approved"), "{banner:?}");
    assert!(d.shows("Verified on phone"), "{banner:?}");
    let last = d.app.last().unwrap();
    assert_eq!(
        last.kernel.outcome.status,
        emv_kernel::outcome::OutcomeStatus::OnlineRequest
    );
    let host = last.host.as_ref().unwrap();
    assert!(host.approved && host.cryptogram_verified, "{host:?}");
    // The receipt shows the masked DPAN, never the full one.
    let receipt = d.app.receipt().unwrap().to_string();
    let pan = Profile::VisaPhone.account().pan;
    assert!(!receipt.contains(pan), "{receipt}");
    assert!(receipt.contains(&format!("{}******{}", &pan[..6], &pan[pan.len() - 4..])));
    assert!(receipt.contains("APPROVED") && receipt.contains("EUR 25.00"));
    // Journaled before shown, and listed in the history with the totals.
    assert_eq!(d.app.history().len(), 1);
    assert!(d.app.history()[0].id > 0);
    d.click("History");
    assert!(d.shows("1 approved, 0 not approved — net EUR 25.00"));
    // Save the receipt as text (a task writes the file and says where).
    d.click("Cashier");
    d.click("Save receipt");
    d.run_until("the receipt written", |a| a.notice().is_some());
    let notice = d.app.notice().unwrap().to_string();
    assert!(notice.starts_with("Receipt saved to "), "{notice}");
    assert!(d.shows(&notice));
    let saved = std::fs::read_dir(dir.path().join("receipts"))
        .unwrap()
        .count();
    assert_eq!(saved, 1, "{:?}", d.app.notice());
    // Enter starts the next sale, which runs like the first (the first one's finished
    // stream must not be taken for the second's).
    d.update(cashier::Message::Enter);
    assert!(matches!(d.app.phase(), Phase::Entry));
    assert!(d.shows("EUR 0.00"));
    charge(&mut d, "7.50");
    tap_and_finish(&mut d, "visa-phone");
    d.settle(std::time::Duration::from_millis(100));
    assert!(d.shows("Approved"), "{:?}", d.app.verdict());
    assert_eq!(d.app.history().len(), 2);
}

/// A locked phone: first tap → "See phone" and a wait for the second tap, which approves.
fn see_phone_flow(profile: &str) -> (tempfile::TempDir, Driver) {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), profile, true);
    charge(&mut d, "60.00");
    d.click(&format!("Tap {profile}"));
    d.run_until("the second poll", |a| {
        a.waiting_for_tap() && a.message() == Some(MessageId::SeePhone)
    });
    // Entry Point's restart prompt follows at once; "See phone" must still be what shows.
    d.settle(std::time::Duration::from_millis(300));
    assert!(d.app.waiting_for_tap());
    assert!(d.shows("See phone"));
    assert!(d.shows("Follow the instructions on the phone, then tap again"));
    tap_and_finish(&mut d, profile);
    (dir, d)
}

#[test]
fn locked_mastercard_phone_asks_to_see_phone_then_second_tap_approves() {
    // C-2: the locked phone answers GENERATE AC with an AAC and DF4B asking for on-device
    // CVM; the outcome is End Application with "See phone" and a restart for a second tap.
    let (_dir, d) = see_phone_flow("mastercard-phone");
    assert!(d.shows("Approved"), "{:?}", d.app.verdict());
    assert!(d.shows("Verified on phone"));
    assert_eq!(d.app.last().unwrap().taps, 2);
}

#[test]
fn locked_phone_asks_to_see_phone_then_second_tap_approves() {
    // C-3: the locked phone answers GPO with 6986; Entry Point restarts and asks for a
    // second tap with "See phone".
    let (_dir, d) = see_phone_flow("visa-phone");
    assert!(d.shows("Approved"), "{:?}", d.app.verdict());
    assert!(d.shows("Verified on phone"));
    let last = d.app.last().unwrap();
    assert_eq!(last.kernel.tap_outcomes.len(), 2);
    assert!(last.kernel.trace.iter().any(|x| x.tap == 1));
}

#[test]
fn cancel_while_waiting_ends_without_money() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), "visa-phone", false);
    charge(&mut d, "12.00");
    d.click("Cancel");
    d.run_until("the cancelled outcome", |a| {
        matches!(a.phase(), Phase::Outcome(_))
    });
    assert!(d.shows("Cancelled"));
    assert!(d.app.receipt().is_none());
    // No card was ever in the field: nothing to journal (a cancel before any card is not
    // a transaction; a tap that was cancelled is, see the next tests).
    assert!(d.app.history().is_empty());
    // Esc leaves the outcome, and Esc again clears a typed amount.
    d.update(cashier::Message::Cancel);
    assert!(matches!(d.app.phase(), Phase::Entry));
    d.keypad("7");
    assert!(d.shows("EUR 7.00"));
    d.update(cashier::Message::Cancel);
    assert!(d.shows("EUR 0.00"));
}

#[test]
fn bad_amounts_are_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), "visa-phone", false);
    let refused = |d: &mut Driver, keys: &str, message: &str| {
        d.click("Clear");
        d.keypad(keys);
        d.click("Charge");
        assert!(matches!(d.app.phase(), Phase::Entry), "{keys} was charged");
        assert!(!d.app.is_running());
        assert_eq!(d.app.entry_error(), Some(message), "{keys}");
        assert!(d.shows(message), "{message} not shown");
    };
    refused(&mut d, "", "Enter an amount");
    refused(&mut d, "0", "A zero amount is not allowed");
    refused(&mut d, "0.00", "A zero amount is not allowed");
    refused(&mut d, "1000.01", "Over the limit: EUR 1000.00 maximum");
    refused(&mut d, "1.234", "EUR has 2 decimals: 1.234 has too many");
    // Typing again clears the message.
    d.keypad("5");
    assert_eq!(d.app.entry_error(), None);
}

#[test]
fn keyboard_types_and_enter_charges() {
    use iced::keyboard::{self, Key, key::Named};
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), "mastercard-phone", false);
    let press = |key: Key| keyboard::Event::KeyPressed {
        key: key.clone(),
        modified_key: key,
        physical_key: keyboard::key::Physical::Unidentified(
            keyboard::key::NativeCode::Unidentified,
        ),
        location: keyboard::Location::Standard,
        modifiers: keyboard::Modifiers::default(),
        text: None,
        repeat: false,
    };
    for c in ["6", "0", ",", "0", "0", "9"] {
        d.update(tapterm::gui::key_message(press(Key::Character(c.into()))).unwrap());
    }
    d.update(tapterm::gui::key_message(press(Key::Named(Named::Backspace))).unwrap());
    assert!(d.shows("EUR 60.00"));
    d.update(tapterm::gui::key_message(press(Key::Named(Named::Enter))).unwrap());
    assert!(matches!(d.app.phase(), Phase::Waiting(_)));
    d.run_until("the reader to poll", |a| a.waiting_for_tap());
    d.update(tapterm::gui::key_message(press(Key::Named(Named::Space))).unwrap());
    d.run_until("the outcome", |a| matches!(a.phase(), Phase::Outcome(_)));
    // An unlocked Mastercard phone above the CVM required limit (50.00): M/Chip ARQC with
    // on-device CVM; the host approves.
    assert!(d.shows("Approved"), "{:?}", d.app.verdict());
    assert!(d.shows("Verified on phone"), "{:?}", d.app.verdict());
}

#[test]
fn visa_card_under_the_cvm_limit_needs_no_verification() {
    // C-3 with floor limit 0: ARQC online; 19.99 is under the CVM required limit (50.00),
    // so no CVM; the host verifies the Visa CVN 18 cryptogram and approves.
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), "visa-card", false);
    charge(&mut d, "19.99");
    tap_and_finish(&mut d, "visa-card");
    assert!(d.shows("Approved"), "{:?}", d.app.verdict());
    assert!(d.shows("No verification needed"));
    assert!(
        d.app
            .last()
            .unwrap()
            .host
            .as_ref()
            .unwrap()
            .cryptogram_verified
    );
}

#[test]
fn a_card_leaving_the_field_is_asked_again_and_the_second_tap_completes() {
    // Book B 3.5 / C-3: the card left during READ RECORD → Try Again, "Present card again",
    // a new tap restarts at Start B; this wallet stays in the field the second time.
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), "leaves-field", false);
    charge(&mut d, "19.99");
    d.click("Tap leaves-field");
    d.run_until("the second poll", |a| {
        a.waiting_for_tap() && a.message() == Some(MessageId::PresentCardAgain)
    });
    assert!(d.shows("Present card or phone again"));
    tap_and_finish(&mut d, "leaves-field");
    assert!(d.shows("Approved"), "{:?}", d.app.verdict());
    assert_eq!(d.app.last().unwrap().taps, 2);
}

#[test]
fn an_approved_refund_counts_negative_in_the_day_totals() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), "visa-phone", false);
    d.click("Refund");
    assert!(d.shows("Refund: type the amount to give back, then Charge"));
    charge(&mut d, "5.00");
    assert!(d.shows("Refund EUR 5.00"));
    tap_and_finish(&mut d, "visa-phone");
    let banner = d.app.verdict().unwrap().clone();
    let last = d.app.last().unwrap();
    assert_eq!(
        last.transaction.kind,
        emv_kernel::config::TransactionType::Refund
    );
    assert!(d.app.receipt().unwrap().contains("REFUND"));
    // The host approves refunds like purchases (issue 6: refunds negative in totals).
    assert_eq!(banner.title, "Approved", "{banner:?}");
    d.click("History");
    assert!(d.shows("1 approved, 0 not approved — net EUR -5.00"));
}

#[test]
fn closing_the_window_exits_at_once_when_idle() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), "visa-phone", false);
    d.update(Message::CloseRequested);
    d.run_until_exit();
}

#[test]
fn closing_the_window_mid_transaction_cancels_it_and_exits_once_it_is_journalled() {
    // A locked phone was tapped once and asked to see the phone: the window closes while
    // it waits for the second tap. The tap that was cancelled is journalled (issue 11).
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), "visa-phone", true);
    charge(&mut d, "60.00");
    d.click("Tap visa-phone");
    d.run_until("the second poll", |a| {
        a.waiting_for_tap() && a.message() == Some(MessageId::SeePhone)
    });
    d.update(Message::CloseRequested);
    assert!(!d.exited, "the window waits for the transaction to end");
    d.run_until_exit();
    assert!(matches!(d.app.phase(), Phase::Outcome(_)));
    assert!(d.shows("Cancelled"), "{:?}", d.app.verdict());
    // Journalled as cancelled before the window went: the journal file says so.
    let journal = tapterm::journal::Journal::open(&dir.path().join("journal.sqlite")).unwrap();
    let ids = journal.ids().unwrap();
    assert_eq!(ids.len(), 1);
    let stored = journal.get(ids[0]).unwrap().unwrap();
    assert_eq!(stored.entry.outcome, "cancelled");
    assert!(!stored.entry.approved);
    assert_eq!(stored.entry.amount_minor, 6000);
}

#[test]
fn locked_unionpay_phone_from_the_demo_list_sees_phone_then_is_approved_online() {
    // Issue 10: the demo reader lists the UnionPay phone; chosen there and locked, its first
    // tap answers GPO with 6986 (C-7 as C-3: See phone), the second is approved online with
    // the cryptogram the host recomputed (UnionPay CVN 01), and the receipt names UnionPay.
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), "visa-phone", false);
    d.click("Readers");
    // The demo reader's wallet list is Profile::ALL (src/gui/readers.rs pick list).
    let listed = Profile::ALL.map(Profile::name);
    for name in ["unionpay-phone", "unionpay-card", "amex-phone", "amex-card"] {
        assert!(listed.contains(&name), "{name} listed");
    }
    d.update(tapterm::gui::readers::Message::Profile(
        "unionpay-phone".into(),
    ));
    d.update(tapterm::gui::readers::Message::Locked(true));
    assert!(d.shows("Demo reader (unionpay-phone)"));
    d.click("Cashier");
    charge(&mut d, "25.00");
    d.click("Tap unionpay-phone");
    d.run_until("the second poll", |a| {
        a.waiting_for_tap() && a.message() == Some(MessageId::SeePhone)
    });
    assert!(d.shows("See phone"));
    tap_and_finish(&mut d, "unionpay-phone");
    assert!(d.shows("Approved"), "{:?}", d.app.verdict());
    assert!(d.shows("Verified on phone"));
    let last = d.app.last().unwrap();
    assert_eq!(last.taps, 2);
    let host = last.host.as_ref().unwrap();
    assert!(host.approved && host.cryptogram_verified, "{host:?}");
    assert!(host.reason.contains("UnionPay01"), "{host:?}");
    let receipt = d.app.receipt().unwrap().to_string();
    assert!(receipt.contains("UnionPay"), "{receipt}");
    assert!(receipt.contains("625094******0014"), "{receipt}");
    assert!(!receipt.contains(Profile::UnionPayPhone.account().pan));
}

#[test]
fn unionpay_ecash_card_shows_its_balance_on_screen_and_receipt() {
    // Kernel 7 reads the e-cash balance (GET DATA 9F79) on the shipped e-cash combination
    // (9F7A 01); the cashier sees it with the outcome and the receipt prints it.
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), "unionpay-card", false);
    charge(&mut d, "25.00");
    tap_and_finish(&mut d, "unionpay-card");
    assert!(d.shows("Approved"), "{:?}", d.app.verdict());
    assert!(
        d.shows("E-cash balance EUR 123.45"),
        "{:?}",
        d.app.verdict()
    );
    let receipt = d.app.receipt().unwrap().to_string();
    assert!(
        receipt
            .lines()
            .any(|l| l.starts_with("E-cash balance") && l.ends_with("EUR 123.45")),
        "{receipt}"
    );
    assert!(receipt.contains("UnionPay"), "{receipt}");
}

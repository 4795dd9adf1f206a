//! Issue 12 in the window (iced_test, headless): the outcome screen and the receipt show
//! the points earned, the balance, the visits and an offer now available; the rewards check
//! tap recognises the member and their offer, which comes off the next sale once; a bad
//! rules file turns rewards off with a visible warning while sales go on.
//!
//! Numbers from the built-in rules (assets/rewards.toml): 1 point per EUR, 10 welcome
//! points, "100 points" EUR 2.00 off while the balance holds 100 points.

mod gui_support;

use gui_support::Driver;
use tapterm::gui::{GuiOptions, Phase, cashier};

fn window(dir: &std::path::Path, rules: Option<&std::path::Path>) -> Driver {
    let config = gui_support::config(dir).with_rewards(rules);
    let options = GuiOptions {
        profile: Some("visa-phone".into()),
        ..GuiOptions::default()
    };
    Driver::boot(config, &options)
}

fn sale(d: &mut Driver, amount: &str) {
    d.keypad(amount);
    d.click("Charge");
    d.run_until("the reader to poll", |a| a.waiting_for_tap());
    d.click("Tap visa-phone");
    d.run_until("the outcome", |a| matches!(a.phase(), Phase::Outcome(_)));
}

#[test]
fn the_outcome_screen_and_the_receipt_show_points_balance_and_the_offer() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = window(dir.path(), None);
    sale(&mut d, "95.00");
    assert!(d.shows("Approved"));
    // 95 points, 10 welcome points: 105, past the 100-point offer.
    for line in [
        "Points earned: +95",
        "Welcome bonus: +10",
        "Points balance: 105",
        "Visits: 1",
        "Offer available: 100 points: EUR 2.00 off",
        "Rewards member: #1 PAR V001…0001",
    ] {
        assert!(d.shows(line), "{line} not on the outcome screen");
    }
    let receipt = d.app.receipt().unwrap().to_string();
    for (label, value) in [
        ("Points earned", "+95"),
        ("Welcome bonus", "+10"),
        ("Points balance", "105"),
        ("Offer available", "100 points: EUR 2.00 off"),
    ] {
        assert!(
            receipt
                .lines()
                .any(|l| l.starts_with(label) && l.ends_with(value)),
            "{label} … {value} not on\n{receipt}"
        );
    }
    assert!(
        receipt.lines().all(|l| l.chars().count() <= 40),
        "{receipt}"
    );
    // A declined sale (the simulator declines amounts ending in .51) shows no points.
    d.update(cashier::Message::NewSale);
    sale(&mut d, "3.51");
    assert!(!d.app.verdict().unwrap().approved());
    assert!(!d.shows("Points balance: 105") && !d.shows("Points earned: +3"));
}

#[test]
fn a_rewards_check_tap_recognises_the_member_and_the_offer_comes_off_the_next_sale_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = window(dir.path(), None);
    sale(&mut d, "95.00");
    d.update(cashier::Message::NewSale);
    d.click("Check rewards");
    d.run_until("the reader to poll", |a| a.waiting_for_tap());
    assert!(d.shows("Rewards check: nothing is charged"));
    d.click("Tap visa-phone");
    d.run_until("the check", |a| matches!(a.phase(), Phase::Entry));
    assert!(d.shows("Member #1 PAR V001…0001"));
    assert!(d.shows("105 points, 1 visits"));
    assert_eq!(d.app.history().len(), 1, "the check is not a sale");
    d.click("Use 100 points (EUR 2.00 off)");
    assert!(d.shows("Type the amount, then Charge: the offer takes EUR 2.00 off"));
    sale(&mut d, "10.00");
    assert!(d.shows("Approved"));
    assert!(d.shows("EUR 8.00"), "charged less the discount");
    assert!(d.shows("Offer applied: 100 points: EUR 2.00 off"));
    // 105 - 100 spent + 8 earned.
    assert!(d.shows("Points balance: 13"));
    let receipt = d.app.receipt().unwrap().to_string();
    assert!(
        receipt.contains("EUR 8.00") && receipt.contains("Offer applied"),
        "{receipt}"
    );
    // The check served one sale: the next is charged in full.
    d.update(cashier::Message::NewSale);
    sale(&mut d, "10.00");
    assert!(d.shows("EUR 10.00") && !d.shows("Offer applied: 100 points: EUR 2.00 off"));
    // And a new check finds the offer gone.
    d.update(cashier::Message::NewSale);
    d.click("Check rewards");
    d.run_until("the reader to poll", |a| a.waiting_for_tap());
    d.click("Tap visa-phone");
    d.run_until("the check", |a| matches!(a.phase(), Phase::Entry));
    assert!(d.shows("No offer available yet"));
}

#[test]
fn a_bad_rules_file_is_a_visible_warning_and_sales_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rewards.toml");
    std::fs::write(
        &rules,
        "[[offer]]\nname = \"x\"\nevery_visits = 5\ndiscount = \"free\"\n",
    )
    .unwrap();
    let mut d = window(dir.path(), Some(&rules));
    let notice = d.app.notice().unwrap_or_default().to_string();
    assert!(
        notice.starts_with("Rewards are off: ")
            && notice.contains("rewards.toml: line 4: discount"),
        "{notice}"
    );
    assert!(d.shows(&notice));
    assert!(!d.shows("Check rewards"));
    sale(&mut d, "12.00");
    assert!(d.shows("Approved"));
    assert!(!d.app.receipt().unwrap().contains("Points"));
}

//! Headless tests of the reader screen through its own messages: PC/SC readers appear and
//! disappear as they are plugged (hot-plug), one plugged in while idle is taken, a chosen
//! reader that goes away falls back to the demo reader; the demo wallet's settings.

mod gui_support;

use gui_support::Driver;
use tapterm::gui::readers::{Message, ReaderChoice};

#[test]
fn readers_come_and_go_and_the_demo_reader_takes_over() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), "visa-phone", false);
    d.click("Readers");
    assert!(d.shows("Demo reader (visa-phone)"));
    // The terminal's settings under the readers, as configured (assets/terminal.toml).
    assert!(d.shows("Merchant: TAPTERM DEMO SHOP"));
    assert!(d.shows("Currency: EUR (978, 2 decimals)"));
    assert!(
        d.shows("Amounts: EUR 0.01 to EUR 1000.00"),
        "the cashier's limits"
    );
    let name = "ACS ACR122U PICC Interface 00 00";
    // Plugged in while idle: the window takes it, says so and names it in the top bar.
    d.update(Message::Found(vec![name.to_string()]));
    assert!(d.shows(&format!("Reader plugged in: {name}; using {name}")));
    assert_eq!(d.app.reader(), ReaderChoice::Pcsc(name.into()));
    assert!(d.shows(name), "the chosen reader is named in the top bar");
    // The demo reader is one click away on the cashier screen, and the reader one back.
    d.click("Cashier");
    d.click("Use the demo reader");
    assert!(d.shows("Reader: Demo reader (visa-phone)"));
    d.click("Readers");
    d.click(name);
    assert_eq!(d.app.reader(), ReaderChoice::Pcsc(name.into()));
    d.update(Message::Found(vec![]));
    assert!(d.shows(&format!("Reader unplugged: {name}; using the demo reader")));
    assert!(d.shows("Demo reader (visa-phone)"));
}

#[test]
fn choosing_a_profile_changes_the_demo_wallet() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), "visa-phone", false);
    d.update(Message::Profile("mastercard-card".into()));
    assert!(d.shows("Demo reader (mastercard-card)"));
    d.update(Message::Locked(true));
    d.update(Message::AutoTap(true));
    d.click("Cashier");
    d.keypad("5");
    d.click("Charge");
    // Auto-tap: no Tap button needed, the outcome arrives by itself.
    d.run_until("the outcome", |a| {
        matches!(a.phase(), tapterm::gui::Phase::Outcome(_))
    });
    assert_eq!(
        d.app.last().unwrap().reader,
        "Demo reader (mastercard-card)"
    );
}

#[test]
fn an_unusable_journal_is_replaced_for_the_session_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    let mut config = gui_support::config(dir.path());
    config.journal = Some(blocker.join("journal.sqlite"));
    let options = tapterm::gui::GuiOptions {
        profile: Some("visa-phone".into()),
        auto_tap: true,
        ..Default::default()
    };
    let mut d = Driver::boot(config, &options);
    assert!(d.app.notice().unwrap().contains("unavailable"));
    d.keypad("25");
    d.click("Charge");
    d.run_until("the outcome", |a| {
        matches!(a.phase(), tapterm::gui::Phase::Outcome(_))
    });
    assert!(
        d.app.receipt().is_some(),
        "receipt from the session journal"
    );
    d.click("History");
    assert!(d.shows("this session only: the journal could not be opened"));
    assert!(d.shows("1 approved, 0 not approved — net EUR 25.00"));
}

//! The window over the real PC/SC stack: a private pcscd with the vpcd driver, a
//! `tapterm phone` process as the phone in the field. The reader shows up in the reader list
//! (hot-plug poll), the cashier picks it, and a charge completes through it. Needs pcscd and
//! vsmartcard-vpcd (scripts/setup) and root or unprivileged user namespaces.

mod gui_support;
#[path = "support/pcsc.rs"]
mod support;

use gui_support::Driver;
use support::{Pcscd, free_ports, phone};
use tapterm::gui::{Message, Phase};

#[test]
fn the_window_pays_through_a_vpcd_reader() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_ports();
    let pcscd = Pcscd::start(tmp.path(), port, "Virtual PCD");
    // SAFETY: this is the only test of this binary and nothing reads the environment
    // concurrently; libpcsclite reads the variable when the window's threads connect.
    unsafe { std::env::set_var("PCSCLITE_CSOCK_NAME", &pcscd.socket) };
    let mut d = Driver::new(tmp.path(), "visa-phone", false);
    d.update(Message::PollReaders);
    d.run_until("the reader list", |a| !a.pcsc_readers().is_empty());
    let reader = d.app.pcsc_readers()[0].clone();
    assert!(reader.starts_with("Virtual PCD"), "{reader}");
    d.click("Readers");
    let notice = d.app.notice().unwrap_or_default().to_string();
    assert!(notice.starts_with("Reader plugged in: "), "{notice}");
    assert!(notice.contains(&reader), "{notice}");
    assert!(d.shows(&notice));
    d.click(&reader);
    d.click("Cashier");
    // No phone in the field yet: the reader waits, and Cancel stops the wait (PC/SC cancel).
    d.keypad("3");
    d.click("Charge");
    d.run_until("the reader to wait", |a| a.waiting_for_tap());
    d.click("Cancel");
    d.run_until("the cancelled outcome", |a| a.phase() == Phase::Outcome);
    assert!(d.shows("Cancelled"), "{:?}", d.app.banner());
    d.click("New sale");
    // Now the phone comes into the field.
    let _phone = phone("visa-phone", port, &[]);
    d.keypad("25.00");
    d.click("Charge");
    d.run_until("the outcome", |a| a.phase() == Phase::Outcome);
    assert!(d.shows("Approved"), "{:?}", d.app.banner());
    assert!(d.shows("Verified on phone"));
    let last = d.app.last().unwrap();
    assert_eq!(last.reader, reader);
    assert!(last.checkout.host.as_ref().unwrap().cryptogram_verified);
}

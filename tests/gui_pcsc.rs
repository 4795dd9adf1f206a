//! The window over the real PC/SC stack: a private pcscd with the vpcd driver, a
//! `tapterm phone` process as the phone in the field. The window starts on the vpcd reader
//! by itself (no click on the Readers screen) and says so, and a charge completes through
//! it. Needs pcscd and vsmartcard-vpcd (scripts/setup) and root or unprivileged user
//! namespaces.

mod gui_support;
#[path = "support/pcsc.rs"]
mod support;

use gui_support::Driver;
use support::{Pcscd, free_ports, phone};
use tapterm::gui::readers::ReaderChoice;
use tapterm::gui::{GuiOptions, Phase};

#[test]
fn the_window_pays_through_a_vpcd_reader() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_ports();
    let pcscd = Pcscd::start(tmp.path(), port, "Virtual PCD");
    // SAFETY: this is the only test of this binary and nothing reads the environment
    // concurrently; libpcsclite reads the variable when the window's threads connect.
    unsafe { std::env::set_var("PCSCLITE_CSOCK_NAME", &pcscd.socket) };
    // Started as `tapterm gui` (no --demo): the start-up poll finds the vpcd reader.
    let mut d = Driver::boot(gui_support::config(tmp.path()), &GuiOptions::default());
    let readers = d.app.pcsc_readers().to_vec();
    let reader = readers.first().expect("the vpcd reader is listed").clone();
    assert!(reader.starts_with("Virtual PCD"), "{readers:?}");
    assert_eq!(d.app.reader(), ReaderChoice::Pcsc(reader.clone()));
    assert_eq!(d.app.notice(), Some(&*format!("Using the reader {reader}")));
    assert!(d.shows(&format!("Using the reader {reader}")));
    assert!(d.shows(&format!("Reader: {reader}")));
    // No phone in the field yet: the reader waits, and Cancel stops the wait (PC/SC cancel).
    d.keypad("3");
    d.click("Charge");
    d.run_until("the reader to wait", |a| a.waiting_for_tap());
    d.click("Cancel");
    d.run_until("the cancelled outcome", |a| {
        matches!(a.phase(), Phase::Outcome(_))
    });
    assert!(d.shows("Cancelled"), "{:?}", d.app.verdict());
    d.click("New sale");
    // Now the phone comes into the field.
    let _phone = phone("visa-phone", port, &[]);
    d.keypad("25.00");
    d.click("Charge");
    d.run_until("the outcome", |a| matches!(a.phase(), Phase::Outcome(_)));
    assert!(d.shows("Approved"), "{:?}", d.app.verdict());
    assert!(d.shows("Verified on phone"));
    let last = d.app.last().unwrap();
    assert_eq!(last.reader, reader);
    assert!(last.host.as_ref().unwrap().cryptogram_verified);
}

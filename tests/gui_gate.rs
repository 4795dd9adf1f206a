//! Headless UI tests of the gate screen (`tapterm gui --transit`, issue 13): a tap runs on
//! its own thread through the real gate pipeline and journal, the screen shows GO or STOP
//! with the reason, the fare and the rides today, the four lights, and the developer tab
//! lists the tap's APDUs.

use std::path::Path;
use std::time::{Duration, Instant};

use emv_kernel::outcome::ReaderStatus;
use iced::futures::StreamExt;
use iced_test::runtime::Action;
use tapterm::gui::gate::{GateApp, GateReader, Message, Tab};
use tapterm::journal::transit::Gate;
use tapterm::phone::Profile;
use tapterm::terminal_config;
use tapterm::transit::station::Station;

fn station(dir: &Path) -> Station {
    let settings = terminal_config::load(None, Path::new(terminal_config::CAPK_DIR)).unwrap();
    Station::open(settings, &dir.join("j.sqlite")).unwrap()
}

/// Applies `message` and runs the tasks it starts to their end, feeding messages back.
fn drive(app: &mut GateApp, message: Message) {
    let mut queue = vec![message];
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Some(m) = queue.pop() {
        assert!(Instant::now() < deadline, "the gate window hangs");
        let task = app.update(m);
        if let Some(mut stream) = iced_test::runtime::task::into_stream(task) {
            while let Some(action) = iced::futures::executor::block_on(stream.next()) {
                if let Action::Output(next) = action {
                    queue.push(next);
                }
            }
        }
    }
}

fn shows(app: &GateApp, text: &str) -> bool {
    iced_test::simulator(app.view()).find(text).is_ok()
}

fn click(app: &mut GateApp, label: &str) {
    let messages: Vec<Message> = {
        let mut ui = iced_test::simulator(app.view());
        ui.click(label)
            .unwrap_or_else(|e| panic!("cannot click {label:?}: {e}"));
        ui.into_messages().collect()
    };
    for m in messages {
        drive(app, m);
    }
}

#[test]
fn a_locked_express_phone_shows_go_with_fare_and_rides_then_its_apdus() {
    let dir = tempfile::tempdir().unwrap();
    let reader = GateReader::Demo {
        profile: Profile::VisaPhone,
        locked: true,
        express: true,
    };
    let (mut app, _) = GateApp::boot(station(dir.path()), reader, None, false);
    assert!(shows(&app, "TAP"));
    assert!(shows(&app, "Tap card or phone"));
    click(&mut app, "Tap visa-phone");
    let last = app.last().expect("a tap ran");
    assert_eq!(last.gate, Gate::Go, "{}", last.reason);
    assert_eq!(last.checkout.taps, 1);
    assert!(shows(&app, "GO"));
    assert!(shows(&app, "authenticated offline"));
    assert!(shows(&app, "Fare 2.80 EUR"));
    assert!(shows(&app, "Rides today: 1"));
    assert_eq!(app.status(), ReaderStatus::CardReadSuccessfully);
    assert!(
        shows(&app, "♪ beep"),
        "all four lights with the success tone"
    );
    click(&mut app, "Tap visa-phone");
    assert!(shows(&app, "Rides today: 2"));
    drive(&mut app, Message::Tab(Tab::Developer));
    assert!(shows(&app, "#1 SELECT 2PAY.SYS.DDF01"));
    assert!(!shows(&app, "GO"));
}

#[test]
fn a_card_whose_signature_fails_shows_stop_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let reader = GateReader::Demo {
        profile: Profile::VisaBadSignature,
        locked: false,
        express: false,
    };
    let (mut app, _) = GateApp::boot(station(dir.path()), reader, None, false);
    click(&mut app, "Tap visa-bad-signature");
    assert_eq!(app.last().map(|l| l.gate), Some(Gate::Stop));
    assert!(shows(&app, "STOP"));
    assert!(shows(
        &app,
        "card authentication failed (fDDA/CDA not verified)"
    ));
    assert!(shows(&app, "Fare 0.00 EUR"));
    assert_eq!(app.status(), ReaderStatus::ProcessingError);
}

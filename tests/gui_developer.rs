//! Headless UI tests of the developer screen and of the verdicts shown for the faulty demo
//! wallets: every APDU listed with its decoded command, the TLV tree masked, and the
//! outcomes Book B / C-3 call for.

mod gui_support;

use gui_support::Driver;
use tapterm::gui::developer::{masked_response_hex, tlv_tree};
use tapterm::gui::{Message, Phase, Screen, developer};
use tapterm::phone::Profile;

fn run(profile: &str, amount: &str) -> (tempfile::TempDir, Driver) {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Driver::new(dir.path(), profile, false);
    d.keypad(amount);
    d.click("Charge");
    d.run_until("the reader to poll", |a| a.waiting_for_tap());
    d.click(&format!("Tap {profile}"));
    d.run_until("the outcome", |a| matches!(a.phase(), Phase::Outcome(_)));
    (dir, d)
}

#[test]
fn developer_screen_lists_every_apdu_with_card_data_masked() {
    let (_dir, mut d) = run("visa-phone", "25.00");
    let exchanges = d.app.last().unwrap().kernel.trace.clone();
    assert!(exchanges.len() >= 3, "PPSE, SELECT, GPO at least");
    d.click("Developer");
    assert!(d.shows("#1 SELECT 2PAY.SYS.DDF01"));
    assert!(d.shows("9000: success"));
    // Every exchange can be selected; its decoded name heads the detail pane.
    for (i, x) in exchanges.iter().enumerate() {
        d.update(developer::Message::Select(i));
        let name = tapterm::decode::command_name(&x.command);
        assert!(d.shows(&format!("#{} {name}", i + 1)), "#{} {name}", i + 1);
    }
    // Neither the hex nor the tree carries the full DPAN.
    let pan = Profile::VisaPhone.account().pan;
    let mut saw_masked = false;
    for x in &exchanges {
        let raw = x.response.as_ref().unwrap();
        let hex = masked_response_hex(raw);
        assert!(!hex.contains(pan), "{hex}");
        for line in tlv_tree(raw) {
            assert!(!line.contains(pan), "{}", line);
            saw_masked |= line.contains(&format!("{}******", &pan[..6]));
        }
    }
    assert!(saw_masked, "track 2 or PAN shown masked somewhere");
    // Copy hex puts the selected exchange on the clipboard, card data masked.
    let gpo = exchanges
        .iter()
        .position(|x| x.command.starts_with(&[0x80, 0xA8]))
        .unwrap();
    d.update(developer::Message::Select(gpo));
    d.click("Copy hex");
    d.settle(std::time::Duration::from_millis(100));
    let copied = d.clipboard.last().expect("something copied").clone();
    assert!(copied.starts_with("C: 80A8"), "{copied}");
    assert!(copied.contains("\nR: 77"), "{copied}");
    assert!(!copied.contains(pan), "{copied}");
    assert!(copied.contains(&format!("{}******", &pan[..6])), "{copied}");
    d.click("Copy all hex");
    d.settle(std::time::Duration::from_millis(100));
    let all = d.clipboard.last().unwrap();
    assert_eq!(all.matches("C: ").count(), exchanges.len());
    assert!(!all.contains(pan));
    // The kernel's decisions are listed.
    assert!(d.shows("Kernel decisions"));
    d.update(Message::Screen(Screen::Cashier));
    assert!(d.shows("Approved"));
}

#[test]
fn a_card_with_no_matching_aid_is_told_to_try_another_card() {
    // Book B 3.3: no combination matches the PPSE → End Application, "Try another card".
    let (_dir, d) = run("no-matching-aid", "10.00");
    assert!(d.shows("Try another card"), "{:?}", d.app.verdict());
    assert!(d.app.receipt().is_none());
}

#[test]
fn a_malformed_card_answer_is_a_processing_error() {
    // C-3: a GPO response that does not parse ends the application; no approval.
    let (_dir, d) = run("malformed-tlv", "10.00");
    // The banner follows the kernel's UI request on the outcome (Book A 7.1).
    let verdict = d.app.verdict().unwrap();
    assert_ne!(verdict.title, "Approved");
    assert_eq!(
        verdict.tone(),
        tapterm::verdict::Tone::Attention,
        "{verdict:?}"
    );
    assert!(!d.app.history()[0].entry.approved);
    // The broken answer still carries the card's track 2: the developer screen masks it.
    let pan = Profile::MalformedTlv.account().pan;
    let raw_has_pan = &d.app.last().unwrap().kernel.trace.iter().any(|x| {
        x.response
            .as_ref()
            .is_ok_and(|r| hex::encode_upper(r).contains(pan))
    });
    assert!(
        raw_has_pan,
        "the profile sends its PAN in the broken answer"
    );
    for x in &d.app.last().unwrap().kernel.trace {
        if let Ok(raw) = &x.response {
            let hex = masked_response_hex(raw);
            assert!(!hex.contains(pan), "{hex}");
            assert!(tlv_tree(raw).iter().all(|l| !l.contains(pan)));
        }
    }
}

#[test]
fn exported_tap_is_a_vector_that_replays_green() {
    let (dir, mut d) = run("visa-phone", "25.00");
    d.click("Developer");
    d.click("Export as test vector");
    d.run_until("the vector written", |a| a.notice().is_some());
    let folder = dir.path().join("vectors");
    let file = std::fs::read_dir(&folder)
        .unwrap()
        .next()
        .expect("a vector file")
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&file).unwrap();
    let vector = emv_kernel::vector::parse(&text).unwrap();
    assert_eq!(vector.source, "virtual wallet visa-phone");
    let (verdict, _) = emv_kernel::replay::run_vector(&vector, emv_kernel::entry_point::run);
    assert_eq!(verdict, emv_kernel::replay::Verdict::Pass);
    assert!(
        d.app
            .notice()
            .unwrap()
            .starts_with("Test vector written to")
    );
}

/// Issue 14: the developer screen shows the tap decoded as `tapterm decode --vector` decodes
/// a recorded one: the ODA chain redone with the terminal's CA keys (the visa-phone wallet's
/// certificates are signed by the test CA, accepted by the shipped configuration) and the
/// responses read with the tap's AID.
#[test]
fn developer_screen_shows_the_oda_chain_and_readings_by_aid() {
    let (_dir, mut d) = run("visa-phone", "25.00");
    d.click("Developer");
    let date = d.app.last().unwrap().transaction.date;
    let header = format!(
        "ODA chain (dates checked against {:04}-{:02}-{:02} (9A, the date the terminal sent))",
        date.year, date.month, date.day
    );
    for want in [
        header.as_str(),
        "  [ok] issuer public key certificate (90)",
        "  [ok] ICC public key certificate (9F46)",
        // An online qVSDC tap that the TTQ does not ask to sign (no "ODA for online").
        "  [none] dynamic signature",
    ] {
        assert!(d.shows(want), "{want}");
    }
    let gpo = d
        .app
        .last()
        .unwrap()
        .kernel
        .trace
        .iter()
        .position(|x| x.command.starts_with(&[0x80, 0xA8]))
        .unwrap();
    d.update(developer::Message::Select(gpo));
    assert!(d.shows("Terminal data sent"));
    assert!(
        d.shows("      - read as Form Factor Indicator (C-3) (from the Visa AID A0000000031010)")
    );
}

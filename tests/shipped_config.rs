//! The shipped configuration (assets/terminal.toml) against a card that must never be
//! approved offline: all-zero Issuer Action Codes and no offline data authentication.
//! C-2 S3R1.20 sets TVR "ODA not performed" for such a card, and the shipped Mastercard
//! TAC-Online (F45084800C) sends that bit online (C-2 7.8), so the terminal never asks for a
//! TC — and a card that answers TC anyway is refused, since a card may not return more than
//! it was asked for (Book 3 6.5.5).

use std::path::Path;

use emv_kernel::config::{Transaction, TransactionType};
use emv_kernel::outcome::{OutcomeStatus, UiRequest};
use emv_kernel::transport::{CardResponse, Transport, TransportError};
use emv_kernel::{entry_point, vector};
use tapterm::terminal_config;

const HOSTILE: &str = "test-vectors/mc-shipped-config-zero-iacs-no-oda-online.json";

fn hostile_vector() -> vector::Vector {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(HOSTILE);
    vector::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_hostile_vector_runs_the_shipped_configuration() {
    let shipped = terminal_config::load_config(None).unwrap();
    let (config, _) = hostile_vector().inputs().unwrap();
    assert_eq!(
        config, shipped.kernel,
        "{HOSTILE} must carry assets/terminal.toml exactly: regenerate it with \
         test-vectors/model/mc.py"
    );
}

/// The hostile card: it answers the vector's responses (PPSE, SELECT, GPO, the record with
/// zero IACs) and every GENERATE AC with a TC, whatever the terminal asked for.
struct AlwaysTc {
    responses: Vec<Vec<u8>>,
    generate_ac_p1: Vec<u8>,
    taps: usize,
}

const TC: &str =
    "77299F2701409F360200119F260801020304050607089F10120110A00003220000000000000000000000FF9000";

impl Transport for AlwaysTc {
    fn exchange(&mut self, command: &[u8]) -> Result<CardResponse, TransportError> {
        let answer = match command {
            [0x00, 0xA4, 0x04, 0x00, 0x0E, ..] => self.responses[0].clone(),
            [0x00, 0xA4, ..] => self.responses[1].clone(),
            [0x80, 0xA8, ..] => self.responses[2].clone(),
            [0x00, 0xB2, ..] => self.responses[3].clone(),
            [0x80, 0xAE, p1, ..] => {
                self.generate_ac_p1.push(*p1);
                hex::decode(TC).unwrap()
            }
            _ => vec![0x6D, 0x00],
        };
        Ok(CardResponse::unmeasured(answer))
    }

    /// One tap: the card enters the field once and never comes back.
    fn next_tap(&mut self, _restart: &UiRequest) -> Result<bool, TransportError> {
        self.taps += 1;
        Ok(self.taps == 1)
    }
}

#[test]
fn a_card_with_zero_iacs_and_no_oda_is_never_approved_offline() {
    let shipped = terminal_config::load_config(None).unwrap().kernel;
    let v = hostile_vector();
    let (_, template) = v.inputs().unwrap();
    let responses: Vec<Vec<u8>> = v.taps[0]
        .iter()
        .map(|x| x.r.as_ref().unwrap().0.clone())
        .collect();
    // Below and above the CVM limit (50.00), up to the no-CDCVM transaction limit (500.00).
    for amount in [1, 100, 1234, 4999, 5000, 6000, 49_999] {
        for kind in [TransactionType::Purchase, TransactionType::Refund] {
            let tx = Transaction {
                amount,
                kind,
                ..template.clone()
            };
            let mut card = AlwaysTc {
                responses: responses.clone(),
                generate_ac_p1: Vec::new(),
                taps: 0,
            };
            let result = entry_point::run(&shipped, &tx, &mut card);
            let case = format!("amount {amount} {kind:?}");
            assert_eq!(card.generate_ac_p1.len(), 1, "{case}: one GENERATE AC");
            assert_ne!(
                card.generate_ac_p1[0] & 0xC0,
                0x40,
                "{case}: the terminal asked for a TC"
            );
            assert_ne!(result.outcome.status, OutcomeStatus::Approved, "{case}");
        }
    }
}

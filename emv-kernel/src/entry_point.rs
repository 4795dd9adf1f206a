//! Entry Point (Book B): pre-processing, protocol activation, combination selection, kernel
//! activation and the restarts between taps.
//!
//! PLACEHOLDER until the kernel lands: selects the PPSE and ends the application.

use crate::apdu;
use crate::config::{TerminalConfig, Transaction};
use crate::outcome::{
    MessageId, Outcome, OutcomeStatus, ReaderStatus, TraceEntry, TransactionResult, UiRequest,
};
use crate::transport::Transport;

/// Runs one whole transaction, over as many taps as the card and the outcomes call for.
pub fn run(
    _config: &TerminalConfig,
    _transaction: &Transaction,
    transport: &mut dyn Transport,
) -> TransactionResult {
    let present = UiRequest {
        message: MessageId::PresentCard,
        status: ReaderStatus::ReadyToRead,
        hold: std::time::Duration::ZERO,
    };
    let mut trace = Vec::new();
    if let Ok(true) = transport.next_tap(&present) {
        let command = apdu::select(apdu::PPSE_NAME);
        let response = transport.exchange(&command);
        trace.push(TraceEntry {
            tap: 0,
            command,
            response,
            notes: vec![],
        });
    }
    TransactionResult {
        outcome: Outcome {
            status: OutcomeStatus::EndApplication,
            start: None,
            cvm: None,
            ui_on_outcome: None,
            ui_on_restart: None,
            field_off: None,
            receipt: false,
        },
        tap_outcomes: vec![OutcomeStatus::EndApplication],
        ui: vec![present],
        data_record: None,
        trace,
        decisions: vec![],
    }
}

//! Entry Point (EMV Contactless Book B): pre-processing (Start A), protocol activation and
//! polling through the transport (Start B), combination selection from the PPSE (Start C),
//! kernel activation (Start D), and the restarts between taps that Try Again, "See phone"
//! and Select Next outcomes ask for. One call runs the whole, possibly multi-tap,
//! transaction.

use crate::apdu::{self, Response};
use crate::config::{TerminalConfig, Transaction};
use crate::kernel;
use crate::outcome::{
    MessageId, Outcome, OutcomeParameterSet, OutcomeStatus, ReaderStatus, StartPoint,
    TransactionResult,
};
use crate::preprocessing::{self, Indicators};
use crate::selection;
use crate::session::{self, KernelInput, KernelResult, Log, Session, outcome, ui};
use crate::transport::Transport;

/// Runs one whole transaction, over as many taps as the card and the outcomes call for.
pub fn run(
    config: &TerminalConfig,
    transaction: &Transaction,
    transport: &mut dyn Transport,
) -> TransactionResult {
    let mut log = Log::default();
    let indicators: Vec<Indicators> = config
        .combinations
        .iter()
        .map(|c| preprocessing::process(config, c, transaction))
        .collect();
    for (comb, ind) in config.combinations.iter().zip(&indicators) {
        log.decisions.push(preprocessing::describe(comb, ind));
    }
    if indicators.iter().all(|i| i.not_allowed) {
        // Book B 3.1.1.13: nothing can run contactless; no card is polled.
        let request = ui(MessageId::InsertOrSwipe, ReaderStatus::ProcessingError);
        transport.ui(&request);
        log.ui.push(request);
        log.decisions
            .push("pre-processing: no combination allowed → Try Another Interface".into());
        let out = Outcome {
            ui_on_outcome: Some(request),
            ..outcome(OutcomeStatus::TryAnotherInterface)
        };
        return result(out.into(), Vec::new(), log);
    }

    let mut restart = ui(MessageId::PresentCard, ReaderStatus::ReadyToRead);
    let mut pending: Option<KernelResult> = None;
    let mut taps = Vec::new();
    for tap in 0.. {
        log.ui.push(restart);
        match transport.next_tap(&restart) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                log.decisions.push(format!("polling failed: {e}"));
                break;
            }
        }
        let taken = log.unpredictable_numbers_taken;
        let Some(un) = transaction.unpredictable_numbers.get(taken).copied() else {
            log.decisions
                .push(format!("no unpredictable number left for tap {}", tap + 1));
            pending = Some(outcome(OutcomeStatus::EndApplication).into());
            break;
        };
        log.unpredictable_numbers_taken += 1;
        let mut s = Session::new(config, transaction, transport, tap, un, &mut log);
        let mut done = run_tap(&mut s, &indicators);
        done.mark_data_record();
        if let Some(request) = done.outcome.ui_on_outcome {
            s.show(request);
        }
        taps.push(OutcomeParameterSet::from(&done.outcome));
        let again = done.outcome.start == Some(StartPoint::B);
        restart = done
            .outcome
            .ui_on_restart
            .unwrap_or(ui(MessageId::PresentCard, ReaderStatus::ReadyToRead));
        pending = Some(done);
        if !again {
            break;
        }
        log.decisions
            .push(format!("tap {}: restart at Start B", tap + 1));
    }
    let done = pending.unwrap_or_else(|| {
        log.decisions.push("no card was presented".into());
        outcome(OutcomeStatus::EndApplication).into()
    });
    result(done, taps, log)
}

fn result(mut done: KernelResult, taps: Vec<OutcomeParameterSet>, log: Log) -> TransactionResult {
    // The data record is the final kernel's, where its book makes one: every final outcome
    // of a valid GENERATE AC response, End Application and Try Another Interface included
    // (C-2 S910.70, S910.81).
    done.mark_data_record();
    TransactionResult {
        data_record: done.data_record,
        outcome: done.outcome,
        tap_outcomes: taps.iter().filter_map(|t| t.status().value()).collect(),
        tap_parameter_sets: taps,
        ui: log.ui,
        trace: log.trace,
        decisions: log.decisions,
    }
}

/// End Application when no candidate is left (Book B 3.3.3.3).
fn no_candidate() -> KernelResult {
    Outcome {
        ui_on_outcome: Some(ui(MessageId::TryAnotherCard, ReaderStatus::ProcessingError)),
        ..outcome(OutcomeStatus::EndApplication)
    }
    .into()
}

/// One tap from the PPSE to a kernel outcome (Book B 3.3 and 3.4).
fn run_tap(s: &mut Session<'_>, indicators: &[Indicators]) -> KernelResult {
    let raw = match s.exchange(
        apdu::select(apdu::PPSE_NAME),
        "SELECT PPSE (Book B 3.3.2.2)",
    ) {
        Ok(r) => r,
        Err(e) => {
            s.note(format!("communication error: {e}"));
            return session::transport_failure(&e).into();
        }
    };
    let entries = match Response::parse(&raw) {
        Some(r) if r.is_ok() => selection::parse_ppse(r.data).unwrap_or_else(|e| {
            s.note(format!("{e}: no candidates"));
            Vec::new()
        }),
        Some(r) => {
            s.note(format!("PPSE answered {:04X}: no candidates", r.sw));
            Vec::new()
        }
        None => {
            s.note("response shorter than a status word: no candidates");
            Vec::new()
        }
    };
    let allowed: Vec<bool> = indicators.iter().map(|i| !i.not_allowed).collect();
    let mut candidates = selection::candidates(&entries, &s.config.combinations, &allowed);
    for c in &candidates {
        s.note(format!(
            "candidate {} kernel {} priority {}",
            hex::encode_upper(&c.entry.adf_name),
            c.kernel,
            c.entry.priority
        ));
    }
    // Start C: take the best candidate; Select Next and failed SELECTs come back here.
    while !candidates.is_empty() {
        let candidate = candidates.remove(0);
        let (Some(comb), Some(ind)) = (
            s.config.combinations.get(candidate.combination),
            indicators.get(candidate.combination),
        ) else {
            continue;
        };
        let name = hex::encode_upper(&candidate.entry.adf_name);
        s.decide(format!(
            "selection: {name} with kernel {}",
            candidate.kernel
        ));
        let raw = match s.exchange(
            apdu::select(&candidate.entry.adf_name),
            &format!("final SELECT {name} (Book B 3.3.3)"),
        ) {
            Ok(r) => r,
            Err(e) => {
                s.note(format!("communication error: {e}"));
                return session::transport_failure(&e).into();
            }
        };
        let fci = match Response::parse(&raw) {
            Some(r) if r.is_ok() => r.data.to_vec(),
            other => {
                let sw = other.map_or("no status word".into(), |r| format!("{:04X}", r.sw));
                s.note(format!("SELECT answered {sw}: candidate removed"));
                continue;
            }
        };
        let input = KernelInput {
            combination: comb,
            indicators: ind,
            adf_name: &candidate.entry.adf_name,
            fci: &fci,
        };
        let Some(done) = kernel::activate(candidate.kernel, s, input) else {
            s.decide(format!(
                "kernel {} is not available: candidate removed",
                candidate.kernel
            ));
            continue;
        };
        if done.outcome.status == OutcomeStatus::SelectNext {
            s.decide(format!("Select Next: {name} removed, back to Start C"));
            continue;
        }
        return done;
    }
    s.decide("no candidate left → End Application");
    no_candidate()
}

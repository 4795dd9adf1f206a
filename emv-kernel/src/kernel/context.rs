//! What every kernel works on during one activation (Book A 5, the kernel's database):
//! the card's data, the TVR and TSI, the kernel's own data objects, the limits in force and
//! the outcome being built, with the session that reaches the card and keeps the trace.

use crate::config::{Combination, TagMap};
use crate::data_record::{self, CardData};
use crate::dol;
use crate::kernel::error::{Command, KernelError};
use crate::outcome::{MessageId, Outcome, OutcomeStatus};
use crate::preprocessing::Indicators;
use crate::qualifiers::Aip;
use crate::session::{self, KernelInput, KernelResult, Session};
use crate::tags;
use crate::tlv::Tag;
use crate::tvr::{Tsi, Tvr};

/// The reader limits a kernel applies (Book B 3.1.1; C-2 S3.33–S3.35, S456.30, S456.36).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    /// The Reader Contactless Transaction Limit the kernel checks itself, if any.
    pub transaction: Option<u64>,
    /// The amount is above the Reader Contactless Floor Limit.
    pub floor_limit_exceeded: bool,
    /// The amount is above the Reader CVM Required Limit.
    pub cvm_required_limit_exceeded: bool,
}

impl Limits {
    /// The limits as Entry Point's pre-processing found them.
    pub fn from_indicators(indicators: &Indicators) -> Limits {
        Limits {
            transaction: None,
            floor_limit_exceeded: indicators.floor_limit_exceeded,
            cvm_required_limit_exceeded: indicators.cvm_required_limit_exceeded,
        }
    }
}

/// A card's answer to one command: data and status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardAnswer {
    /// The response data without the status word.
    pub data: Vec<u8>,
    /// The status word.
    pub sw: u16,
}

impl CardAnswer {
    /// Whether the status word is 9000.
    pub fn is_ok(&self) -> bool {
        self.sw == 0x9000
    }
}

/// One kernel activation's data, shared in shape by every kernel.
pub struct KernelContext<'s, 'a, 'i> {
    /// The tap: card, trace, configuration, transaction.
    pub session: &'s mut Session<'a>,
    /// What Entry Point handed over (Book B 3.4).
    pub input: KernelInput<'i>,
    /// The card's data objects received so far.
    pub card: CardData,
    /// Terminal Verification Results.
    pub tvr: Tvr,
    /// Transaction Status Information.
    pub tsi: Tsi,
    /// The kernel's own data objects (9F33, 9F34, 84, 9F66, …) as DOLs and the data record
    /// see them.
    pub own: TagMap,
    /// The limits in force.
    pub limits: Limits,
    /// The outcome being built; [`KernelContext::finish`] completes it.
    pub outcome: Outcome,
}

impl<'s, 'a, 'i> KernelContext<'s, 'a, 'i> {
    /// A fresh context at kernel activation.
    pub fn new(session: &'s mut Session<'a>, input: KernelInput<'i>) -> Self {
        KernelContext {
            session,
            limits: Limits::from_indicators(input.indicators),
            input,
            card: CardData::default(),
            tvr: Tvr::default(),
            tsi: Tsi::default(),
            own: TagMap::new(),
            outcome: session::outcome(OutcomeStatus::EndApplication),
        }
    }

    /// The selected combination.
    pub fn combination(&self) -> &'i Combination {
        self.input.combination
    }

    /// A kernel configuration data object of the selected combination.
    pub fn config(&self, tag: Tag) -> Option<&'i [u8]> {
        self.input.combination.tags.get(&tag).map(Vec::as_slice)
    }

    /// A terminal data object (the terminal-wide configuration).
    pub fn terminal(&self, tag: Tag) -> Option<&'a [u8]> {
        self.session.config.terminal.get(&tag).map(Vec::as_slice)
    }

    /// The transaction amount in minor units.
    pub fn amount(&self) -> u64 {
        self.session.transaction.amount
    }

    /// The card's AIP, all zeros before the card sent one.
    pub fn aip(&self) -> Aip {
        self.card
            .get(tags::AIP)
            .and_then(Aip::from_value)
            .unwrap_or_default()
    }

    /// A card data object the kernel cannot go on without.
    pub fn require(&self, tag: Tag) -> Result<&[u8], KernelError> {
        self.card.get(tag).ok_or(KernelError::MissingData(tag))
    }

    /// The value the terminal gives for `tag` in a DOL or the data record: TVR and TSI as
    /// they are now, the kernel's own objects, then the session's transaction, combination
    /// and terminal data.
    pub fn terminal_value(&self, tag: Tag) -> Option<Vec<u8>> {
        if tag == tags::TVR {
            return Some(self.tvr.0.to_vec());
        }
        if tag == tags::TSI {
            return Some(self.tsi.0.to_vec());
        }
        self.session
            .terminal_value(tag, self.input.combination, &self.own)
    }

    /// The related data for a DOL the card sent under `dol_tag` (Book 3 5.4); it must fit
    /// one short command APDU.
    pub fn build_dol(&self, dol_tag: Tag, dol_value: &[u8]) -> Result<Vec<u8>, KernelError> {
        let entries = dol::parse(dol_value).map_err(|error| KernelError::MalformedDol {
            dol: dol_tag,
            error,
        })?;
        let data = dol::build(&entries, |t| self.terminal_value(t));
        if data.len() > session::MAX_DOL_DATA {
            return Err(KernelError::DolTooLong {
                dol: dol_tag,
                length: data.len(),
            });
        }
        Ok(data)
    }

    /// Sends one command and returns the card's answer; no answer, or one shorter than a
    /// status word, is an error naming the command.
    pub fn exchange(
        &mut self,
        command: Command,
        apdu: Vec<u8>,
        why: &str,
    ) -> Result<CardAnswer, KernelError> {
        let raw = self
            .session
            .exchange(apdu, why)
            .map_err(|error| KernelError::Transport { command, error })?;
        let split = raw
            .len()
            .checked_sub(2)
            .ok_or(KernelError::NoStatusWord { command })?;
        let (data, sw) = raw.split_at(split);
        Ok(CardAnswer {
            data: data.to_vec(),
            sw: u16::from_be_bytes([sw[0], sw[1]]),
        })
    }

    /// GET DATA for a two-byte tag (Book 3 6.5.7): the value of the single data object of
    /// that tag when the card answered it with 9000, and the status word.
    pub fn get_data(&mut self, tag: Tag, why: &str) -> Result<(Option<Vec<u8>>, u16), KernelError> {
        let answer = self.exchange(
            Command::GetData,
            crate::apdu::get_data(u16::try_from(tag.value()).unwrap_or_default()),
            why,
        )?;
        let mut items = crate::tlv::TlvIter::new(&answer.data);
        let value = match (items.next(), items.next()) {
            (Some(Ok(t)), None) if answer.is_ok() && t.tag == tag => Some(t.value.to_vec()),
            _ => None,
        };
        Ok((value, answer.sw))
    }

    /// Records a decision in the transaction's log.
    pub fn decide(&mut self, text: impl Into<String>) {
        self.session.decide(text);
    }

    /// The data record for the host (Book A 6.2; C-2 Annex A, Data Record FF8105).
    pub fn data_record(&self) -> TagMap {
        data_record::build(&self.card, |t| self.terminal_value(t))
    }

    /// A final outcome with the data record, the CVM of the outcome being built and the
    /// message shown with it.
    pub fn finish(&mut self, status: OutcomeStatus, message: MessageId) -> KernelResult {
        let record = self.data_record();
        let hold = session::message_hold_time(self.combination());
        KernelResult::with_record(status, self.outcome.cvm, message, record, hold)
    }
}

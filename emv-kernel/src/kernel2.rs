//! Kernel 2, Mastercard M/Chip (EMV Contactless Book C-2): GET PROCESSING OPTIONS, READ
//! RECORD by the active AFL (S3.30: the mag-stripe record 08010100 is skipped when the
//! kernel also supports mag-stripe mode), the kernel's own limits (DF8123–DF8126),
//! CVM selection with on-device CVM, terminal action analysis, GENERATE AC with CDA as
//! configured, CDA verification with the transaction data hash, and the "See phone"
//! second tap driven by the POS Cardholder Interaction Information (DF4B) and the phone
//! message table (DF8131).
//!
//! The relay resistance protocol is not implemented: the kernel behaves as one whose
//! configuration does not support it, and records "RRP not performed" in the TVR (S3.65).

use std::time::Duration;

use crate::apdu::{self, Response};
use crate::config::{TagMap, TransactionType};
use crate::cryptogram::Cryptogram;
use crate::cvm::{self, CvmContext, CvmSelection};
use crate::data_record::{self, CardData};
use crate::dol;
use crate::kernel::{KernelContext, KernelError};
use crate::oda::{self, CdaData, OdaError, OdaInput, OdaMethod};
use crate::outcome::{Cvm, MessageId, Outcome, OutcomeStatus, ReaderStatus, StartPoint, UiRequest};
use crate::records::{self, AflEntry, ReadError, RecordsRead};
use crate::selection;
use crate::session::{self, KernelInput, KernelResult, Session, outcome, ui};
use crate::tlv::{Tag, TlvIter};
use crate::tvr::{Tsi, Tvr, TvrBit};

/// AIP byte 1 b2: on-device cardholder verification supported.
const AIP_ODCVM: u8 = 0x02;
/// AIP byte 1 b5: cardholder verification supported.
const AIP_CV: u8 = 0x10;
/// AIP byte 1 b1: CDA supported.
const AIP_CDA: u8 = 0x01;
/// AIP byte 2 b8: EMV mode supported.
const AIP_EMV_MODE: u8 = 0x80;
/// Kernel Configuration (DF811B) b8: mag-stripe mode not supported.
const KC_MCHIP_ONLY: u8 = 0x80;
/// Kernel Configuration (DF811B) b6: on-device cardholder verification supported.
const KC_ODCVM: u8 = 0x20;
/// 9F33 byte 3 b4: CDA supported by the terminal.
const CAP_CDA: u8 = 0x08;
/// GENERATE AC P1 b5: CDA signature requested.
const P1_CDA: u8 = 0x10;

/// The phone message table used when DF8131 is not configured (brief C, common default).
const DEFAULT_PHONE_MESSAGE_TABLE: [u8; 40] = [
    0x00, 0x08, 0x00, 0x00, 0x08, 0x00, 0x20, 0x00, //
    0x00, 0x04, 0x00, 0x00, 0x04, 0x00, 0x20, 0x00, //
    0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, //
    0x00, 0x02, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, //
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00,
];

/// The DF4B bits that make an AAC a request to act on the phone (brief C).
const PCII_SEE_PHONE_MASK: [u8; 3] = [0x00, 0x03, 0x0F];

/// A BCD n12 amount (DF8123–DF8126) in minor units; `None` if not valid BCD.
fn bcd_amount(value: &[u8]) -> Option<u64> {
    value.iter().try_fold(0u64, |acc, b| {
        let (hi, lo) = (b >> 4, b & 0x0F);
        if hi > 9 || lo > 9 {
            return None;
        }
        acc.checked_mul(100)?
            .checked_add(hi as u64 * 10 + lo as u64)
    })
}

/// The first phone message table entry whose mask and value match DF4B (C-2 A.1.x).
pub fn phone_message(table: &[u8], pcii: &[u8]) -> Option<(MessageId, ReaderStatus)> {
    let pcii: [u8; 3] = pcii.try_into().ok()?;
    table.chunks_exact(8).find_map(|e| {
        let matches = (0..3).all(|i| pcii[i] & e[i] == e[3 + i]);
        matches.then(|| {
            let status = match e[7] {
                0x00 => ReaderStatus::NotReady,
                0x01 => ReaderStatus::Idle,
                0x02 => ReaderStatus::ReadyToRead,
                0x03 => ReaderStatus::Processing,
                0x04 => ReaderStatus::CardReadSuccessfully,
                _ => ReaderStatus::ProcessingError,
            };
            (
                MessageId::from_code(e[6]).unwrap_or(MessageId::NotAuthorised),
                status,
            )
        })
    })
}

/// Kernel 2 state for one activation.
struct Kernel2<'s, 'a, 'i> {
    s: &'s mut Session<'a>,
    input: KernelInput<'i>,
    tvr: Tvr,
    tsi: Tsi,
    card: CardData,
    df_name: Vec<u8>,
    terminal_capabilities: [u8; 3],
    cvm: CvmSelection,
    pdol_data: Vec<u8>,
}

/// Runs Kernel 2 from activation to outcome.
pub fn run(ctx: KernelContext<'_, '_, '_>) -> Result<KernelResult, KernelError> {
    Ok(run_tap(ctx.session, ctx.input))
}

fn run_tap(s: &mut Session<'_>, input: KernelInput<'_>) -> KernelResult {
    let mut k = Kernel2 {
        s,
        input,
        tvr: Tvr::default(),
        tsi: Tsi::default(),
        card: CardData::default(),
        df_name: Vec::new(),
        terminal_capabilities: [0; 3],
        cvm: CvmSelection {
            cvm: Cvm::NoCvm,
            results: cvm::NO_CVM_PERFORMED,
        },
        pdol_data: Vec::new(),
    };
    k.terminal_capabilities = k.capabilities();
    k.run()
}

impl Kernel2<'_, '_, '_> {
    fn tag(&self, tag: u32) -> Option<&[u8]> {
        self.input
            .combination
            .tags
            .get(&Tag::new(tag))
            .map(Vec::as_slice)
    }

    fn limit(&self, tag: u32) -> Option<u64> {
        self.tag(tag).and_then(bcd_amount)
    }

    fn amount(&self) -> u64 {
        self.s.transaction.amount
    }

    /// C-2: whether the amount exceeds the Reader CVM Required Limit (DF8126), or, without
    /// one, Entry Point's indicator.
    fn cvm_required(&self) -> bool {
        match self.limit(0xDF8126) {
            Some(limit) => self.amount() > limit,
            None => self.input.indicators.cvm_required_limit_exceeded,
        }
    }

    /// 9F33 from DF8117 / DF8118 or DF8119 / DF811F when configured (C-2 3.x).
    fn capabilities(&self) -> [u8; 3] {
        let base: [u8; 3] = self
            .s
            .config
            .terminal
            .get(&Tag::new(0x9F33))
            .and_then(|v| <[u8; 3]>::try_from(v.as_slice()).ok())
            .unwrap_or([0; 3]);
        let byte = |tag: u32, default: u8| {
            self.tag(tag)
                .and_then(|v| v.first().copied())
                .unwrap_or(default)
        };
        let cvm_tag = if self.cvm_required() {
            0xDF8118
        } else {
            0xDF8119
        };
        [
            byte(0xDF8117, base[0]),
            byte(cvm_tag, base[1]),
            byte(0xDF811F, base[2]),
        ]
    }

    fn kernel_config(&self) -> u8 {
        self.tag(0xDF811B)
            .and_then(|v| v.first().copied())
            .unwrap_or(0)
    }

    fn aip(&self) -> [u8; 2] {
        self.card
            .get(Tag::new(0x82))
            .and_then(|v| <[u8; 2]>::try_from(v).ok())
            .unwrap_or([0; 2])
    }

    fn own_values(&self) -> TagMap {
        let mut own = TagMap::new();
        own.insert(Tag::new(0x95), self.tvr.0.to_vec());
        own.insert(Tag::new(0x9F33), self.terminal_capabilities.to_vec());
        own.insert(Tag::new(0x9F34), self.cvm.results.to_vec());
        own.insert(Tag::new(0x9B), self.tsi.0.to_vec());
        own.insert(Tag::new(0x84), self.df_name.clone());
        own
    }

    fn build_dol(&self, dol_bytes: &[u8]) -> Result<Vec<u8>, String> {
        let entries = dol::parse(dol_bytes).map_err(|e| format!("DOL malformed: {e}"))?;
        let own = self.own_values();
        let comb = self.input.combination;
        let data = dol::build(&entries, |t| self.s.terminal_value(t, comb, &own));
        if data.len() > session::MAX_DOL_DATA {
            return Err(format!("DOL asks for {} bytes", data.len()));
        }
        Ok(data)
    }

    fn end(&mut self, why: impl Into<String>) -> KernelResult {
        self.s
            .decide(format!("kernel 2: End Application: {}", why.into()));
        session::end_application_card_error().into()
    }

    fn run(&mut self) -> KernelResult {
        let fci = match selection::parse_fci(self.input.fci) {
            Ok(f) => f,
            Err(e) => {
                self.s
                    .decide(format!("kernel 2: FCI unusable ({e}): Select Next"));
                return outcome(OutcomeStatus::SelectNext).into();
            }
        };
        self.df_name = fci.df_name.unwrap_or_else(|| self.input.adf_name.to_vec());
        self.pdol_data = match fci.pdol.as_deref().map(|p| self.build_dol(p)).transpose() {
            Ok(d) => d.unwrap_or_default(),
            Err(why) => {
                self.s.decide(format!("kernel 2: {why}: Select Next"));
                return outcome(OutcomeStatus::SelectNext).into();
            }
        };
        let raw = match self.s.exchange(
            apdu::get_processing_options(&self.pdol_data),
            "GET PROCESSING OPTIONS (C-2 S1.x)",
        ) {
            Ok(r) => r,
            Err(e) => return self.l1(e),
        };
        let Some(response) = Response::parse(&raw) else {
            return self.end("GPO response shorter than a status word");
        };
        if !response.is_ok() {
            self.s.note(format!("GPO answered {:04X}", response.sw));
            self.s
                .decide("kernel 2: GPO status not 9000 → Select Next (C-2 S3)");
            return Outcome {
                start: Some(StartPoint::C),
                ..outcome(OutcomeStatus::SelectNext)
            }
            .into();
        }
        if let Err(why) = self.store_gpo_response(response.data) {
            return self.end(why);
        }
        let aip = self.aip();
        if aip[1] & AIP_EMV_MODE == 0 {
            return self
                .end("the card does not support EMV mode (mag-stripe mode is not implemented)");
        }
        let records = match self.read_records() {
            Ok(r) => r,
            Err(ReadError::Transport(e)) => return self.l1(e),
            Err(e) => return self.end(e.to_string()),
        };
        for (tag, name) in [
            (0x5A, "PAN"),
            (0x5F24, "Application Expiration Date"),
            (0x8C, "CDOL1"),
        ] {
            if !self.card.has(Tag::new(tag)) {
                return self.end(format!("mandatory {name} ({tag:X}) missing"));
            }
        }
        if let Some(limit) = self.transaction_limit()
            && self.amount() > limit
        {
            self.s.decide(
                "kernel 2: amount above the reader contactless transaction limit → Select Next",
            );
            return outcome(OutcomeStatus::SelectNext).into();
        }
        let cda = self.select_oda(&records);
        self.processing_restrictions();
        self.select_cvm();
        self.risk_management();
        let requested = self.terminal_action_analysis();
        self.generate_ac(requested, cda)
    }

    fn l1(&mut self, e: crate::transport::TransportError) -> KernelResult {
        self.s.note(format!("communication error: {e}"));
        session::transport_failure(&e).into()
    }

    fn store_gpo_response(&mut self, data: &[u8]) -> Result<(), String> {
        self.card.store_gpo_response(data)?;
        if !self.card.has(Tag::new(0x82)) || !self.card.has(Tag::new(0x94)) {
            return Err("GPO response lacks the AIP or the AFL".into());
        }
        Ok(())
    }

    /// S3.30–S3.32: the active AFL, then READ RECORD for every entry.
    fn read_records(&mut self) -> Result<RecordsRead, ReadError> {
        let afl = self.card.get(Tag::new(0x94)).unwrap_or(&[]).to_vec();
        let mut entries: Vec<AflEntry> = records::parse_afl(&afl)?;
        if afl.starts_with(&[0x08, 0x01, 0x01, 0x00]) && self.kernel_config() & KC_MCHIP_ONLY == 0 {
            entries.remove(0);
            self.s.decide(
                "kernel 2: first AFL entry 08010100 is the mag-stripe record: skipped (S3.32)",
            );
        }
        self.tvr.set(TvrBit::RRP_NOT_PERFORMED);
        self.s
            .decide("kernel 2: relay resistance protocol not performed (S3.65)");
        records::read_all(self.s, &entries, &mut self.card)
    }

    fn transaction_limit(&self) -> Option<u64> {
        let odcvm = self.aip()[0] & AIP_ODCVM != 0 && self.kernel_config() & KC_ODCVM != 0;
        self.limit(if odcvm { 0xDF8125 } else { 0xDF8124 })
    }

    /// Offline data authentication selection: CDA when card and terminal support it and
    /// the data it needs is there; returns the static data to authenticate.
    fn select_oda(&mut self, records: &RecordsRead) -> Option<Vec<u8>> {
        let aip = self.aip();
        if aip[0] & AIP_CDA == 0 || self.terminal_capabilities[2] & CAP_CDA == 0 {
            self.tvr.set(TvrBit::ODA_NOT_PERFORMED);
            self.s
                .decide("ODA: CDA not supported by card or terminal: not performed");
            return None;
        }
        let missing: Vec<String> = [0x8F, 0x90, 0x9F32, 0x9F46, 0x9F47]
            .into_iter()
            .filter(|t| !self.card.has(Tag::new(*t)))
            .map(|t| format!("{t:X}"))
            .collect();
        let rid = self.df_name.get(..5).unwrap_or(&[]).to_vec();
        let index = self
            .card
            .get(Tag::new(0x8F))
            .and_then(|v| v.first().copied());
        let capk_known = self
            .s
            .config
            .capks
            .iter()
            .any(|k| k.rid[..] == rid[..] && Some(k.index) == index);
        let failure = if !missing.is_empty() {
            self.tvr.set(TvrBit::ICC_DATA_MISSING);
            Err(format!("ICC data missing: {}", missing.join(" ")))
        } else if !capk_known {
            Err("no CA public key for this RID and index".to_string())
        } else {
            records.static_data(&self.card).map_err(|e| {
                self.tvr.0[0] |= e.tvr_byte1(OdaMethod::Cda);
                e.to_string()
            })
        };
        let static_data = match failure {
            Ok(d) => d,
            Err(why) => {
                self.tvr.set(TvrBit::CDA_FAILED);
                self.s
                    .decide(format!("ODA: CDA failed before GENERATE AC: {why}"));
                return None;
            }
        };
        self.s.decide("ODA: CDA selected");
        Some(static_data)
    }

    /// Processing restrictions (Book 3 10.4 as C-2 applies them).
    fn processing_restrictions(&mut self) {
        let terminal_version = self
            .s
            .config
            .terminal
            .get(&Tag::new(0x9F09))
            .or_else(|| self.input.combination.tags.get(&Tag::new(0x9F09)));
        if let (Some(card), Some(term)) = (self.card.get(Tag::new(0x9F08)), terminal_version)
            && card != term.as_slice()
        {
            self.tvr.set(TvrBit::DIFFERENT_VERSIONS);
        }
        let today = session::transaction_date(self.s.transaction);
        if let Some(v) = self.card.get(Tag::new(0x5F24))
            && session::bcd_date(v).is_none_or(|d| d < today)
        {
            self.tvr.set(TvrBit::EXPIRED);
        }
        if let Some(v) = self.card.get(Tag::new(0x5F25))
            && session::bcd_date(v).is_none_or(|d| d > today)
        {
            self.tvr.set(TvrBit::NOT_YET_EFFECTIVE);
        }
        if let Some(auc) = self.card.get(Tag::new(0x9F07))
            && !self.usage_allowed(auc)
        {
            self.tvr.set(TvrBit::SERVICE_NOT_ALLOWED);
        }
    }

    /// Application Usage Control against the transaction (Book 3 10.4.3).
    fn usage_allowed(&self, auc: &[u8]) -> bool {
        let (b1, b2) = (
            auc.first().copied().unwrap_or(0),
            auc.get(1).copied().unwrap_or(0),
        );
        let domestic = match (
            self.card.get(Tag::new(0x5F28)),
            self.s.config.terminal.get(&Tag::new(0x9F1A)),
        ) {
            (Some(card), Some(term)) => card == term.as_slice(),
            _ => true,
        };
        let not_atm = b1 & 0x01 != 0;
        let allowed = match self.s.transaction.kind {
            TransactionType::Cash => b1 & if domestic { 0x80 } else { 0x40 } != 0,
            TransactionType::Cashback => b2 & if domestic { 0x80 } else { 0x40 } != 0,
            TransactionType::Purchase | TransactionType::Refund => {
                b1 & if domestic { 0x28 } else { 0x14 } != 0
            }
        };
        allowed && not_atm
    }

    /// C-2 CVM Selection: on-device CVM first, then the CVM List.
    fn select_cvm(&mut self) {
        let aip = self.aip();
        let required = self.cvm_required();
        self.cvm = if aip[0] & AIP_ODCVM != 0 && self.kernel_config() & KC_ODCVM != 0 {
            if required {
                CvmSelection {
                    cvm: Cvm::Cdcvm,
                    results: cvm::CDCVM_RESULTS,
                }
            } else {
                CvmSelection {
                    cvm: Cvm::NoCvm,
                    results: cvm::NO_CVM_ODCVM,
                }
            }
        } else if aip[0] & AIP_CV == 0 {
            CvmSelection {
                cvm: Cvm::NoCvm,
                results: cvm::NO_CVM_PERFORMED,
            }
        } else {
            match self.card.get(Tag::new(0x8E)).filter(|l| l.len() >= 10) {
                None => {
                    self.tvr.set(TvrBit::ICC_DATA_MISSING);
                    CvmSelection {
                        cvm: Cvm::NoCvm,
                        results: cvm::NO_CVM_PERFORMED,
                    }
                }
                Some(list) => {
                    let list = list.to_vec();
                    let ctx = CvmContext {
                        amount: self.amount(),
                        same_currency: self.card.get(Tag::new(0x9F42)).is_some_and(|c| {
                            c == session::currency_bcd(self.s.transaction.currency)
                        }),
                        kind: self.s.transaction.kind,
                        unattended: self
                            .s
                            .config
                            .terminal
                            .get(&Tag::new(0x9F35))
                            .and_then(|v| v.first())
                            .is_some_and(|t| (4..=6).contains(&(t & 0x0F))),
                        capability: self.terminal_capabilities[1],
                    };
                    cvm::process_list(&list, &ctx, &mut self.tvr)
                }
            }
        };
        if self.cvm.cvm != Cvm::NoCvm {
            self.tsi.set(Tsi::CVM_PERFORMED);
        }
        self.s.decide(format!(
            "CVM: {} (CVM Results {})",
            self.cvm.cvm.name(),
            hex::encode_upper(self.cvm.results)
        ));
    }

    /// Terminal risk management: the floor limit (DF8123, else Entry Point's).
    fn risk_management(&mut self) {
        let exceeded = match self.limit(0xDF8123) {
            Some(floor) => self.amount() > floor,
            None => self.input.indicators.floor_limit_exceeded,
        };
        if exceeded {
            self.tvr.set(TvrBit::FLOOR_LIMIT_EXCEEDED);
        }
        self.tsi.set(Tsi::TERMINAL_RISK_MANAGEMENT);
    }

    /// Terminal action analysis (Book 3 10.7 with C-2's TACs DF8120–DF8122).
    fn terminal_action_analysis(&mut self) -> Cryptogram {
        let five = |v: Option<&[u8]>, default: u8| -> [u8; 5] {
            v.and_then(|v| <[u8; 5]>::try_from(v).ok())
                .unwrap_or([default; 5])
        };
        let hits = |tac: [u8; 5], iac: [u8; 5], tvr: [u8; 5]| {
            (0..5).any(|i| (tac[i] | iac[i]) & tvr[i] != 0)
        };
        let tvr = self.tvr.0;
        let terminal_type = self
            .s
            .config
            .terminal
            .get(&Tag::new(0x9F35))
            .and_then(|v| v.first().copied())
            .unwrap_or(0x22)
            & 0x0F;
        let online_capable = !matches!(terminal_type, 3 | 6);
        let online_only = matches!(terminal_type, 1 | 4);
        let denial = hits(
            five(self.tag(0xDF8121), 0),
            five(self.card.get(Tag::new(0x9F0E)), 0x00),
            tvr,
        );
        let decision = if denial {
            Cryptogram::Aac
        } else if online_only
            || (online_capable
                && hits(
                    five(self.tag(0xDF8122), 0),
                    five(self.card.get(Tag::new(0x9F0F)), 0xFF),
                    tvr,
                ))
        {
            Cryptogram::Arqc
        } else if !online_capable
            && hits(
                five(self.tag(0xDF8120), 0),
                five(self.card.get(Tag::new(0x9F0D)), 0xFF),
                tvr,
            )
        {
            Cryptogram::Aac
        } else {
            Cryptogram::Tc
        };
        self.s.decide(format!(
            "terminal action analysis: TVR {} {:?} → request {decision:?}",
            hex::encode_upper(tvr),
            self.tvr.describe()
        ));
        decision
    }

    fn generate_ac(&mut self, requested: Cryptogram, cda: Option<Vec<u8>>) -> KernelResult {
        let cda = cda.filter(|_| requested != Cryptogram::Aac);
        let cdol1 = self.card.get(Tag::new(0x8C)).unwrap_or(&[]).to_vec();
        let cdol_data = match self.build_dol(&cdol1) {
            Ok(d) => d,
            Err(why) => return self.end(format!("CDOL1: {why}")),
        };
        let p1 = requested.cid() | if cda.is_some() { P1_CDA } else { 0 };
        let raw = match self.s.exchange(
            apdu::generate_ac(p1, &cdol_data),
            &format!(
                "GENERATE AC requesting {requested:?}{} (C-2 S456/S9)",
                if cda.is_some() { " with CDA" } else { "" }
            ),
        ) {
            Ok(r) => r,
            Err(e) => return self.l1(e),
        };
        let Some(response) = Response::parse(&raw) else {
            return self.end("GENERATE AC response shorter than a status word");
        };
        if !response.is_ok() {
            return self.end(format!("GENERATE AC answered {:04X}", response.sw));
        }
        if let Err(why) = self.store_gen_ac_response(response.data) {
            return self.end(why);
        }
        // C-2: the card's part is done once GENERATE AC is answered.
        self.s.show(ui(
            MessageId::CardReadOk,
            ReaderStatus::CardReadSuccessfully,
        ));
        let Some(cid) = self
            .card
            .get(Tag::new(0x9F27))
            .and_then(|c| c.first().copied())
        else {
            return self.end("GENERATE AC response lacks the CID");
        };
        let Some(returned) = Cryptogram::from_cid(cid) else {
            return self.end("reserved cryptogram type in the CID");
        };
        let rank = |c: Cryptogram| match c {
            Cryptogram::Aac => 0,
            Cryptogram::Arqc => 1,
            Cryptogram::Tc => 2,
        };
        if rank(returned) > rank(requested) || !self.card.has(Tag::new(0x9F36)) {
            return self.end("the card returned more than requested, or no ATC");
        }
        self.s
            .decide(format!("kernel 2: card returned {returned:?}"));
        if returned == Cryptogram::Aac {
            return self.declined_or_see_phone();
        }
        match cda {
            Some(static_data) => {
                self.tsi.set(Tsi::ODA_PERFORMED);
                match self.verify_cda(&static_data, cid, &cdol_data, response.data) {
                    Ok(cda) => {
                        self.s.decide("ODA: CDA verified");
                        self.card.tags.insert(Tag::new(0x9F26), cda.ac.to_vec());
                        self.card.tags.insert(Tag::new(0x9F4C), cda.idn);
                    }
                    Err(why) => {
                        self.tvr.0[0] |= why.tvr_byte1(OdaMethod::Cda);
                        self.s.decide(format!("ODA: CDA failed: {why}"));
                        return self.end("CDA failed (L2 CAM FAILED)");
                    }
                }
            }
            None if !self.card.has(Tag::new(0x9F26)) => {
                return self.end("GENERATE AC response lacks the Application Cryptogram");
            }
            None => {}
        }
        let (status, message) = match (returned, self.cvm.cvm) {
            (Cryptogram::Tc, Cvm::Signature) => (OutcomeStatus::Approved, MessageId::ApprovedSign),
            (Cryptogram::Tc, _) => (OutcomeStatus::Approved, MessageId::Approved),
            _ => (OutcomeStatus::OnlineRequest, MessageId::Authorising),
        };
        self.finish(status, message)
    }

    /// Stores the GENERATE AC response (format 2 `77` or format 1 `80`).
    fn store_gen_ac_response(&mut self, data: &[u8]) -> Result<(), String> {
        let mut items = TlvIter::new(data);
        let top = match (items.next(), items.next()) {
            (Some(Ok(t)), None) => t,
            (Some(Err(e)), _) => return Err(format!("GENERATE AC response malformed: {e}")),
            _ => return Err("GENERATE AC response is not exactly one template".into()),
        };
        match top.tag.value() {
            0x77 => self
                .card
                .store_template(top.value)
                .map_err(|e| format!("GENERATE AC response: {e}"))?,
            0x80 if top.value.len() >= 11 => {
                let (cid, rest) = top.value.split_at(1);
                let (atc, rest) = rest.split_at(2);
                let (ac, iad) = rest.split_at(8);
                for (tag, v) in [(0x9F27, cid), (0x9F36, atc), (0x9F26, ac)] {
                    self.card
                        .store(Tag::new(tag), v)
                        .map_err(|e| e.to_string())?;
                }
                if !iad.is_empty() {
                    self.card
                        .store(Tag::new(0x9F10), iad)
                        .map_err(|e| e.to_string())?;
                }
            }
            _ => {
                return Err(format!(
                    "GENERATE AC response template {} unusable",
                    top.tag
                ));
            }
        }
        Ok(())
    }

    /// The one place Kernel 2 calls offline data authentication: recover the ICC key,
    /// verify the SDAD and return the AC it carries.
    fn verify_cda(
        &self,
        static_data: &[u8],
        cid: u8,
        cdol_data: &[u8],
        response: &[u8],
    ) -> Result<CdaData, OdaError> {
        let hash_input = oda::cda_hash_input(&self.pdol_data, &[cdol_data], response)?;
        let input = OdaInput::from_tags(&self.df_name, &self.card.tags, static_data);
        let config = self.s.config;
        let today = self.s.transaction.date;
        let icc = oda::recover_icc_key(&input, &config.capks, &config.revoked, today)?;
        let sdad = self.card.get(Tag::new(0x9F4B)).unwrap_or_default();
        oda::verify_cda(&icc, sdad, &self.s.un, cid, &hash_input)
    }

    /// An AAC: a phone asking the cardholder to act (DF4B) gets "See phone" and a second
    /// tap; anything else is declined.
    fn declined_or_see_phone(&mut self) -> KernelResult {
        let pcii = self.card.get(Tag::new(0xDF4B)).map(<[u8]>::to_vec);
        let wants_action = pcii
            .as_deref()
            .is_some_and(|p| p.len() == 3 && (0..3).any(|i| p[i] & PCII_SEE_PHONE_MASK[i] != 0));
        if let (true, Some(pcii)) = (wants_action, pcii) {
            let table = self.tag(0xDF8131).map(<[u8]>::to_vec);
            let table = table.as_deref().unwrap_or(&DEFAULT_PHONE_MESSAGE_TABLE);
            if let Some((message, status)) = phone_message(table, &pcii) {
                self.s.decide(format!(
                    "kernel 2: AAC with DF4B {} → phone message table: {}",
                    hex::encode_upper(&pcii),
                    message.name()
                ));
                if message == MessageId::SeePhone {
                    let hold = self
                        .tag(0xDF812D)
                        .and_then(bcd_amount)
                        .map_or(Duration::from_millis(1300), |t| {
                            Duration::from_millis(t.saturating_mul(100))
                        });
                    self.s
                        .decide("kernel 2: End Application, restart at Start B for a second tap");
                    return Outcome {
                        start: Some(StartPoint::B),
                        ui_on_outcome: Some(UiRequest {
                            message,
                            status,
                            hold,
                        }),
                        ui_on_restart: Some(ui(MessageId::PresentCard, ReaderStatus::ReadyToRead)),
                        field_off: Some(hold),
                        ..outcome(OutcomeStatus::EndApplication)
                    }
                    .into();
                }
                let mut done = self.finish(OutcomeStatus::Declined, message);
                done.outcome.ui_on_outcome = Some(ui(message, status));
                return done;
            }
        }
        self.finish(OutcomeStatus::Declined, MessageId::NotAuthorised)
    }

    fn finish(&mut self, status: OutcomeStatus, message: MessageId) -> KernelResult {
        let own = self.own_values();
        let comb = self.input.combination;
        let s = &*self.s;
        let record = data_record::build(&self.card, |t| s.terminal_value(t, comb, &own));
        self.s.decide(format!(
            "kernel 2: {} (TVR {})",
            status.name(),
            hex::encode_upper(self.tvr.0)
        ));
        KernelResult::with_record(status, Some(self.cvm.cvm), message, record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::amount_bcd;

    #[test]
    fn phone_message_table_first_match_wins() {
        assert_eq!(
            phone_message(&DEFAULT_PHONE_MESSAGE_TABLE, &[0x00, 0x01, 0x00]),
            Some((MessageId::SeePhone, ReaderStatus::NotReady))
        );
        assert_eq!(
            phone_message(&DEFAULT_PHONE_MESSAGE_TABLE, &[0x00, 0x00, 0x00]),
            Some((MessageId::NotAuthorised, ReaderStatus::NotReady))
        );
        assert_eq!(phone_message(&DEFAULT_PHONE_MESSAGE_TABLE, &[0x00]), None);
    }

    #[test]
    fn reads_bcd_limits() {
        assert_eq!(bcd_amount(&amount_bcd(10_001)), Some(10_001));
        assert_eq!(bcd_amount(&[0x00, 0x1A]), None);
        assert_eq!(bcd_amount(&[0x99; 20]), None);
    }
}

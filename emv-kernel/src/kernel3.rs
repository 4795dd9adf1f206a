//! Kernel 3, Visa qVSDC (EMV Contactless Book C-3): GET PROCESSING OPTIONS built from the
//! card's PDOL with the pre-processed TTQ, the status words a wallet uses to ask for a
//! second tap (C-3 5.2.2.2), READ RECORD by the AFL, fDDA, and the decision order of
//! C-3 5.4–5.7 (cryptogram type, expiry, ODA, CVM with the CTQ/9F69 consistency check).

use std::time::Duration;

use crate::apdu::{self, Response};
use crate::config::{TagMap, amount_bcd};
use crate::cryptogram::Cryptogram;
use crate::data_record::{self, CardData};
use crate::dol;
use crate::kernel::{KernelContext, KernelError};
use crate::oda::{self, OdaError, OdaInput, OdaMethod};
use crate::outcome::{Cvm, MessageId, Outcome, OutcomeStatus, ReaderStatus, StartPoint};
use crate::preprocessing::{TTQ_CVM_REQUIRED, TTQ_OFFLINE_ONLY, TTQ_ONLINE_CRYPTOGRAM_REQUIRED};
use crate::records::{self, ReadError, RecordsRead};
use crate::selection;
use crate::session::{self, KernelInput, KernelResult, Session, outcome, ui};
use crate::tlv::Tag;
use crate::tvr::{Tsi, Tvr, TvrBit};

/// TTQ byte 1 b5: EMV contact chip supported.
const TTQ_CONTACT: u8 = 0x10;
/// TTQ byte 1 b3: online PIN supported.
const TTQ_ONLINE_PIN: u8 = 0x04;
/// TTQ byte 1 b2: signature supported.
const TTQ_SIGNATURE: u8 = 0x02;
/// TTQ byte 1 b1: offline data authentication for online authorisations supported.
const TTQ_ODA_FOR_ONLINE: u8 = 0x01;
/// TTQ byte 3 b7: consumer device CVM supported.
const TTQ_CDCVM: u8 = 0x40;

/// CTQ byte 1 b8: online PIN required.
const CTQ_ONLINE_PIN: u8 = 0x80;
/// CTQ byte 1 b7: signature required.
const CTQ_SIGNATURE: u8 = 0x40;
/// CTQ byte 1 b6: go online if offline data authentication fails and the reader can.
const CTQ_ONLINE_IF_ODA_FAILS: u8 = 0x20;
/// CTQ byte 1 b5: switch interface if offline data authentication fails.
const CTQ_SWITCH_IF_ODA_FAILS: u8 = 0x10;
/// CTQ byte 1 b4: go online if the application has expired.
const CTQ_ONLINE_IF_EXPIRED: u8 = 0x08;
/// CTQ byte 2 b8: consumer device CVM performed.
const CTQ_CDCVM_PERFORMED: u8 = 0x80;

/// How long "See phone" stays before the reader polls again (Book A, ≈1.3 s).
const SEE_PHONE_HOLD: Duration = Duration::from_millis(1300);

/// What the CVM rules of C-3 5.7 conclude.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CvmDecision {
    /// This CVM applies.
    Use(Cvm),
    /// No CVM can satisfy the card and the reader: decline.
    Decline(&'static str),
}

/// The CVM rules of C-3 5.7 (brief section B): CTQ online PIN, CDCVM (only when the
/// signed 9F69 CTQ copy agrees, or on an ARQC without 9F69), CTQ signature, then what
/// the reader's "CVM required" asks for.
pub fn select_cvm(
    ttq: [u8; 4],
    ctq: Option<[u8; 2]>,
    card_auth_data: Option<&[u8]>,
    cryptogram: Cryptogram,
) -> CvmDecision {
    let cvm_required = ttq[1] & TTQ_CVM_REQUIRED != 0;
    if let Some(ctq) = ctq {
        if ctq[0] & CTQ_ONLINE_PIN != 0 && ttq[0] & TTQ_ONLINE_PIN != 0 {
            return CvmDecision::Use(Cvm::OnlinePin);
        }
        if ctq[1] & CTQ_CDCVM_PERFORMED != 0 {
            return match card_auth_data {
                Some(data) if data.get(5..7) == Some(&ctq[..]) => CvmDecision::Use(Cvm::Cdcvm),
                Some(_) => CvmDecision::Decline("CDCVM claimed but the CTQ copy in 9F69 differs"),
                None if cryptogram == Cryptogram::Arqc => CvmDecision::Use(Cvm::Cdcvm),
                None => CvmDecision::Decline("CDCVM claimed offline without 9F69"),
            };
        }
        if ctq[0] & CTQ_SIGNATURE != 0 && ttq[0] & TTQ_SIGNATURE != 0 {
            return CvmDecision::Use(Cvm::Signature);
        }
        if cvm_required {
            return CvmDecision::Decline("CVM required and no CVM of the card is supported");
        }
        return CvmDecision::Use(Cvm::NoCvm);
    }
    if !cvm_required {
        return CvmDecision::Use(Cvm::NoCvm);
    }
    if ttq[0] & TTQ_SIGNATURE != 0 {
        CvmDecision::Use(Cvm::Signature)
    } else if ttq[0] & TTQ_ONLINE_PIN != 0 && ttq[2] & TTQ_CDCVM != 0 {
        CvmDecision::Use(Cvm::OnlinePin)
    } else {
        CvmDecision::Decline("CVM required, card has no CTQ and the reader no fallback CVM")
    }
}

/// The cryptogram type: 9F27, or, when absent, the CVR in Visa IAD formats 0/1/3
/// (IAD byte 5 b6–b5: 00 AAC, 01 TC, 10 ARQC).
fn cryptogram_type(card: &CardData) -> Option<Cryptogram> {
    if let Some(cid) = card.get(Tag::new(0x9F27)) {
        return cid.first().and_then(|c| Cryptogram::from_cid(*c));
    }
    let iad = card.get(Tag::new(0x9F10))?;
    if iad.first() == Some(&0x1F) {
        return None;
    }
    match iad.get(4)? & 0x30 {
        0x00 => Some(Cryptogram::Aac),
        0x10 => Some(Cryptogram::Tc),
        0x20 => Some(Cryptogram::Arqc),
        _ => None,
    }
}

fn two(v: Option<&[u8]>) -> Option<[u8; 2]> {
    v.and_then(|v| <[u8; 2]>::try_from(v).ok())
}

/// Kernel 3 state carried between steps of one activation.
struct Kernel3<'s, 'a, 'i> {
    s: &'s mut Session<'a>,
    input: KernelInput<'i>,
    ttq: [u8; 4],
    tvr: Tvr,
    tsi: Tsi,
    card: CardData,
    df_name: Vec<u8>,
}

/// Runs Kernel 3 from activation to outcome.
pub fn run(ctx: KernelContext<'_, '_, '_>) -> Result<KernelResult, KernelError> {
    Ok(run_tap(ctx.session, ctx.input))
}

fn run_tap(s: &mut Session<'_>, input: KernelInput<'_>) -> KernelResult {
    let Some(ttq) = input.indicators.ttq else {
        s.decide("kernel 3: the combination has no TTQ; cannot build the PDOL data");
        return session::end_application_card_error().into();
    };
    let mut k = Kernel3 {
        s,
        input,
        ttq,
        tvr: Tvr::default(),
        tsi: Tsi::default(),
        card: CardData::default(),
        df_name: Vec::new(),
    };
    k.run()
}

impl Kernel3<'_, '_, '_> {
    fn end(&mut self, why: String) -> KernelResult {
        self.s.decide(format!("kernel 3: End Application: {why}"));
        session::end_application_card_error().into()
    }

    fn own_values(&self) -> TagMap {
        let mut own = TagMap::new();
        own.insert(Tag::new(0x9F66), self.ttq.to_vec());
        own.insert(Tag::new(0x95), self.tvr.0.to_vec());
        own
    }

    fn run(&mut self) -> KernelResult {
        let fci = match selection::parse_fci(self.input.fci) {
            Ok(f) => f,
            Err(e) => {
                self.s
                    .decide(format!("kernel 3: FCI unusable ({e}): Select Next"));
                return outcome(OutcomeStatus::SelectNext).into();
            }
        };
        self.df_name = fci.df_name.unwrap_or_else(|| self.input.adf_name.to_vec());
        let Some(pdol) = fci.pdol else {
            return self.end("the FCI has no PDOL (C-3: qVSDC needs the TTQ in the PDOL)".into());
        };
        let entries = match dol::parse(&pdol) {
            Ok(e) => e,
            Err(e) => {
                self.s
                    .decide(format!("kernel 3: PDOL malformed ({e}): Select Next"));
                return outcome(OutcomeStatus::SelectNext).into();
            }
        };
        let own = self.own_values();
        let comb = self.input.combination;
        let data = dol::build(&entries, |t| self.s.terminal_value(t, comb, &own));
        if data.len() > session::MAX_DOL_DATA {
            return self.end(format!("the PDOL asks for {} bytes", data.len()));
        }
        let raw = match self.s.exchange(
            apdu::get_processing_options(&data),
            "GET PROCESSING OPTIONS with the PDOL data (C-3 5.2)",
        ) {
            Ok(r) => r,
            Err(e) => {
                self.s.note(format!("communication error: {e}"));
                return session::transport_failure(&e).into();
            }
        };
        let Some(response) = Response::parse(&raw) else {
            return self.end("GPO response shorter than a status word".into());
        };
        match response.sw {
            0x9000 => {}
            0x6986 => {
                self.s
                    .note("6986: the device asks the cardholder to act on it (See Phone)");
                self.s.decide(
                    "kernel 3: GPO 6986 → Try Again at Start B with See Phone (C-3 5.2.2.2)",
                );
                return Outcome {
                    start: Some(StartPoint::B),
                    ui_on_outcome: Some(crate::outcome::UiRequest {
                        hold: SEE_PHONE_HOLD,
                        ..ui(MessageId::SeePhone, ReaderStatus::NotReady)
                    }),
                    ui_on_restart: Some(ui(MessageId::PresentCard, ReaderStatus::ReadyToRead)),
                    field_off: Some(SEE_PHONE_HOLD),
                    ..outcome(OutcomeStatus::TryAgain)
                }
                .into();
            }
            0x6984 => {
                self.s
                    .note("6984: the card refuses contactless for this transaction");
                self.s.decide("kernel 3: GPO 6984 → Try Another Interface");
                return Outcome {
                    ui_on_outcome: Some(ui(MessageId::TryAnotherCard, ReaderStatus::NotReady)),
                    ..outcome(OutcomeStatus::TryAnotherInterface)
                }
                .into();
            }
            0x6985 => {
                self.s.note("6985: conditions of use not satisfied");
                self.s.decide("kernel 3: GPO 6985 → Select Next");
                return Outcome {
                    start: Some(StartPoint::C),
                    ..outcome(OutcomeStatus::SelectNext)
                }
                .into();
            }
            sw => return self.end(format!("GPO answered {sw:04X}")),
        }
        if let Err(why) = self.card.store_gpo_response(response.data) {
            return self.end(why);
        }
        let records = match self.read_records() {
            Ok(r) => r,
            Err(ReadError::Transport(e)) => {
                self.s.note(format!("communication error: {e}"));
                return session::transport_failure(&e).into();
            }
            Err(e) => return self.end(e.to_string()),
        };
        if let Err(why) = self.check_mandatory() {
            return self.end(why);
        }
        self.s.show(ui(
            MessageId::CardReadOk,
            ReaderStatus::CardReadSuccessfully,
        ));
        self.decide(&records)
    }

    fn read_records(&mut self) -> Result<RecordsRead, ReadError> {
        let Some(afl) = self.card.get(Tag::new(0x94)).map(<[u8]>::to_vec) else {
            self.s.decide("kernel 3: no AFL, no records to read");
            return Ok(RecordsRead::default());
        };
        let entries = records::parse_afl(&afl)?;
        records::read_all(self.s, &entries, &mut self.card)
    }

    /// C-3 5.4: mandatory data and the track 2 / PAN consistency.
    fn check_mandatory(&self) -> Result<(), String> {
        for (tag, name) in [
            (0x9F26, "Application Cryptogram"),
            (0x82, "AIP"),
            (0x9F36, "ATC"),
            (0x9F10, "Issuer Application Data"),
            (0x57, "Track 2 Equivalent Data"),
        ] {
            if !self.card.has(Tag::new(tag)) {
                return Err(format!("mandatory {name} ({tag:X}) missing"));
            }
        }
        if let (Some(t2), Some(pan)) =
            (self.card.get(Tag::new(0x57)), self.card.get(Tag::new(0x5A)))
            && session::track2_pan(t2) != session::pan_digits(pan)
        {
            return Err("the PAN in track 2 (57) differs from 5A".into());
        }
        Ok(())
    }

    fn expired(&self) -> bool {
        match self.card.get(Tag::new(0x5F24)) {
            None => false,
            Some(v) => session::bcd_date(v)
                .is_none_or(|d| d < session::transaction_date(self.s.transaction)),
        }
    }

    /// C-3 5.6 for qVSDC: fDDA over the SDAD when the card gave one.
    fn offline_data_authentication(
        &mut self,
        cryptogram: Cryptogram,
        records: &RecordsRead,
    ) -> Option<bool> {
        let wanted = cryptogram == Cryptogram::Tc
            || (cryptogram == Cryptogram::Arqc && self.ttq[0] & TTQ_ODA_FOR_ONLINE != 0);
        if !wanted {
            return None;
        }
        if !self.card.has(Tag::new(0x9F4B)) {
            if cryptogram == Cryptogram::Tc {
                self.tvr.set(TvrBit::ICC_DATA_MISSING);
                self.tvr.set(TvrBit::DDA_FAILED);
                self.s
                    .decide("ODA: offline TC without signed dynamic data: fDDA failed");
                return Some(false);
            }
            self.tvr.set(TvrBit::ODA_NOT_PERFORMED);
            self.s
                .decide("ODA: no signed dynamic data on the ARQC: not performed");
            return None;
        }
        self.tsi.set(Tsi::ODA_PERFORMED);
        match self.fdda(records) {
            Ok(()) => {
                self.s.decide("ODA: fDDA succeeded");
                Some(true)
            }
            Err(why) => {
                self.tvr.0[0] |= why.tvr_byte1(OdaMethod::Dda);
                self.s.decide(format!("ODA: fDDA failed: {why}"));
                Some(false)
            }
        }
    }

    /// The one place Kernel 3 calls offline data authentication: ICC key recovery, then
    /// fDDA over what the GPO carried (C-3 Annex, Book 2 6.5).
    fn fdda(&self, records: &RecordsRead) -> Result<(), OdaError> {
        let static_data = records.static_data(&self.card)?;
        let input = OdaInput::from_tags(&self.df_name, &self.card.tags, &static_data);
        let (config, tx) = (self.s.config, self.s.transaction);
        let icc = oda::recover_icc_key(&input, &config.capks, &config.revoked, tx.date)?;
        let card = |tag| self.card.get(tag).unwrap_or_default();
        oda::verify_fdda(
            &icc,
            card(Tag::new(0x9F4B)),
            &self.s.un,
            &amount_bcd(tx.amount),
            &session::currency_bcd(tx.currency),
            card(Tag::new(0x9F69)),
            card(Tag::new(0x9F36)),
        )
    }

    fn decide(&mut self, records: &RecordsRead) -> KernelResult {
        let Some(cryptogram) = cryptogram_type(&self.card) else {
            return self.end("cryptogram type unknown (no 9F27, IAD format not readable)".into());
        };
        self.s
            .decide(format!("kernel 3: card returned {cryptogram:?}"));
        let oda = self.offline_data_authentication(cryptogram, records);
        let ctq = two(self.card.get(Tag::new(0x9F6C)));
        let ctq1 = ctq.map_or(0, |c| c[0]);
        let offline_only = self.ttq[0] & TTQ_OFFLINE_ONLY != 0;
        let mut status = match cryptogram {
            Cryptogram::Aac => {
                self.s.decide("decision: AAC → Declined (C-3 5.5)");
                OutcomeStatus::Declined
            }
            Cryptogram::Arqc if offline_only => {
                self.s
                    .decide("decision: ARQC on an offline-only reader → Declined");
                OutcomeStatus::Declined
            }
            Cryptogram::Arqc => {
                self.s.decide("decision: ARQC → Online Request");
                OutcomeStatus::OnlineRequest
            }
            Cryptogram::Tc if self.ttq[1] & TTQ_ONLINE_CRYPTOGRAM_REQUIRED != 0 => {
                self.s.decide(
                    "decision: TC although the TTQ asked for an online cryptogram → Declined",
                );
                OutcomeStatus::Declined
            }
            Cryptogram::Tc if self.expired() => {
                self.tvr.set(TvrBit::EXPIRED);
                if ctq1 & CTQ_ONLINE_IF_EXPIRED != 0 && !offline_only {
                    self.s.decide(
                        "decision: TC but application expired, CTQ says go online → Online Request",
                    );
                    OutcomeStatus::OnlineRequest
                } else {
                    self.s
                        .decide("decision: TC but application expired → Declined");
                    OutcomeStatus::Declined
                }
            }
            Cryptogram::Tc if oda == Some(false) => {
                if ctq1 & CTQ_ONLINE_IF_ODA_FAILS != 0 && !offline_only {
                    self.s
                        .decide("decision: fDDA failed, CTQ says go online → Online Request");
                    OutcomeStatus::OnlineRequest
                } else if ctq1 & CTQ_SWITCH_IF_ODA_FAILS != 0 && self.ttq[0] & TTQ_CONTACT != 0 {
                    self.s.decide(
                        "decision: fDDA failed, CTQ says switch interface → Try Another Interface",
                    );
                    return Outcome {
                        ui_on_outcome: Some(ui(MessageId::InsertCard, ReaderStatus::NotReady)),
                        ..outcome(OutcomeStatus::TryAnotherInterface)
                    }
                    .into();
                } else {
                    self.s.decide("decision: fDDA failed → Declined");
                    OutcomeStatus::Declined
                }
            }
            Cryptogram::Tc => {
                self.s.decide("decision: TC with fDDA passed → Approved");
                OutcomeStatus::Approved
            }
        };
        let mut cvm = None;
        if status != OutcomeStatus::Declined {
            match select_cvm(self.ttq, ctq, self.card.get(Tag::new(0x9F69)), cryptogram) {
                CvmDecision::Use(c) => {
                    self.s.decide(format!("CVM: {}", c.name()));
                    if c == Cvm::OnlinePin && status == OutcomeStatus::Approved {
                        self.s
                            .decide("CVM: online PIN forces the transaction online");
                        status = OutcomeStatus::OnlineRequest;
                    }
                    if c != Cvm::NoCvm {
                        self.tsi.set(Tsi::CVM_PERFORMED);
                    }
                    cvm = Some(c);
                }
                CvmDecision::Decline(why) => {
                    self.tvr.set(TvrBit::CVM_NOT_SUCCESSFUL);
                    self.s.decide(format!("CVM: {why} → Declined"));
                    status = OutcomeStatus::Declined;
                }
            }
        }
        self.finish(status, cvm)
    }

    fn finish(&mut self, status: OutcomeStatus, cvm: Option<Cvm>) -> KernelResult {
        let message = match (status, cvm) {
            (OutcomeStatus::Approved, Some(Cvm::Signature)) => MessageId::ApprovedSign,
            (OutcomeStatus::Approved, _) => MessageId::Approved,
            (OutcomeStatus::OnlineRequest, _) => MessageId::Authorising,
            _ => MessageId::NotAuthorised,
        };
        let mut own = self.own_values();
        own.insert(Tag::new(0x9B), self.tsi.0.to_vec());
        own.insert(Tag::new(0x84), self.df_name.clone());
        let comb = self.input.combination;
        let s = &*self.s;
        let mut record = data_record::build(&self.card, |t| s.terminal_value(t, comb, &own));
        if !self.card.has(Tag::new(0x9F27))
            && let Some(c) = cryptogram_type(&self.card)
        {
            record.insert(Tag::new(0x9F27), vec![c.cid()]);
        }
        self.s.decide(format!(
            "TVR {} {:?}",
            hex::encode_upper(self.tvr.0),
            self.tvr.describe()
        ));
        KernelResult::with_record(status, cvm, message, record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTQ: [u8; 4] = [0x36, 0x00, 0x40, 0x00];

    #[test]
    fn cdcvm_needs_a_matching_signed_ctq_copy() {
        let ctq = Some([0x00, 0x80]);
        let good = [0x01, 1, 2, 3, 4, 0x00, 0x80];
        let bad = [0x01, 1, 2, 3, 4, 0x00, 0x00];
        assert_eq!(
            select_cvm(TTQ, ctq, Some(&good), Cryptogram::Tc),
            CvmDecision::Use(Cvm::Cdcvm)
        );
        assert!(matches!(
            select_cvm(TTQ, ctq, Some(&bad), Cryptogram::Arqc),
            CvmDecision::Decline(_)
        ));
        assert_eq!(
            select_cvm(TTQ, ctq, None, Cryptogram::Arqc),
            CvmDecision::Use(Cvm::Cdcvm)
        );
        assert!(matches!(
            select_cvm(TTQ, ctq, None, Cryptogram::Tc),
            CvmDecision::Decline(_)
        ));
    }

    #[test]
    fn cvm_order_and_reader_requirements() {
        let required = [0x36, 0x40, 0x40, 0x00];
        assert_eq!(
            select_cvm(required, Some([0xC0, 0x00]), None, Cryptogram::Arqc),
            CvmDecision::Use(Cvm::OnlinePin)
        );
        assert_eq!(
            select_cvm(required, Some([0x40, 0x00]), None, Cryptogram::Arqc),
            CvmDecision::Use(Cvm::Signature)
        );
        assert!(matches!(
            select_cvm(required, Some([0x00, 0x00]), None, Cryptogram::Arqc),
            CvmDecision::Decline(_)
        ));
        assert_eq!(
            select_cvm(required, None, None, Cryptogram::Arqc),
            CvmDecision::Use(Cvm::Signature)
        );
        assert_eq!(
            select_cvm([0x24, 0x40, 0x40, 0x00], None, None, Cryptogram::Arqc),
            CvmDecision::Use(Cvm::OnlinePin)
        );
        assert!(matches!(
            select_cvm([0x20, 0x40, 0x00, 0x00], None, None, Cryptogram::Arqc),
            CvmDecision::Decline(_)
        ));
        assert_eq!(
            select_cvm(TTQ, Some([0x00, 0x00]), None, Cryptogram::Arqc),
            CvmDecision::Use(Cvm::NoCvm)
        );
    }

    #[test]
    fn cryptogram_from_cid_or_iad() {
        let mut card = CardData::default();
        card.store(Tag::new(0x9F10), &hex::decode("06010A03A00000").unwrap())
            .unwrap();
        assert_eq!(cryptogram_type(&card), Some(Cryptogram::Arqc));
        card.store(Tag::new(0x9F27), &[0x40]).unwrap();
        assert_eq!(cryptogram_type(&card), Some(Cryptogram::Tc));
    }
}

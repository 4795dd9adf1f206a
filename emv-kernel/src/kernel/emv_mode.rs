//! The EMV-mode steps that the kernels built on Book 3's flow (records, one GENERATE AC,
//! CDA) take alike, written once: Kernel 2 (C-2 S456, S9, S910) and Kernel 4 (C-4) call
//! them with their own rule numbers. The data CDA needs before GENERATE AC (C-2 S456.24–
//! S456.28, Book 2 6.6), processing restrictions with the terminal's data (Book 3 10.4),
//! terminal action analysis (Book 3 10.7), the checks on a GENERATE AC response (Book 3
//! 6.5.5.4, 9.2.1; C-2 S9.17–S9.24, S910.30–S910.37) and CDA verification of it (Book 2
//! 6.6.2).

use crate::apdu;
use crate::book3::action_analysis::{self, ActionCodes, Connectivity};
use crate::book3::{self, responses, restrictions, risk};
use crate::cryptogram::Cryptogram;
use crate::cvm::{CvmContext, CvmSelection};
use crate::kernel::{CardAnswer, Command, KernelContext, KernelError};
use crate::oda::{self, CdaData, OdaError, OdaInput, OdaMethod};
use crate::outcome::{MessageId, ReaderStatus};
use crate::records::RecordsRead;
use crate::session::{self, ui};
use crate::tags;
use crate::tlv::Tag;
use crate::tvr::{Tsi, TvrBit};

/// The terminal type assumed when 9F35 is not configured: attended, offline with online
/// capability (Book 4 Annex A1 `22`), tapterm's kind of terminal.
pub const DEFAULT_TERMINAL_TYPE: u8 = 0x22;

/// GENERATE AC P1 b5: CDA signature requested (Book 3 6.5.5.2; C-2 Reference Control
/// Parameter DF8114).
const P1_CDA_SIGNATURE: u8 = 0x10;

/// The data objects CDA needs from the records (Book 2 6.6; C-2 S456.25).
const CDA_DATA: [Tag; 6] = [
    tags::CA_PUBLIC_KEY_INDEX,
    tags::ISSUER_PUBLIC_KEY_CERTIFICATE,
    tags::ISSUER_PUBLIC_KEY_EXPONENT,
    tags::ICC_PUBLIC_KEY_CERTIFICATE,
    tags::ICC_PUBLIC_KEY_EXPONENT,
    tags::SDA_TAG_LIST,
];

impl KernelContext<'_, '_, '_> {
    /// The Terminal Type (9F35) of the terminal data, or [`DEFAULT_TERMINAL_TYPE`].
    pub fn terminal_type(&self) -> u8 {
        self.terminal(tags::TERMINAL_TYPE)
            .and_then(|v| v.first().copied())
            .unwrap_or(DEFAULT_TERMINAL_TYPE)
    }

    /// Book 3 10.4 processing restrictions with the terminal's 9F09 (terminal data, else
    /// the combination's) and country code.
    pub fn processing_restrictions(&mut self) {
        let terminal = restrictions::Terminal {
            application_version: self
                .terminal(tags::APPLICATION_VERSION_TERMINAL)
                .or_else(|| self.config(tags::APPLICATION_VERSION_TERMINAL)),
            country: self.terminal(tags::TERMINAL_COUNTRY_CODE),
            kind: self.session.transaction.kind,
            date: session::transaction_date(self.session.transaction),
        };
        restrictions::processing_restrictions(&self.card, &terminal, &mut self.tvr);
    }

    /// Book 3 10.7 terminal action analysis with the kernel's TACs, the card's IACs and the
    /// terminal type's connectivity; `rule` names the kernel's own requirement.
    pub fn terminal_action_analysis(&mut self, terminal: &ActionCodes, rule: &str) -> Cryptogram {
        let issuer = ActionCodes::issuer(
            self.card.get(tags::IAC_DENIAL),
            self.card.get(tags::IAC_ONLINE),
            self.card.get(tags::IAC_DEFAULT),
        );
        let connectivity = Connectivity::from_terminal_type(self.terminal_type());
        let decision =
            action_analysis::terminal_action_analysis(&self.tvr, terminal, &issuer, connectivity);
        let tvr = self.tvr;
        self.decide(format!(
            "terminal action analysis: TVR {} {:?} → request {decision} ({rule})",
            hex::encode_upper(tvr.0),
            tvr.describe()
        ));
        decision
    }

    /// Stores a GET PROCESSING OPTIONS response of format 1 or 2 (Book 3 6.5.8.4).
    pub fn store_gpo_response(&mut self, answer: &CardAnswer) -> Result<(), KernelError> {
        responses::store_gpo_response(&mut self.card, &answer.data).map_err(|error| {
            KernelError::Response {
                command: Command::GetProcessingOptions,
                error,
            }
        })
    }

    /// Book 3 10.6.1 floor limit check with the limits in force.
    pub fn floor_limit_check(&mut self) {
        risk::floor_limit_check(
            self.limits.floor_limit_exceeded,
            &mut self.tvr,
            &mut self.tsi,
        );
    }

    /// Book 3 10.5 on the card's CVM List, the terminal's CVM capability coded as 9F33
    /// byte 2.
    pub fn cvm_list(&mut self, capability: u8) -> CvmSelection {
        let context = self.cvm_context(capability);
        let aip = self.aip();
        book3::cvm::cardholder_verification(
            aip,
            self.card.get(tags::CVM_LIST),
            &context,
            &mut self.tvr,
            &mut self.tsi,
        )
    }

    /// The CVM selected: CVM Results (9F34) for DOLs and the data record, the outcome's
    /// CVM, and the decision with the kernel's `rule`.
    pub fn cvm_selected(&mut self, selection: CvmSelection, rule: &str) {
        self.own
            .insert(tags::CVM_RESULTS, selection.results.to_vec());
        self.outcome.cvm = Some(selection.cvm);
        self.decide(format!(
            "CVM: {} (CVM Results {}, {rule})",
            selection.cvm.name(),
            hex::encode_upper(selection.results)
        ));
    }

    /// Sends GENERATE AC asking for `requested`, with a CDA signature when
    /// `cda_requested` (P1 b5, Book 3 6.5.5.2), over the CDOL1 related data.
    pub fn generate_ac(
        &mut self,
        requested: Cryptogram,
        cda_requested: bool,
        cdol1_data: &[u8],
        rule: &str,
    ) -> Result<CardAnswer, KernelError> {
        let p1 = requested.cid() | if cda_requested { P1_CDA_SIGNATURE } else { 0 };
        let why = format!(
            "GENERATE AC requesting {requested}{} ({rule})",
            if cda_requested { " with CDA" } else { "" }
        );
        self.exchange(Command::GenerateAc, apdu::generate_ac(p1, cdol1_data), &why)
    }

    /// What the CVM List's conditions are evaluated against (Book 3 Annex C3), with the
    /// terminal's CVM capability coded as 9F33 byte 2.
    fn cvm_context(&self, capability: u8) -> CvmContext {
        let transaction = self.session.transaction;
        CvmContext {
            amount: transaction.amount,
            same_currency: self
                .card
                .get(tags::APPLICATION_CURRENCY_CODE)
                .is_some_and(|c| c == session::currency_bcd(transaction.currency)),
            kind: transaction.kind,
            // Terminal types x4–x6 are unattended (Book 4 Annex A1).
            unattended: (4..=6).contains(&(self.terminal_type() & 0x0F)),
            capability,
        }
    }

    /// Before GENERATE AC with CDA: the certificates and the CA key must be there (else
    /// "ICC data missing" and "CDA failed"), the SDA Tag List must be `82` (else End
    /// Application, C-2 S456.27), and the static data to authenticate complete (C-2
    /// S456.24–S456.28). Returns the static data; empty when CDA already failed.
    pub fn cda_data(&mut self, records: &RecordsRead, rule: &str) -> Result<Vec<u8>, KernelError> {
        let missing: Vec<String> = CDA_DATA
            .into_iter()
            .filter(|t| self.card.get(*t).is_none_or(<[u8]>::is_empty))
            .map(|t| t.to_string())
            .collect();
        if !missing.is_empty() {
            self.tvr.set(TvrBit::ICC_DATA_MISSING);
            self.tvr.set(TvrBit::CDA_FAILED);
            self.decide(format!(
                "ODA: ICC data missing for CDA: {} ({rule})",
                missing.join(" ")
            ));
        }
        let rid = self
            .own
            .get(&tags::DF_NAME)
            .and_then(|n| n.get(..5))
            .unwrap_or(&[])
            .to_vec();
        let index = self
            .card
            .get(tags::CA_PUBLIC_KEY_INDEX)
            .and_then(|v| v.first().copied());
        let capk_known = self
            .session
            .config
            .capks
            .iter()
            .any(|k| k.rid[..] == rid[..] && Some(k.index) == index);
        if !capk_known {
            self.tvr.set(TvrBit::CDA_FAILED);
            self.decide(format!(
                "ODA: no CA public key for this RID and index ({rule})"
            ));
        }
        // The SDA Tag List is there and holds the AIP and nothing else.
        match self.card.get(tags::SDA_TAG_LIST) {
            None | Some([]) => return Err(KernelError::MissingData(tags::SDA_TAG_LIST)),
            Some(list) if list != tags::AIP.to_bytes().as_slice() => {
                return Err(KernelError::InvalidData {
                    tag: tags::SDA_TAG_LIST,
                    why: "lists more than the AIP (C-2 S456.27)",
                });
            }
            Some(_) => {}
        }
        let static_data = match records.static_data(&self.card) {
            Ok(data) => data,
            Err(e) => {
                self.tvr.0[0] |= e.tvr_byte1(OdaMethod::Cda);
                self.tvr.set(TvrBit::CDA_FAILED);
                self.decide(format!("ODA: static data unusable: {e} ({rule})"));
                Vec::new()
            }
        };
        if !self.tvr.is_set(TvrBit::CDA_FAILED) {
            self.decide("ODA: CDA selected");
        }
        Ok(static_data)
    }

    /// The GENERATE AC response: status 9000, format 1 or 2 with every object new, ATC and
    /// CID present, and a cryptogram type the request allows (Book 3 6.5.5.4, 9.2.1; C-2
    /// S9.17–S9.24); then "card read successfully" (C-2 S9.27). Returns the type and the
    /// CID byte.
    pub fn generate_ac_response(
        &mut self,
        answer: &CardAnswer,
        requested: Cryptogram,
    ) -> Result<(Cryptogram, u8), KernelError> {
        if !answer.is_ok() {
            return Err(KernelError::StatusWord {
                command: Command::GenerateAc,
                sw: answer.sw,
            });
        }
        responses::store_generate_ac_response(&mut self.card, &answer.data).map_err(|error| {
            KernelError::Response {
                command: Command::GenerateAc,
                error,
            }
        })?;
        self.require(tags::ATC)?;
        let cid = self.require(tags::CID)?.first().copied().unwrap_or(0xFF);
        let returned = Cryptogram::from_cid(cid).ok_or(KernelError::ReservedCryptogramType(cid))?;
        if !requested.allows(returned) {
            return Err(KernelError::CryptogramNotAllowed {
                requested,
                returned,
            });
        }
        self.session.show(ui(
            MessageId::CardReadOk,
            ReaderStatus::CardReadSuccessfully,
        ));
        Ok((returned, cid))
    }

    /// A response without Signed Dynamic Application Data: the AC must be there, and a CDA
    /// signature asked for must not be missing, except for an AAC given to a request for a
    /// TC or an ARQC (C-2 S910.30–S910.37; Book 2 6.6.2).
    pub fn unsigned_response(
        &self,
        returned: Cryptogram,
        requested: Cryptogram,
        cda_requested: bool,
    ) -> Result<(), KernelError> {
        self.require(tags::APPLICATION_CRYPTOGRAM)?;
        let unsigned_allowed =
            !cda_requested || (returned == Cryptogram::Aac && requested != Cryptogram::Aac);
        if !unsigned_allowed {
            return Err(KernelError::InvalidData {
                tag: tags::SIGNED_DYNAMIC_APPLICATION_DATA,
                why: "missing although CDA was requested (C-2 S910.34, S910.37; Book 2 6.6.2)",
            });
        }
        Ok(())
    }

    /// Book 2 6.6.2 on a GENERATE AC response: ICC key recovery, then the SDAD with the
    /// transaction data hash over the PDOL data, the CDOL1 data and the response.
    pub fn verify_cda(
        &self,
        pdol_data: &[u8],
        cdol1_data: &[u8],
        response: &[u8],
        cid: u8,
        static_data: &[u8],
    ) -> Result<CdaData, OdaError> {
        let hash_input = oda::cda_hash_input(pdol_data, &[cdol1_data], response)?;
        let df_name = self.own.get(&tags::DF_NAME).map_or(&[][..], Vec::as_slice);
        let input = OdaInput::from_tags(df_name, &self.card.tags, static_data);
        let config = self.session.config;
        let today = self.session.transaction.date;
        let icc = oda::recover_icc_key(&input, &config.capks, &config.revoked, today)?;
        let sdad = self
            .card
            .get(tags::SIGNED_DYNAMIC_APPLICATION_DATA)
            .unwrap_or_default();
        oda::verify_cda(&icc, sdad, &self.session.un, cid, &hash_input)
    }

    /// The result of CDA on the response: TSI "ODA performed"; the AC is the one the
    /// signature carries; a failure sets its TVR bits and "CDA failed" and ends the
    /// application (C-2 S910.4, S910.46; `rule` names the kernel's requirement).
    pub fn cda_result(
        &mut self,
        result: Result<CdaData, OdaError>,
        rule: &str,
    ) -> Result<(), KernelError> {
        self.tsi.set(Tsi::ODA_PERFORMED);
        match result {
            Ok(cda) => {
                self.decide(format!("ODA: CDA verified ({rule})"));
                self.card
                    .tags
                    .insert(tags::APPLICATION_CRYPTOGRAM, cda.ac.to_vec());
                self.card.tags.insert(tags::ICC_DYNAMIC_NUMBER, cda.idn);
                Ok(())
            }
            Err(e) => {
                self.decide(format!("ODA: CDA failed: {e}"));
                self.tvr.0[0] |= e.tvr_byte1(OdaMethod::Cda);
                self.tvr.set(TvrBit::CDA_FAILED);
                Err(KernelError::CdaFailed(e))
            }
        }
    }
}

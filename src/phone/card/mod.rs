//! The APDU state machine of a virtual card or phone: PPSE and application selection
//! (Book B 3.3), GET PROCESSING OPTIONS, READ RECORD, GENERATE AC (Book 3 6.5), with the
//! scheme behaviour of C-3 (Visa qVSDC: the cryptogram and fDDA come in the GPO answer),
//! C-7 (UnionPay qUICS: the same card side, plus e-cash), C-2 (Mastercard M/Chip: CDA over
//! GENERATE AC, on-device CVM reported in DF4B) and C-4 (American Express ExpressPay: CDA
//! over GENERATE AC, Mobile CVM Results 9F71), plus the
//! ACR122U's reader-side pseudo-APDUs (class `FF`, brief F) so the same wallet can stand
//! behind vpcd where the real reader would answer them.
//!
//! Everything is deterministic from the profile, the options' seed and the commands, so a
//! tap can be replayed and turned into a test vector.
//!
//! This module holds what every scheme shares (selection, records, the cryptogram, the
//! certificates); each scheme's own commands and layout live in its file.

mod amex;
mod command;
mod mastercard;
mod tags;
#[cfg(test)]
mod tests;
mod unionpay;
mod visa;

use std::collections::BTreeMap;

use emv_kernel::cryptogram::Cryptogram;
use emv_kernel::tlv;

use super::personalise::{self, CertificateFields, PersonaliseError, RsaKey};
use super::profiles::{Account, Fault, Profile, Scheme};
use crate::host::crypto::{self, AcData, Cvn};
use crate::host::issuers::IssuerKeys;
use command::{Command, DolValues};

/// What the wallet does with one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// The full response: data followed by SW1 SW2 (the ACR122U firmware answer has no SW).
    Data(Vec<u8>),
    /// The card leaves the field instead of answering (fault profiles).
    LeaveField,
}

/// An ODA fault the wallet can be personalised with, on top of its profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OdaFault {
    /// The signed dynamic data (9F4B) is corrupted.
    BadSignature,
    /// The CA public key index (8F) names a key no terminal has.
    UnknownCaIndex,
    /// The ICC public key certificate expired at the end of 2020.
    ExpiredIccCertificate,
    /// The CDA signature carries relay resistance data other than the exchange's, as when
    /// a relay answered EXCHANGE RELAY RESISTANCE DATA itself (C-2 S910.4.1).
    WrongRelayResistanceData,
}

/// How a wallet is set up besides its profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WalletOptions {
    /// The phone is locked: the first tap asks the user to unlock (Visa 6986, Mastercard
    /// AAC with DF4B "CDCVM missing"), and it is unlocked from the next tap on.
    pub locked: bool,
    /// Seed for the per-tap values (UID, ICC dynamic number, card UN, first ATC).
    pub seed: u64,
    /// An ODA fault to personalise, if any.
    pub oda_fault: Option<OdaFault>,
}

/// ATR of an ISO 14443-4 A phone or card through an ACR122U (brief F, virtual-pcsc.md).
pub const ATR: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

/// Firmware string the ACR122U answers to `FF 00 48 00 00`, without a status word.
pub const ACR122U_FIRMWARE: &[u8] = b"ACR122U215";

/// The test CA public key index the wallets' issuer certificates are signed under.
pub const TEST_CA_INDEX: u8 = 0x54;

/// The CA index an `UnknownCaIndex` wallet names instead.
pub const UNKNOWN_CA_INDEX: u8 = 0x5E;

/// Serial number of every test issuer certificate (a revocation list entry can name it).
pub const ISSUER_CERTIFICATE_SERIAL: [u8; 3] = [0x00, 0x10, 0x01];

const SW_OK: u16 = 0x9000;
const SW_WRONG_LENGTH: u16 = 0x6700;
const SW_CONDITIONS_NOT_SATISFIED: u16 = 0x6985;
const SW_SEE_PHONE: u16 = 0x6986;
const SW_FUNCTION_NOT_SUPPORTED: u16 = 0x6A81;
const SW_FILE_NOT_FOUND: u16 = 0x6A82;
const SW_RECORD_NOT_FOUND: u16 = 0x6A83;
const SW_WRONG_P1P2: u16 = 0x6A86;
const SW_DATA_NOT_FOUND: u16 = 0x6A88;
const SW_INS_NOT_SUPPORTED: u16 = 0x6D00;
const SW_CLA_NOT_SUPPORTED: u16 = 0x6E00;

/// CVR bits "AC returned in (first) GENERATE AC" (Visa CVR byte 2 b6–b5, Mastercard CVR
/// byte 1 b6–b5): 00 AAC, 01 TC, 10 ARQC.
fn cvr_bits(cryptogram: Cryptogram) -> u8 {
    match cryptogram {
        Cryptogram::Aac => 0x00,
        Cryptogram::Tc => 0x10,
        Cryptogram::Arqc => 0x20,
    }
}

/// The static part of a personalised application.
#[derive(Debug, Clone)]
struct Application {
    aid: Vec<u8>,
    label: &'static [u8],
    pdol: Vec<u8>,
    cdol1: Vec<u8>,
    aip: [u8; 2],
    afl: Vec<u8>,
    /// Record contents (inside the `70` template) by (SFI, record number).
    records: BTreeMap<(u8, u8), Vec<u8>>,
    /// The Visa record that also carries the per-transaction 9F69.
    card_auth_record: Option<(u8, u8)>,
    track2: Vec<u8>,
}

/// What GPO established for the rest of the tap.
#[derive(Debug, Clone)]
struct Gpo {
    pdol_values: Vec<u8>,
    card_auth_data: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Selected {
    #[default]
    Nothing,
    Ppse,
    Application,
}

/// Per-tap state, reset when the card leaves the field.
#[derive(Debug, Clone, Default)]
struct Session {
    selected: Selected,
    gpo: Option<Gpo>,
    /// The last relay resistance exchange since GPO: Terminal Relay Resistance Entropy
    /// followed by this card's answer (DF8301–DF8305), signed in CDA (C-2).
    relay_resistance: Option<[u8; 14]>,
    records_read: u32,
    left: bool,
}

/// A virtual card or phone that answers APDUs like a real one.
#[derive(Clone)]
pub struct Wallet {
    profile: Profile,
    options: WalletOptions,
    account: Account,
    app: Application,
    icc_key: RsaKey,
    imk_ac: [u8; 16],
    locked: bool,
    asked_to_unlock: bool,
    /// The wallet's Express Transit setting (issue 13): on for phones unless turned off.
    express_transit: bool,
    /// The ECP transit frame in the reader's polling loop, if any.
    reader_ecp: Option<crate::reader::ecp::TransitFrame>,
    atc: u16,
    tap: u32,
    session: Session,
    leds: u8,
}

impl std::fmt::Debug for Wallet {
    /// Keys and the PAN stay out of debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet")
            .field("profile", &self.profile)
            .field("locked", &self.locked)
            .field("atc", &self.atc)
            .field("tap", &self.tap)
            .finish_non_exhaustive()
    }
}

impl Wallet {
    /// Personalises a wallet: builds its records and signs its certificates with the test keys.
    pub fn new(profile: Profile, options: WalletOptions) -> Result<Wallet, PersonaliseError> {
        let account = profile.account();
        let icc_key = RsaKey::load(account.icc_key)?;
        let app = personalise_application(profile, &account, &icc_key, options.oda_fault)?;
        // The issuer master key comes from the host simulator's own key file, so the host
        // verifies what the wallet computes (issue 4; assets/host/issuers.toml).
        let issuers = IssuerKeys::from_toml(crate::host::DEFAULT_ISSUERS)
            .map_err(|e| PersonaliseError::KeyFile(e.to_string()))?;
        let imk_ac = issuers
            .find(account.pan)
            .ok_or(PersonaliseError::NoIssuerKey(profile.name()))?
            .imk_ac;
        Ok(Wallet {
            profile,
            options,
            account,
            app,
            icc_key,
            imk_ac,
            locked: options.locked,
            asked_to_unlock: false,
            express_transit: profile.is_phone(),
            reader_ecp: None,
            atc: 0x0040 + (options.seed % 0x40) as u16,
            tap: 0,
            session: Session::default(),
            leds: 0,
        })
    }

    /// The profile this wallet plays.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The Application Identifier of the wallet's payment application.
    pub fn aid(&self) -> &[u8] {
        &self.app.aid
    }

    /// The wallet's account (PAN, PSN, expiry), for the issuer simulator's key table.
    pub fn account(&self) -> Account {
        self.account
    }

    /// The wallet's track 2 equivalent data (tag 57) as it is personalised. Test support:
    /// lets tests search logs and journals for it; the terminal never shows it.
    pub fn track2(&self) -> &[u8] {
        &self.app.track2
    }

    /// Whether the phone is still locked.
    pub fn is_locked(&self) -> bool {
        self.locked
    }

    /// Turns the phone's Express Transit setting on or off (Apple Pay "Express Transit
    /// card"): on, a locked phone pays at a transit reader without asking for unlock.
    pub fn set_express_transit(&mut self, on: bool) {
        self.express_transit = on;
    }

    /// What the reader's polling loop carries besides WUPA: an ECP frame (without CRC), as
    /// a phone sees it before it answers (vpcd has no channel for polling frames, so the
    /// virtual reader tells the wallet).
    pub fn set_reader_polling(&mut self, ecp_frame: Option<&[u8]>) {
        self.reader_ecp = ecp_frame.and_then(crate::reader::ecp::TransitFrame::parse);
    }

    /// Whether this tap runs in express mode: a locked phone with Express Transit on, at a
    /// reader whose ECP transit frame accepts the card's network (kormax ECP, "EMV Transit
    /// Fallback"); the scheme adds its own condition (Visa: the TTQ, see `visa_gpo`).
    fn express(&self, network: u8) -> bool {
        self.profile.is_phone()
            && self.locked
            && self.express_transit
            && self.reader_ecp.is_some_and(|f| f.allows(network))
    }

    /// The current Application Transaction Counter.
    pub fn atc(&self) -> u16 {
        self.atc
    }

    /// The Answer To Reset the reader reports for this wallet.
    pub fn atr(&self) -> Vec<u8> {
        ATR.to_vec()
    }

    /// Ends a tap: the wallet leaves the field. A phone that asked its user to unlock
    /// during this tap is unlocked for the next one.
    pub fn field_off(&mut self) {
        if self.asked_to_unlock {
            self.locked = false;
            self.asked_to_unlock = false;
        }
        self.session = Session::default();
        self.tap = self.tap.wrapping_add(1);
    }

    /// A reader reset or power cycle within a tap: the application is deselected, but the
    /// phone stays in the field (no unlock, same tap).
    pub fn power_cycle(&mut self) {
        let left = self.session.left;
        self.session = Session::default();
        self.session.left = left;
    }

    /// Answers one command APDU.
    pub fn respond(&mut self, command: &[u8]) -> Response {
        if self.session.left {
            return Response::LeaveField;
        }
        let Some(apdu) = Command::parse(command) else {
            return sw(SW_WRONG_LENGTH);
        };
        match (apdu.cla, apdu.ins) {
            (0xFF, _) => self.reader_pseudo_apdu(&apdu),
            (0x00, 0xA4) => self.select(&apdu),
            (0x00, 0xB2) => self.read_record(&apdu),
            (0x80, 0xA8) => self.get_processing_options(&apdu),
            (0x80, 0xAE) => self.generate_ac(&apdu),
            (0x80, 0xCA) => self.get_data(&apdu),
            (0x80, 0xEA) => self.exchange_relay_resistance_data(&apdu),
            (0x00 | 0x80, _) => sw(SW_INS_NOT_SUPPORTED),
            _ => sw(SW_CLA_NOT_SUPPORTED),
        }
    }

    /// ACR122U reader-side pseudo-APDUs (brief F): UID, firmware, LED/buzzer, PICC settings.
    fn reader_pseudo_apdu(&mut self, apdu: &Command) -> Response {
        match (apdu.ins, apdu.p1, apdu.p2) {
            (0xCA, 0x00, 0x00) => {
                let digest = self.digest(b"UID", &[]);
                let mut uid = vec![0x08, digest[0], digest[1], digest[2]];
                uid.extend_from_slice(&[0x90, 0x00]);
                Response::Data(uid)
            }
            (0x00, 0x48, _) => Response::Data(ACR122U_FIRMWARE.to_vec()),
            (0x00, 0x40, p2) => {
                // Final state red = b1, green = b2, each applied when its mask bit is set.
                if p2 & 0x04 != 0 {
                    self.leds = (self.leds & !0x01) | (p2 & 0x01);
                }
                if p2 & 0x08 != 0 {
                    self.leds = (self.leds & !0x02) | (p2 & 0x02);
                }
                Response::Data(vec![0x90, self.leds])
            }
            (0x00, 0x50, _) => Response::Data(vec![0x90, 0xFF]),
            (0x00, 0x51, p2) => Response::Data(vec![0x90, p2]),
            (0x00, 0x52, _) => sw(SW_OK),
            _ => sw(SW_FUNCTION_NOT_SUPPORTED),
        }
    }

    fn select(&mut self, apdu: &Command) -> Response {
        if apdu.p1 != 0x04 {
            return sw(SW_WRONG_P1P2);
        }
        if apdu.data == emv_kernel::apdu::PPSE_NAME {
            self.session.selected = Selected::Ppse;
            self.session.gpo = None;
            return ok(self.ppse_fci());
        }
        let listed = self.profile.fault() != Some(Fault::NoMatchingAid);
        if listed && !apdu.data.is_empty() && self.app.aid.starts_with(apdu.data) {
            self.session.selected = Selected::Application;
            self.session.gpo = None;
            return ok(self.application_fci());
        }
        self.session.selected = Selected::Nothing;
        sw(SW_FILE_NOT_FOUND)
    }

    /// PPSE FCI: `6F{84, A5{BF0C{61{4F, 50, 87}}}}` (Book B 3.3.2).
    fn ppse_fci(&self) -> Vec<u8> {
        let aid: &[u8] = if self.profile.fault() == Some(Fault::NoMatchingAid) {
            &[0xA0, 0x00, 0x00, 0x09, 0x99, 0x10, 0x10]
        } else {
            &self.app.aid
        };
        let mut entry = Vec::new();
        tlv::encode(tags::ADF_NAME, aid, &mut entry);
        tlv::encode(tags::LABEL, self.app.label, &mut entry);
        tlv::encode(tags::PRIORITY, &[0x01], &mut entry);
        if self.profile.fault() == Some(Fault::NoMatchingAid) {
            tlv::encode(tags::KERNEL_ID, &[0x2A], &mut entry);
        }
        let directory = tlv::encoded(tags::DIRECTORY_ENTRY, &entry);
        let proprietary = tlv::encoded(
            tags::FCI_PROPRIETARY,
            &tlv::encoded(tags::FCI_DISCRETIONARY, &directory),
        );
        let mut fci = tlv::encoded(tags::DF_NAME, emv_kernel::apdu::PPSE_NAME);
        fci.extend(proprietary);
        tlv::encoded(tags::FCI, &fci)
    }

    /// ADF FCI: `6F{84, A5{50, 87, 9F38, 5F2D}}` (Book 1 11.3.4).
    fn application_fci(&self) -> Vec<u8> {
        let mut proprietary = Vec::new();
        tlv::encode(tags::LABEL, self.app.label, &mut proprietary);
        tlv::encode(tags::PRIORITY, &[0x01], &mut proprietary);
        if !self.app.pdol.is_empty() {
            tlv::encode(tags::PDOL, &self.app.pdol, &mut proprietary);
        }
        tlv::encode(tags::LANGUAGE, b"en", &mut proprietary);
        let mut fci = tlv::encoded(tags::DF_NAME, &self.app.aid);
        tlv::encode(tags::FCI_PROPRIETARY, &proprietary, &mut fci);
        tlv::encoded(tags::FCI, &fci)
    }

    fn get_processing_options(&mut self, apdu: &Command) -> Response {
        if self.session.selected != Selected::Application {
            return sw(SW_CONDITIONS_NOT_SATISFIED);
        }
        let pdol_values = match tlv::parse(apdu.data).ok().as_deref() {
            Some([only]) if only.tag == tags::COMMAND_TEMPLATE => only.value.to_vec(),
            _ => return sw(SW_WRONG_LENGTH),
        };
        let Some(terminal) = DolValues::read(&self.app.pdol, &pdol_values) else {
            return sw(SW_WRONG_LENGTH);
        };
        let scheme = self.profile.scheme();
        let quick = matches!(scheme, Scheme::Visa | Scheme::UnionPay);
        let ttq = terminal.get_array::<4>(tags::TTQ);
        // Express Transit (issue 13): Apple's Visa applet answers locked only when the TTQ
        // asks for offline data authentication for online authorisations (byte 1 b1), as in
        // the real traces (proxmark3 hf_visa_apple_*: 32804000 got 6986, 33804000 an ARQC).
        let express = scheme == Scheme::Visa
            && self.express(crate::reader::ecp::NETWORK_VISA)
            && ttq[0] & 0x01 != 0;
        if quick && self.profile.is_phone() && self.locked && !express {
            // C-3 / C-7 / brief G: the locked phone asks for CDCVM and a second tap.
            self.asked_to_unlock = true;
            return sw(SW_SEE_PHONE);
        }
        self.atc = self.atc.wrapping_add(1);
        let response = match scheme {
            Scheme::Visa | Scheme::UnionPay => self.quick_gpo(&terminal, &pdol_values),
            Scheme::Mastercard => Ok(self.emv_mode_gpo(pdol_values, &[])),
            Scheme::Amex => Ok(self.amex_gpo(&terminal, pdol_values)),
        };
        match response {
            Ok(data) => ok(data),
            Err(code) => sw(code),
        }
    }

    fn bad_signature(&self) -> bool {
        self.profile.fault() == Some(Fault::BadSignature)
            || self.options.oda_fault == Some(OdaFault::BadSignature)
    }

    fn read_record(&mut self, apdu: &Command) -> Response {
        if self.session.selected != Selected::Application {
            return sw(SW_CONDITIONS_NOT_SATISFIED);
        }
        if apdu.p2 & 0x07 != 0x04 {
            return sw(SW_WRONG_P1P2);
        }
        self.session.records_read += 1;
        if self.profile.fault() == Some(Fault::LeavesField)
            && self.tap == 0
            && self.session.records_read == 2
        {
            self.session.left = true;
            return Response::LeaveField;
        }
        let key = (apdu.p2 >> 3, apdu.p1);
        let Some(record) = self.app.records.get(&key) else {
            return sw(SW_RECORD_NOT_FOUND);
        };
        let mut record = record.clone();
        if self.app.card_auth_record == Some(key)
            && let Some(data) = self
                .session
                .gpo
                .as_ref()
                .and_then(|g| g.card_auth_data.as_ref())
        {
            tlv::encode(tags::CARD_AUTH_DATA, data, &mut record);
        }
        ok(tlv::encoded(tags::RECORD, &record))
    }

    fn get_data(&mut self, apdu: &Command) -> Response {
        match (apdu.p1, apdu.p2) {
            (0x9F, 0x36) => ok(tlv::encoded(tags::ATC, &self.atc.to_be_bytes())),
            (0x9F, 0x79) => match self.profile.ecash_balance() {
                Some(balance) => ok(tlv::encoded(tags::ECASH_BALANCE, &balance)),
                None => sw(SW_DATA_NOT_FOUND),
            },
            _ => sw(SW_DATA_NOT_FOUND),
        }
    }

    /// The scheme's Cryptogram Version and Issuer Application Data for this cryptogram.
    fn issuer_application_data(&self, cryptogram: Cryptogram) -> (Cvn, Vec<u8>) {
        match self.profile.scheme() {
            Scheme::Visa => (Cvn::Visa18, visa::iad(cryptogram)),
            Scheme::UnionPay => (Cvn::UnionPay01, unionpay::iad(cryptogram)),
            Scheme::Mastercard => (Cvn::Mc16, mastercard::iad(cryptogram)),
            Scheme::Amex => (Cvn::Amex01, amex::iad(cryptogram, self.profile.is_phone())),
        }
    }

    /// The application cryptogram over the terminal's DOL data, computed by the host
    /// simulator's own EMV code (Book 2 8.1) with this card's issuer master key.
    fn application_cryptogram(
        &self,
        cvn: Cvn,
        terminal: &DolValues,
        iad: &[u8],
    ) -> Result<[u8; 8], u16> {
        let data = AcData {
            amount_authorised: terminal.get_array(tags::AMOUNT),
            amount_other: terminal.get_array(tags::AMOUNT_OTHER),
            terminal_country: terminal.get_array(tags::TERMINAL_COUNTRY),
            tvr: terminal.get_array(tags::TVR),
            currency: terminal.get_array(tags::CURRENCY),
            date: terminal.get_array(tags::DATE),
            transaction_type: terminal.get_array::<1>(tags::TYPE)[0],
            un: terminal.get_array(tags::UN),
            aip: self.app.aip,
            atc: self.atc.to_be_bytes(),
            iad: iad.to_vec(),
        };
        crypto::generate_ac(cvn, &self.imk_ac, self.account.pan, self.account.psn, &data)
            .map_err(|_| SW_CONDITIONS_NOT_SATISFIED)
    }

    /// 20 deterministic bytes for this wallet, tap and purpose.
    fn digest(&self, purpose: &[u8], data: &[u8]) -> [u8; 20] {
        personalise::sha1(&[
            purpose,
            &self.options.seed.to_be_bytes(),
            &self.tap.to_be_bytes(),
            &self.atc.to_be_bytes(),
            data,
        ])
    }
}

/// Flips bits in the middle of a signature so recovery yields garbage.
fn corrupt(signature: &mut [u8]) {
    let middle = signature.len() / 2;
    if let Some(byte) = signature.get_mut(middle) {
        *byte ^= 0x5A;
    }
}

fn sw(code: u16) -> Response {
    Response::Data(code.to_be_bytes().to_vec())
}

fn ok(mut data: Vec<u8>) -> Response {
    data.extend_from_slice(&SW_OK.to_be_bytes());
    Response::Data(data)
}

fn hex_const(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_default()
}

/// Track 2 equivalent data: PAN `D` YYMM service code 201, discretionary data, `F` pad;
/// at most 37 digits, the 19 bytes of tag 57 (Book 3 Annex A), so a 19-digit PAN keeps
/// less discretionary data.
fn track2(account: &Account) -> Vec<u8> {
    let [yy, mm, _] = account.expiry;
    let mut digits = format!("{}D{yy:02X}{mm:02X}2010000000000000", account.pan);
    digits.truncate(37);
    if digits.len() % 2 == 1 {
        digits.push('F');
    }
    hex::decode(&digits).unwrap_or_default()
}

/// The scheme-specific layout of an application before its ICC certificate is added.
struct Layout {
    app: Application,
    /// Static data to be authenticated (Book 2 5.4): what the ICC certificate covers.
    static_data: Vec<u8>,
    /// The record that receives the ICC certificate.
    icc_record: (u8, u8),
}

/// Builds the application: certificates chained from the scheme's test CA, records, AFL.
fn personalise_application(
    profile: Profile,
    account: &Account,
    icc_key: &RsaKey,
    oda_fault: Option<OdaFault>,
) -> Result<Application, PersonaliseError> {
    let scheme = profile.scheme();
    let (ca_name, issuer_name) = match scheme {
        Scheme::Visa => ("ca-visa", "issuer-visa"),
        Scheme::Mastercard => ("ca-mastercard", "issuer-mastercard"),
        Scheme::UnionPay => ("ca-unionpay", "issuer-unionpay"),
        Scheme::Amex => ("ca-amex", "issuer-amex"),
    };
    let issuer = RsaKey::load(issuer_name)?;
    let issuer_record = issuer_record(&RsaKey::load(ca_name)?, &issuer, account, oda_fault)?;
    let mut layout = match scheme {
        Scheme::Visa => visa::layout(account, issuer_record),
        Scheme::Mastercard => mastercard::layout(profile, account, issuer_record),
        Scheme::UnionPay => unionpay::layout(profile, account, issuer_record),
        Scheme::Amex => amex::layout(profile, account, issuer_record),
    };
    let icc_expiry = if oda_fault == Some(OdaFault::ExpiredIccCertificate) {
        [0x12, 0x20]
    } else {
        [account.expiry[1], account.expiry[0]]
    };
    let icc_cert = personalise::certificate(
        0x04,
        &issuer,
        icc_key,
        &CertificateFields {
            owner: personalise::pan_padded(account.pan, 10),
            expiry: icc_expiry,
            serial: [0x00, 0x00, 0x01],
        },
        &layout.static_data,
    )?;
    let mut icc_record = Vec::new();
    if matches!(scheme, Scheme::Visa | Scheme::UnionPay) {
        tlv::encode(tags::PAN, &pan_bcd(account), &mut icc_record);
        tlv::encode(tags::EXPIRY, &account.expiry, &mut icc_record);
    }
    tlv::encode(tags::ICC_CERT, &icc_cert.certificate, &mut icc_record);
    tlv::encode(tags::ICC_EXPONENT, &icc_cert.exponent, &mut icc_record);
    if !icc_cert.remainder.is_empty() {
        tlv::encode(tags::ICC_REMAINDER, &icc_cert.remainder, &mut icc_record);
    }
    layout.app.records.insert(layout.icc_record, icc_record);
    Ok(layout.app)
}

/// The PAN as tag 5A holds it: BCD, an odd digit count padded with `F` (Book 3 4.3, cn).
fn pan_bcd(account: &Account) -> Vec<u8> {
    let mut digits = account.pan.to_string();
    if digits.len() % 2 == 1 {
        digits.push('F');
    }
    hex::decode(digits).unwrap_or_default()
}

/// The record holding 8F, 90, 92 and 9F32: the issuer key certified by the scheme's CA.
fn issuer_record(
    ca: &RsaKey,
    issuer: &RsaKey,
    account: &Account,
    oda_fault: Option<OdaFault>,
) -> Result<Vec<u8>, PersonaliseError> {
    let issuer_id = personalise::pan_padded(account.pan.get(..6).unwrap_or(account.pan), 4);
    let cert = personalise::certificate(
        0x02,
        ca,
        issuer,
        &CertificateFields {
            owner: issuer_id,
            expiry: [0x12, 0x35],
            serial: ISSUER_CERTIFICATE_SERIAL,
        },
        &[],
    )?;
    let ca_index = if oda_fault == Some(OdaFault::UnknownCaIndex) {
        UNKNOWN_CA_INDEX
    } else {
        TEST_CA_INDEX
    };
    let mut record = tlv::encoded(tags::CA_INDEX, &[ca_index]);
    tlv::encode(tags::ISSUER_CERT, &cert.certificate, &mut record);
    if !cert.remainder.is_empty() {
        tlv::encode(tags::ISSUER_REMAINDER, &cert.remainder, &mut record);
    }
    tlv::encode(tags::ISSUER_EXPONENT, &cert.exponent, &mut record);
    Ok(record)
}

/// What names an application and a phone's token, whatever the scheme: AID and label
/// (Book 1 12.2), PDOL (Book 3 5.4), Token Requestor ID (brief G) and the PAR of accounts
/// that have one, phone and plastic.
pub(super) struct Identity {
    /// The AID (4F / 84).
    pub(super) aid: &'static [u8],
    /// Application label (50).
    pub(super) label: &'static [u8],
    /// The PDOL (9F38), hex.
    pub(super) pdol: &'static str,
    /// A phone's Token Requestor ID (9F19).
    pub(super) token_requestor: [u8; 6],
    /// The Payment Account Reference (9F24) of the accounts that have one.
    pub(super) par: &'static [u8],
}

/// Account data: the application's PAR (9F24) whenever the account has one, phone or plastic
/// (EMVCo PAR: one value for the account and all its tokens); a phone's token data besides
/// (brief G): Token Requestor ID and the last four of the FPAN.
fn token_data(account: &Account, identity: &Identity, out: &mut Vec<u8>) {
    if account.fpan_last4.is_some() {
        tlv::encode(tags::TOKEN_REQUESTOR_ID, &identity.token_requestor, out);
    }
    if account.par {
        tlv::encode(tags::PAR, identity.par, out);
    }
    if let Some(last4) = account.fpan_last4 {
        tlv::encode(tags::FPAN_LAST4, &last4, out);
    }
}

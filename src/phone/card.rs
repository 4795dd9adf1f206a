//! The APDU state machine of a virtual card or phone: PPSE and application selection
//! (Book B 3.3), GET PROCESSING OPTIONS, READ RECORD, GENERATE AC (Book 3 6.5), with the
//! scheme behaviour of C-3 (Visa qVSDC: the cryptogram and fDDA come in the GPO answer) and
//! C-2 (Mastercard M/Chip: CDA over GENERATE AC, on-device CVM reported in DF4B), plus the
//! ACR122U's reader-side pseudo-APDUs (class `FF`, brief F) so the same wallet can stand
//! behind vpcd where the real reader would answer them.
//!
//! Everything is deterministic from the profile, the options' seed and the commands, so a
//! tap can be replayed and turned into a test vector.

use std::collections::BTreeMap;

use emv_kernel::cryptogram::Cryptogram;
use emv_kernel::dol;
use emv_kernel::tlv::{self, Tag};

use super::personalise::{self, CertificateFields, PersonaliseError, RsaKey};
use super::profiles::{Account, Fault, Profile, Scheme};
use crate::host::crypto::{self, AcData, Cvn};
use crate::host::issuers::IssuerKeys;

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

const fn t(value: u32) -> Tag {
    Tag::new(value)
}

/// The tags the wallets use, named as in the books.
mod tags {
    use super::{Tag, t};
    pub const FCI: Tag = t(0x6F);
    pub const DF_NAME: Tag = t(0x84);
    pub const FCI_PROPRIETARY: Tag = t(0xA5);
    pub const FCI_DISCRETIONARY: Tag = t(0xBF0C);
    pub const DIRECTORY_ENTRY: Tag = t(0x61);
    pub const ADF_NAME: Tag = t(0x4F);
    pub const LABEL: Tag = t(0x50);
    pub const PRIORITY: Tag = t(0x87);
    pub const KERNEL_ID: Tag = t(0x9F2A);
    pub const PDOL: Tag = t(0x9F38);
    pub const LANGUAGE: Tag = t(0x5F2D);
    pub const RECORD: Tag = t(0x70);
    pub const FORMAT2: Tag = t(0x77);
    pub const COMMAND_TEMPLATE: Tag = t(0x83);
    pub const AIP: Tag = t(0x82);
    pub const AFL: Tag = t(0x94);
    pub const TRACK2: Tag = t(0x57);
    pub const PAN: Tag = t(0x5A);
    pub const EXPIRY: Tag = t(0x5F24);
    pub const EFFECTIVE: Tag = t(0x5F25);
    pub const ISSUER_COUNTRY: Tag = t(0x5F28);
    pub const PSN: Tag = t(0x5F34);
    pub const CARDHOLDER_NAME: Tag = t(0x5F20);
    pub const IAD: Tag = t(0x9F10);
    pub const AC: Tag = t(0x9F26);
    pub const CID: Tag = t(0x9F27);
    pub const ATC: Tag = t(0x9F36);
    pub const SDAD: Tag = t(0x9F4B);
    pub const CTQ: Tag = t(0x9F6C);
    pub const FFI: Tag = t(0x9F6E);
    pub const CARD_AUTH_DATA: Tag = t(0x9F69);
    pub const TOKEN_REQUESTOR_ID: Tag = t(0x9F19);
    pub const PAR: Tag = t(0x9F24);
    pub const FPAN_LAST4: Tag = t(0x9F25);
    pub const AUC: Tag = t(0x9F07);
    pub const APP_VERSION: Tag = t(0x9F08);
    pub const IAC_DEFAULT: Tag = t(0x9F0D);
    pub const IAC_DENIAL: Tag = t(0x9F0E);
    pub const IAC_ONLINE: Tag = t(0x9F0F);
    pub const APP_CURRENCY: Tag = t(0x9F42);
    pub const SDA_TAG_LIST: Tag = t(0x9F4A);
    pub const CDOL1: Tag = t(0x8C);
    pub const CDOL2: Tag = t(0x8D);
    pub const CVM_LIST: Tag = t(0x8E);
    pub const CA_INDEX: Tag = t(0x8F);
    pub const ISSUER_CERT: Tag = t(0x90);
    pub const ISSUER_REMAINDER: Tag = t(0x92);
    pub const ISSUER_EXPONENT: Tag = t(0x9F32);
    pub const ICC_CERT: Tag = t(0x9F46);
    pub const ICC_EXPONENT: Tag = t(0x9F47);
    pub const ICC_REMAINDER: Tag = t(0x9F48);
    pub const PCII: Tag = t(0xDF4B);
    pub const TTQ: Tag = t(0x9F66);
    pub const AMOUNT: Tag = t(0x9F02);
    pub const AMOUNT_OTHER: Tag = t(0x9F03);
    pub const TERMINAL_COUNTRY: Tag = t(0x9F1A);
    pub const TVR: Tag = t(0x95);
    pub const CURRENCY: Tag = t(0x5F2A);
    pub const DATE: Tag = t(0x9A);
    pub const TYPE: Tag = t(0x9C);
    pub const UN: Tag = t(0x9F37);
    pub const RRP_RESPONSE: Tag = t(0x80);
}

/// The timings the Mastercard wallets declare for EXCHANGE RELAY RESISTANCE DATA (C-2
/// DF8303, DF8304, DF8305, units of 100 µs): no minimum, at most 10 ms of processing (room
/// for vpcd and pcscd on a busy host), 1.8 ms to send the answer.
const RRP_TIMINGS: [u16; 3] = [0x0000, 0x0064, 0x0012];

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
        if self.profile.is_phone() && self.profile.scheme() == Scheme::Visa && self.locked {
            // C-3 / brief G: the locked phone asks for CDCVM and a second tap.
            self.asked_to_unlock = true;
            return sw(SW_SEE_PHONE);
        }
        self.atc = self.atc.wrapping_add(1);
        let response = match self.profile.scheme() {
            Scheme::Visa => self.visa_gpo(&terminal, &pdol_values),
            Scheme::Mastercard => {
                self.session.gpo = Some(Gpo {
                    pdol_values,
                    card_auth_data: None,
                });
                self.session.relay_resistance = None;
                let mut body = tlv::encoded(tags::AIP, &self.app.aip);
                tlv::encode(tags::AFL, &self.app.afl, &mut body);
                Ok(tlv::encoded(tags::FORMAT2, &body))
            }
        };
        match response {
            Ok(data) => ok(data),
            Err(code) => sw(code),
        }
    }

    /// qVSDC GPO (C-3 5.2–5.3 from the card's side): the card decides the cryptogram and the
    /// CVM, computes the AC and signs fDDA in this one answer.
    fn visa_gpo(&mut self, terminal: &DolValues, pdol_values: &[u8]) -> Result<Vec<u8>, u16> {
        let ttq = terminal.get_array::<4>(tags::TTQ);
        let amount = terminal.amount();
        let online_required = ttq[1] & 0x80 != 0;
        let cvm_required = ttq[1] & 0x40 != 0;
        let oda_for_online = ttq[0] & 0x01 != 0;
        let cryptogram = if self.profile.is_phone() || online_required || amount > 10_000 {
            Cryptogram::Arqc
        } else {
            Cryptogram::Tc
        };
        let ctq = if self.profile.is_phone() {
            // The user authenticated on the device before (or to unlock) this tap.
            [0x00, 0x80]
        } else if cvm_required && ttq[0] & 0x02 != 0 {
            [0x40, 0x00]
        } else if cvm_required && ttq[0] & 0x04 != 0 {
            [0x80, 0x00]
        } else {
            [0x00, 0x00]
        };
        let un = terminal.get(tags::UN);
        let card_un = self.digest(b"card UN", un);
        let mut card_auth_data = vec![0x01, card_un[0], card_un[1], card_un[2], card_un[3]];
        card_auth_data.extend_from_slice(&ctq);
        card_auth_data.extend_from_slice(&[0x00, 0x00]);
        // Visa IAD format 0 for CVN 18: length, DKI, CVN, CVR (4 bytes, first = its length).
        let iad = [0x06, 0x01, 0x12, 0x03, cvr_bits(cryptogram), 0x00, 0x00];
        let atc = self.atc.to_be_bytes();
        let ac = self.application_cryptogram(Cvn::Visa18, terminal, &iad)?;
        let mut body = Vec::new();
        tlv::encode(tags::AIP, &self.app.aip, &mut body);
        tlv::encode(tags::AFL, &self.app.afl, &mut body);
        tlv::encode(tags::TRACK2, &self.app.track2, &mut body);
        tlv::encode(tags::PSN, &[self.account.psn], &mut body);
        tlv::encode(tags::IAD, &iad, &mut body);
        tlv::encode(tags::AC, &ac, &mut body);
        tlv::encode(tags::CID, &[cryptogram.cid()], &mut body);
        tlv::encode(tags::ATC, &atc, &mut body);
        if cryptogram == Cryptogram::Tc || oda_for_online {
            // fDDA (C-3 5.4, Book 2 6.5.2): IDN = ATC; hash data 9F37 ‖ 9F02 ‖ 5F2A ‖ 9F69.
            let dynamic = [0x02, atc[0], atc[1]];
            let hashed = [
                un,
                terminal.get(tags::AMOUNT),
                terminal.get(tags::CURRENCY),
                &card_auth_data,
            ]
            .concat();
            let mut sdad = personalise::signed_dynamic_data(&self.icc_key, &dynamic, &hashed)
                .map_err(|_| SW_CONDITIONS_NOT_SATISFIED)?;
            if self.bad_signature() {
                corrupt(&mut sdad);
            }
            tlv::encode(tags::SDAD, &sdad, &mut body);
        }
        tlv::encode(tags::CTQ, &ctq, &mut body);
        if self.profile.is_phone() {
            // FFI: version 1, form factor 03 phone; passcode, cloud and biometric capable.
            tlv::encode(tags::FFI, &[0x23, 0x86, 0x00, 0x00], &mut body);
        }
        self.session.gpo = Some(Gpo {
            pdol_values: pdol_values.to_vec(),
            card_auth_data: Some(card_auth_data),
        });
        if self.profile.fault() == Some(Fault::MalformedTlv) {
            // The outer length claims 16 bytes more than follow.
            let claimed = (body.len() + 16) as u16;
            let mut broken = vec![0x77, 0x82];
            broken.extend_from_slice(&claimed.to_be_bytes());
            broken.extend(body);
            return Ok(broken);
        }
        Ok(tlv::encoded(tags::FORMAT2, &body))
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
            _ => sw(SW_DATA_NOT_FOUND),
        }
    }

    /// EXCHANGE RELAY RESISTANCE DATA (C-2 S3.62, SR1.14; Mastercard RRP device guide):
    /// after GPO, answer template 80 with fresh Device Relay Resistance Entropy and the
    /// declared timings, and remember the exchange for the CDA signature.
    fn exchange_relay_resistance_data(&mut self, apdu: &Command) -> Response {
        if self.profile.scheme() != Scheme::Mastercard {
            return sw(SW_INS_NOT_SUPPORTED);
        }
        if self.session.gpo.is_none() {
            return sw(SW_CONDITIONS_NOT_SATISFIED);
        }
        let Ok(terminal_entropy) = <[u8; 4]>::try_from(apdu.data) else {
            return sw(SW_WRONG_LENGTH);
        };
        let digest = self.digest(b"RRP", &terminal_entropy);
        let mut answer = digest[..4].to_vec();
        for time in RRP_TIMINGS {
            answer.extend_from_slice(&time.to_be_bytes());
        }
        let mut signed = [0u8; 14];
        signed[..4].copy_from_slice(&terminal_entropy);
        signed[4..].copy_from_slice(&answer);
        if self.options.oda_fault == Some(OdaFault::WrongRelayResistanceData) {
            signed[0] ^= 0xFF;
        }
        self.session.relay_resistance = Some(signed);
        ok(tlv::encoded(tags::RRP_RESPONSE, &answer))
    }

    /// M/Chip GENERATE AC (Book 3 6.5.5, C-2 with CDA per Book 2 6.6).
    fn generate_ac(&mut self, apdu: &Command) -> Response {
        if self.profile.scheme() != Scheme::Mastercard {
            return sw(SW_INS_NOT_SUPPORTED);
        }
        let Some(gpo) = self.session.gpo.clone() else {
            return sw(SW_CONDITIONS_NOT_SATISFIED);
        };
        let Some(terminal) = DolValues::read(&self.app.cdol1, apdu.data) else {
            return sw(SW_WRONG_LENGTH);
        };
        // P1 b8–b7 = 11 is RFU (Book 3 Table 13); the wallet answers it as a request for an AAC.
        let requested = Cryptogram::from_p1(apdu.p1).unwrap_or(Cryptogram::Aac);
        let cda_requested = apdu.p1 & 0x10 != 0;
        let mut pcii = None;
        let cryptogram = if self.profile.is_phone() {
            if self.locked {
                // C-2 / brief C: the phone declines and tells the terminal CDCVM is missing.
                self.asked_to_unlock = true;
                pcii = Some([0x00, 0x01, 0x00]);
                Cryptogram::Aac
            } else {
                pcii = Some([0x00, 0x10, 0x00]);
                match requested {
                    Cryptogram::Aac => Cryptogram::Aac,
                    _ => Cryptogram::Arqc,
                }
            }
        } else {
            requested
        };
        self.session.gpo = None;
        let atc = self.atc.to_be_bytes();
        // Mastercard IAD for CVN 16: DKI, CVN, CVR (6), DAC/IDN (2), counters (8).
        let mut iad = vec![
            0x01,
            0x10,
            cvr_bits(cryptogram),
            0x00,
            0x00,
            0x00,
            0x00,
            0x00,
        ];
        iad.extend_from_slice(&[0u8; 10]);
        let Ok(ac) = self.application_cryptogram(Cvn::Mc16, &terminal, &iad) else {
            return sw(SW_CONDITIONS_NOT_SATISFIED);
        };
        let mut body = Vec::new();
        tlv::encode(tags::CID, &[cryptogram.cid()], &mut body);
        tlv::encode(tags::ATC, &atc, &mut body);
        let sign = cda_requested && cryptogram != Cryptogram::Aac;
        if !sign {
            tlv::encode(tags::AC, &ac, &mut body);
        }
        tlv::encode(tags::IAD, &iad, &mut body);
        if let Some(pcii) = pcii {
            tlv::encode(tags::PCII, &pcii, &mut body);
        }
        if sign {
            // Transaction Data Hash Code: PDOL values, CDOL1 values, then the response's
            // objects except 9F4B, in order (Book 2 6.6.1, C-2 brief C).
            let tdhc = personalise::sha1(&[&gpo.pdol_values, apdu.data, &body]);
            let idn = self.digest(b"IDN", &atc);
            let mut dynamic = vec![0x08];
            dynamic.extend_from_slice(&idn[..8]);
            dynamic.push(cryptogram.cid());
            dynamic.extend_from_slice(&ac);
            dynamic.extend_from_slice(&tdhc);
            if let Some(relay) = self.session.relay_resistance {
                // C-2 S910.4.1: the relay resistance data follows the hash code.
                dynamic.extend_from_slice(&relay);
            }
            let Ok(mut sdad) =
                personalise::signed_dynamic_data(&self.icc_key, &dynamic, terminal.get(tags::UN))
            else {
                return sw(SW_CONDITIONS_NOT_SATISFIED);
            };
            if self.bad_signature() {
                corrupt(&mut sdad);
            }
            tlv::encode(tags::SDAD, &sdad, &mut body);
        }
        ok(tlv::encoded(tags::FORMAT2, &body))
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

/// A command APDU split into its fields (ISO 7816-4 5.1, short lengths only).
struct Command<'a> {
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: &'a [u8],
}

impl<'a> Command<'a> {
    fn parse(raw: &'a [u8]) -> Option<Command<'a>> {
        let (header, rest) = raw.split_first_chunk::<4>()?;
        let [cla, ins, p1, p2] = *header;
        let data = match rest {
            [] | [_] => &[][..],
            [lc, body @ ..] => {
                let lc = *lc as usize;
                match body.len().checked_sub(lc) {
                    Some(0) | Some(1) => body.get(..lc)?,
                    _ => return None,
                }
            }
        };
        Some(Command {
            cla,
            ins,
            p1,
            p2,
            data,
        })
    }
}

/// The terminal's DOL answer split by the DOL the card advertised (Book 3 5.4).
struct DolValues {
    values: BTreeMap<Tag, Vec<u8>>,
}

impl DolValues {
    /// `None` when the data's length differs from the DOL's total length.
    fn read(dol_bytes: &[u8], data: &[u8]) -> Option<DolValues> {
        let entries = dol::parse(dol_bytes).ok()?;
        let total: usize = entries.iter().map(|e| e.length).sum();
        if total != data.len() {
            return None;
        }
        let mut values = BTreeMap::new();
        let mut pos = 0;
        for entry in entries {
            values.insert(entry.tag, data.get(pos..pos + entry.length)?.to_vec());
            pos += entry.length;
        }
        Some(DolValues { values })
    }

    fn get(&self, tag: Tag) -> &[u8] {
        self.values.get(&tag).map(Vec::as_slice).unwrap_or_default()
    }

    fn get_array<const N: usize>(&self, tag: Tag) -> [u8; N] {
        let mut out = [0u8; N];
        for (o, v) in out.iter_mut().zip(self.get(tag)) {
            *o = *v;
        }
        out
    }

    /// Amount, Authorised (n12) in minor units; 0 when absent.
    fn amount(&self) -> u64 {
        self.get(tags::AMOUNT).iter().fold(0u64, |acc, b| {
            acc * 100 + u64::from(b >> 4) * 10 + u64::from(b & 0x0F)
        })
    }
}

/// Visa PDOL (C-3 brief B): TTQ, amounts, country, TVR, currency, date, type, UN.
const VISA_PDOL: &str = "9F66049F02069F03069F1A0295055F2A029A039C019F3704";
/// Mastercard PDOL: terminal country and terminal type.
const MASTERCARD_PDOL: &str = "9F1A029F3501";
/// Mastercard CDOL1 (C-2 brief C): the CVN 16 data plus CVM results and merchant data.
const MASTERCARD_CDOL1: &str = "9F02069F03069F1A0295055F2A029A039C019F37049F35019F45029F4C089F3403";
/// CVM list: amounts X = Y = 0; signature if the terminal supports it, else no CVM.
const MASTERCARD_CVM_LIST: &str = "00000000000000001E031F03";
/// Issuer Action Codes default and online: ODA not performed, ICC data missing, on the
/// exception file, CDA failed; expired; service not allowed; CVM failed, online PIN
/// entered; floor limit exceeded. Denial: nothing (the terminal's TACs decide).
const MASTERCARD_IAC_ONLINE: [u8; 5] = [0xF4, 0x50, 0x84, 0x80, 0x00];
/// Mastercard CDOL2 (kept for completeness: contactless M/Chip has no second GENERATE AC).
const MASTERCARD_CDOL2: &str = "8A0295059F37049F4C08";

fn hex_const(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_default()
}

/// Track 2 equivalent data: PAN `D` YYMM service code 201, discretionary data, `F` pad.
fn track2(account: &Account) -> Vec<u8> {
    let [yy, mm, _] = account.expiry;
    let mut digits = format!("{}D{yy:02X}{mm:02X}2010000000000000", account.pan);
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
    };
    let issuer = RsaKey::load(issuer_name)?;
    let issuer_record = issuer_record(&RsaKey::load(ca_name)?, &issuer, account, oda_fault)?;
    let mut layout = match scheme {
        Scheme::Visa => visa_layout(profile, account, issuer_record),
        Scheme::Mastercard => mastercard_layout(profile, account, issuer_record),
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
    if scheme == Scheme::Visa {
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

fn pan_bcd(account: &Account) -> Vec<u8> {
    hex::decode(account.pan).unwrap_or_default()
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

/// Token data a phone carries (brief G): Token Requestor ID, PAR, last four of the FPAN.
fn token_data(account: &Account, requestor: [u8; 6], par: &[u8], out: &mut Vec<u8>) {
    if let Some(last4) = account.fpan_last4 {
        tlv::encode(tags::TOKEN_REQUESTOR_ID, &requestor, out);
        tlv::encode(tags::PAR, par, out);
        tlv::encode(tags::FPAN_LAST4, &last4, out);
    }
}

/// Visa qVSDC: AFL 18 01 03 01 — SFI 3 record 1 signed (country, AUC, token data),
/// record 2 the issuer certificate, record 3 PAN, expiry, ICC certificate and 9F69.
fn visa_layout(profile: Profile, account: &Account, issuer_record: Vec<u8>) -> Layout {
    let mut static_record = tlv::encoded(tags::ISSUER_COUNTRY, &[0x02, 0x50]);
    tlv::encode(tags::AUC, &[0xFF, 0x00], &mut static_record);
    if profile.is_phone() {
        token_data(
            account,
            [0x04, 0x00, 0x12, 0x34, 0x56, 0x78],
            b"V0010013TAPTERMTESTPAR0000001",
            &mut static_record,
        );
    }
    let mut records = BTreeMap::new();
    records.insert((3, 1), static_record.clone());
    records.insert((3, 2), issuer_record);
    Layout {
        app: Application {
            aid: vec![0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10],
            label: b"VISA",
            pdol: hex_const(VISA_PDOL),
            cdol1: Vec::new(),
            aip: [0x20, 0x00],
            afl: vec![0x18, 0x01, 0x03, 0x01],
            records,
            card_auth_record: Some((3, 3)),
            track2: track2(account),
        },
        static_data: static_record,
        icc_record: (3, 3),
    }
}

/// M/Chip: AFL 08 01 01 00 | 10 01 01 01 | 18 01 02 00 — SFI 1 track data, SFI 2 the
/// signed risk management data (CDOLs, CVM list, IACs, 9F4A = 82), SFI 3 the certificates.
fn mastercard_layout(profile: Profile, account: &Account, issuer_record: Vec<u8>) -> Layout {
    // Byte 2: EMV mode (b8) and relay resistance protocol supported (b1, C-2 S3.60).
    let aip = if profile.is_phone() {
        [0x1B, 0x81]
    } else {
        [0x19, 0x81]
    };
    let track2 = track2(account);
    let mut track_record = tlv::encoded(tags::TRACK2, &track2);
    if !profile.is_phone() {
        tlv::encode(tags::CARDHOLDER_NAME, b"TEST/TAPTERM", &mut track_record);
    }
    let mut signed = tlv::encoded(tags::PAN, &pan_bcd(account));
    tlv::encode(tags::EXPIRY, &account.expiry, &mut signed);
    tlv::encode(tags::EFFECTIVE, &[0x25, 0x01, 0x01], &mut signed);
    tlv::encode(tags::ISSUER_COUNTRY, &[0x02, 0x50], &mut signed);
    tlv::encode(tags::PSN, &[account.psn], &mut signed);
    tlv::encode(tags::CDOL1, &hex_const(MASTERCARD_CDOL1), &mut signed);
    tlv::encode(tags::CDOL2, &hex_const(MASTERCARD_CDOL2), &mut signed);
    tlv::encode(tags::CVM_LIST, &hex_const(MASTERCARD_CVM_LIST), &mut signed);
    tlv::encode(tags::AUC, &[0xFF, 0x00], &mut signed);
    tlv::encode(tags::APP_VERSION, &[0x00, 0x02], &mut signed);
    tlv::encode(tags::IAC_DEFAULT, &MASTERCARD_IAC_ONLINE, &mut signed);
    tlv::encode(tags::IAC_DENIAL, &[0x00; 5], &mut signed);
    tlv::encode(tags::IAC_ONLINE, &MASTERCARD_IAC_ONLINE, &mut signed);
    tlv::encode(tags::APP_CURRENCY, &[0x09, 0x78], &mut signed);
    token_data(
        account,
        [0x05, 0x00, 0x12, 0x34, 0x56, 0x78],
        b"50010013TAPTERMTESTPAR0000002",
        &mut signed,
    );
    tlv::encode(tags::SDA_TAG_LIST, &[0x82], &mut signed);
    let mut records = BTreeMap::new();
    records.insert((1, 1), track_record);
    records.insert((2, 1), signed.clone());
    records.insert((3, 1), issuer_record);
    // Static data: the value of SFI 2 record 1, then the AIP (9F4A lists 82).
    let mut static_data = signed;
    static_data.extend_from_slice(&aip);
    Layout {
        app: Application {
            aid: vec![0xA0, 0x00, 0x00, 0x00, 0x04, 0x10, 0x10],
            label: b"MASTERCARD",
            pdol: hex_const(MASTERCARD_PDOL),
            cdol1: hex_const(MASTERCARD_CDOL1),
            aip,
            afl: vec![
                0x08, 0x01, 0x01, 0x00, 0x10, 0x01, 0x01, 0x01, 0x18, 0x01, 0x02, 0x00,
            ],
            records,
            card_auth_record: None,
            track2,
        },
        static_data,
        icc_record: (3, 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emv_kernel::apdu;
    use emv_kernel::oda;
    use emv_kernel::tlv::Tlv;

    /// What a terminal would answer to each DOL tag in these tests.
    fn terminal_value(tag: Tag, amount: u64, un: [u8; 4], ttq: [u8; 4]) -> Option<Vec<u8>> {
        Some(match tag.value() {
            0x9F66 => ttq.to_vec(),
            0x9F02 => emv_kernel::config::amount_bcd(amount).to_vec(),
            0x9F03 => vec![0; 6],
            0x9F1A | 0x5F2A => vec![0x09, 0x78],
            0x95 => vec![0; 5],
            0x9A => vec![0x26, 0x11, 0x26],
            0x9C => vec![0x00],
            0x9F37 => un.to_vec(),
            0x9F35 => vec![0x22],
            _ => return None,
        })
    }

    fn data(response: Response) -> (Vec<u8>, u16) {
        let Response::Data(raw) = response else {
            panic!("wallet left the field")
        };
        let r = apdu::Response::parse(&raw).unwrap();
        (r.data.to_vec(), r.sw)
    }

    fn find(data: &[u8], tag: u32) -> Option<Vec<u8>> {
        tlv::find(data, Tag::new(tag))
            .unwrap()
            .map(|t: Tlv<'_>| t.value.to_vec())
    }

    /// Selects the PPSE and the wallet's application; returns the PDOL.
    fn select(wallet: &mut Wallet) -> Vec<u8> {
        let (ppse, sw) = data(wallet.respond(&apdu::select(apdu::PPSE_NAME)));
        assert_eq!(sw, 0x9000);
        let aid = find(&ppse, 0x4F).unwrap();
        let (fci, sw) = data(wallet.respond(&apdu::select(&aid)));
        assert_eq!(sw, 0x9000);
        assert_eq!(find(&fci, 0x84).unwrap(), aid);
        find(&fci, 0x9F38).unwrap_or_default()
    }

    fn gpo(wallet: &mut Wallet, pdol: &[u8], amount: u64, un: [u8; 4], ttq: [u8; 4]) -> Response {
        let entries = dol::parse(pdol).unwrap();
        let values = dol::build(&entries, |tag| terminal_value(tag, amount, un, ttq));
        wallet.respond(&apdu::get_processing_options(&values))
    }

    /// The records the AFL names, read in order: (SFI, raw record, signed for ODA).
    struct Records(Vec<(u8, Vec<u8>, bool)>);

    impl Records {
        fn all(&self) -> Vec<u8> {
            self.0.iter().flat_map(|(_, r, _)| r.clone()).collect()
        }

        fn tags(&self) -> emv_kernel::config::TagMap {
            let all = self.all();
            let mut map = emv_kernel::config::TagMap::new();
            for rec in tlv::parse(&all).unwrap() {
                for t in rec.children() {
                    let t = t.unwrap();
                    map.insert(t.tag, t.value.to_vec());
                }
            }
            map
        }
    }

    fn read_records(wallet: &mut Wallet, afl: &[u8]) -> Records {
        let mut out = Vec::new();
        for entry in afl.chunks(4) {
            for record in entry[1]..=entry[2] {
                let (rec, sw) = data(wallet.respond(&apdu::read_record(entry[0] >> 3, record)));
                assert_eq!(sw, 0x9000);
                tlv::validate(&rec).unwrap();
                out.push((entry[0] >> 3, rec, record < entry[1] + entry[3]));
            }
        }
        Records(out)
    }

    const TODAY: emv_kernel::config::Date = emv_kernel::config::Date {
        year: 2026,
        month: 11,
        day: 26,
    };

    /// Recovers the ICC public key with the kernel's ODA (Book 2 6.3–6.4) against the
    /// shipped test CAPKs.
    fn icc_key(
        aid: &[u8],
        records: &Records,
        aip: &[u8],
        revoked: &[emv_kernel::config::RevokedCertificate],
    ) -> Result<oda::IccPublicKey, oda::OdaError> {
        let tags = records.tags();
        let signed: Vec<(u8, &[u8])> = records
            .0
            .iter()
            .filter(|(_, _, oda)| *oda)
            .map(|(sfi, r, _)| (*sfi, r.as_slice()))
            .collect();
        let static_data = oda::static_data_from_records(
            &signed,
            Some(aip),
            tags.get(&Tag::new(0x9F4A)).map(Vec::as_slice),
        )?;
        let capks = personalise::test_capks().unwrap();
        let input = oda::OdaInput::from_tags(aid, &tags, &static_data);
        oda::recover_icc_key(&input, &capks, revoked, TODAY)
    }

    /// Runs a Visa tap up to the records; returns (GPO answer, records, fDDA verdict).
    fn visa_tap(
        wallet: &mut Wallet,
        amount: u64,
        ttq: [u8; 4],
    ) -> (Vec<u8>, Records, Result<(), oda::OdaError>) {
        let pdol = select(wallet);
        let (gpo_answer, sw) = data(gpo(wallet, &pdol, amount, UN, ttq));
        assert_eq!(sw, 0x9000);
        let records = read_records(wallet, &find(&gpo_answer, 0x94).unwrap());
        let aid = wallet.aid().to_vec();
        let verdict =
            icc_key(&aid, &records, &find(&gpo_answer, 0x82).unwrap(), &[]).and_then(|key| {
                oda::verify_fdda(
                    &key,
                    &find(&gpo_answer, 0x9F4B).unwrap_or_default(),
                    &UN,
                    &emv_kernel::config::amount_bcd(amount),
                    &[0x09, 0x78],
                    &find(&records.all(), 0x9F69).unwrap_or_default(),
                    &find(&gpo_answer, 0x9F36).unwrap(),
                )
            });
        (gpo_answer, records, verdict)
    }

    const VISA_TTQ: [u8; 4] = [0x37, 0x00, 0x40, 0x00];
    const UN: [u8; 4] = [0x1A, 0x2B, 0x3C, 0x4D];

    #[test]
    fn visa_phone_answers_qvsdc_online_with_fdda_and_cdcvm() {
        let mut wallet = Wallet::new(Profile::VisaPhone, WalletOptions::default()).unwrap();
        assert_eq!(wallet.atr(), vec![0x3B, 0x80, 0x80, 0x01, 0x01]);
        let (gpo, records, fdda) = visa_tap(&mut wallet, 2500, VISA_TTQ);
        tlv::validate(&gpo).unwrap();
        assert_eq!(gpo[0], 0x77);
        assert_eq!(find(&gpo, 0x9F27).unwrap(), vec![0x80]);
        assert_eq!(
            find(&gpo, 0x9F6C).unwrap(),
            vec![0x00, 0x80],
            "CDCVM performed"
        );
        assert_eq!(find(&gpo, 0x9F6E).unwrap()[0] & 0x1F, 0x03, "FFI phone");
        let track2 = hex::encode_upper(find(&gpo, 0x57).unwrap());
        assert!(track2.starts_with("4895370000000015D3012"));
        let records = records.all();
        assert_eq!(
            find(&records, 0x5A).unwrap(),
            hex::decode("4895370000000015").unwrap()
        );
        assert_eq!(find(&records, 0x9F24).unwrap().len(), 29, "PAR");
        assert!(find(&records, 0x9F19).is_some());
        assert_eq!(find(&records, 0x9F25).unwrap(), vec![0x47, 0x11]);
        let cad = find(&records, 0x9F69).unwrap();
        assert_eq!(cad[0], 0x01);
        assert_eq!(&cad[5..7], &[0x00, 0x80], "9F69 carries the CTQ");
        assert_eq!(fdda, Ok(()), "the kernel's ODA accepts the fDDA signature");
    }

    #[test]
    fn cryptograms_follow_amount_and_unpredictable_number() {
        let mut ac = Vec::new();
        for (amount, un) in [(2500, UN), (2501, UN), (2500, [0, 0, 0, 1])] {
            let mut wallet = Wallet::new(Profile::VisaCard, WalletOptions::default()).unwrap();
            let pdol = select(&mut wallet);
            let (gpo, _) = data(gpo(&mut wallet, &pdol, amount, un, VISA_TTQ));
            ac.push(find(&gpo, 0x9F26).unwrap());
        }
        assert_ne!(ac[0], ac[1]);
        assert_ne!(ac[0], ac[2]);
    }

    #[test]
    fn locked_visa_phone_says_see_phone_then_pays_on_the_next_tap() {
        let options = WalletOptions {
            locked: true,
            ..WalletOptions::default()
        };
        let mut wallet = Wallet::new(Profile::VisaPhone, options).unwrap();
        let pdol = select(&mut wallet);
        let (_, sw) = data(gpo(&mut wallet, &pdol, 2500, UN, VISA_TTQ));
        assert_eq!(sw, 0x6986);
        assert!(wallet.is_locked());
        wallet.field_off();
        assert!(!wallet.is_locked());
        let pdol = select(&mut wallet);
        let (gpo, sw) = data(gpo(&mut wallet, &pdol, 2500, UN, VISA_TTQ));
        assert_eq!(sw, 0x9000);
        assert_eq!(find(&gpo, 0x9F6C).unwrap(), vec![0x00, 0x80]);
    }

    #[test]
    fn visa_card_asks_for_signature_above_the_cvm_limit_and_goes_offline_when_allowed() {
        let mut wallet = Wallet::new(Profile::VisaCard, WalletOptions::default()).unwrap();
        let pdol = select(&mut wallet);
        let (gpo_answer, _) = data(gpo(&mut wallet, &pdol, 6000, UN, [0x36, 0xC0, 0x40, 0x00]));
        assert_eq!(find(&gpo_answer, 0x9F6C).unwrap(), vec![0x40, 0x00]);
        assert_eq!(find(&gpo_answer, 0x9F27).unwrap(), vec![0x80]);
        assert!(
            find(&gpo_answer, 0x9F6E).is_none(),
            "plastic has no phone FFI"
        );
        assert!(
            find(&gpo_answer, 0x9F4B).is_none(),
            "no ODA for online asked"
        );
        wallet.field_off();
        let pdol = select(&mut wallet);
        let (gpo_answer, _) = data(gpo(&mut wallet, &pdol, 1000, UN, [0x36, 0x00, 0x40, 0x00]));
        assert_eq!(find(&gpo_answer, 0x9F6C).unwrap(), vec![0x00, 0x00]);
        assert_eq!(find(&gpo_answer, 0x9F27).unwrap(), vec![0x40], "TC offline");
        assert!(find(&gpo_answer, 0x9F4B).is_some(), "TC always signs fDDA");
    }

    #[test]
    fn every_visa_profile_signs_what_the_kernel_verifies() {
        for profile in [Profile::VisaCard, Profile::LeavesField] {
            let mut wallet = Wallet::new(profile, WalletOptions::default()).unwrap();
            wallet.field_off(); // LeavesField only leaves on its first tap.
            let (_, records, _) = visa_tap(&mut wallet, 1000, [0x36, 0x00, 0x40, 0x00]);
            let aid = wallet.aid().to_vec();
            let key = icc_key(&aid, &records, &[0x20, 0x00], &[]).unwrap();
            assert_eq!(key.expiry, [0x11, 0x29], "{profile}");
        }
    }

    #[test]
    fn oda_faults_fail_the_kernels_checks() {
        let mut wallet = Wallet::new(Profile::VisaBadSignature, WalletOptions::default()).unwrap();
        let (gpo, _, fdda) = visa_tap(&mut wallet, 1000, [0x36, 0x00, 0x40, 0x00]);
        assert!(find(&gpo, 0x9F4B).is_some());
        assert!(fdda.is_err(), "corrupted SDAD: {fdda:?}");

        for (fault, what) in [
            (OdaFault::UnknownCaIndex, "unknown CA index"),
            (OdaFault::ExpiredIccCertificate, "expired ICC certificate"),
            (OdaFault::BadSignature, "bad signature"),
        ] {
            let options = WalletOptions {
                oda_fault: Some(fault),
                ..WalletOptions::default()
            };
            let mut wallet = Wallet::new(Profile::VisaCard, options).unwrap();
            let (_, records, fdda) = visa_tap(&mut wallet, 1000, [0x36, 0x00, 0x40, 0x00]);
            assert!(fdda.is_err(), "{what}");
            if fault == OdaFault::UnknownCaIndex {
                assert_eq!(find(&records.all(), 0x8F).unwrap(), vec![UNKNOWN_CA_INDEX]);
            }
        }

        let mut wallet = Wallet::new(Profile::VisaCard, WalletOptions::default()).unwrap();
        let (_, records, fdda) = visa_tap(&mut wallet, 1000, [0x36, 0x00, 0x40, 0x00]);
        assert_eq!(fdda, Ok(()));
        let revoked = emv_kernel::config::RevokedCertificate {
            rid: [0xA0, 0x00, 0x00, 0x00, 0x03],
            index: TEST_CA_INDEX,
            serial: ISSUER_CERTIFICATE_SERIAL,
        };
        let aid = wallet.aid().to_vec();
        assert!(
            icc_key(&aid, &records, &[0x20, 0x00], &[revoked]).is_err(),
            "revoked issuer"
        );
    }

    fn mastercard_transaction(
        wallet: &mut Wallet,
        p1: u8,
        amount: u64,
    ) -> (Records, Vec<u8>, Vec<u8>) {
        let pdol = select(wallet);
        let pdol_values = dol::build(&dol::parse(&pdol).unwrap(), |t| {
            terminal_value(t, amount, UN, [0; 4])
        });
        let (gpo_answer, sw) = data(wallet.respond(&apdu::get_processing_options(&pdol_values)));
        assert_eq!(sw, 0x9000);
        let records = read_records(wallet, &find(&gpo_answer, 0x94).unwrap());
        let cdol1 = find(&records.all(), 0x8C).unwrap();
        let cdol_values = dol::build(&dol::parse(&cdol1).unwrap(), |t| {
            terminal_value(t, amount, UN, [0; 4])
        });
        let (ac, sw) = data(wallet.respond(&apdu::generate_ac(p1, &cdol_values)));
        assert_eq!(sw, 0x9000);
        tlv::validate(&ac).unwrap();
        (records, [pdol_values, cdol_values].concat(), ac)
    }

    /// Verifies the GENERATE AC answer's CDA with the kernel's ODA.
    fn cda(wallet: &Wallet, records: &Records, dol_values: &[u8], ac: &[u8]) -> oda::CdaData {
        let key = icc_key(wallet.aid(), records, &wallet.app.aip, &[]).unwrap();
        let (pdol_values, cdol_values) = dol_values.split_at(3);
        let hashed = oda::cda_hash_input(pdol_values, &[cdol_values], ac).unwrap();
        let cid = find(ac, 0x9F27).unwrap()[0];
        oda::verify_cda(&key, &find(ac, 0x9F4B).unwrap(), &UN, cid, &hashed).unwrap()
    }

    #[test]
    fn mastercard_card_signs_a_tc_with_cda_over_the_transaction_data() {
        let mut wallet = Wallet::new(Profile::MastercardCard, WalletOptions::default()).unwrap();
        let (records, dol_values, ac) = mastercard_transaction(&mut wallet, 0x50, 1500);
        assert_eq!(find(&ac, 0x9F27).unwrap(), vec![0x40]);
        assert!(
            find(&ac, 0x9F26).is_none(),
            "CDA carries the AC inside 9F4B"
        );
        let signed = cda(&wallet, &records, &dol_values, &ac);
        assert_eq!((signed.cid, signed.idn.len()), (0x40, 8));
        let mut wallet = Wallet::new(Profile::MastercardCard, WalletOptions::default()).unwrap();
        let (_, _, ac) = mastercard_transaction(&mut wallet, 0x90, 1500);
        assert_eq!(find(&ac, 0x9F27).unwrap(), vec![0x80]);
        let mut wallet = Wallet::new(Profile::MastercardCard, WalletOptions::default()).unwrap();
        let (_, _, ac) = mastercard_transaction(&mut wallet, 0x80, 1500);
        assert!(find(&ac, 0x9F26).is_some(), "no CDA asked: plain AC");
        let options = WalletOptions {
            oda_fault: Some(OdaFault::BadSignature),
            ..WalletOptions::default()
        };
        let mut wallet = Wallet::new(Profile::MastercardCard, options).unwrap();
        let (records, dol_values, ac) = mastercard_transaction(&mut wallet, 0x90, 1500);
        let key = icc_key(wallet.aid(), &records, &wallet.app.aip, &[]).unwrap();
        let hashed = oda::cda_hash_input(&dol_values[..3], &[&dol_values[3..]], &ac).unwrap();
        let sdad = find(&ac, 0x9F4B).unwrap();
        assert!(oda::verify_cda(&key, &sdad, &UN, 0x80, &hashed).is_err());
    }

    #[test]
    fn mastercard_wallets_answer_relay_resistance_after_gpo_only() {
        let errd = apdu::exchange_relay_resistance_data([1, 2, 3, 4]);
        let mut wallet = Wallet::new(Profile::MastercardPhone, WalletOptions::default()).unwrap();
        let pdol = select(&mut wallet);
        assert_eq!(data(wallet.respond(&errd)).1, 0x6985, "before GPO");
        let (gpo_answer, sw) = data(gpo(&mut wallet, &pdol, 1000, UN, [0; 4]));
        assert_eq!(sw, 0x9000);
        assert_eq!(find(&gpo_answer, 0x82).unwrap()[1] & 0x01, 0x01, "AIP: RRP");
        let (answer, sw) = data(wallet.respond(&errd));
        assert_eq!(sw, 0x9000);
        let rrp = emv_kernel::kernel2::relay_resistance::DeviceRrpData::parse(&answer).unwrap();
        assert_eq!(
            (
                rrp.min_processing_time,
                rrp.max_processing_time,
                rrp.estimated_rapdu
            ),
            (0, 100, 18)
        );
        let (again, _) = data(wallet.respond(&apdu::exchange_relay_resistance_data([5; 4])));
        assert_ne!(
            again[2..6],
            answer[2..6],
            "fresh device entropy per exchange"
        );
        let short = [0x80, 0xEA, 0x00, 0x00, 0x02, 0x01, 0x02, 0x00];
        assert_eq!(data(wallet.respond(&short)).1, 0x6700);
        let mut visa = Wallet::new(Profile::VisaPhone, WalletOptions::default()).unwrap();
        assert_eq!(data(visa.respond(&errd)).1, 0x6D00);
    }

    #[test]
    fn locked_mastercard_phone_declines_with_cdcvm_missing_then_goes_online() {
        let options = WalletOptions {
            locked: true,
            ..WalletOptions::default()
        };
        let mut wallet = Wallet::new(Profile::MastercardPhone, options).unwrap();
        let (records, _, ac) = mastercard_transaction(&mut wallet, 0x90, 6000);
        assert_eq!(find(&records.all(), 0x9F24).unwrap().len(), 29);
        assert_eq!(find(&ac, 0x9F27).unwrap(), vec![0x00]);
        assert_eq!(find(&ac, 0xDF4B).unwrap(), vec![0x00, 0x01, 0x00]);
        wallet.field_off();
        let (records, dol_values, ac) = mastercard_transaction(&mut wallet, 0x90, 6000);
        assert_eq!(find(&ac, 0x9F27).unwrap(), vec![0x80]);
        assert_eq!(find(&ac, 0xDF4B).unwrap(), vec![0x00, 0x10, 0x00]);
        assert_eq!(cda(&wallet, &records, &dol_values, &ac).cid, 0x80);
    }

    /// The data record a kernel would send: the DOL values and every primitive object the
    /// card returned, plus the AID.
    fn record(
        aid: &[u8],
        dol_data: &[(&[u8], &[u8])],
        answers: &[&[u8]],
    ) -> emv_kernel::config::TagMap {
        let mut record = emv_kernel::config::TagMap::new();
        record.insert(Tag::new(0x4F), aid.to_vec());
        for (dol, values) in dol_data {
            let entries = dol::parse(dol).unwrap();
            let mut pos = 0;
            for e in entries {
                record.insert(e.tag, values[pos..pos + e.length].to_vec());
                pos += e.length;
            }
        }
        fn walk(data: &[u8], record: &mut emv_kernel::config::TagMap) {
            for t in tlv::parse(data).unwrap() {
                if t.is_constructed() {
                    walk(t.value, record);
                } else {
                    record.insert(t.tag, t.value.to_vec());
                }
            }
        }
        for answer in answers {
            walk(answer, &mut record);
        }
        record
    }

    fn host_verifies(record: emv_kernel::config::TagMap, amount: &str) -> bool {
        let host = crate::host::Host::with_defaults().unwrap();
        let response = host.decide(&crate::host::AuthorisationRequest {
            record,
            amount: amount.parse().unwrap(),
            currency: 978,
            terminal: Default::default(),
            refund: false,
        });
        response.cryptogram_verified
    }

    #[test]
    fn cryptograms_verify_with_the_host_simulator() {
        for profile in [Profile::VisaPhone, Profile::VisaCard] {
            let mut wallet = Wallet::new(profile, WalletOptions::default()).unwrap();
            let pdol = select(&mut wallet);
            let values = dol::build(&dol::parse(&pdol).unwrap(), |t| {
                terminal_value(t, 2500, UN, VISA_TTQ)
            });
            let (gpo, _) = data(wallet.respond(&apdu::get_processing_options(&values)));
            let aid = wallet.aid().to_vec();
            let good = record(&aid, &[(&pdol, &values)], &[&gpo]);
            assert!(host_verifies(good.clone(), "25.00"), "{profile}");
            let mut tampered = good;
            tampered.insert(Tag::new(0x9F37), vec![9, 9, 9, 9]);
            assert!(
                !host_verifies(tampered, "25.00"),
                "{profile}: UN is covered"
            );
        }
        for (profile, p1) in [
            (Profile::MastercardPhone, 0x90),
            (Profile::MastercardCard, 0x50),
        ] {
            let mut wallet = Wallet::new(profile, WalletOptions::default()).unwrap();
            let (records, dol_values, ac) = mastercard_transaction(&mut wallet, p1, 2500);
            let signed = cda(&wallet, &records, &dol_values, &ac);
            let pdol = hex_const(MASTERCARD_PDOL);
            let records = records.all();
            let cdol1 = find(&records, 0x8C).unwrap();
            let (pdol_values, cdol_values) = dol_values.split_at(3);
            let mut rec = record(
                wallet.aid(),
                &[(&pdol, pdol_values), (&cdol1, cdol_values)],
                &[&records, &ac],
            );
            rec.insert(Tag::new(0x82), wallet.app.aip.to_vec());
            rec.insert(Tag::new(0x9F26), signed.ac.to_vec());
            assert!(host_verifies(rec, "25.00"), "{profile}");
        }
    }

    #[test]
    fn faulty_profiles_misbehave_as_named() {
        let mut wallet = Wallet::new(Profile::MalformedTlv, WalletOptions::default()).unwrap();
        let pdol = select(&mut wallet);
        let (gpo_answer, sw) = data(gpo(&mut wallet, &pdol, 1000, UN, VISA_TTQ));
        assert_eq!(sw, 0x9000);
        assert!(tlv::validate(&gpo_answer).is_err());

        let mut wallet = Wallet::new(Profile::NoMatchingAid, WalletOptions::default()).unwrap();
        let (ppse, _) = data(wallet.respond(&apdu::select(apdu::PPSE_NAME)));
        assert_eq!(
            find(&ppse, 0x4F).unwrap(),
            hex::decode("A0000009991010").unwrap()
        );
        let (_, sw) = data(wallet.respond(&apdu::select(&hex::decode("A0000000031010").unwrap())));
        assert_eq!(sw, 0x6A82);
    }

    #[test]
    fn rejects_out_of_order_and_malformed_commands() {
        let mut wallet = Wallet::new(Profile::MastercardCard, WalletOptions::default()).unwrap();
        assert_eq!(
            data(wallet.respond(&apdu::get_processing_options(&[]))).1,
            0x6985
        );
        let pdol = select(&mut wallet);
        assert!(!pdol.is_empty());
        assert_eq!(
            data(wallet.respond(&apdu::get_processing_options(&[1]))).1,
            0x6700
        );
        assert_eq!(
            data(wallet.respond(&apdu::generate_ac(0x80, &[]))).1,
            0x6985
        );
        assert_eq!(data(wallet.respond(&apdu::read_record(5, 9))).1, 0x6A83);
        assert_eq!(data(wallet.respond(&[0x00, 0xA4])).1, 0x6700);
        assert_eq!(
            data(wallet.respond(&[0x00, 0xA4, 0x04, 0x00, 0x09, 0x01])).1,
            0x6700
        );
        assert_eq!(data(wallet.respond(&[0x84, 0x1E, 0x00, 0x00])).1, 0x6E00);
    }

    /// Arbitrary commands, in and out of order, never panic and always get a status word.
    #[test]
    fn survives_arbitrary_commands() {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for profile in Profile::ALL {
            let mut wallet = Wallet::new(profile, WalletOptions::default()).unwrap();
            for i in 0..3000 {
                if i % 50 == 0 {
                    wallet.field_off();
                    wallet.respond(&apdu::select(wallet.aid()));
                }
                let len = (next() % 40) as usize;
                let mut command: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                if let Some(first) = command.first_mut() {
                    *first = [0x00, 0x80, 0xFF, *first][(next() % 4) as usize];
                }
                if let Some(ins) = command.get_mut(1) {
                    *ins = [0xA4, 0xA8, 0xB2, 0xAE, 0xCA, *ins][(next() % 6) as usize];
                }
                match wallet.respond(&command) {
                    Response::Data(data) => assert!(data.len() >= 2, "{profile}: {command:02X?}"),
                    Response::LeaveField => assert_eq!(profile, Profile::LeavesField),
                }
            }
            // Well-formed commands carrying arbitrary DOL values (amounts with bad BCD,
            // any TTQ, any P1) reach the cryptogram and signature code.
            for _ in 0..200 {
                wallet.field_off();
                wallet.respond(&apdu::select(wallet.aid()));
                let pdol_len: usize = dol::parse(&wallet.app.pdol)
                    .unwrap()
                    .iter()
                    .map(|e| e.length)
                    .sum();
                let values: Vec<u8> = (0..pdol_len).map(|_| next() as u8).collect();
                let gpo = wallet.respond(&apdu::get_processing_options(&values));
                if let Response::Data(data) = gpo {
                    assert!(data.len() >= 2);
                }
                let cdol_len: usize = dol::parse(&wallet.app.cdol1)
                    .unwrap()
                    .iter()
                    .map(|e| e.length)
                    .sum();
                let values: Vec<u8> = (0..cdol_len).map(|_| next() as u8).collect();
                if let Response::Data(data) =
                    wallet.respond(&apdu::generate_ac(next() as u8, &values))
                {
                    assert!(data.len() >= 2);
                }
            }
        }
    }

    #[test]
    fn answers_acr122u_pseudo_apdus() {
        let mut wallet = Wallet::new(Profile::VisaPhone, WalletOptions::default()).unwrap();
        let (uid, sw) = data(wallet.respond(&[0xFF, 0xCA, 0x00, 0x00, 0x00]));
        assert_eq!(sw, 0x9000);
        assert_eq!((uid.len(), uid[0]), (4, 0x08));
        wallet.field_off();
        let (uid2, _) = data(wallet.respond(&[0xFF, 0xCA, 0x00, 0x00, 0x00]));
        assert_ne!(uid, uid2, "a phone's UID is random per tap");
        assert_eq!(
            wallet.respond(&[0xFF, 0x00, 0x48, 0x00, 0x00]),
            Response::Data(b"ACR122U215".to_vec())
        );
        // Green on (final green + green mask), then red on.
        let green = [0xFF, 0x00, 0x40, 0x0E, 0x04, 0x00, 0x00, 0x00, 0x00];
        assert_eq!(wallet.respond(&green), Response::Data(vec![0x90, 0x02]));
        let red = [0xFF, 0x00, 0x40, 0x05, 0x04, 0x01, 0x00, 0x01, 0x01];
        assert_eq!(wallet.respond(&red), Response::Data(vec![0x90, 0x03]));
        assert_eq!(
            wallet.respond(&[0xFF, 0x00, 0x52, 0x00, 0x00]),
            Response::Data(vec![0x90, 0x00])
        );
    }
}

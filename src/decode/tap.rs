//! A whole tap decoded at once: every exchange in order (the command's name, the terminal
//! data its DOL carried, the response's tree read with the tap's AID and currency), then the
//! offline data authentication chain redone from the card's own bytes with the configured CA
//! keys (Book 2 5.3, 6.3, 6.4: CA key, issuer certificate, static data, ICC certificate,
//! then the signature the card sent: SDA 93, DDA after INTERNAL AUTHENTICATE, Visa fDDA in
//! the GPO response, CDA in the GENERATE AC response), saying what verified and what failed
//! and why. Used by `tapterm decode --vector` and the developer screen.

use std::collections::HashMap;

use emv_kernel::config::{Capk, Date, RevokedCertificate};
use emv_kernel::oda::{self, IccPublicKey, IssuerPublicKey, OdaInput};
use emv_kernel::tlv::{self, Tag, TlvIter};
use emv_kernel::{dol, tags};
use serde::Serialize;

use super::{Decoded, Options, command_name, decode_with, fields, scheme::Application};

/// One exchange as recorded: the tap it belongs to (0-based), the command, and the response
/// with its status word, or why there was none.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// The tap, 0-based.
    pub tap: usize,
    /// The C-APDU.
    pub command: &'a [u8],
    /// The R-APDU with SW1 SW2, or what happened instead.
    pub response: Result<&'a [u8], &'a str>,
}

/// One exchange decoded.
#[derive(Debug, Serialize)]
pub struct ExchangeReport {
    /// 1-based position in the tap.
    pub index: usize,
    /// 1-based tap.
    pub tap: usize,
    /// The command's name ("GET PROCESSING OPTIONS").
    pub name: String,
    /// The command in hex.
    pub command: String,
    /// The terminal data the command carried, split by the card's DOL (PDOL for GPO,
    /// CDOL1/CDOL2 for GENERATE AC, DDOL for INTERNAL AUTHENTICATE) and decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_data: Option<Decoded>,
    /// The response's tree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Decoded>,
    /// Why the response could not be decoded, or why there was none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// How one step of the ODA chain ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepResult {
    /// Verified or recovered.
    Ok,
    /// Checked and wrong.
    Failed,
    /// Nothing to check: the card did not send it (an online qVSDC card need not sign).
    Absent,
}

/// One step of the ODA chain.
#[derive(Debug, Serialize)]
pub struct OdaStep {
    /// What was checked ("issuer public key certificate (90)").
    pub step: String,
    /// How it ended.
    pub result: StepResult,
    /// What was recovered, or why it failed.
    pub detail: Vec<String>,
}

/// A whole tap decoded.
#[derive(Debug, Serialize)]
pub struct TapReport {
    /// The application selected, "A0000000031010 (Visa)".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// Every exchange, in order.
    pub exchanges: Vec<ExchangeReport>,
    /// The ODA chain; empty when the card sent no certificate.
    pub oda: Vec<OdaStep>,
    /// The day certificates and CA keys were checked against, and where it came from.
    pub oda_date: String,
}

/// What the tap has shown so far, as the exchanges are walked.
#[derive(Default)]
struct Seen {
    app: Option<Application>,
    /// Primitive card data objects, first occurrence.
    card: HashMap<Tag, Vec<u8>>,
    /// Terminal data objects the commands carried.
    terminal: HashMap<Tag, Vec<u8>>,
    pdol_values: Vec<u8>,
    cdol_values: Vec<Vec<u8>>,
    ddol_values: Vec<u8>,
    /// READ RECORD answers (without SW) by (SFI, record).
    records: HashMap<(u8, u8), Vec<u8>>,
    /// The GPO and GENERATE AC response bodies (without SW), and the INTERNAL
    /// AUTHENTICATE answer.
    gpo: Option<Vec<u8>>,
    gen_ac: Option<Vec<u8>>,
    internal_authenticate: Option<Vec<u8>>,
}

fn collect(data: &[u8], into: &mut HashMap<Tag, Vec<u8>>) {
    for t in TlvIter::new(data).flatten() {
        if t.is_constructed() {
            collect(t.value, into);
        } else {
            into.entry(t.tag).or_insert_with(|| t.value.to_vec());
        }
    }
}

/// The command's data field (Lc and data of a case 3/4 short APDU).
fn command_data(command: &[u8]) -> &[u8] {
    let lc = command.get(4).copied().map_or(0, usize::from);
    command.get(5..5 + lc).unwrap_or_default()
}

/// Splits DOL-built data into TLV (Book 3 5.4) so the ordinary decoder can show it; `None`
/// when the data does not fit the DOL.
fn dol_tlv(dol_value: &[u8], data: &[u8], into: &mut HashMap<Tag, Vec<u8>>) -> Option<Vec<u8>> {
    let entries = dol::parse(dol_value).ok()?;
    let mut out = Vec::new();
    let mut rest = data;
    for e in entries {
        if rest.len() < e.length {
            return None;
        }
        let (value, tail) = rest.split_at(e.length);
        tlv::encode(e.tag, value, &mut out);
        into.entry(e.tag).or_insert_with(|| value.to_vec());
        rest = tail;
    }
    rest.is_empty().then_some(out)
}

impl Seen {
    /// Reads one exchange; returns the command data as TLV when a DOL explains it.
    fn read(&mut self, command: &[u8], body: Option<&[u8]>) -> Option<Vec<u8>> {
        let header = command.get(..2)?;
        let data = command_data(command);
        let mut shown = None;
        match header {
            [0x00, 0xA4] => {
                let is_ppse = data.starts_with(b"2PAY.SYS.DDF01");
                if let (false, Some(fci)) = (is_ppse, body) {
                    if let Ok(Some(df)) = tlv::find(fci, tags::DF_NAME) {
                        self.app = Some(Application::new(df.value));
                    }
                    // A new application: its data replaces the last one's.
                    self.card.clear();
                }
            }
            [0x80, 0xA8] => {
                let values = data.get(2..).unwrap_or_default();
                self.pdol_values = values.to_vec();
                let pdol = self.card.get(&tags::PDOL).cloned().unwrap_or_default();
                shown = dol_tlv(&pdol, values, &mut self.terminal);
                self.gpo = body.map(<[u8]>::to_vec);
                // Format 1 (template 80): the AIP, then the AFL (Book 3 6.5.8.4).
                if let Some(Ok(t)) = body.and_then(|b| TlvIter::new(b).next())
                    && t.tag == tags::RESPONSE_TEMPLATE_FORMAT_1
                    && t.value.len() >= 2
                {
                    let (aip, afl) = t.value.split_at(2);
                    self.card.insert(tags::AIP, aip.to_vec());
                    self.card.insert(tags::AFL, afl.to_vec());
                }
            }
            [0x80, 0xAE] => {
                let which = if self.cdol_values.is_empty() {
                    tags::CDOL1
                } else {
                    Tag::new(0x8D)
                };
                let cdol = self.card.get(&which).cloned().unwrap_or_default();
                shown = dol_tlv(&cdol, data, &mut self.terminal);
                self.cdol_values.push(data.to_vec());
                if self.gen_ac.is_none() {
                    self.gen_ac = body.map(<[u8]>::to_vec);
                }
            }
            [0x00, 0x88] => {
                self.ddol_values = data.to_vec();
                let ddol = self
                    .card
                    .get(&Tag::new(0x9F49))
                    .cloned()
                    .unwrap_or_default();
                shown = dol_tlv(&ddol, data, &mut self.terminal);
                self.internal_authenticate = body.map(<[u8]>::to_vec);
            }
            [0x00, 0xB2] => {
                if let (Some(&record), Some(&p2), Some(b)) = (command.get(2), command.get(3), body)
                {
                    self.records.insert((p2 >> 3, record), b.to_vec());
                }
            }
            _ => {}
        }
        if let Some(b) = body {
            collect(b, &mut self.card);
        }
        shown
    }

    fn currency(&self) -> Option<u16> {
        self.terminal
            .get(&tags::TRANSACTION_CURRENCY_CODE)
            .and_then(|v| fields::bcd_number(v))
    }
}

/// Decodes a whole tap: every exchange, then the ODA chain with `capks` and `revoked`,
/// checking dates against the transaction date the terminal sent (9A in a DOL) or, without
/// one, `date`.
pub fn decode_tap(
    exchanges: &[Exchange<'_>],
    capks: &[Capk],
    revoked: &[RevokedCertificate],
    date: Date,
    reveal: bool,
) -> TapReport {
    let mut seen = Seen::default();
    let mut reports = Vec::new();
    for (i, e) in exchanges.iter().enumerate() {
        let body = e
            .response
            .ok()
            .and_then(|r| r.get(..r.len().checked_sub(2)?))
            .filter(|b| tlv::validate(b).is_ok());
        let shown = seen.read(e.command, body);
        let options = Options {
            reveal,
            aid: seen.app.as_ref().map(|a| a.aid.clone()),
            currency: seen.currency(),
        };
        let command_data = shown.and_then(|data| decode_with(&data, &options).ok());
        let (response, error) = match e.response {
            Ok(r) => match decode_with(r, &options) {
                Ok(d) => (Some(d), None),
                Err(err) => (None, Some(err.to_string())),
            },
            Err(why) => (None, Some(why.to_string())),
        };
        reports.push(ExchangeReport {
            index: i + 1,
            tap: e.tap + 1,
            name: command_name(e.command),
            command: hex::encode_upper(e.command),
            command_data,
            response,
            error,
        });
    }
    let (date, oda_date) = match seen
        .terminal
        .get(&tags::TRANSACTION_DATE)
        .and_then(|v| tags::yymmdd(v))
    {
        Some((year, month, day)) => {
            let d = Date {
                year: year as u16,
                month: month as u8,
                day: day as u8,
            };
            (
                d,
                format!("{} (9A, the date the terminal sent)", show_date(d)),
            )
        }
        None => (
            date,
            format!("{} (the transaction's date)", show_date(date)),
        ),
    };
    TapReport {
        application: seen.app.as_ref().map(|a| {
            let scheme = a.scheme.map_or("no scheme known here", |s| s.name());
            format!("{} ({scheme})", hex::encode_upper(&a.aid))
        }),
        exchanges: reports,
        oda: oda_chain(&seen, capks, revoked, date),
        oda_date,
    }
}

fn show_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// MMYY BCD as MM/YY.
fn mmyy(v: [u8; 2]) -> String {
    format!("{:02X}/{:02X}", v[0], v[1])
}

fn step(step: &str, result: Result<Vec<String>, oda::OdaError>) -> OdaStep {
    match result {
        Ok(detail) => OdaStep {
            step: step.into(),
            result: StepResult::Ok,
            detail,
        },
        Err(e) => OdaStep {
            step: step.into(),
            result: StepResult::Failed,
            detail: vec![format!("failed: {e}")],
        },
    }
}

fn key_line(modulus: &[u8], exponent: &[u8]) -> String {
    format!(
        "key {} bits, exponent {}",
        modulus.len() * 8,
        hex::encode_upper(exponent)
    )
}

/// The records the AFL flags for ODA, in AFL order (Book 3 10.3); `Err` names a record the
/// tap did not read.
fn oda_records(seen: &Seen) -> Result<Vec<(u8, &[u8])>, String> {
    let afl = seen
        .card
        .get(&tags::AFL)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut out = Vec::new();
    for entry in afl.chunks(4) {
        let &[sfi, first, last, count] = entry else {
            return Err("the AFL is not a multiple of 4 bytes".into());
        };
        let sfi = sfi >> 3;
        for record in (first..=last).take(usize::from(count)) {
            let data = seen.records.get(&(sfi, record)).ok_or(format!(
                "SFI {sfi} record {record} (flagged for ODA) was not read"
            ))?;
            out.push((sfi, data.as_slice()));
        }
    }
    Ok(out)
}

fn oda_chain(
    seen: &Seen,
    capks: &[Capk],
    revoked: &[RevokedCertificate],
    date: Date,
) -> Vec<OdaStep> {
    let card = |tag: u32| seen.card.get(&Tag::new(tag)).map(Vec::as_slice);
    let Some(app) = &seen.app else {
        return Vec::new();
    };
    if card(0x8F).is_none() && card(0x90).is_none() {
        return Vec::new();
    }
    let mut steps = Vec::new();
    let index = card(0x8F).and_then(|i| i.first().copied());
    let rid = app.aid.get(..5).unwrap_or_default();
    let capk = capks
        .iter()
        .find(|k| k.rid == rid && Some(k.index) == index);
    steps.push(OdaStep {
        step: "CA public key".into(),
        result: if capk.is_some() {
            StepResult::Ok
        } else {
            StepResult::Failed
        },
        detail: vec![match capk {
            Some(k) => format!(
                "RID {} index {:02X}: configured, {}, expires {}",
                hex::encode_upper(rid),
                k.index,
                key_line(&k.modulus, &k.exponent),
                show_date(k.expiry)
            ),
            None => format!(
                "RID {} index {}: not among the {} configured CA keys",
                hex::encode_upper(rid),
                index.map_or("missing".into(), |i| format!("{i:02X}")),
                capks.len()
            ),
        }],
    });
    let records = oda_records(seen);
    let static_data = match &records {
        Ok(r) => oda::static_data_from_records(r, card(0x82), card(0x9F4A)),
        Err(_) => Ok(Vec::new()),
    };
    let input = OdaInput {
        aid: &app.aid,
        capk_index: card(0x8F),
        issuer_certificate: card(0x90),
        issuer_remainder: card(0x92),
        issuer_exponent: card(0x9F32),
        icc_certificate: card(0x9F46),
        icc_exponent: card(0x9F47),
        icc_remainder: card(0x9F48),
        pan: card(0x5A),
        static_data: static_data.as_deref().unwrap_or_default(),
    };
    let issuer = oda::recover_issuer_key(&input, capks, revoked, date);
    steps.push(step(
        "issuer public key certificate (90)",
        issuer.as_ref().map(issuer_lines).map_err(Clone::clone),
    ));
    let Ok(issuer) = issuer else {
        return steps;
    };
    steps.push(match (&records, &static_data) {
        (Err(why), _) => OdaStep {
            step: "static data to be authenticated".into(),
            result: StepResult::Failed,
            detail: vec![why.clone()],
        },
        (Ok(r), sd) => step(
            "static data to be authenticated",
            sd.as_ref()
                .map(|sd| {
                    vec![format!(
                        "{} bytes from {} record(s) the AFL flags{}",
                        sd.len(),
                        r.len(),
                        if card(0x9F4A).is_some_and(|l| !l.is_empty()) {
                            ", then the AIP (9F4A)"
                        } else {
                            ""
                        }
                    )]
                })
                .map_err(Clone::clone),
        ),
    });
    if let Some(ssad) = card(0x93) {
        steps.push(step(
            "signed static application data (93), SDA",
            oda::verify_sda(&issuer, ssad, input.static_data).map(|dac| {
                vec![format!(
                    "verified; data authentication code {}",
                    hex::encode_upper(dac)
                )]
            }),
        ));
    }
    if card(0x9F46).is_none() {
        return steps;
    }
    let icc = oda::recover_icc_key(&input, capks, revoked, date);
    steps.push(step(
        "ICC public key certificate (9F46)",
        icc.as_ref().map(icc_lines).map_err(Clone::clone),
    ));
    if let Ok(icc) = icc {
        steps.extend(signature(seen, &icc));
    }
    steps
}

fn issuer_lines(k: &IssuerPublicKey) -> Vec<String> {
    // The issuer identifier is up to 8 PAN digits: show the first 6 only.
    let id: String = hex::encode_upper(k.issuer_id)
        .trim_end_matches('F')
        .chars()
        .take(6)
        .collect();
    vec![
        "recovered with the CA key: header 6A, format 02, trailer BC, hash matches".into(),
        format!(
            "issuer identifier {id}… (matches the PAN), expires {}, serial {}",
            mmyy(k.expiry),
            hex::encode_upper(k.serial)
        ),
        key_line(&k.key.modulus, &k.key.exponent),
    ]
}

fn icc_lines(k: &IccPublicKey) -> Vec<String> {
    vec![
        "recovered with the issuer key: header 6A, format 04, trailer BC, hash over the static data matches".into(),
        format!(
            "PAN matches 5A, expires {}, serial {}",
            mmyy(k.expiry),
            hex::encode_upper(k.serial)
        ),
        key_line(&k.key.modulus, &k.key.exponent),
    ]
}

/// The dynamic signature the card sent, verified with the ICC key.
fn signature(seen: &Seen, icc: &IccPublicKey) -> Vec<OdaStep> {
    let card = |tag: u32| seen.card.get(&Tag::new(tag)).map(Vec::as_slice);
    let term = |tag: u32| seen.terminal.get(&Tag::new(tag)).map(Vec::as_slice);
    let sdad_in = |body: &Option<Vec<u8>>| {
        body.as_deref()
            .and_then(|b| tlv::find(b, Tag::new(0x9F4B)).ok().flatten())
            .map(|t| t.value.to_vec())
    };
    let mut steps = Vec::new();
    if let Some(sdad) = sdad_in(&seen.gpo) {
        steps.push(step(
            "fDDA signature (9F4B in the GPO response, C-3)",
            oda::verify_fdda(
                icc,
                &sdad,
                term(0x9F37).unwrap_or_default(),
                term(0x9F02).unwrap_or_default(),
                term(0x5F2A).unwrap_or_default(),
                card(0x9F69).unwrap_or_default(),
                card(0x9F36).unwrap_or_default(),
            )
            .map(|()| {
                vec![format!(
                    "verified: hash over 9F37 9F02 5F2A 9F69 matches, ICC dynamic number = ATC {}",
                    hex::encode_upper(card(0x9F36).unwrap_or_default())
                )]
            }),
        ));
    }
    if let (Some(sdad), Some(body)) = (sdad_in(&seen.gen_ac), &seen.gen_ac) {
        let cdol: Vec<&[u8]> = seen.cdol_values.iter().take(1).map(Vec::as_slice).collect();
        let result = oda::cda_hash_input(&seen.pdol_values, &cdol, body).and_then(|data| {
            oda::verify_cda(
                icc,
                &sdad,
                term(0x9F37).unwrap_or_default(),
                card(0x9F27)
                    .and_then(|c| c.first().copied())
                    .unwrap_or_default(),
                &data,
            )
        });
        steps.push(step(
            "CDA signature (9F4B in the GENERATE AC response, Book 2 6.6)",
            result.map(|c| {
                vec![format!(
                    "verified: CID {:02X}, cryptogram {}, transaction data hash code matches, ICC dynamic number {}",
                    c.cid,
                    hex::encode_upper(c.ac),
                    hex::encode_upper(&c.idn)
                )]
            }),
        ));
    }
    if let Some(body) = &seen.internal_authenticate {
        let sdad = match TlvIter::new(body).next() {
            Some(Ok(t)) if t.tag == tags::RESPONSE_TEMPLATE_FORMAT_1 => Some(t.value.to_vec()),
            _ => sdad_in(&seen.internal_authenticate),
        };
        steps.push(step(
            "DDA signature (INTERNAL AUTHENTICATE, Book 2 6.5)",
            oda::verify_dda(icc, sdad.as_deref().unwrap_or_default(), &seen.ddol_values).map(
                |idn| {
                    vec![format!(
                        "verified: ICC dynamic number {}",
                        hex::encode_upper(idn)
                    )]
                },
            ),
        ));
    }
    if steps.is_empty() {
        steps.push(OdaStep {
            step: "dynamic signature".into(),
            result: StepResult::Absent,
            detail: vec![
                "the card sent no signed dynamic application data (9F4B) in this tap".into(),
            ],
        });
    }
    steps
}

/// The report as indented text: each exchange, then the ODA chain.
pub fn render_text(report: &TapReport) -> String {
    let mut out = String::new();
    if let Some(app) = &report.application {
        out.push_str(&format!("application {app}\n"));
    }
    for e in &report.exchanges {
        out.push_str(&format!(
            "\n#{} tap {} {}\nC: {}\n",
            e.index, e.tap, e.name, e.command
        ));
        if let Some(d) = &e.command_data {
            out.push_str("  terminal data sent:\n");
            for line in super::render_text(d).lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
        if let Some(d) = &e.response {
            out.push_str("R:\n");
            for line in super::render_text(d).lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
        if let Some(err) = &e.error {
            out.push_str(&format!("R: {err}\n"));
        }
    }
    out.push_str(&oda_text(report));
    out
}

/// The ODA chain as text lines ("ODA chain (dates checked against …)", then one line per
/// step and its details).
pub fn oda_text(report: &TapReport) -> String {
    if report.oda.is_empty() {
        return "\nODA: the card sent no CA public key index (8F) or issuer certificate (90)\n"
            .into();
    }
    let mut out = format!("\nODA chain (dates checked against {})\n", report.oda_date);
    for s in &report.oda {
        let mark = match s.result {
            StepResult::Ok => "ok",
            StepResult::Failed => "FAILED",
            StepResult::Absent => "none",
        };
        out.push_str(&format!("  [{mark}] {}\n", s.step));
        for d in &s.detail {
            out.push_str(&format!("        {d}\n"));
        }
    }
    out
}
